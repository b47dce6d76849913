"""train_sft.py on a tiny random Llama: masking, outputs, reload, --max-steps, resume, bad input."""
from __future__ import annotations

import signal
from pathlib import Path

import pytest
from conftest import sample_records
from test_train_sft import argv_for, config_for

import config
from common import modeling
from common import questions
from training import sft

SUMMARY_KEYS = {"initial_eval_loss", "final_eval_loss", "final_train_loss", "steps", "epochs", "tokens_per_s",
                "wall_time_s", "peak_memory_mb"}


def test_loss_covers_the_answer_only(tmp_path, tiny_llama_dir, sample_dir):
    records = sample_records(sample_dir, 2)
    cfg = config.get_preset("tiny")
    cfg.model.name = str(tiny_llama_dir)
    cfg.sft.output_dir = str(tmp_path / "sft")  # the Trainer makes its checkpoints folder at once
    model, tok, backend = modeling.load_base_model(cfg.model)
    model = modeling.add_lora(model, cfg.lora, backend)
    trainer = sft.build_trainer(cfg, model, tok, records, records)

    for record, row in zip(records, trainer.train_dataset):
        prompt_ids = tok.apply_chat_template(record["messages"][:2], add_generation_prompt=True, tokenize=True)
        prompt_ids = list(prompt_ids["input_ids"] if hasattr(prompt_ids, "keys") else prompt_ids)
        full_ids = tok.apply_chat_template(record["messages"], tokenize=True)
        full_ids = list(full_ids["input_ids"] if hasattr(full_ids, "keys") else full_ids)
        n = len(prompt_ids)
        assert row["input_ids"] == full_ids and row["input_ids"][:n] == prompt_ids
        assert row["labels"][:n] == [-100] * n  # system prompt and question: no loss
        assert row["labels"][n:] == full_ids[n:]  # the answer: real token ids
        assert tok.decode(row["labels"][n:]) == record["messages"][2]["content"] + "<|im_end|>\n"
    first = trainer.train_dataset[0]
    assert tok.decode([t for t in first["labels"] if t != -100]) == "(C) Right coronary artery<|im_end|>\n"

    batch = trainer.data_collator([trainer.train_dataset[0], trainer.train_dataset[1]])
    lengths = [len(r["input_ids"]) for r in trainer.train_dataset]
    short = lengths.index(min(lengths))
    assert batch["labels"].shape[1] == max(lengths)
    assert (batch["labels"][short, min(lengths):] == -100).all()  # padding: no loss
    assert (batch["attention_mask"][short, min(lengths):] == 0).all()


def test_saved_adapter_reloads_to_the_same_logits(tmp_path, tiny_llama_dir, splits):
    import torch

    cfg = config_for(argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "2"))
    result = sft.train(cfg)
    ids = torch.tensor([[1, 422, 1187, 315, 260, 9103, 30, 2]])
    trained = result.trainer.model.eval()
    with torch.no_grad():
        expected = trained(input_ids=ids).logits
        reloaded, _, _ = modeling.load_with_adapter(cfg.model, cfg.sft.output_dir)
        got = reloaded.eval()(input_ids=ids).logits
        base, _, _ = modeling.load_base_model(cfg.model)
        plain = base.eval()(input_ids=ids).logits
    assert torch.allclose(got, expected, atol=1e-5)
    assert (got - plain).abs().max() > 1e-3  # the adapter is not a no-op


def test_second_ctrl_c_stops_at_once():
    stopper = sft.StopOnInterrupt()
    with stopper:
        stopper._handler(signal.SIGINT, None)
        assert stopper.requested
        with pytest.raises(KeyboardInterrupt):
            stopper._handler(signal.SIGINT, None)


def native_chat_records(path: Path, n: int) -> list[dict]:
    """n seeded questions of a native sample file, with their chat messages (system prompt "sys")."""
    from common import mcq_format

    records, _ = questions.load_questions(path, max_samples=n, seed=0)
    for r in records:
        r["messages"] = mcq_format.build_messages(r, "sys")
    return records


def test_permuted_copies_keep_each_answer_with_its_text_and_move_the_letters(sample_dir):
    records = native_chat_records(sample_dir / "medqa.jsonl", 40)
    out = sft.augment_with_permutations(records, 2, seed=1)
    assert len(out) == 3 * len(records) and out[: len(records)] == records
    assert sft.augment_with_permutations(records, 0, seed=1) is records
    copies = out[len(records):]
    assert all(c["options"][c["answer"]] == r["options"][r["answer"]] for c, r in zip(copies, records * 2))
    moved = sum(c["answer"] != r["answer"] for c, r in zip(copies, records * 2))
    assert moved > len(copies) / 2  # with 4-5 options most answers land on another letter
    assert sft.augment_with_permutations(records, 1, seed=1) == sft.augment_with_permutations(records, 1, seed=1)
    assert sft.augment_with_permutations(records, 1, seed=2) != sft.augment_with_permutations(records, 1, seed=1)


def test_balanced_copies_put_each_answer_on_every_letter(sample_dir):
    from collections import Counter

    records = native_chat_records(sample_dir / "medmcqa.jsonl", 30)
    out = sft.augment_with_permutations(records, 3, seed=1, balanced=True, keep_explanation=False)
    assert len(out) == 4 * len(records)
    n = len(records)
    for i, r in enumerate(records):  # the question and its 3 copies: the answer on A, B, C and D once each
        seen = [out[i + k * n] for k in range(4)]
        assert sorted(s["answer"] for s in seen) == ["A", "B", "C", "D"]
        assert all(s["options"][s["answer"]] == r["options"][r["answer"]] for s in seen)
        assert all(s["messages"][-1]["content"] == f"({s['answer']}) {r['answer_text']}" for s in seen[1:])
    letters = Counter(r["answer"] for r in out)
    assert set(letters.values()) == {n}  # whatever the originals' letters, the set is exactly balanced


