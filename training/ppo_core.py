"""The math of PPO for language models, as plain torch functions (no model code).

Shapes: a batch of B responses, each padded on the right to T tokens. `mask` is 1.0 on a response's
real tokens (up to and including its end-of-sequence token) and 0.0 on the padding after it.

    per-token reward   r_t = -kl_coef * (logp_t - ref_logp_t)      (+ the score on the last real token)
    GAE                A_t = delta_t + gamma * lam * A_{t+1},  delta_t = r_t + gamma * V_{t+1} - V_t
    returns            R_t = A_t + V_t
    policy loss        mean over tokens of max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps))
    value loss         0.5 * mean over tokens of max((V - R)^2, (clip(V, V_old - eps, V_old + eps) - R)^2)

With a group of answers to each question (ppo.advantage = "rloo"), the advantage is per answer instead:

    group advantage    A_i = s_i - mean of the other answers' scores to the same question   (every token of i)
    KL term            kl_coef * mean over tokens of k3 = exp(ref_logp - logp) - (ref_logp - logp) - 1

so a right answer (1.0) beside a wrong one (0.1) has A > 0 on every token and the wrong one A < 0, whatever
the value head says and however long the answers are; the KL to the reference is a loss term, not part of A.

Micro-batching: with n_tokens given, the losses are sums over a micro-batch's real tokens divided by the
real tokens of its whole minibatch, so the micro-batches' losses (and gradients) add up to the minibatch's.

The choices follow TRL's PPO trainer and "The N Implementation Details of RLHF with PPO" (Huang et
al.): the k1 KL estimate as a per-token penalty, the score only at the last token, no bootstrap past
the end of a response, advantages whitened over the batch's real tokens, the pessimistic (max) of the
clipped and unclipped losses for both the policy and the value.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Mean of x over the positions where mask is 1 (over all of them, or along dim)."""
    mask = mask.to(x.dtype)
    if dim is None:
        return (x * mask).sum() / mask.sum().clamp(min=1.0)
    return (x * mask).sum(dim) / mask.sum(dim).clamp(min=1.0)


def _token_mean(x: torch.Tensor, mask: torch.Tensor, n_tokens=None) -> torch.Tensor:
    """masked_mean(x, mask), or the masked sum divided by n_tokens (a micro-batch's share of a minibatch mean)."""
    if n_tokens is None:
        return masked_mean(x, mask)
    return (x * mask.to(x.dtype)).sum() / n_tokens


def masked_var(x: torch.Tensor, mask: torch.Tensor, unbiased: bool = True) -> torch.Tensor:
    """Variance of x over the masked positions (with Bessel's correction by default)."""
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    n = mask.sum()
    if unbiased and n > 1:
        var = var * n / (n - 1)
    return var


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True, eps: float = 1e-8) -> torch.Tensor:
    """(x - mean) / std over the masked positions; with shift_mean=False the mean is kept.

    Positions outside the mask come back as 0.
    """
    mean, var = masked_mean(x, mask), masked_var(x, mask)
    out = (x - mean) * torch.rsqrt(var + eps)
    if not shift_mean:
        out = out + mean
    return out * mask.to(x.dtype)


def logprobs_of(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """log p(token) under logits [B, T, V] for tokens [B, T]."""
    logp = F.log_softmax(logits.float(), dim=-1)
    return logp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)


