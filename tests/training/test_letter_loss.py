"""SFT's answer-letter metrics: the letter token's own loss and accuracy and the letter histogram at each evaluation."""
from __future__ import annotations

import json
import math

import pytest

from training import letter_loss as answer_letter
import config
from common import mcq_format
from common import run_logging
from conftest import sample_records
from test_train_sft import argv_for, run_main
from training import sft


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
    got = answer_letter.metrics(model, tok, records, batch_size=5)

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


# --------------------------------------------------------------------------- the letter's weight in the loss


def test_letter_positions_find_the_letter_after_the_bracket_or_merged_with_it(embedded_tokenizer_dir):
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    is_letter = answer_letter.LetterTokens(tok)
    bracket, b, text = tok.encode("(", add_special_tokens=False), tok.encode("B", add_special_tokens=False), \
        tok.encode(" Scurvy", add_special_tokens=False)
    assert len(bracket) == len(b) == 1 and not is_letter(text[0]) and not is_letter(bracket[0]) and is_letter(b[0])
    ignore = [-100] * 3
    labels = torch.tensor([
        ignore + bracket + b + text + [-100] * (3 - len(text)),  # "(" then "B": the letter is the second token
        ignore[:2] + b + text + [-100] * (5 - len(text)),  # the letter first (a "(B"-merging tokenizer)
        ignore + text + bracket + b + [-100] * (3 - len(text)),  # no letter at the start of the answer
        [-100] * 8,  # no completion at all
    ])
    assert answer_letter.letter_positions(labels, is_letter) == ([0, 1], [4, 2])


def test_letter_weight_adds_the_letters_cross_entropy_to_the_token_average(tmp_path, tiny_llama_dir, sample_dir):
    """With sft.letter_loss_weight = w, the loss is the plain token average plus (w - 1) x the letters' summed
    cross-entropy over the answer-token count, checked against the model's full logits; w = 1 is the plain loss."""
    import torch
    import torch.nn.functional as F

    from common import modeling
    from conftest import sample_records as records_of

    records = records_of(sample_dir, 4)
    cfg = config.get_preset("tiny")
    cfg.model.name, cfg.sft.output_dir = str(tiny_llama_dir), str(tmp_path / "sft")
    cfg.sft.letter_loss_weight = 1.0  # the plain loss first (the tiny preset weighs the letter)
    model, tok, backend = modeling.load_base_model(cfg.model)
    model = modeling.add_lora(model, cfg.lora, backend)
    trainer = sft.build_trainer(cfg, model, tok, records, records)
    assert trainer.letter_weight == 1.0  # build_trainer reads sft.letter_loss_weight
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(4)])
    trainer.model.train()

    with torch.no_grad():
        out = trainer.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                            labels=batch["labels"])
        labels = batch["labels"]
        answer_tokens = int((labels[:, 1:] != -100).sum())
        # each row's letter: the answer's second token (SmolLM2's tokenizer: "(" then the letter)
        letter_at = [[i for i in range(labels.shape[1]) if labels[row, i] != -100][1] for row in range(len(labels))]
        for row, at in enumerate(letter_at):
            assert tok.decode([int(labels[row, at])]) == records[row]["answer"]

        def letters_ce(logits):
            return sum(F.cross_entropy(logits[row, at - 1].float()[None], labels[row, at][None])
                       for row, at in enumerate(letter_at))

        expected_extra = float(letters_ce(out.logits)) / answer_tokens

        plain = trainer.compute_loss(trainer.model, dict(batch))
        trainer.letter_weight = 5.0
        weighted = trainer.compute_loss(trainer.model, dict(batch))
    torch.testing.assert_close(plain, out.loss, atol=1e-5, rtol=1e-5)
    assert expected_extra > 0.5  # a random model: the letters have a real loss
    assert float(weighted - plain) == pytest.approx(4.0 * expected_extra, rel=1e-4)

    # and the same gradients as the direct sum (the hidden state the term uses is the training forward's)
    def grads(loss):
        trainer.model.zero_grad()
        loss.backward()
        return {n: p.grad.detach().clone() for n, p in trainer.model.named_parameters() if p.requires_grad}

    got = grads(trainer.compute_loss(trainer.model, dict(batch)))
    out = trainer.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"])
    direct = out.loss + 4.0 * letters_ce(out.logits) / answer_tokens
    want = grads(direct)
    assert any(g.abs().max() > 0 for g in want.values())
    for name, grad in want.items():
        torch.testing.assert_close(got[name], grad, atol=1e-5, rtol=1e-4)

    trainer.model.eval()  # evaluation keeps the plain loss, comparable across weights
    with torch.no_grad():
        assert float(trainer.compute_loss(trainer.model, dict(batch))) == pytest.approx(float(out.loss), rel=1e-5)


def test_the_final_norm_is_found_through_data_parallel_and_peft_wrappers(tiny_llama_dir):
    """`accelerate launch` hands compute_loss the model inside DistributedDataParallel (its `.module`)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir, dtype=torch.float32)
    norm = model.model.norm
    peft = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj"]))

    class Wrapper(torch.nn.Module):  # the attribute layout of torch's DistributedDataParallel / DataParallel
        def __init__(self, inner):
            super().__init__()
            self.module = inner

    for wrapped in (model, peft, Wrapper(peft), Wrapper(Wrapper(model))):
        assert answer_letter.final_norm(wrapped) is norm
        assert answer_letter.unwrap(wrapped).get_output_embeddings() is model.lm_head
    from common.errors import UserError

    with pytest.raises(UserError, match="no final norm"):  # the one-line error, not any exception
        answer_letter.final_norm(torch.nn.Linear(2, 2))
