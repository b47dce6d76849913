"""train_ppo.py: the loop learns a toy task, adapters and outputs, resume, bad input."""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import cli
import config
import mcq_format
import modeling
import ppo_core
import ppo_learner as pl
import run_logging
import train_ppo as tp
from conftest import build_tiny_llama

SUMMARY_KEYS = {"reward_start", "reward_end", "accuracy_start", "accuracy_end", "kl_end", "steps", "tokens_per_s",
                "wall_time_s", "peak_memory_mb"}
METRIC_KEYS = {"step", "reward_mean", "accuracy", "kl", "policy_loss", "value_loss", "clip_frac", "entropy",
               "response_len", "tokens_per_s"}


@pytest.fixture
def one_thread():
    """Tiny models run far faster on one thread (and do not fight the other processes on the machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --------------------------------------------------------------------------- fixtures


def make_adapter(base_dir: Path, out: Path, seed: int = 0, targets=("q_proj", "v_proj")) -> Path:
    """An SFT-like adapter: LoRA on base_dir with small random B (so it changes the model), saved by PEFT."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir),
                           LoraConfig(r=4, lora_alpha=8, target_modules=list(targets), task_type="CAUSAL_LM"))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.05)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def sft_dir(tiny_llama_dir, tmp_path_factory) -> Path:
    return make_adapter(tiny_llama_dir, tmp_path_factory.mktemp("sft"))


def processed_records(sample_dir: Path, medqa: int = 12, medmcqa: int = 0) -> list[dict]:
    """Records in data_processor's format, built from the shipped sample (SYSTEM_PROMPT, no explanation)."""
    rows = []
    for i, line in enumerate(open(sample_dir / "medqa.jsonl", encoding="utf-8")):
        if i >= medqa:
            break
        q = json.loads(line)
        rows.append({"id": f"medqa-{i}", "source": "medqa", "question": q["question"], "options": q["options"],
                     "answer": q["answer_idx"], "answer_text": q["answer"], "explanation": "", "subject": ""})
    for i, line in enumerate(open(sample_dir / "medmcqa.jsonl", encoding="utf-8")):
        if i >= medmcqa:
            break
        q = json.loads(line)
        options = {"A": q["opa"], "B": q["opb"], "C": q["opc"], "D": q["opd"]}
        letter = "ABCD"[q["cop"]]
        rows.append({"id": q["id"], "source": "medmcqa", "question": q["question"], "options": options,
                     "answer": letter, "answer_text": options[letter], "explanation": q.get("exp") or "",
                     "subject": q.get("subject_name") or ""})
    for row in rows:
        row["messages"] = mcq_format.build_messages(row, config.SYSTEM_PROMPT, include_explanation=False)
    return rows


@pytest.fixture(scope="session")
def train_file(sample_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.jsonl"
    cli.atomic_write_jsonl(path, processed_records(sample_dir, medqa=12, medmcqa=4))
    return path


def argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, *extra) -> list[str]:
    return [
        "--model", str(tiny_llama_dir), "--sft-adapter", str(sft_dir), "--output-dir", str(tmp_path / "ppo"),
        "--wandb", "disabled", "--max-steps", "3",
        "--set", f"ppo.train_file={train_file}", "--set", f"ppo.logs_dir={tmp_path / 'logs'}",
        "--set", "ppo.run_name=ppo",
        "--set", "ppo.batch_size=2", "--set", "ppo.mini_batch_size=1", "--set", "ppo.ppo_epochs=2",
        "--set", "ppo.max_new_tokens=4", "--set", "ppo.learning_rate=1e-3", "--set", "ppo.save_steps=1",
        # one answer per question with the value baseline, whatever the tiny preset uses (rloo has its own tests)
        "--set", "ppo.advantage=gae", "--set", "ppo.samples_per_question=1",
        "--set", "ppo.num_examples=32",  # every question of the small train files (the tiny preset takes 8)
        *extra,
    ]


def run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main_wrapper(tp.main, argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_questions_are_the_seeded_subset_of_one_source(train_file, tmp_path):
    no_sft = str(tmp_path / "no-sft")  # no SFT summary: nothing known about which rows SFT saw
    ppo = config.PPOConfig(train_file=str(train_file), source="medqa", num_examples=5, seed=1, sft_adapter=no_sft)
    rows = tp.load_questions(ppo)
    medqa_ids = [r["id"] for r in map(json.loads, open(train_file, encoding="utf-8")) if r["source"] == "medqa"]
    assert len(rows) == 5 and {r["id"] for r in rows} <= set(medqa_ids)
    assert [r["id"] for r in rows] == [r["id"] for r in tp.load_questions(ppo)]  # same seed, same questions
    assert [r["id"] for r in rows] != medqa_ids[:5]  # shuffled, not the file's first rows
    other = tp.load_questions(config.PPOConfig(train_file=str(train_file), num_examples=5, seed=2, sft_adapter=no_sft))
    assert [r["id"] for r in other] != [r["id"] for r in rows]  # another seed, another subset
    ppo.max_samples = 3
    assert [r["id"] for r in tp.load_questions(ppo)] == [r["id"] for r in rows[:3]]
    ppo.num_examples, ppo.max_samples, ppo.source = 0, 0, ""
    assert len(tp.load_questions(ppo)) == 16  # 0 = all rows; '' = every source
    assert tp.question_overlap(rows) == {"sft_seen_questions": None, "sft_seen_fraction": None}


def write_sft_summary(folder: Path, train_file: Path, rows: int, digest: str | None = None) -> None:
    from train_outputs import file_sha256

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train_summary.json").write_text(json.dumps(
        {"train_file": str(train_file), "train_file_sha256": digest or file_sha256(train_file), "train_rows": rows}))