def test_grouped_batches_hold_one_question_with_its_answer_on_every_letter(sample_dir):
    records = native_chat_records(sample_dir / "medmcqa.jsonl", 12)
    out = sft.augment_with_permutations(records, 3, seed=1, balanced=True, keep_explanation=False)
    sampler = sft.QuestionGroupSampler(sft.permutation_groups(len(records), 3), seed=5)
    order = list(sampler)
    assert sorted(order) == list(range(len(out))) and len(sampler) == len(out)
    batches = [order[i:i + 4] for i in range(0, len(order), 4)]
    for batch in batches:
        assert len({out[i]["question"] for i in batch}) == 1  # one question...
        assert sorted(out[i]["answer"] for i in batch) == ["A", "B", "C", "D"]  # ...with its answer on each letter
    assert [b[0] for b in batches] != list(range(len(records)))  # the questions come in a shuffled order
    sampler.set_epoch(1)
    assert list(sampler) != order and sorted(sampler) == sorted(order)  # reshuffled per epoch, all there
    sampler.set_epoch(0)
    assert list(sampler) == order  # and reproducibly (a resumed run replays its epoch)


def test_the_trainer_feeds_each_question_with_its_copies_as_one_batch(tmp_path, tiny_llama_dir, sample_dir):
    import re

    records = [r for r in sample_records(sample_dir, 12) if len(r["options"]) == 4][:6]
    train = sft.augment_with_permutations(records, 3, seed=0, balanced=True, keep_explanation=False)
    cfg = config.get_preset("tiny")
    cfg.model.name = str(tiny_llama_dir)
    cfg.sft.output_dir = str(tmp_path / "sft")  # the Trainer makes its checkpoints folder at once
    cfg.sft.batch_size, cfg.sft.grad_accum = 4, 1
    model, tok, backend = modeling.load_base_model(cfg.model)
    model = modeling.add_lora(model, cfg.lora, backend)
    trainer = sft.build_trainer(cfg, model, tok, train, records,
                                      groups=sft.permutation_groups(len(records), 3))
    batches = list(trainer.get_train_dataloader())
    assert len(batches) == len(records)
    for batch in batches:
        texts = tok.batch_decode(batch["input_ids"], skip_special_tokens=True)
        answers = [re.findall(r"assistant\s*\(([A-E])\)", t)[-1] for t in texts]
        questions = {t.split("user", 1)[1].split("A)", 1)[0] for t in texts}
        assert sorted(answers) == ["A", "B", "C", "D"] and len(questions) == 1


def test_answer_only_lm_head_gives_the_full_logits_loss_and_gradients(tmp_path, tiny_llama_dir, sample_dir, monkeypatch):
    """train_sft's LM-head patch: the loss and LoRA gradients of the model's own full-logits loss, from fewer rows."""
    import torch
    import trl.trainer.utils as trl_utils

    records = sample_records(sample_dir, 4)
    cfg = config.get_preset("tiny")
    cfg.model.name = str(tiny_llama_dir)
    cfg.sft.output_dir = str(tmp_path / "sft")  # the Trainer makes its checkpoints folder at once
    cfg.sft.letter_loss_weight = 1.0  # the plain token average (the letter's weight: tests/test_sft_letters.py)
    model, tok, backend = modeling.load_base_model(cfg.model)
    model = modeling.add_lora(model, cfg.lora, backend)
    with torch.no_grad():  # non-zero LoRA B, so the LoRA A gradients are not all zero
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn_like(p) * 0.1)
    trainer = sft.build_trainer(cfg, model, tok, records, records)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(4)])
    answer_tokens = int((batch["labels"][:, 1:] != -100).sum())
    positions = batch["labels"][:, 1:].numel()
    assert 0 < answer_tokens < positions / 2  # the prompt is most of an MCQ example

    rows_scored = []
    real_apply = trl_utils._ChunkedLogProbFunction.apply
    monkeypatch.setattr(trl_utils._ChunkedLogProbFunction, "apply",
                        lambda hidden, *a: rows_scored.append(hidden.shape[0]) or real_apply(hidden, *a))

    def loss_and_grads(compute):
        trainer.model.zero_grad()
        loss = compute()
        loss.backward()
        grads = {n: p.grad.detach().clone() for n, p in trainer.model.named_parameters() if p.requires_grad}
        return loss.detach(), grads

    trainer.model.train()
    patched, patched_grads = loss_and_grads(lambda: trainer.compute_loss(trainer.model, dict(batch)))
    # TRL's own path on a CPU (every position through the head, then masked) and the model's plain loss
    trl_loss, trl_grads = loss_and_grads(
        lambda: super(type(trainer), trainer).compute_loss(trainer.model, dict(batch)))
    plain, plain_grads = loss_and_grads(lambda: trainer.model(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).loss)

    assert rows_scored == [answer_tokens, positions]  # the patch really scores the answer tokens only
    assert plain.item() > 1.0  # a random model: a real loss, not a constant
    torch.testing.assert_close(patched, plain, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(trl_loss, plain, atol=1e-5, rtol=1e-5)
    assert set(patched_grads) == set(plain_grads) and any(g.abs().max() > 0 for g in plain_grads.values())
    for name, grad in plain_grads.items():
        torch.testing.assert_close(patched_grads[name], grad, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(trl_grads[name], grad, atol=1e-5, rtol=1e-4)
