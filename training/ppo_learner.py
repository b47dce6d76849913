"""PPO's model side: policy + value head, the frozen reference, rollouts, and micro-batched updates.

One step (ppo_step) = collect_rollout + ppo.ppo_epochs passes of ppo_update over shuffled minibatches.

* Rollouts are generated in one left-padded batch with the KV cache (model in eval mode). The scoring
  passes (policy log-probs and values, reference log-probs) and the training forward never see that
  padding: each sequence is its unpadded prompt + its answer, positions from 0, packed with right
  padding only (behind every real token, so causal attention never reads it and no attention mask is
  needed; Unsloth drops the mask in train mode anyway).
* Memory is bounded by one micro-batch (ppo.micro_batch_size sequences, default 1): the minibatch's
  gradient is accumulated over its micro-batches, each loss divided by the minibatch's token count, so
  the sum is exactly the one-pass gradient. With ppo.gradient_checkpointing the training forward runs
  in train mode with checkpointed layers (use_cache off); generation switches to eval mode and the cache.
* Dropout is set to 0 everywhere, so the scoring pass and the first update compute the same numbers:
  the first policy ratio is exactly 1.
* Advantages: GAE (ppo.advantage = "gae", whitened over the batch), or, with several answers per
  question, the leave-one-out group baseline (ppo.advantage = "rloo", KL to the reference as a k3 loss
  term); training/ppo_core.py has the math.
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

import torch

from common import modeling
from training import ppo_core

POLICY, REFERENCE = "ppo", "sft"  # the two adapter names on the one base model
ADAM_EPS = 1e-5  # "N implementation details": PPO uses Adam's epsilon 1e-5, not 1e-8


# --------------------------------------------------------------------------- policy, reference, value


def no_dropout(model) -> None:
    """Dropout off everywhere (LoRA, attention, MLP): log-probs of the rollout and of the update must agree."""
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
        if isinstance(getattr(module, "attention_dropout", None), float):
            module.attention_dropout = 0.0


def attach_adapters(base_model, sft_dir: str | os.PathLike):
    """A PeftModel with the SFT adapter loaded twice: "ppo" (trainable, active) and "sft" (frozen)."""
    from peft import PeftModel

    model = PeftModel.from_pretrained(base_model, str(sft_dir), adapter_name=POLICY, is_trainable=True)
    model.load_adapter(str(sft_dir), adapter_name=REFERENCE, is_trainable=False)
    model.set_adapter(POLICY)
    no_dropout(model)
    modeling.keep_4bit_differentiable(model)  # rollouts run in eval mode: no CPU repacking of nf4 weights
    model.eval()
    return model


@contextlib.contextmanager
def reference_adapter(model):
    """Run the frozen SFT adapter (the reference policy) inside the block, then switch back."""
    model.set_adapter(REFERENCE, inference_mode=True)
    try:
        yield
    finally:
        model.set_adapter(POLICY)


class PolicyAndValue(torch.nn.Module):
    """(ids [b, L] right-padded, prompt lengths [b], width) -> (answer logits / temperature, values), [b, width].

    Row i is prompt_i + answer_i + padding; position starts[i] - 1 + t predicts answer token t. Logits are
    computed for the answer positions only (the prompt's would cost vocab x length for nothing); values
    come from a linear head on the detached last hidden state.
    """

    def __init__(self, model, temperature: float):
        super().__init__()
        self.model = model
        self.temperature = temperature
        hidden = model.get_base_model().config.get_text_config().hidden_size
        self.value_head = torch.nn.Linear(hidden, 1, device=next(model.parameters()).device)
        torch.nn.init.zeros_(self.value_head.weight)  # values start at 0; the head learns the reward scale
        torch.nn.init.zeros_(self.value_head.bias)

    def forward(self, input_ids, starts, width: int):
        lm = self.model.get_base_model()
        hidden = lm.get_decoder()(input_ids=input_ids, use_cache=False).last_hidden_state
        if len(input_ids) == 1:
            start = int(starts[0])
            hidden = hidden[:, start - 1: start - 1 + width]
        else:
            steps = torch.arange(width, device=hidden.device)
            at = (starts.to(hidden.device)[:, None] - 1 + steps).clamp(max=hidden.shape[1] - 1)
            hidden = hidden[torch.arange(len(input_ids), device=hidden.device)[:, None], at]
        logits = lm.get_output_embeddings()(hidden).float() / self.temperature
        values = self.value_head(hidden.detach().float()).squeeze(-1)
        return logits, values


def pack(prompts: list, answers, lengths, pad_id: int):
    """Right-padded ids [b, L] of prompt + the first `width` answer tokens, prompt lengths [b], and width."""
    width = int(max(int(n) for n in lengths))
    rows = [torch.cat([p, a[:width]]) for p, a in zip(prompts, answers)]
    ids = torch.full((len(rows), max(len(r) for r in rows)), pad_id, dtype=torch.long, device=answers.device)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
    return ids, torch.tensor([len(p) for p in prompts]), width


# --------------------------------------------------------------------------- the learner


@dataclass
class Learner:
    """Everything a PPO step needs: the policy (plain and as prepared by accelerate), optimizer, settings."""

    policy: PolicyAndValue
    train_policy: Any  # the same module, wrapped for data-parallel training by accelerate
    optimizer: Any
    accelerator: Any
    adapter_params: list
    ppo: Any
    pad_id: int
    eos_ids: list[int]
    gen_config: Any
    backend: str = "hf"

    @property
    def model(self):
        return self.policy.model


def make_accelerator():
    """accelerate's Accelerator; without CUDA it is told to use the CPU, so that several processes
    (`accelerate launch --multi_gpu --num_processes 2` or torchrun on a CPU machine) train together
    over gloo instead of each running alone."""
    from accelerate import Accelerator

    return Accelerator(cpu=not torch.cuda.is_available())


def make_learner(model, ppo, pad_id: int, eos_ids: list[int], backend: str = "hf", accelerator=None) -> Learner:
    """Value head, AdamW over the "ppo" adapter and the head, checkpointing, and the sampling settings."""
    from transformers import GenerationConfig

    accelerator = accelerator or make_accelerator()
    policy = PolicyAndValue(model, ppo.temperature)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not trainable or any(f".{POLICY}." not in n for n, _ in trainable):
        raise RuntimeError("expected the 'ppo' adapter, and only it, to be trainable")
    if ppo.gradient_checkpointing:  # non-reentrant: gradients reach the LoRA weights without input grads
        model.get_base_model().gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    adapter_params = [p for _, p in trainable]
    optimizer = torch.optim.AdamW(
        [
            {"params": adapter_params, "lr": ppo.learning_rate},
            {"params": list(policy.value_head.parameters()), "lr": ppo.value_learning_rate},
        ],
        eps=ADAM_EPS,
        weight_decay=0.0,
    )
    train_policy, optimizer = accelerator.prepare(policy, optimizer)
    gen_config = GenerationConfig(
        do_sample=True,
        temperature=ppo.temperature,
        top_k=ppo.top_k,
        top_p=ppo.top_p,
        max_new_tokens=ppo.max_new_tokens,
        pad_token_id=pad_id,
        eos_token_id=list(eos_ids),
    )
    learner = Learner(policy, train_policy, optimizer, accelerator, adapter_params, ppo, pad_id, list(eos_ids),
                      gen_config, backend)
    training_mode(learner)
    return learner


def training_mode(learner: Learner) -> None:
    """The mode of every forward pass but generation: train mode when checkpointing (HF checkpoints only
    in train mode; dropout is 0, so it changes nothing else), eval mode otherwise."""
    if learner.backend == "unsloth":
        from unsloth import FastLanguageModel

        FastLanguageModel.for_training(learner.model)
    learner.model.train(bool(learner.ppo.gradient_checkpointing))


def generate(learner: Learner, query, query_mask):
    """Sample responses -> (response ids [B, T], mask [B, T]); tokens after the first EOS become padding."""
    model = learner.model
    if learner.backend == "unsloth":
        from unsloth import FastLanguageModel

        FastLanguageModel.for_inference(model)
    model.eval()  # no checkpointing here: the KV cache is on
    try:
        with torch.no_grad():
            out = model.generate(input_ids=query, attention_mask=query_mask, generation_config=learner.gen_config)
    finally:
        training_mode(learner)
    response = out[:, query.shape[1]:]
    is_eos = torch.isin(response, torch.tensor(learner.eos_ids, device=response.device))
    after_eos = (is_eos.long().cumsum(1) - is_eos.long()) > 0
    return response.masked_fill(after_eos, learner.pad_id), (~after_eos).float()


# --------------------------------------------------------------------------- rollouts


@dataclass
class Rollout:
    """One batch of answers: unpadded prompts, answers [B, T] with their mask, and what scoring made of them."""

    prompts: list  # 1-D prompt ids per answer, without padding
    response: torch.Tensor
    mask: torch.Tensor
    old_logprobs: torch.Tensor | None = None
    ref_logprobs: torch.Tensor | None = None
    old_values: torch.Tensor | None = None
    advantages: torch.Tensor | None = None
    returns: torch.Tensor | None = None


def strip_left_padding(query, query_mask) -> list:
    return [row[m.bool()] for row, m in zip(query, query_mask)]


def micro_forward(module, rollout: Rollout, idx, pad_id: int):
    """(logits [b, w, V], values [b, w], w) of the answers idx, each packed unpadded (see pack)."""
    lengths = rollout.mask[idx].sum(1).long().clamp(min=1)
    ids, starts, width = pack([rollout.prompts[int(i)] for i in idx], rollout.response[idx], lengths, pad_id)
    logits, values = module(ids, starts, width)
    return logits, values, width


def score_rollout(learner: Learner, rollout: Rollout, reference: bool = False):
    """Log-probs [B, T] (and values [B, T]) of the rollout's answers under the policy, or under the reference."""
    B, T = rollout.response.shape
    logprobs = torch.zeros(B, T, device=rollout.response.device)
    values = torch.zeros(B, T, device=rollout.response.device)
    ctx = reference_adapter(learner.model) if reference else contextlib.nullcontext()
    with torch.no_grad(), ctx:
        for idx in torch.arange(B).split(learner.ppo.micro_batch_size):
            logits, vals, width = micro_forward(learner.policy, rollout, idx, learner.pad_id)
            logprobs[idx, :width] = ppo_core.logprobs_of(logits, rollout.response[idx, :width])
            values[idx, :width] = vals
    mask = rollout.mask
    return logprobs * mask, values * mask


# (response ids [B, T], mask [B, T]) -> (scores [B], extra stats such as {"accuracy": share correct})
RewardFn = Callable[[Any, Any], "tuple[Any, dict]"]


def collect_rollout(learner: Learner, query, query_mask, reward_fn: RewardFn, groups=None):
    """Generate, score and compute advantages -> (rollout, scores, extra, per-token rewards, kl, generation s)."""
    ppo = learner.ppo
    t0 = time.time()
    response, mask = generate(learner, query, query_mask)
    gen_time = time.time() - t0
    scores, extra = reward_fn(response, mask)
    scores = torch.as_tensor(scores, dtype=torch.float32, device=response.device)
    rollout = Rollout(strip_left_padding(query, query_mask), response, mask)
    rollout.old_logprobs, rollout.old_values = score_rollout(learner, rollout)
    rollout.ref_logprobs, _ = score_rollout(learner, rollout, reference=True)
    with torch.no_grad():
        rewards, kl = ppo_core.kl_penalty_rewards(rollout.old_logprobs, rollout.ref_logprobs, scores, mask,
                                                  ppo.kl_coef)
        advantages, rollout.returns = ppo_core.gae(rewards, rollout.old_values, mask, ppo.gamma, ppo.lam)
        if ppo.advantage == "rloo":
            if groups is None:
                raise ValueError("ppo.advantage 'rloo' needs the question of each answer (groups)")
            advantages = ppo_core.group_advantages(scores, torch.as_tensor(groups), mask, ppo.whiten_advantages)
        elif ppo.whiten_advantages:
            advantages = ppo_core.masked_whiten(advantages, mask)
    rollout.advantages = advantages
    return rollout, scores, extra, rewards, kl, gen_time


# --------------------------------------------------------------------------- updates


def accumulate_gradients(learner: Learner, rollout: Rollout, idx) -> dict:
    """Backward of the minibatch idx's loss, micro-batch by micro-batch (gradients add up in .grad).

    Each micro-batch's losses are its token sums over the minibatch's real tokens, so the accumulated
    gradient equals the gradient of the whole minibatch in one pass. Returns the minibatch's loss stats.
    """
    ppo, acc = learner.ppo, learner.accelerator
    n_tokens = rollout.mask[idx].sum().clamp(min=1.0)
    chunks = idx.split(ppo.micro_batch_size)
    totals: dict[str, float] = {}
    for j, mb in enumerate(chunks):
        sync = contextlib.nullcontext() if j == len(chunks) - 1 else acc.no_sync(learner.train_policy)
        with sync:
            logits, values, width = micro_forward(learner.train_policy, rollout, mb, learner.pad_id)
            cut = (mb, slice(0, width))
            mask = rollout.mask[cut]
            logprobs = ppo_core.logprobs_of(logits, rollout.response[cut])
            pg_loss, clip_frac, approx_kl = ppo_core.clipped_policy_loss(
                logprobs, rollout.old_logprobs[cut], rollout.advantages[cut], mask, ppo.clip_eps, n_tokens
            )
            vf_loss, vf_clip = ppo_core.clipped_value_loss(
                values, rollout.old_values[cut], rollout.returns[cut], mask, ppo.value_clip_eps, n_tokens
            )
            loss = pg_loss + vf_loss  # disjoint parameters: each loss trains its own group
            parts = {"policy_loss": pg_loss, "value_loss": vf_loss, "clip_frac": clip_frac,
                     "value_clip_frac": vf_clip, "approx_kl": approx_kl}
            if ppo.advantage == "rloo":  # the KL to the reference is a loss term, not part of the advantage
                kl_loss = ppo.kl_coef * ppo_core._token_mean(
                    ppo_core.kl_k3(logprobs, rollout.ref_logprobs[cut]), mask, n_tokens)
                loss = loss + kl_loss
                parts["kl_loss"] = kl_loss
            acc.backward(loss)
            with torch.no_grad():
                parts["entropy"] = ppo_core._token_mean(ppo_core.entropy_of(logits), mask, n_tokens)
        for k, v in parts.items():
            totals[k] = totals.get(k, 0.0) + float(v.detach())
    return totals


def ppo_update(learner: Learner, rollout: Rollout, idx) -> dict:
    """One optimizer step on the minibatch idx of the rollout."""
    ppo = learner.ppo
    learner.optimizer.zero_grad(set_to_none=True)
    stats = accumulate_gradients(learner, rollout, idx)
    # the adapter and the value head are clipped apart: the head's gradient must not shrink the policy's
    grad_norm = learner.accelerator.clip_grad_norm_(learner.adapter_params, ppo.max_grad_norm)
    torch.nn.utils.clip_grad_norm_(learner.policy.value_head.parameters(), ppo.max_grad_norm)
    learner.optimizer.step()
    stats["grad_norm"] = float(grad_norm)
    return stats


def ppo_step(learner: Learner, query, query_mask, reward_fn: RewardFn, groups=None) -> dict:
    """Roll out one batch, score it, and run ppo_epochs of clipped updates. Returns this step's stats."""
    ppo = learner.ppo
    t0 = time.time()
    rollout, scores, extra, rewards, kl, gen_time = collect_rollout(learner, query, query_mask, reward_fn, groups)
    updates = []
    for _ in range(ppo.ppo_epochs):
        for idx in torch.randperm(len(scores)).split(ppo.mini_batch_size):
            updates.append(ppo_update(learner, rollout, idx))
    mask = rollout.mask
    tokens = float(mask.sum())
    step_time = time.time() - t0
    stats = {
        "reward_mean": float(scores.mean()),
        "accuracy": float(extra["accuracy"]) if "accuracy" in extra else float((scores > 0).float().mean()),
        "kl": float(kl.sum(1).mean()),  # KL(policy || reference) per response, summed over its tokens
        "non_score_reward": float((rewards.sum(1) - scores).mean()),
        **{k: sum(u[k] for u in updates) / len(updates) for k in updates[0]},
        "response_len": tokens / len(scores),
        "tokens": tokens,
        "tokens_per_s": tokens / max(step_time, 1e-9),  # generated tokens per second of the whole step
        "gen_tokens_per_s": tokens / max(gen_time, 1e-9),  # ... of the generation alone
        "step_time_s": step_time,
    }
    stats.update({k: v for k, v in extra.items() if k not in stats})
    return stats
