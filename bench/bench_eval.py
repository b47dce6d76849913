"""Benchmark: evaluate.py's log-likelihood mode against one forward pass per option, same questions, same model.

    .venv/bin/python bench/bench_eval.py           # 32 MedQA sample questions (goal: >= 3x)
    .venv/bin/python bench/bench_eval.py --quick   # 4 questions

Model: the embedded SmolLM2-135M-Instruct (tiny preset), on whatever device modeling picks.
Ours: evaluate.predict(..., "loglik"): one forward pass per question reads every option letter's
next-token log-probability at the last position, questions batched (eval.batch_size, left padding).
Baseline: the usual per-choice scoring: for each option, one forward pass over prompt + "(" + letter,
one question at a time, reading the letter's log-probability. Both read logits only where needed
(logits_to_keep), so the ratio measures the passes saved and the batching, not the lm_head.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import evaluate  # noqa: E402


def per_option_baseline(scorer, chats, letters) -> list[dict[str, float]]:
    """One forward pass per (question, option): the letter's log-probability after prompt + "("."""
    import torch

    out = []
    for chat, ls in zip(chats, letters):
        ids, token_of = evaluate.answer_prefix_ids(scorer._encode, scorer._template(chat), ls)
        scores = {}
        for L, token in token_of.items():
            with torch.inference_mode():
                logits = scorer.model(input_ids=torch.tensor([ids + [token]], device=scorer.model.device),
                                      logits_to_keep=2).logits
            scores[L] = float(torch.log_softmax(logits[0, 0].float(), dim=-1)[token])  # predicted before `token`
        out.append(scores)
    return out


def run(quick: bool = False) -> list[dict]:
    import torch

    import config
    import modeling

    cfg = config.tiny()
    n = 4 if quick else 32
    records, _ = evaluate.load_questions(ROOT / "data" / "sample" / "medqa.jsonl", max_samples=n, seed=0)
    model, tok, _ = modeling.load_base_model(cfg.model)
    scorer = evaluate.HFModel(model, tok)
    chats = [evaluate.mcq_format.prompt_messages(r, config.SYSTEM_PROMPT) for r in records]
    letters = [list(r["options"]) for r in records]
    torch.manual_seed(0)

    evaluate.predict(scorer, records[:2], "loglik", cfg.eval.batch_size)  # warm-up, both paths
    per_option_baseline(scorer, chats[:1], letters[:1])

    start = time.perf_counter()
    ours = evaluate.predict(scorer, records, "loglik", cfg.eval.batch_size, config.SYSTEM_PROMPT)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    base = per_option_baseline(scorer, chats, letters)
    t_base = time.perf_counter() - start

    same = sum(o["pred"] == max(b, key=b.get) for o, b in zip(ours, base))
    diff = max(abs(o["scores"][L] - b[L]) for o, b in zip(ours, base) for L in b)
    options = sum(len(ls) for ls in letters)
    qps_ours, qps_base = n / t_ours, n / t_base
    device = str(model.device)
    return [{
        "figure": "log-likelihood scoring speed",
        "ours": round(qps_ours, 3),
        "baseline": round(qps_base, 3),
        "unit": "questions/s",
        "ratio": round(qps_ours / qps_base, 2),
        "goal": ">= 3x",
        "note": (f"{n} MedQA sample questions ({options} options), SmolLM2-135M on {device}; ours: {n} prompts in "
                 f"batches of {cfg.eval.batch_size} ({t_ours:.1f} s), baseline: {options} single forward passes "
                 f"({t_base:.1f} s); same letter on {same}/{n}, largest log-prob difference {diff:.4f}"),
    }]


if __name__ == "__main__":
    from run_all import print_rows

    print_rows(run(quick="--quick" in sys.argv[1:]))
