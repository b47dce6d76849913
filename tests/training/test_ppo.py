"""train_ppo.py: the loop learns a toy task, adapters and outputs, resume, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from common.errors import UserError
from test_train_ppo import write_sft_summary
import torch

import config
from common import mcq_format
from common import modeling
from training import ppo_core
from training import ppo_learner as pl
from training import ppo as ppo_run

SUMMARY_KEYS = {"reward_start", "reward_end", "accuracy_start", "accuracy_end", "kl_end", "steps", "tokens_per_s",
                "wall_time_s", "peak_memory_mb"}
METRIC_KEYS = {"step", "reward_mean", "accuracy", "kl", "policy_loss", "value_loss", "clip_frac", "entropy",
               "response_len", "tokens_per_s"}


CUES = (2, 3, 4, 5)  # the prompt ends with one of these; the reward asks for it as the first answer token


def test_questions_are_the_seeded_subset_of_one_source(train_file, tmp_path):
    no_sft = str(tmp_path / "no-sft")  # no SFT summary: nothing known about which rows SFT saw
    ppo = config.PPOConfig(train_file=str(train_file), source="medqa", num_examples=5, seed=1, sft_adapter=no_sft)
    rows = ppo_run.select_questions(ppo)
    medqa_ids = [r["id"] for r in map(json.loads, open(train_file, encoding="utf-8")) if r["source"] == "medqa"]
    assert len(rows) == 5 and {r["id"] for r in rows} <= set(medqa_ids)
    assert [r["id"] for r in rows] == [r["id"] for r in ppo_run.select_questions(ppo)]  # same seed, same questions
    assert [r["id"] for r in rows] != medqa_ids[:5]  # shuffled, not the file's first rows
    other = ppo_run.select_questions(config.PPOConfig(train_file=str(train_file), num_examples=5, seed=2, sft_adapter=no_sft))
    assert [r["id"] for r in other] != [r["id"] for r in rows]  # another seed, another subset
    ppo.max_samples = 3
    assert [r["id"] for r in ppo_run.select_questions(ppo)] == [r["id"] for r in rows[:3]]
    ppo.num_examples, ppo.max_samples, ppo.source = 0, 0, ""
    assert len(ppo_run.select_questions(ppo)) == 16  # 0 = all rows; '' = every source
    assert ppo_run.question_overlap(rows) == {"sft_seen_questions": None, "sft_seen_fraction": None}


def test_questions_sft_did_not_see_come_first(train_file, tmp_path):
    """SFT trained on the first 6 rows of this file (same sha256): PPO takes the 6 other medqa rows first."""
    sft = tmp_path / "sft"
    write_sft_summary(sft, train_file, rows=6)
    ids = [r["id"] for r in map(json.loads, open(train_file, encoding="utf-8"))]
    seen = set(ids[:6])
    ppo = config.PPOConfig(train_file=str(train_file), source="medqa", num_examples=8, seed=1, sft_adapter=str(sft))
    rows = ppo_run.select_questions(ppo)
    got = [r["id"] for r in rows]
    assert set(got[:6]) == set(ids[6:12]) and set(got[6:]) <= seen  # all unseen medqa rows, then 2 seen ones
    assert [r["_sft_seen"] for r in rows] == [False] * 6 + [True] * 2
    assert got[:6] != ids[6:12]  # still shuffled within the group
    assert ppo_run.question_overlap(rows) == {"sft_seen_questions": 2, "sft_seen_fraction": 0.25}
    ppo.seed = 2
    assert set(r["id"] for r in ppo_run.select_questions(ppo)[:6]) == set(ids[6:12])  # any seed: unseen first
    # another file's summary (a different sha256) says nothing about these rows: plain seeded order
    write_sft_summary(sft, train_file, rows=6, digest="0" * 64)
    ppo.seed = 1
    rows = ppo_run.select_questions(ppo)
    assert ppo_run.question_overlap(rows)["sft_seen_questions"] is None and all(r["_sft_seen"] is None for r in rows)


def test_prompts_use_the_chat_template_and_skip_long_ones(embedded_tokenizer_dir, train_file):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    records = ppo_run.select_questions(config.PPOConfig(train_file=str(train_file), num_examples=4))
    ids, kept = ppo_run.encode_prompts(tok, records, "unused: records carry their system turn", 10_000)
    text = tok.decode(ids[0])
    assert text.startswith("<|im_start|>system\n" + config.SYSTEM_PROMPT) and text.endswith("<|im_start|>assistant\n")
    assert records[0]["question"] in text and kept == records
    limit = sorted(len(i) for i in ids)[1]  # keeps the two shortest
    assert len(ppo_run.encode_prompts(tok, records, "", limit)[0]) == 2
    with pytest.raises(UserError, match="longer than 5 tokens"):
        ppo_run.encode_prompts(tok, records, "", 5)
    ids, mask = ppo_run.left_pad([[5, 6, 7], [8]], 0, "cpu")
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]] and mask.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_balanced_variants_move_each_answer_to_its_own_letter(embedded_tokenizer_dir, train_file):
    """ppo.balanced_permutations: answer j of a question sees its options permuted so that the correct option
    sits j letters after the original's; the option texts are the question's own; answer 0 is the original."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    records = ppo_run.select_questions(config.PPOConfig(train_file=str(train_file), num_examples=5))
    ids, records = ppo_run.encode_prompts(tok, records, "", 10_000)
    variants = ppo_run.balanced_variants(tok, records, ids, 4, "", seed=3)
    assert len(variants) == len(records) and all(len(v) == 4 for v in variants)
    for record, own, group in zip(records, ids, variants):
        assert group[0] == (own, record)
        letters = list(record["options"])
        at = letters.index(record["answer"])
        assert [r["answer"] for _, r in group] == [letters[(at + j) % len(letters)] for j in range(4)]
        for prompt, r in group:
            assert r["options"][r["answer"]] == record["options"][record["answer"]]
            assert sorted(r["options"].values()) == sorted(record["options"].values())
            assert r["question"] == record["question"] and prompt == ppo_run.encode_prompts(tok, [r], "", 10_000)[0][0]
            assert mcq_format.format_options(r["options"]) in tok.decode(prompt)
        assert len({tuple(p) for p, _ in group}) == 4
    assert ppo_run.balanced_variants(tok, records, ids, 4, "", seed=3)[0][1][1]["options"] == variants[0][1][1]["options"]


