"""Is the exported GGUF the model that was trained? The faithfulness measure and its gate.

The merged Transformers model and the GGUF answer the same validation questions through common/scoring.py's
scorers (one code path for evaluation, export and the benches). Per question:

* the log-likelihood answer letter each ranks first (after the answer prefix "("), compared;
* the KL divergence KL(merged || GGUF) between their whole next-token distributions at that position
  (natural log, over the vocabulary both share): 0 for identical models, and it grows with
  quantization error long before the top letter flips;
* greedy generation's answer letter on both sides; a question where either side gives no letter is a
  disagreement, never an agreement.

The gate (config.ExportConfig.faithfulness_gate) sets, per quant type, the lowest log-likelihood letter
agreement and the highest mean KL that pass. `gate()` says whether a result passes and why not.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from common import mcq_format


def kl_divergence(logp: np.ndarray, logq: np.ndarray) -> float:
    """KL(p || q) in nats from two log-probability vectors (the shorter length is the shared vocabulary)."""
    n = min(len(logp), len(logq))
    lp, lq = np.asarray(logp[:n], dtype=np.float64), np.asarray(logq[:n], dtype=np.float64)
    # renormalise over the shared vocabulary (padded embedding rows beyond it carry ~0 mass)
    lp = lp - np.logaddexp.reduce(lp)
    lq = lq - np.logaddexp.reduce(lq)
    return float(max(0.0, np.sum(np.exp(lp) * (lp - lq))))


def _score_source(source, records: Sequence[dict], system_prompt: str, generate: bool, cache: dict,
                  batch_size: int) -> None:
    """Fill cache[(id, system prompt)] with the source's answer distribution (and greedy text) for every record it
    lacks, batch_size questions a forward pass or generate call: the source is a Transformers model, which
    runs a batch far faster than one question at a time on a CPU (llama.cpp takes them one by one anyway)."""
    todo = [(i, rec) for i, rec in enumerate(records)
            if "dist" not in cache.get((rec.get("id", i), system_prompt), {})
            or (generate and "text" not in cache[(rec.get("id", i), system_prompt)])]
    for start in range(0, len(todo), max(1, batch_size)):
        part = todo[start:start + max(1, batch_size)]
        chats = [mcq_format.prompt_messages(rec, system_prompt) for _, rec in part]
        keys = [(rec.get("id", i), system_prompt) for i, rec in part]
        missing = [j for j, k in enumerate(keys) if "dist" not in cache.get(k, {})]
        if missing:
            dists = source.answer_distributions([chats[j] for j in missing],
                                                [sorted(part[j][1]["options"]) for j in missing])
            for j, dist in zip(missing, dists):
                cache.setdefault(keys[j], {})["dist"] = dist
        if generate:
            for k, text in zip(keys, source.generate(chats)):
                cache[k]["text"] = text


def compare(source, exported, records: Sequence[dict], system_prompt: str, generate: bool = True,
            advance: Callable[[], Any] | None = None, source_cache: dict | None = None, batch_size: int = 8) -> dict:
    """Score records on both models -> {"n", "loglik_agreement", "kl_mean", "kl_max", "generate_agreement", ...}.

    source / exported are common.scoring scorers (HFModel, GGUFModel): answer_distributions() and generate().
    The source is scored batch_size questions at a time, the exported model one at a time. source_cache (a dict
    the caller keeps) holds the source's answers, so comparing several GGUFs with one source model scores the
    source once.
    """
    cache = {} if source_cache is None else source_cache
    _score_source(source, records, system_prompt, generate, cache, batch_size)
    details = []
    for i, rec in enumerate(records):
        chat = mcq_format.prompt_messages(rec, system_prompt)
        letters = sorted(rec["options"])
        key = (rec.get("id", i), system_prompt)
        (src_scores, src_logp) = cache[key]["dist"]
        (exp_scores, exp_logp), = exported.answer_distributions([chat], [letters])
        row = {"id": rec.get("id"), "answer": rec.get("answer"),
               "loglik_source": max(src_scores, key=src_scores.get),
               "loglik_exported": max(exp_scores, key=exp_scores.get),
               "kl": kl_divergence(src_logp, exp_logp)}
        row["loglik_agree"] = row["loglik_source"] == row["loglik_exported"]
        if generate:
            src_text = cache[key]["text"]
            exp_text, = exported.generate([chat])
            a = mcq_format.extract_answer(src_text, rec["options"])
            b = mcq_format.extract_answer(exp_text, rec["options"])
            row.update(generate_source=a, generate_exported=b, generate_agree=a is not None and a == b,
                       source_text=src_text, exported_text=exp_text)
        details.append(row)
        if advance:
            advance()
    n = len(details)
    kls = [d["kl"] for d in details]
    out = {
        "n": n,
        "loglik_agreement": sum(d["loglik_agree"] for d in details) / n if n else None,
        "kl_mean": float(np.mean(kls)) if n else None,
        "kl_max": float(np.max(kls)) if n else None,
        "generate_agreement": (sum(d["generate_agree"] for d in details) / n) if (n and generate) else None,
        "generate_both_answered": sum(d.get("generate_source") is not None and d.get("generate_exported") is not None
                                      for d in details) if generate else None,
        "details": details,
    }
    return out


def gate(result: dict, quant: str, thresholds: dict[str, dict[str, float]]) -> tuple[bool, str]:
    """(passed, one line): the result against the quant type's minimum agreement and maximum mean KL."""
    limits = thresholds.get(quant)
    if limits is None:
        return False, f"no faithfulness threshold for {quant} (config.ExportConfig.faithfulness_gate)"
    if not result["n"]:
        return False, "no validation questions were checked"
    agree, kl = result["loglik_agreement"], result["kl_mean"]
    problems = []
    if agree < limits["min_loglik_agreement"]:
        problems.append(f"log-likelihood letters agree on {agree:.1%} < {limits['min_loglik_agreement']:.0%}")
    if not math.isfinite(kl) or kl > limits["max_kl"]:
        problems.append(f"mean KL {kl:.4f} > {limits['max_kl']} nats")
    summary = (f"{quant}: letters agree on {agree:.1%} of {result['n']} questions, mean KL {kl:.4f} nats"
               + (f", greedy answers agree on {result['generate_agreement']:.1%}"
                  if result.get("generate_agreement") is not None else ""))
    if problems:
        return False, summary + " (gate: " + "; ".join(problems) + ")"
    return True, summary
