"""SFT's answer-letter metrics: the letter token's own loss and accuracy and the letter histogram at each evaluation."""
from __future__ import annotations

import json
import math

import pytest

import config
import mcq_format
import run_logging
import train_sft
from test_train_sft import argv_for, run_main, sample_records, splits  # noqa: F401  (splits: a fixture)


def direct_letter_scores(model, tok, record: dict) -> dict[str, float]:
    """log p(letter) at the answer position, by one plain forward pass (no evaluate.py code)."""
    import torch

    chat = mcq_format.prompt_messages(record, config.SYSTEM_PROMPT)
    prompt = tok.apply_chat_template(chat, add_generation_prompt=True, tokenize=False) + "("
    ids = tok.encode(prompt, add_special_tokens=False)
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids])).logits[0, -1].float()
    logp = torch.log_softmax(logits, -1)
    return {L: float(logp[tok.encode(prompt + L, add_special_tokens=False)[-1]]) for L in record["options"]}


def test_letter_metrics_match_a_direct_forward(tiny_llama_dir, sample_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir, dtype=torch.float32)
    records = sample_records(sample_dir, 12)
    got = train_sft.letter_metrics(model, tok, records, batch_size=5)

    direct = [direct_letter_scores(model, tok, r) for r in records]
    preds = [max(s, key=s.get) for s in direct]
    loss = sum(-s[r["answer"]] for s, r in zip(direct, records)) / len(records)
    assert got["letter_loss"] == pytest.approx(loss, abs=2e-3)
    assert got["letter_acc"] == pytest.approx(sum(p == r["answer"] for p, r in zip(preds, records)) / len(records), abs=1e-3)
    for L in "ABCD":
        assert got[f"letter_frac_{L}"] == pytest.approx(preds.count(L) / len(records), abs=1e-3)
    assert math.isclose(sum(v for k, v in got.items() if k.startswith("letter_frac_")), 1.0, abs_tol=1e-3)
    assert got["letter_top_frac"] == pytest.approx(max(preds.count(L) for L in "ABCD") / len(records), abs=1e-3)
    # a loss over the whole vocabulary: at least log(vocab) - something for an untrained model, never 0
    assert got["letter_loss"] > 1.0


def test_sft_run_logs_the_letter_at_every_evaluation(tmp_path, tiny_llama_dir, splits, capsys):
    argv = argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "4", "--set", "sft.eval_steps=2")
    code, out, err = run_main(argv, capsys)
    assert code == 0, err
    records = run_logging.read_metrics(tmp_path / "logs" / "sft")
    evals = [r for r in records if "eval_loss" in r]
    assert [r["step"] for r in evals] == [0, 2, 4]
    for r in evals:
        assert 0.0 <= r["eval_letter_acc"] <= 1.0 and r["eval_letter_loss"] > 0
        fracs = [v for k, v in r.items() if k.startswith("eval_letter_frac_")]
        assert len(fracs) in (4, 5) and sum(fracs) == pytest.approx(1.0, abs=1e-3)
    # lr 0.01 on a random model moves the letter's distribution between evaluations
    assert evals[0]["eval_letter_loss"] != evals[-1]["eval_letter_loss"]

    summary = json.loads((tmp_path / "sft" / "train_summary.json").read_text())
    first, last = summary["letter_eval"]["initial"], summary["letter_eval"]["final"]
    assert first["letter_loss"] == evals[0]["eval_letter_loss"] and last["letter_acc"] == evals[-1]["eval_letter_acc"]
    assert f"accuracy {first['letter_acc']:.1%} -> {last['letter_acc']:.1%}" in out
    assert summary["train_rows"] == 16 and len(summary["train_file_sha256"]) == 64