def test_summary_averages_the_first_and_last_quarter():
    history = [{"reward_mean": r, "accuracy": a, "kl": k, "tokens": 10.0, "step_time_s": 2.0}
               for r, a, k in [(0.1, 0.0, 0.0), (0.3, 0.25, 0.1), (0.1, 0, 0.2), (0.1, 0, 0.2),
                               (0.1, 0, 0.2), (0.1, 0, 0.2), (0.55, 0.5, 0.3), (1.0, 1.0, 0.5)]]
    s = ppo_run.summarize(history)
    assert (s["window_steps"], s["steps"]) == (2, 8)
    assert (s["reward_start"], s["reward_end"]) == (0.2, 0.775)
    assert (s["accuracy_start"], s["accuracy_end"], s["kl_end"]) == (0.125, 0.75, 0.4)
    assert s["tokens_per_s"] == 5.0  # 80 answer tokens in 16 s


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
    model = ppo_run.attach_adapters(LlamaForCausalLM(conf), tmp_path / "toy_sft")
    return ppo_run.make_learner(model, ppo, pad_id=0, eos_ids=[1])


def toy_config(**changes):
    base = dict(batch_size=16, mini_batch_size=8, ppo_epochs=2, learning_rate=3e-3, value_learning_rate=1e-3,
                max_new_tokens=1, kl_coef=0.05, temperature=1.0, top_k=0, top_p=1.0, gradient_checkpointing=False)
    return config.PPOConfig(**{**base, **changes})


def random_prompts(generator, n: int):
    """n prompts of 2-5 random tokens (ids 2..15), left-padded."""
    lengths = torch.randint(2, 6, (n,), generator=generator)
    return ppo_run.left_pad([torch.randint(2, 16, (int(k),), generator=generator).tolist() for k in lengths], 0, "cpu")