def test_questions_sft_did_not_see_come_first(train_file, tmp_path):
    """SFT trained on the first 6 rows of this file (same sha256): PPO takes the 6 other medqa rows first."""
    sft = tmp_path / "sft"
    write_sft_summary(sft, train_file, rows=6)
    ids = [r["id"] for r in map(json.loads, open(train_file, encoding="utf-8"))]
    seen = set(ids[:6])
    ppo = config.PPOConfig(train_file=str(train_file), source="medqa", num_examples=8, seed=1, sft_adapter=str(sft))
    rows = tp.load_questions(ppo)
    got = [r["id"] for r in rows]
    assert set(got[:6]) == set(ids[6:12]) and set(got[6:]) <= seen  # all unseen medqa rows, then 2 seen ones
    assert [r["_sft_seen"] for r in rows] == [False] * 6 + [True] * 2
    assert got[:6] != ids[6:12]  # still shuffled within the group
    assert tp.question_overlap(rows) == {"sft_seen_questions": 2, "sft_seen_fraction": 0.25}
    ppo.seed = 2
    assert set(r["id"] for r in tp.load_questions(ppo)[:6]) == set(ids[6:12])  # any seed: unseen first
    # another file's summary (a different sha256) says nothing about these rows: plain seeded order
    write_sft_summary(sft, train_file, rows=6, digest="0" * 64)
    ppo.seed = 1
    rows = tp.load_questions(ppo)
    assert tp.question_overlap(rows)["sft_seen_questions"] is None and all(r["_sft_seen"] is None for r in rows)


def test_prompts_use_the_chat_template_and_skip_long_ones(embedded_tokenizer_dir, train_file):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    records = tp.load_questions(config.PPOConfig(train_file=str(train_file), num_examples=4))
    ids, kept = tp.encode_prompts(tok, records, "unused: records carry their system turn", 10_000)
    text = tok.decode(ids[0])
    assert text.startswith("<|im_start|>system\n" + config.SYSTEM_PROMPT) and text.endswith("<|im_start|>assistant\n")
    assert records[0]["question"] in text and kept == records
    limit = sorted(len(i) for i in ids)[1]  # keeps the two shortest
    assert len(tp.encode_prompts(tok, records, "", limit)[0]) == 2
    with pytest.raises(cli.UserError, match="longer than 5 tokens"):
        tp.encode_prompts(tok, records, "", 5)
    ids, mask = tp.left_pad([[5, 6, 7], [8]], 0, "cpu")
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]] and mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_balanced_variants_move_each_answer_to_its_own_letter(embedded_tokenizer_dir, train_file):
    """ppo.balanced_permutations: answer j of a question sees its options permuted so that the correct option
    sits j letters after the original's; the option texts are the question's own; answer 0 is the original."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    records = tp.load_questions(config.PPOConfig(train_file=str(train_file), num_examples=5))
    ids, records = tp.encode_prompts(tok, records, "", 10_000)
    variants = tp.balanced_variants(tok, records, ids, 4, "", seed=3)
    assert len(variants) == len(records) and all(len(v) == 4 for v in variants)
    for record, own, group in zip(records, ids, variants):
        assert group[0] == (own, record)
        letters = list(record["options"])
        at = letters.index(record["answer"])
        assert [r["answer"] for _, r in group] == [letters[(at + j) % len(letters)] for j in range(4)]
        for prompt, r in group:
            assert r["options"][r["answer"]] == record["options"][record["answer"]]
            assert sorted(r["options"].values()) == sorted(record["options"].values())
            assert r["question"] == record["question"] and prompt == tp.encode_prompts(tok, [r], "", 10_000)[0][0]
            assert mcq_format.format_options(r["options"]) in tok.decode(prompt)
        assert len({tuple(p) for p, _ in group}) == 4
    assert tp.balanced_variants(tok, records, ids, 4, "", seed=3)[0][1][1]["options"] == variants[0][1][1]["options"]


def test_summary_averages_the_first_and_last_quarter():
    history = [{"reward_mean": r, "accuracy": a, "kl": k, "tokens": 10.0, "step_time_s": 2.0}
               for r, a, k in [(0.1, 0.0, 0.0), (0.3, 0.25, 0.1), (0.1, 0, 0.2), (0.1, 0, 0.2),
                               (0.1, 0, 0.2), (0.1, 0, 0.2), (0.55, 0.5, 0.3), (1.0, 1.0, 0.5)]]
    s = tp.summarize(history)
    assert (s["window_steps"], s["steps"]) == (2, 8)
    assert (s["reward_start"], s["reward_end"]) == (0.2, 0.775)
    assert (s["accuracy_start"], s["accuracy_end"], s["kl_end"]) == (0.125, 0.75, 0.4)
    assert s["tokens_per_s"] == 5.0  # 80 answer tokens in 16 s


# --------------------------------------------------------------------------- a toy model for the loop itself

CUES = (2, 3, 4, 5)  # the prompt ends with one of these; the reward asks for it as the first answer token


def toy_policy(tmp_path: Path, ppo, seed: int = 0):
    """A 16-token, 2-layer Llama with an "SFT" adapter: a model small enough to learn in seconds."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    conf = LlamaConfig(vocab_size=16, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, pad_token_id=0, bos_token_id=None,
                       eos_token_id=1, tie_word_embeddings=False)
    torch.manual_seed(seed)
    # LoRA on lm_head too: the random head's logits are too flat for a peaked answer otherwise
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj", "lm_head"])
    sft = get_peft_model(LlamaForCausalLM(conf), lora)
    sft.save_pretrained(tmp_path / "toy_sft")
    torch.manual_seed(seed)
    model = tp.attach_adapters(LlamaForCausalLM(conf), tmp_path / "toy_sft")
    return tp.make_learner(model, ppo, pad_id=0, eos_ids=[1])


