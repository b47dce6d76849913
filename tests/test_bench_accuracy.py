"""The accuracy bench's pass/fail lines follow the figures (bench/bench_accuracy.py)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_accuracy  # noqa: E402


def results(base, sft, ppo, sft_top):
    models = [{"name": n, "loglik": {"accuracy": a, "f1_macro": f}} for n, (a, f) in
              (("base", base), ("sft", sft), ("ppo", ppo))]
    hist = {"base": {"A": 0.9, "B": 0.1}, "sft": {"A": 1 - sft_top, "C": sft_top}, "ppo": {"B": 1.0}}
    return {"MedQA": {"summary": {"models": models, "n": 100}, "histograms": hist}}


def test_goals_pass_and_fail_on_each_bar():
    ok = bench_accuracy.goals(results((0.30, 0.15), (0.29, 0.19), (0.28, 0.2), 0.5))
    assert [p for p, _ in ok] == [True, True, True, True]
    bad = bench_accuracy.goals(results((0.30, 0.15), (0.27, 0.14), (0.24, 0.2), 0.75))
    assert [p for p, _ in bad] == [False, False, False, False]
    assert "C is 75%" in bad[2][1]


def test_answer_key_and_histogram_count_the_letters():
    preds = [{"answer": a, "loglik": p} for a, p in ("AA", "BA", "CA", "AC")]
    assert bench_accuracy.letter_shares(preds, "answer") == {"A": 0.5, "B": 0.25, "C": 0.25}
    assert bench_accuracy.letter_shares(preds, "loglik") == {"A": 0.75, "C": 0.25}