def cue_prompts(generator, n: int):
    """n prompts: 1-4 filler tokens (6..15) then a cue token; -> (ids, mask, cues)."""
    cues = torch.tensor(CUES)[torch.randint(0, len(CUES), (n,), generator=generator)]
    lengths = torch.randint(1, 5, (n,), generator=generator)
    rows = [torch.randint(6, 16, (int(k),), generator=generator).tolist() + [int(c)] for k, c in zip(lengths, cues)]
    return (*ppo_run.left_pad(rows, 0, "cpu"), cues)


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
        stats = ppo_run.ppo_step(learner, query[rep], mask[rep], cue_reward(cues[rep]), groups=rep)
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
    with torch.no_grad(), pl.reference_adapter(learner.model):
        ref_before = learner.model(input_ids=probe).logits.clone()
    policy_before = learner.model(input_ids=probe).logits.detach().clone()
    seen = []
    real = ppo_core.clipped_policy_loss

    def record(logprobs, old_logprobs, *args, **kwargs):
        seen.append((logprobs.detach().clone(), old_logprobs.clone()))
        return real(logprobs, old_logprobs, *args, **kwargs)

    monkeypatch.setattr(ppo_core, "clipped_policy_loss", record)
    stats = ppo_run.ppo_step(learner, query, mask, cue_reward(cues))
    first_new, first_old = seen[0]
    assert torch.equal(first_new, first_old)  # the first micro-batch of the first epoch: ratio exactly 1
    assert any(not torch.equal(n, o) for n, o in seen[4:])  # later ones see the updated policy
    assert stats["approx_kl"] > 0
    with torch.no_grad(), pl.reference_adapter(learner.model):
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
    pl.generate(learner, query, mask)
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
    pl.ppo_update(learner, rollout, torch.arange(6))
    assert (head.bias.detach() - before).abs().item() == pytest.approx(1e-2, rel=1e-3)


def test_generate_cuts_answers_after_the_end_token(tmp_path):
    learner = toy_policy(tmp_path, toy_config(max_new_tokens=4))

    class FakeModel(torch.nn.Module):
        def generate(self, input_ids, attention_mask, generation_config):
            return torch.cat([input_ids, torch.tensor([[5, 1, 6, 7], [5, 6, 7, 8], [1, 9, 1, 9]])], 1)

    learner.policy.model = FakeModel()
    response, mask = pl.generate(learner, torch.tensor([[2], [3], [4]]), torch.ones(3, 1, dtype=torch.long))
    assert response.tolist() == [[5, 1, 0, 0], [5, 6, 7, 8], [1, 0, 0, 0]]
    assert mask.tolist() == [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_policy_starts_as_sft_and_saves_as_a_plain_adapter(tiny_llama_dir, sft_dir, tmp_path, one_thread):
    from transformers import AutoModelForCausalLM

    model_cfg = config.ModelConfig(name=str(tiny_llama_dir))
    model, tok, _ = ppo_run.load_policy(config.Config(model=model_cfg), sft_dir)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".ppo." in n for n in trainable)
    ids = torch.tensor([[1, 500, 600, 700, 800]])
    sft_model, _, _ = modeling.load_with_adapter(model_cfg, sft_dir)
    plain_base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    assert torch.allclose(logits_of(model, ids), logits_of(sft_model, ids), atol=1e-6)  # ppo == sft at the start
    assert not torch.allclose(logits_of(plain_base, ids), logits_of(sft_model, ids), atol=1e-4)

    learner = ppo_run.make_learner(model, config.PPOConfig(), tok.pad_token_id, [tok.eos_token_id])
    with torch.no_grad():  # what training would do: move the policy adapter only
        for n, p in model.named_parameters():
            if ".ppo." in n and "lora_B" in n:
                p.add_(torch.randn_like(p) * 0.05)
        learner.policy.value_head.bias.fill_(0.25)
    trained = logits_of(model, ids)
    with pl.reference_adapter(model):
        assert torch.allclose(logits_of(model, ids), logits_of(sft_model, ids), atol=1e-6)  # the reference is SFT
    assert torch.allclose(logits_of(model, ids), trained) and model.active_adapter == "ppo"
    assert [n for n, p in model.named_parameters() if p.requires_grad] == trainable

    out = tmp_path / "saved"
    ppo_run.save_adapter(learner, out)
    assert {"adapter_config.json", "adapter_model.safetensors", ppo_run.VALUE_HEAD_FILE} <= {p.name for p in out.iterdir()}
    assert not (out / "ppo").exists() and not (out / ".peft-save").exists()
    reloaded, _, _ = modeling.load_with_adapter(model_cfg, out)  # base + models/ppo is the PPO policy
    assert torch.allclose(logits_of(reloaded, ids), trained, atol=1e-6)
    from safetensors.torch import load_file

    assert load_file(str(out / ppo_run.VALUE_HEAD_FILE))["bias"].item() == pytest.approx(0.25)