def toy_config(**changes):
    base = dict(batch_size=16, mini_batch_size=8, ppo_epochs=2, learning_rate=3e-3, value_learning_rate=1e-3,
                max_new_tokens=1, kl_coef=0.05, temperature=1.0, top_k=0, top_p=1.0, gradient_checkpointing=False)
    return config.PPOConfig(**{**base, **changes})


def random_prompts(generator, n: int):
    """n prompts of 2-5 random tokens (ids 2..15), left-padded."""
    lengths = torch.randint(2, 6, (n,), generator=generator)
    return tp.left_pad([torch.randint(2, 16, (int(k),), generator=generator).tolist() for k in lengths], 0, "cpu")


def cue_prompts(generator, n: int):
    """n prompts: 1-4 filler tokens (6..15) then a cue token; -> (ids, mask, cues)."""
    cues = torch.tensor(CUES)[torch.randint(0, len(CUES), (n,), generator=generator)]
    lengths = torch.randint(1, 5, (n,), generator=generator)
    rows = [torch.randint(6, 16, (int(k),), generator=generator).tolist() + [int(c)] for k, c in zip(lengths, cues)]
    return (*tp.left_pad(rows, 0, "cpu"), cues)


def cue_reward(cues):
    def reward(response, mask):
        hit = (response[:, 0] == cues).float()
        return hit, {"accuracy": float(hit.mean())}

    return reward


