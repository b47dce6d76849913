"""Benchmark: evaluate.py's log-likelihood scoring against lm-evaluation-harness-style per-option scoring.

    .venv/bin/python bench/bench_eval.py                  # 10 MedQA sample questions, 2 alternating rounds
    .venv/bin/python bench/bench_eval.py --questions 16   # the recorded run (6.6 min on 2 busy cores)
    .venv/bin/python bench/bench_eval.py --quick          # 4 questions, 1 round

Model: the embedded SmolLM2-135M-Instruct (tiny preset), on whatever device modeling picks, the same
loaded model for every contender.

Ours: scoring.predict(..., "loglik"): one forward pass per question reads every option letter's
next-token log-probability after the prompt and "(", questions batched (eval.batch_size rows, left
padding, logits at the last position only).

Baseline, the way lm-evaluation-harness's HF model scores a multiple-choice question: one request per
option, (context = the chat prompt, continuation = "(" + letter); the continuation's tokens are
whole[len(context):] of the encoded context + continuation; requests sorted by length, longest first,
and run in batches of the same eval.batch_size rows (right padding); full logits, log-softmax, the sum of
the continuation tokens' log-probabilities. Its score differs from ours by log P("(") only, which every
option shares, so both pick the same letter (checked).

A second baseline is lm-evaluation-harness's default logits cache ("group_by contexts"): requests whose
tokens differ only in the last one are run once, so for these continuations it also needs one sequence
per question. It shows what remains once the per-option passes are gone (padding side, logits kept).

The contenders alternate (ours, per-option, grouped, ours, ...) so load from other work on a shared
machine falls on all alike; each figure is the median over the rounds.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import scoring  # noqa: E402
from common import metrics  # noqa: E402
from common.questions import load_questions  # noqa: E402


def lm_eval_requests(scorer, chats, letters) -> list[tuple[int, str, list[int], list[int]]]:
    """(question index, letter, context tokens, continuation tokens) for every option."""
    requests = []
    for q, (chat, ls) in enumerate(zip(chats, letters)):
        context = scorer._template(chat)
        context_ids = scorer._encode(context)
        for L in ls:
            whole = scorer._encode(context + metrics.mcq_format.ANSWER_PREFIX + L)
            requests.append((q, L, context_ids, whole[len(context_ids):]))
    return requests


def lm_eval_scores(scorer, chats, letters, batch_size: int, group: bool = False) -> list[dict[str, float]]:
    """Each option's continuation log-likelihood, batched as lm-evaluation-harness batches requests.

    group=True: requests whose context + continuation[:-1] agree run once and share the logits
    (lm-evaluation-harness's default for causal models).
    """
    import torch

    requests = lm_eval_requests(scorer, chats, letters)
    runs: dict[tuple, list] = {}
    for r in requests:
        key = tuple(r[2] + r[3][:-1]) if group else (len(runs),)
        runs.setdefault(key, []).append(r)
    order = sorted(runs.values(), key=lambda rs: -(len(rs[0][2]) + len(rs[0][3])))
    out: list[dict[str, float]] = [{} for _ in chats]
    pad = scorer.tok.pad_token_id
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        rows = [(rs[0][2] + rs[0][3])[:-1] for rs in chunk]  # the model predicts each continuation token
        width = max(len(r) for r in rows)
        ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=scorer.model.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=scorer.model.device)
        with torch.inference_mode():
            logp = torch.log_softmax(scorer.model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)
        for i, rs in enumerate(chunk):
            n = len(rows[i])
            for q, L, _, cont in rs:
                positions = range(n - len(cont), n)
                out[q][L] = float(sum(logp[i, p, t] for p, t in zip(positions, cont)))
    return out


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(quick: bool = False, questions: int = 10) -> list[dict]:
    import torch

    import config
    from common import modeling

    cfg = config.tiny()
    n, rounds = (4, 1) if quick else (questions, 2)
    records, _ = load_questions(ROOT / "data" / "sample" / "medqa.jsonl", max_samples=n, seed=0)
    model, tok, _ = modeling.load_base_model(cfg.model)
    scorer = scoring.HFModel(model, tok)
    chats = [metrics.mcq_format.prompt_messages(r, config.SYSTEM_PROMPT) for r in records]
    letters = [list(r["options"]) for r in records]
    size = cfg.eval.batch_size
    torch.manual_seed(0)

    contenders = {
        "ours": lambda: scoring.predict(scorer, records, "loglik", size, config.SYSTEM_PROMPT),
        "per_option": lambda: lm_eval_scores(scorer, chats, letters, size),
        "grouped": lambda: lm_eval_scores(scorer, chats, letters, size, group=True),
    }
    for name, fn in contenders.items():  # warm-up: every path once, on two questions
        if name == "ours":
            scoring.predict(scorer, records[:2], "loglik", size, config.SYSTEM_PROMPT)
        else:
            lm_eval_scores(scorer, chats[:2], letters[:2], size, group=name == "grouped")
    seconds: dict[str, list[float]] = {k: [] for k in contenders}
    results: dict = {}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t, results[name] = _timed(fn)
            seconds[name].append(t)
    t = {k: statistics.median(v) for k, v in seconds.items()}

    ours = [p["scores"] for p in results["ours"]]
    options = sum(len(ls) for ls in letters)
    checks = []
    for name in ("per_option", "grouped"):
        base = results[name]
        same = sum(max(o, key=o.get) == max(b, key=b.get) for o, b in zip(ours, base))
        # the baseline adds log P("(") to every option of a question: compare the differences between options
        diff = max(abs((o[L] - o[ls[0]]) - (b[L] - b[ls[0]])) for o, b, ls in zip(ours, base, letters) for L in ls)
        checks.append(f"{name}: same letter on {same}/{n}, largest difference of option log-prob gaps {diff:.4f}")
    where = (f"{n} MedQA sample questions ({options} options), SmolLM2-135M on {model.device}, "
             f"{torch.get_num_threads()} threads, batches of {size} rows; median of {rounds} alternating rounds "
             f"(shared machine, noisy)")
    rows = []
    # The headline peer is lm-evaluation-harness with its default logits cache (what a user running lm-eval gets);
    # per-option requests without the cache are an extra row, labelled as the weaker baseline.
    for name, label, detail in (
        ("grouped", "lm-eval's default logits cache (requests differing in the last token run once)",
         f"{n} sequences with full logits, right padding"),
        ("per_option", "(weaker baseline) per-option continuation requests (lm-eval style, no logits cache)",
         f"{options} sequences with full logits"),
    ):
        rows.append({
            "figure": f"log-likelihood scoring vs {label}",
            "ours": round(n / t["ours"], 2), "baseline": round(n / t[name], 2), "unit": "questions/s",
            "ratio": round(t[name] / t["ours"], 2), "goal": ">= 0.9x" if name == "grouped" else "none (informational)",
            **({"check": ["ratio", ">=", 0.9]} if name == "grouped" else {}),
            "note": (f"{where}; ours {t['ours']:.2f} s ({n} sequences, last-position logits), baseline "
                     f"{t[name]:.2f} s ({detail}); {'; '.join(checks)}"),
        })
    return rows


if __name__ == "__main__":
    import argparse

    from run_all import print_rows

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 questions, 1 round")
    parser.add_argument("--questions", type=int, default=10, help="MedQA sample questions to score (default 10)")
    args = parser.parse_args()
    print_rows(run(quick=args.quick, questions=args.questions))