def entropy_of(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the categorical distribution at every position of logits [B, T, V]."""
    logits = logits.float()
    logp = F.log_softmax(logits, dim=-1)
    return -(logp.exp() * logp).sum(-1)


def kl_penalty_rewards(
    logprobs: torch.Tensor,
    ref_logprobs: torch.Tensor,
    scores: torch.Tensor,
    mask: torch.Tensor,
    kl_coef: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token rewards: -kl_coef * (logp - ref_logp), plus each score on its response's last token.

    Returns (rewards [B, T], kl [B, T]); both are 0 on padding.
    """
    mask = mask.to(logprobs.dtype)
    kl = (logprobs - ref_logprobs) * mask
    rewards = -kl_coef * kl
    last = (mask.sum(1).long() - 1).clamp(min=0)
    rewards[torch.arange(rewards.shape[0], device=rewards.device), last] += scores.to(rewards.dtype)
    return rewards * mask, kl


def gae(
    rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float, lam: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation over right-padded responses -> (advantages, returns).

    The value after a response's last token is 0 (the episode ends there); padding gets 0.
    """
    mask = mask.to(values.dtype)
    values, rewards = values * mask, rewards * mask
    steps = rewards.shape[1]
    last = torch.zeros_like(rewards[:, 0])
    advantages = []
    for t in reversed(range(steps)):
        next_value = values[:, t + 1] if t + 1 < steps else torch.zeros_like(last)
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        last = delta + gamma * lam * last
        advantages.append(last)
    advantages = torch.stack(advantages[::-1], dim=1) * mask
    return advantages, (advantages + values) * mask


def clipped_policy_loss(
    logprobs: torch.Tensor,
    old_logprobs: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps: float,
    n_tokens=None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate loss -> (loss, clip fraction, approximate KL old -> new)."""
    log_ratio = logprobs - old_logprobs
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps)
    loss = _token_mean(torch.maximum(unclipped, clipped), mask, n_tokens)
    clip_frac = _token_mean((clipped > unclipped).float(), mask, n_tokens)
    approx_kl = 0.5 * _token_mean(log_ratio.detach() ** 2, mask, n_tokens)
    return loss, clip_frac.detach(), approx_kl


def clipped_value_loss(
    values: torch.Tensor,
    old_values: torch.Tensor,
    returns: torch.Tensor,
    mask: torch.Tensor,
    clip_eps: float,
    n_tokens=None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Clipped value loss -> (loss, fraction of tokens where the clipped term was the larger)."""
    clipped_values = old_values + torch.clamp(values - old_values, -clip_eps, clip_eps)
    loss_unclipped = (values - returns) ** 2
    loss_clipped = (clipped_values - returns) ** 2
    loss = 0.5 * _token_mean(torch.maximum(loss_unclipped, loss_clipped), mask, n_tokens)
    clip_frac = _token_mean((loss_clipped > loss_unclipped).float(), mask, n_tokens)
    return loss, clip_frac.detach()


def kl_k3(logprobs: torch.Tensor, ref_logprobs: torch.Tensor) -> torch.Tensor:
    """Per-token k3 estimate of KL(policy || reference) on sampled tokens: e^d - d - 1 with d = ref - logp.

    Never negative, unbiased, and its gradient pulls logp towards ref_logp (the GRPO KL loss term).
    """
    d = ref_logprobs - logprobs
    return torch.exp(d) - d - 1.0


def group_advantages(
    scores: torch.Tensor, groups: torch.Tensor, mask: torch.Tensor, scale: bool = True, eps: float = 1e-8
) -> torch.Tensor:
    """Leave-one-out (RLOO) advantages [B, T]: each answer's score minus the mean of the other answers' in its group.

    groups [B] names the question of each answer; every group needs at least two answers. With scale=True
    the advantages are divided by their standard deviation over the answers (no shift, so no sign changes).
    The same value goes on every real token of an answer; padding gets 0.
    """
    scores = scores.to(torch.float32)
    ids, inverse, counts = torch.unique(groups, return_inverse=True, return_counts=True)
    if bool((counts < 2).any()):
        raise ValueError("a group baseline needs at least two answers per question")
    sums = torch.zeros(len(ids), dtype=scores.dtype, device=scores.device).index_add_(0, inverse, scores)
    k = counts[inverse].to(scores.dtype)
    adv = scores - (sums[inverse] - scores) / (k - 1)
    if scale and len(adv) > 1:
        adv = adv / (adv.std() + eps)
    return adv[:, None] * mask.to(scores.dtype)