def train_cue_task(learner, steps: int, groups_of: int = 1, seed: int = 1, stop_at: float | None = None):
    """Run PPO steps on the cue task -> (reward per step, KL per step); stops once 20 steps average stop_at."""
    g = torch.Generator().manual_seed(seed)
    rewards, kls = [], []
    n = learner.ppo.batch_size
    for step in range(steps):
        torch.manual_seed(step)
        query, mask, cues = cue_prompts(g, n // groups_of)
        rep = torch.arange(len(cues)).repeat_interleave(groups_of)
        stats = tp.ppo_step(learner, query[rep], mask[rep], cue_reward(cues[rep]), groups=rep)
        rewards.append(stats["reward_mean"])
        kls.append(stats["kl"])
        if stop_at is not None and len(rewards) >= 20 and sum(rewards[-20:]) / 20 >= stop_at:
            break
    return rewards, kls


def per_20(values):
    return [round(sum(values[i:i + 20]) / len(values[i:i + 20]), 3) for i in range(0, len(values), 20)]


def reference_cue_nats(learner, n: int = 256) -> float:
    """The largest -log p_ref(cue | prompt) over n cue prompts: the KL of a policy that always answers the cue."""
    query, mask, cues = cue_prompts(torch.Generator().manual_seed(99), n)
    answers = pl.Rollout(pl.strip_left_padding(query, mask), cues[:, None], torch.ones(n, 1))
    ref_logprobs, _ = pl.score_rollout(learner, answers, reference=True)
    return float(-ref_logprobs.min())


@pytest.mark.parametrize("advantage", ["gae", "rloo"])
def test_ppo_learns_the_cue_task(tmp_path, one_thread, advantage, capsys):
    """Reward 1 when the first answer token is the cue the prompt ends with (chance: 1 in 16). Through the real
    ppo_step, the mean reward over 20 steps must reach 0.8 within 300 steps, and the KL to the reference stay
    bounded. The bound: answers are one token and the reward depends on it alone, so the KL-regularised
    optimum (beta = kl_coef = 0.05, reward range 1, so beta * KL <= 1 allows up to 20 nats) is the point mass
    on the cue, and the KL of a policy is at most that of always answering the cue, -log p_ref(cue | prompt);
    the per-answer k1 estimate of a sampled cue is log p(cue) - log p_ref(cue) <= -log p_ref(cue | prompt) too.
    B = the largest -log p_ref(cue | prompt) over 256 prompts (about 3 nats): the last 20 steps' mean KL must
    stay below B, and every step's below B + 0.5 (prompts beyond the 256, and wrong answers the policy made
    likelier than the reference does)."""
    groups_of = 4 if advantage == "rloo" else 1
    learner = toy_policy(tmp_path, toy_config(advantage=advantage, samples_per_question=groups_of))
    bound = reference_cue_nats(learner)
    rewards, kls = train_cue_task(learner, 300, groups_of, stop_at=0.8)
    curve = per_20(rewards)
    with capsys.disabled():
        print(f"\ncue task ({advantage}): mean reward per 20 steps {curve}; {len(rewards)} steps; "
              f"KL per 20 steps {per_20(kls)}; bound {bound:.2f} nats")
    assert curve[0] < 0.35  # from chance (1/16, plus what the first 20 steps learn)
    assert sum(rewards[-20:]) / 20 >= 0.8, curve
    assert kls[0] == pytest.approx(0.0, abs=1e-6)  # the first rollout is the reference's own
    assert sum(kls[-20:]) / 20 <= bound and max(kls) <= bound + 0.5


@pytest.mark.parametrize("checkpointing", [False, True])
def test_the_first_ratio_is_exactly_one_and_the_reference_never_moves(tmp_path, one_thread, monkeypatch,
                                                                     checkpointing):
    """Before any update the policy's log-probs equal the rollout's bit for bit (ratio exactly 1), and after a
    step that moved the policy, the frozen reference still gives bit-identical outputs."""
    learner = toy_policy(tmp_path, toy_config(ppo_epochs=2, mini_batch_size=4, batch_size=8, max_new_tokens=3,
                                              gradient_checkpointing=checkpointing))
    query, mask, cues = cue_prompts(torch.Generator().manual_seed(5), 8)
    probe = torch.tensor([[6, 7, 2], [8, 9, 3]])
    with torch.no_grad(), tp.reference_adapter(learner.model):
        ref_before = learner.model(input_ids=probe).logits.clone()
    policy_before = learner.model(input_ids=probe).logits.detach().clone()
    seen = []
    real = ppo_core.clipped_policy_loss

    def record(logprobs, old_logprobs, *args, **kwargs):
        seen.append((logprobs.detach().clone(), old_logprobs.clone()))
        return real(logprobs, old_logprobs, *args, **kwargs)

    monkeypatch.setattr(ppo_core, "clipped_policy_loss", record)
    stats = tp.ppo_step(learner, query, mask, cue_reward(cues))
    first_new, first_old = seen[0]
    assert torch.equal(first_new, first_old)  # the first micro-batch of the first epoch: ratio exactly 1
    assert any(not torch.equal(n, o) for n, o in seen[4:])  # later ones see the updated policy
    assert stats["approx_kl"] > 0
    with torch.no_grad(), tp.reference_adapter(learner.model):
        assert torch.equal(learner.model(input_ids=probe).logits, ref_before)
    assert not torch.allclose(learner.model(input_ids=probe).logits, policy_before)


def _rollout(learner, n: int = 6, seed: int = 3):
    query, mask = random_prompts(torch.Generator().manual_seed(seed), n)
    torch.manual_seed(seed)
    scores = torch.rand(n, generator=torch.Generator().manual_seed(seed))
    rollout, *_ = pl.collect_rollout(learner, query, mask, lambda r, m: (scores, {}))
    return query, mask, rollout


def _grads(learner):
    params = learner.adapter_params + list(learner.policy.value_head.parameters())
    return [p.grad.detach().clone() for p in params]


@pytest.mark.parametrize("checkpointing", [False, True])
def test_micro_batches_give_the_one_pass_gradient(tmp_path, one_thread, checkpointing):
    """The minibatch's gradient accumulated one answer at a time equals its gradient in one pass (with and
    without gradient checkpointing, which must not change it either)."""
    learner = toy_policy(tmp_path, toy_config(max_new_tokens=5, gradient_checkpointing=checkpointing))
    query, mask, rollout = _rollout(learner)
    assert len(set(rollout.mask.sum(1).tolist())) > 1 or (mask == 0).any()  # answers or prompts differ in length
    grads = {}
    for micro in (1, 2, 6):
        learner.ppo.micro_batch_size = micro
        learner.optimizer.zero_grad(set_to_none=True)
        pl.accumulate_gradients(learner, rollout, torch.arange(6))
        grads[micro] = _grads(learner)
    assert any(g.abs().sum() > 0 for g in grads[1][:-2]) and grads[1][-1].abs().sum() > 0  # adapter and head
    for micro in (2, 6):
        assert all(torch.allclose(a, b, atol=1e-6, rtol=1e-4) for a, b in zip(grads[1], grads[micro]))


def test_checkpointing_recomputes_in_training_and_generation_keeps_the_cache(tmp_path, one_thread):
    learner = toy_policy(tmp_path, toy_config(max_new_tokens=3, gradient_checkpointing=True))
    plain = toy_policy(tmp_path / "plain", toy_config(max_new_tokens=3, gradient_checkpointing=False))
    calls = []

    def hook(module, args, kwargs):
        hidden = args[0] if args else kwargs["hidden_states"]
        calls.append((hidden.shape[1], module.training, torch.is_grad_enabled()))

    # on the attention inside the layer: the checkpoint recomputes the layer's forward, not its hooks
    handles = [lr.model.get_base_model().model.layers[0].self_attn.register_forward_pre_hook(hook, with_kwargs=True)
               for lr in (learner, plain)]
    query, mask = random_prompts(torch.Generator().manual_seed(4), 1)
    tp.generate(learner, query, mask)
    # generation: the prompt once, then one new token at a time from the KV cache, in eval mode
    assert [(n, training) for n, training, _ in calls] == [(query.shape[1], False), (1, False), (1, False)]
    for lr, expected in ((learner, 2), (plain, 1)):
        calls.clear()
        _, _, rollout = _rollout(lr, n=1)
        calls.clear()
        lr.optimizer.zero_grad(set_to_none=True)
        pl.accumulate_gradients(lr, rollout, torch.arange(1))
        # with checkpointing the layer runs twice (forward, then recomputed in the backward), in train mode
        assert len(calls) == expected and all(training == (expected == 2) for _, training, _ in calls)
    for h in handles:
        h.remove()


def test_logprobs_do_not_depend_on_the_batchs_left_padding(tmp_path, one_thread):
    """An answer generated in a left-padded batch is scored like the same sequence alone, positions from 0,
    and like the sampler's own distribution."""
    from transformers import GenerationConfig

    ppo = toy_config(temperature=0.7, max_new_tokens=5)
    learner = toy_policy(tmp_path, ppo)
    query, qmask = random_prompts(torch.Generator().manual_seed(3), 6)
    assert (qmask == 0).any()  # some rows are padded
    gen = GenerationConfig(**learner.gen_config.to_dict())
    gen.output_scores, gen.return_dict_in_generate = True, True
    torch.manual_seed(0)
    out = learner.model.generate(input_ids=query, attention_mask=qmask, generation_config=gen)
    sampled = torch.log_softmax(torch.stack(out.scores, 1), -1)
    torch.manual_seed(0)
    rollout, *_ = pl.collect_rollout(learner, query, qmask, lambda r, m: (torch.ones(len(r)), {}))
    response, rmask = rollout.response, rollout.mask.bool()
    assert torch.equal(response[rmask], out.sequences[:, query.shape[1]:][rmask])
    sampled = sampled.gather(-1, response.unsqueeze(-1)).squeeze(-1)
    assert torch.allclose(rollout.old_logprobs[rmask], sampled[rmask], atol=1e-4)
    for i in range(len(query)):  # each sequence alone: no padding, no mask, the plain HF forward
        n = int(rmask[i].sum())
        alone = torch.cat([query[i][qmask[i].bool()], response[i, :n]])[None]
        with torch.no_grad():
            logits = learner.model(input_ids=alone).logits[0, -n - 1:-1].float() / ppo.temperature
        want = torch.log_softmax(logits, -1).gather(-1, response[i, :n, None]).squeeze(-1)
        assert torch.allclose(rollout.old_logprobs[i, :n], want, atol=1e-5)
    assert rollout.old_values.shape == response.shape and torch.all(rollout.old_values == 0)  # zero-initialised head


def test_the_value_head_moves_at_its_own_learning_rate(tmp_path, one_thread):
    """Adam's first step is lr * sign(grad): the head's bias moves by value_learning_rate, not the policy's lr."""
    learner = toy_policy(tmp_path, toy_config(value_learning_rate=1e-2, learning_rate=1e-4))
    _, _, rollout = _rollout(learner)
    head = learner.policy.value_head
    before = head.bias.detach().clone()
    tp.ppo_update(learner, rollout, torch.arange(6))
    assert (head.bias.detach() - before).abs().item() == pytest.approx(1e-2, rel=1e-3)


def test_generate_cuts_answers_after_the_end_token(tmp_path):
    learner = toy_policy(tmp_path, toy_config(max_new_tokens=4))

    class FakeModel(torch.nn.Module):
        def generate(self, input_ids, attention_mask, generation_config):
            return torch.cat([input_ids, torch.tensor([[5, 1, 6, 7], [5, 6, 7, 8], [1, 9, 1, 9]])], 1)

    learner.policy.model = FakeModel()
    response, mask = tp.generate(learner, torch.tensor([[2], [3], [4]]), torch.ones(3, 1, dtype=torch.long))
    assert response.tolist() == [[5, 1, 0, 0], [5, 6, 7, 8], [1, 0, 0, 0]]
    assert mask.tolist() == [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]


# --------------------------------------------------------------------------- policy and reference adapters


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_policy_starts_as_sft_and_saves_as_a_plain_adapter(tiny_llama_dir, sft_dir, tmp_path, one_thread):
    from transformers import AutoModelForCausalLM

    model_cfg = config.ModelConfig(name=str(tiny_llama_dir))
    model, tok, _ = tp.load_policy(config.Config(model=model_cfg), sft_dir)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".ppo." in n for n in trainable)
    ids = torch.tensor([[1, 500, 600, 700, 800]])
    sft_model, _, _ = modeling.load_with_adapter(model_cfg, sft_dir)
    plain_base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    assert torch.allclose(logits_of(model, ids), logits_of(sft_model, ids), atol=1e-6)  # ppo == sft at the start
    assert not torch.allclose(logits_of(plain_base, ids), logits_of(sft_model, ids), atol=1e-4)

    learner = tp.make_learner(model, config.PPOConfig(), tok.pad_token_id, [tok.eos_token_id])
    with torch.no_grad():  # what training would do: move the policy adapter only
        for n, p in model.named_parameters():
            if ".ppo." in n and "lora_B" in n:
                p.add_(torch.randn_like(p) * 0.05)
        learner.policy.value_head.bias.fill_(0.25)
    trained = logits_of(model, ids)
    with tp.reference_adapter(model):
        assert torch.allclose(logits_of(model, ids), logits_of(sft_model, ids), atol=1e-6)  # the reference is SFT
    assert torch.allclose(logits_of(model, ids), trained) and model.active_adapter == "ppo"
    assert [n for n, p in model.named_parameters() if p.requires_grad] == trainable

    out = tmp_path / "saved"
    tp.save_adapter(learner, out)
    assert {"adapter_config.json", "adapter_model.safetensors", tp.VALUE_HEAD_FILE} <= {p.name for p in out.iterdir()}
    assert not (out / "ppo").exists() and not (out / ".peft-save").exists()
    reloaded, _, _ = modeling.load_with_adapter(model_cfg, out)  # base + models/ppo is the PPO policy
    assert torch.allclose(logits_of(reloaded, ids), trained, atol=1e-6)
    from safetensors.torch import load_file

    assert load_file(str(out / tp.VALUE_HEAD_FILE))["bias"].item() == pytest.approx(0.25)


# --------------------------------------------------------------------------- the script


def test_train_ppo_end_to_end(tiny_llama_dir, sft_dir, train_file, tmp_path, capsys, one_thread):
    sft = tmp_path / "sft"  # SFT trained on the first 6 rows of this very file
    shutil.copytree(sft_dir, sft)
    write_sft_summary(sft, train_file, rows=6)
    code, out, err = run(argv_for(tiny_llama_dir, sft, train_file, tmp_path, "--max-samples", "8"), capsys)
    assert code == 0, err
    folder = tmp_path / "ppo"
    names = {p.name for p in folder.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "value_head.safetensors", "config.json",
            "train_summary.json", "tokenizer.json", "checkpoints"} <= names
    summary = json.loads((folder / "train_summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary) and summary["steps"] == 3 and summary["questions"] == 8
    # 8 questions: the 6 medqa rows SFT did not see, then 2 it did
    assert (summary["sft_seen_questions"], summary["sft_seen_fraction"]) == (2, 0.25)
    saved = json.loads((folder / "config.json").read_text())
    assert saved["ppo"]["max_steps"] == 3 and saved["model"]["name"] == str(tiny_llama_dir)
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    assert [r["step"] for r in records] == [1, 2, 3]
    assert all(METRIC_KEYS <= set(r) for r in records)
    # each step logs the share of its questions SFT saw: the epoch's seeded order over the 8 questions
    pool = tp.load_questions(config.PPOConfig(train_file=str(train_file), num_examples=32, max_samples=8,
                                              sft_adapter=str(sft)))
    order = random.Random(config.PPOConfig().seed).sample(range(8), 8)
    assert [r["sft_seen"] for r in records] == [sum(pool[i]["_sft_seen"] for i in order[k:k + 2]) / 2
                                                for k in (0, 2, 4)]
    # the score is the 1.0 / 0.1 rule: each step's mean reward is 0.1 + 0.9 x its accuracy
    assert all(r["reward_mean"] == pytest.approx(0.1 + 0.9 * r["accuracy"], abs=1e-6) for r in records)
    # the summary's start / end are the first / last step (window of 1 step for 3 steps)
    assert summary["reward_start"] == round(records[0]["reward_mean"], 4)
    assert summary["kl_end"] == round(records[-1]["kl"], 4) and summary["window_steps"] == 1
    assert records[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first rollout comes from the reference itself
    assert "Reward:" in out and str(folder) in out
    # only the last save_total_limit (2) checkpoints are kept, each complete
    assert sorted(p.name for p in (folder / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-3"]
    # the adapter moved away from SFT's
    from safetensors.torch import load_file

    ppo_w = load_file(str(folder / "adapter_model.safetensors"))
    sft_w = load_file(str(sft_dir / "adapter_model.safetensors"))
    assert ppo_w.keys() == sft_w.keys()
    assert any(not torch.equal(ppo_w[k], sft_w[k]) for k in ppo_w)
    # a second run does not overwrite it without --force
    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path), capsys)
    assert code == 2 and "already exists" in err and "--force" in err


def test_ctrl_c_saves_and_resume_matches_an_uninterrupted_run(
    tiny_llama_dir, sft_dir, train_file, tmp_path, capsys, monkeypatch, one_thread
):
    from safetensors.torch import load_file

    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path / "a"), capsys)
    assert code == 0, err

    real_step, calls = tp.ppo_step, []

    def step_then_ctrl_c(*args, **kwargs):
        stats = real_step(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # the handler sets the flag; the step finishes
        return stats

    monkeypatch.setattr(tp, "ppo_step", step_then_ctrl_c)
    argv = argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path / "b", "--set", "ppo.save_steps=10")
    code, out, err = run(argv, capsys)
    assert code == 130 and "Continue with --resume" in out
    folder = tmp_path / "b" / "ppo"
    assert not (folder / "train_summary.json").exists()  # an interrupted run never looks finished
    assert not (folder / "checkpoints").exists()  # the interrupted run lives beside the output
    assert (tmp_path / "b" / ".ppo.partial" / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()
    monkeypatch.setattr(tp, "ppo_step", real_step)

    code, _, err = run(argv[:-2], capsys)  # no --resume, no --force: refused
    assert code == 2 and "--resume" in err
    code, _, err = run(argv + ["--resume"], capsys)
    assert code == 0, err
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "b" / "logs" / "ppo")] == [1, 2, 3]
    a = load_file(str(tmp_path / "a" / "ppo" / "adapter_model.safetensors"))
    b = load_file(str(folder / "adapter_model.safetensors"))
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    sa = json.loads((tmp_path / "a" / "ppo" / "train_summary.json").read_text())
    sb = json.loads((folder / "train_summary.json").read_text())
    assert (sa["reward_end"], sa["kl_end"], sa["steps"]) == (sb["reward_end"], sb["kl_end"], sb["steps"])


def test_rloo_samples_each_question_several_times(tiny_llama_dir, sft_dir, train_file, tmp_path, capsys,
                                                  monkeypatch, one_thread):
    """--set ppo.advantage=rloo: each question's prompt k times in the batch, its group named for the baseline."""
    real_step, seen = tp.ppo_step, []

    def spy(learner, query, query_mask, reward_fn, groups=None):
        seen.append((query.clone(), query_mask.clone(), groups.clone()))
        return real_step(learner, query, query_mask, reward_fn, groups=groups)

    monkeypatch.setattr(tp, "ppo_step", spy)
    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "2",
                                "--set", "ppo.advantage=rloo", "--set", "ppo.samples_per_question=3"), capsys)
    assert code == 0, err
    for query, mask, groups in seen:
        assert len(query) == 6 and groups.tolist()[::3] == groups.tolist()[1::3] == groups.tolist()[2::3]
        assert len(set(groups.tolist())) == 2  # 2 questions x 3 answers
        for g in set(groups.tolist()):
            rows = query[groups == g]
            assert all(torch.equal(r, rows[0]) for r in rows)
        assert not torch.equal(query[0], query[3])
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    assert all("kl_loss" in r and r["response_len"] > 0 for r in records)


def test_balanced_permutations_give_each_answer_its_own_option_order(tiny_llama_dir, sft_dir, train_file, tmp_path,
                                                                      capsys, monkeypatch, one_thread):
    """--set ppo.balanced_permutations=true: a question's k answers are sampled from k different prompts (its
    permuted copies), each rewarded against its own copy's answer letter, their group still the question."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    real_step, real_reward, seen, rewarded = tp.ppo_step, tp.mcq_reward_fn, [], []

    def spy(learner, query, query_mask, reward_fn, groups=None):
        seen.append((query.clone(), query_mask.clone(), groups.clone()))
        return real_step(learner, query, query_mask, reward_fn, groups=groups)

    def reward_spy(tokenizer, records, ppo):
        rewarded.append(records)
        return real_reward(tokenizer, records, ppo)

    monkeypatch.setattr(tp, "ppo_step", spy)
    monkeypatch.setattr(tp, "mcq_reward_fn", reward_spy)
    code, out, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "2",
                                  "--set", "ppo.advantage=rloo", "--set", "ppo.samples_per_question=3",
                                  "--set", "ppo.balanced_permutations=true"), capsys)
    assert code == 0, err
    assert "each answer to its own option order" in " ".join((out + err).split())
    assert len(seen) == len(rewarded) == 2
    for (query, mask, groups), records in zip(seen, rewarded):
        assert len(records) == len(query) == 6 and len(set(groups.tolist())) == 2
        for g in set(groups.tolist()):
            rows = [i for i in range(6) if groups[i] == g]
            answers = [records[i]["answer"] for i in rows]
            assert len(set(answers)) == 3  # the answer on a different letter for each of the 3 answers
            assert len({records[i]["question"] for i in rows}) == 1
            right = {records[i]["options"][records[i]["answer"]] for i in rows}
            assert len(right) == 1  # the same correct option text, moved
            for i in rows:  # each row's prompt shows its own copy's order
                assert mcq_format.format_options(records[i]["options"]) in tok.decode(query[i][mask[i].bool()])


# --------------------------------------------------------------------------- bad input


@pytest.fixture(scope="session")
def other_base_adapter(embedded_tokenizer_dir, tmp_path_factory) -> Path:
    """An adapter trained on a different (32-wide) base model."""
    base = build_tiny_llama(tmp_path_factory.mktemp("other_base"), embedded_tokenizer_dir, hidden=32)
    return make_adapter(base, tmp_path_factory.mktemp("other_adapter"))


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("no_sft_adapter", ["no SFT adapter", "train_sft.py"]),
        ("other_base", ["another base model", "--model"]),
        ("empty_subset", ["PPO subset is empty", "source 'medqa'"]),
        ("no_train_file", ["does not exist", "data_processor.py"]),
        ("resume_without_checkpoint", ["no checkpoint"]),
        ("bad_setting", ["ppo.mini_batch_size must be at least 1"]),
        ("zero_lr", ["ppo.learning_rate must be above 0"]),
        ("zero_epochs", ["ppo.epochs (--epochs) must be above 0"]),
        ("top_p", ["ppo.top_p must be above 0 and at most 1"]),
        ("foreign_folder", ["not created by MedLLM"]),
        ("validation_split", ["is the validation split", "training questions only"]),
        ("rloo_one_answer", ["ppo.advantage=rloo needs ppo.samples_per_question of 2 or more"]),
        ("bad_advantage", ["ppo.advantage must be one of gae, rloo"]),
        ("micro_batch", ["ppo.micro_batch_size must be at least 1"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(case, fragments, tiny_llama_dir, sft_dir, train_file, other_base_adapter,
                                          tmp_path, capsys):
    extra, sft, data = [], sft_dir, train_file
    if case == "no_sft_adapter":
        sft = tmp_path / "models" / "sft"
    elif case == "other_base":
        sft = other_base_adapter
    elif case == "empty_subset":
        data = tmp_path / "only_medmcqa.jsonl"
        cli.atomic_write_jsonl(data, _medmcqa_only(train_file))
    elif case == "no_train_file":
        data = tmp_path / "missing.jsonl"
    elif case == "resume_without_checkpoint":
        extra = ["--resume"]
    elif case == "bad_setting":
        extra = ["--set", "ppo.mini_batch_size=0"]
    elif case == "zero_lr":
        extra = ["--set", "ppo.learning_rate=0"]
    elif case == "zero_epochs":
        extra = ["--epochs", "0"]
    elif case == "top_p":
        extra = ["--set", "ppo.top_p=0"]
    elif case == "foreign_folder":
        extra = ["--force", "--output-dir", str(tmp_path)]
        (tmp_path / "notes.txt").write_text("keep")
    elif case == "validation_split":  # a copy of the train file named as the validation split: same bytes
        shutil.copy(train_file, tmp_path / "validation.jsonl")
        extra = ["--set", f"sft.validation_file={tmp_path / 'validation.jsonl'}"]
    elif case == "rloo_one_answer":
        extra = ["--set", "ppo.advantage=rloo"]
    elif case == "bad_advantage":
        extra = ["--set", "ppo.advantage=ppo"]
    elif case == "micro_batch":
        extra = ["--set", "ppo.micro_batch_size=0"]
    code, _, err = run(argv_for(tiny_llama_dir, sft, data, tmp_path, *extra), capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[-1]
    assert not (tmp_path / "ppo").exists() and not (tmp_path / "logs").exists()  # nothing written
    assert case != "foreign_folder" or (tmp_path / "notes.txt").read_text() == "keep"


def _medmcqa_only(train_file: Path) -> list[dict]:
    return [r for r in map(json.loads, open(train_file, encoding="utf-8")) if r["source"] == "medmcqa"]


# --------------------------------------------------------------------------- slow: real model, two processes


@pytest.mark.slow
def test_tiny_preset_runs_to_the_end(repo_root, sample_dir, tmp_path, capsys):
    """`python train_ppo.py` on the tiny preset (SmolLM2-135M) with an SFT-like adapter, timed.

    One torch thread: on a shared 2-core machine two threads per process spin against the other
    processes and run several times slower; on idle cores the default (2) is faster.
    """
    base = Path(modeling.resolve_model("embedded", repo_root / "models" / "base"))
    sft = make_adapter(base, tmp_path / "sft", targets=config.tiny().lora.target_modules)
    data = tmp_path / "train.jsonl"
    cli.atomic_write_jsonl(data, processed_records(sample_dir, medqa=200))
    start = time.time()
    code, out, err = run(["--sft-adapter", str(sft), "--output-dir", str(tmp_path / "ppo"), "--wandb", "disabled",
                          "--set", f"model.base_dir={repo_root / 'models' / 'base'}",
                          "--set", f"ppo.train_file={data}", "--set", f"ppo.logs_dir={tmp_path / 'logs'}",
                          "--set", "ppo.run_name=ppo",  # logs/ppo: a non-default --output-dir gets its own folder
                          "--set", "ppo.torch_threads=1",
                          # the preset's settings on fewer questions: its epochs, batches and group size, in CI time
                          "--set", f"ppo.num_examples={min(4, config.tiny().ppo.num_examples)}"], capsys)
    took = time.time() - start
    assert code == 0, err
    summary = json.loads((tmp_path / "ppo" / "train_summary.json").read_text())
    print(f"\ntiny preset PPO: {took:.0f} s; {json.dumps(summary)}")
    for r in run_logging.read_metrics(tmp_path / "logs" / "ppo"):
        print(f"step {r['step']:3d} reward {r['reward_mean']:.3f} accuracy {r['accuracy']:.2f} kl {r['kl']:.4f} "
              f"len {r['response_len']:.1f} | {r['sample'][:60]!r}")
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    tiny = config.tiny().ppo
    # the preset's epochs of batches over those questions (fewer questions only if a prompt is too long)
    assert 0 < summary["questions"] <= 4
    assert summary["steps"] == len(records) == math.ceil(tiny.epochs * -(-summary["questions"] // tiny.batch_size))
    assert records[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first rollout is the reference's own
    assert all(r["reward_mean"] == pytest.approx(0.1 + 0.9 * r["accuracy"], abs=1e-6) for r in records)
    assert all(math.isfinite(r[k]) for r in records for k in ("kl", "policy_loss", "value_loss", "entropy"))
    from safetensors.torch import load_file

    ppo_w, sft_w = (load_file(str(d / "adapter_model.safetensors")) for d in (tmp_path / "ppo", sft))
    assert ppo_w.keys() == sft_w.keys() and any(not torch.equal(ppo_w[k], sft_w[k]) for k in ppo_w)


@pytest.mark.slow
def test_accelerate_launch_two_cpu_processes(tiny_llama_dir, sft_dir, train_file, repo_root, tmp_path):
    """Data-parallel PPO on two CPU processes: each rolls out its own questions, gradients are averaged.

    (`accelerate launch --cpu` starts a single process; --multi_gpu starts two, and train_ppo's
    Accelerator(cpu=True) joins them over gloo.)
    """
    env = dict(os.environ, OMP_NUM_THREADS="1", WANDB_MODE="disabled")
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           str(repo_root / "train_ppo.py"), *argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path)]
    proc = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "12 questions (6 per process;" in proc.stderr.replace("\n", " ")
    summary = json.loads((tmp_path / "ppo" / "train_summary.json").read_text())
    assert summary["steps"] == 3 and summary["questions"] == 12
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "logs" / "ppo")] == [1, 2, 3]  # one writer
    assert proc.stdout.count("PPO adapter saved") == 1
