"""PPO's math (ppo_core.py) against numbers worked out by hand."""
from __future__ import annotations

import math

import pytest
import torch

import ppo_core as pc


def t(*rows):
    return torch.tensor(rows, dtype=torch.float32)


def close(a, b, tol=1e-5):
    a, b = torch.as_tensor(a, dtype=torch.float32), torch.as_tensor(b, dtype=torch.float32)
    assert torch.allclose(a, b, atol=tol), (a, b)


def test_masked_mean_ignores_padding():
    x, m = t([1.0, 2.0, 100.0], [3.0, 4.0, 5.0]), t([1, 1, 0], [1, 1, 1])
    close(pc.masked_mean(x, m), (1 + 2 + 3 + 4 + 5) / 5)  # 3.0
    close(pc.masked_mean(x, m, dim=1), [1.5, 4.0])


def test_whitening_uses_only_real_tokens():
    # real values 1 and 3: mean 2, unbiased variance ((1-2)^2 + (3-2)^2) / (2-1) = 2, std sqrt(2)
    x, m = t([1.0, 3.0, 100.0]), t([1, 1, 0])
    close(pc.masked_var(x, m), 2.0)
    close(pc.masked_whiten(x, m), [-1 / math.sqrt(2), 1 / math.sqrt(2), 0.0])
    # shift_mean=False keeps the mean: (x - 2) / sqrt(2) + 2
    close(pc.masked_whiten(x, m, shift_mean=False), [2 - 1 / math.sqrt(2), 2 + 1 / math.sqrt(2), 0.0])
    w = pc.masked_whiten(t([0.5, 1.5, 4.0, -2.0]), t([1, 1, 1, 1]))
    close(w.mean(), 0.0)
    close(w.std(), 1.0, tol=1e-4)


def test_kl_penalty_and_score_on_the_last_real_token():
    logp = t([-1.0, -2.0, -0.5], [-1.0, -2.0, -0.5])
    ref = t([-1.5, -1.5, -0.5], [-1.5, -1.5, -0.5])
    mask = t([1, 1, 1], [1, 1, 0])
    rewards, kl = pc.kl_penalty_rewards(logp, ref, torch.tensor([1.0, 0.1]), mask, kl_coef=0.1)
    # kl = logp - ref = [0.5, -0.5, 0]; penalty -0.1 * kl = [-0.05, 0.05, 0]
    close(kl, t([0.5, -0.5, 0.0], [0.5, -0.5, 0.0]))
    close(rewards, t([-0.05, 0.05, 1.0], [-0.05, 0.05 + 0.1, 0.0]))


def test_gae_on_a_short_trajectory():
    # gamma 1, lam 0.5; rewards [0, 0, 1], values [0.5, 0.6, 0.7], value after the end 0
    # t=2: delta = 1 + 0 - 0.7 = 0.3                A2 = 0.3
    # t=1: delta = 0 + 0.7 - 0.6 = 0.1              A1 = 0.1 + 0.5 * 0.3  = 0.25
    # t=0: delta = 0 + 0.6 - 0.5 = 0.1              A0 = 0.1 + 0.5 * 0.25 = 0.225
    adv, ret = pc.gae(t([0.0, 0.0, 1.0]), t([0.5, 0.6, 0.7]), t([1, 1, 1]), gamma=1.0, lam=0.5)
    close(adv, t([0.225, 0.25, 0.3]))
    close(ret, t([0.725, 0.85, 1.0]))


def test_gae_with_discount_and_padding():
    # gamma 0.9, lam 0.8; the third position is padding with junk reward and value, which must not leak in
    # t=1: delta = 1 + 0.9 * 0 - 0.6 = 0.4          A1 = 0.4
    # t=0: delta = 0 + 0.9 * 0.6 - 0.5 = 0.04       A0 = 0.04 + 0.9 * 0.8 * 0.4 = 0.328
    adv, ret = pc.gae(t([0.0, 1.0, 5.0]), t([0.5, 0.6, 9.0]), t([1, 1, 0]), gamma=0.9, lam=0.8)
    close(adv, t([0.328, 0.4, 0.0]))
    close(ret, t([0.828, 1.0, 0.0]))


@pytest.mark.parametrize(
    "ratio, advantage, loss, clipped",
    [
        (1.1, 2.0, -2.2, 0.0),  # inside the range: -A * ratio
        (1.5, 2.0, -2.4, 1.0),  # above 1 + eps with A > 0: clipped to -A * 1.2
        (1.5, -1.0, 1.5, 0.0),  # above with A < 0: the unclipped (larger) loss stays
        (0.5, -1.0, 0.8, 1.0),  # below 1 - eps with A < 0: clipped to -A * 0.8
        (0.5, 1.0, -0.5, 0.0),  # below with A > 0: unclipped
    ],
)
def test_clipped_surrogate(ratio, advantage, loss, clipped):
    new = torch.tensor([[math.log(ratio)]], requires_grad=True)
    got, frac, approx_kl = pc.clipped_policy_loss(new, t([0.0]), t([advantage]), t([1]), clip_eps=0.2)
    close(got, loss)
    close(frac, clipped)
    close(approx_kl, 0.5 * math.log(ratio) ** 2)
    got.backward()
    # a clipped token gets no gradient; an unclipped one gets d(-A * e^x)/dx = -A * ratio
    close(new.grad, [[0.0 if clipped else -advantage * ratio]])


def test_clipped_surrogate_averages_over_real_tokens():
    new = t([math.log(1.1), math.log(1.5), 7.0])
    loss, frac, _ = pc.clipped_policy_loss(new, t([0.0, 0.0, 0.0]), t([2.0, 2.0, 2.0]), t([1, 1, 0]), 0.2)
    close(loss, (-2.2 - 2.4) / 2)
    close(frac, 0.5)


def test_value_clipping():
    # old 0.5, return 1.2, eps 0.2. New 1.0 -> clipped 0.7: max((1.0-1.2)^2, (0.7-1.2)^2) = 0.25 -> 0.125
    loss, frac = pc.clipped_value_loss(t([1.0]), t([0.5]), t([1.2]), t([1]), 0.2)
    close(loss, 0.125)
    close(frac, 1.0)
    # New 0.6 is inside [0.3, 0.7]: both terms (0.6-1.2)^2 = 0.36 -> 0.18, nothing clipped
    loss, frac = pc.clipped_value_loss(t([0.6]), t([0.5]), t([1.2]), t([1]), 0.2)
    close(loss, 0.18)
    close(frac, 0.0)
    # New 0.0 moving away from the return, clipped 0.3: max(1.44, 0.81) keeps the unclipped 1.44 -> 0.72
    loss, frac = pc.clipped_value_loss(t([0.0]), t([0.5]), t([1.2]), t([1]), 0.2)
    close(loss, 0.72)
    close(frac, 0.0)


def test_logprobs_and_entropy():
    logits = torch.log(torch.tensor([[[0.5, 0.25, 0.25], [1 / 3, 1 / 3, 1 / 3]]]))
    close(pc.logprobs_of(logits, torch.tensor([[1, 2]])), [[math.log(0.25), math.log(1 / 3)]])
    close(pc.entropy_of(logits), [[-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)), math.log(3)]])


def _letter_advantage(score: float, lam: float, whiten_with: float) -> float:
    """Advantage at the answer letter (position 5) of a 128-token rollout, whitened with a second rollout."""
    T = 128
    mask = torch.ones(2, T)
    zeros = torch.zeros(2, T)
    # a learned value head: about the mean reward, with token-to-token noise that both rollouts share
    # (they start from the same prompt and differ only in the letter)
    torch.manual_seed(0)
    values = (0.55 + 0.1 * torch.randn(T)).expand(2, T).clone()
    rewards, _ = pc.kl_penalty_rewards(zeros, zeros, torch.tensor([score, whiten_with]), mask, 0.05)
    adv, _ = pc.gae(rewards, values, mask, gamma=1.0, lam=lam)
    return pc.masked_whiten(adv, mask)[0, 5].item()


def test_the_letter_is_credited_by_the_answers_reward():
    """Reward 1.0 (right) vs 0.1 (wrong) arrives on token 128; the letter at token 5 must see its sign."""
    import config

    lam = config.PPOConfig().lam
    right = _letter_advantage(1.0, lam, whiten_with=0.1)
    wrong = _letter_advantage(0.1, lam, whiten_with=1.0)
    assert right > 0 > wrong
    # with the old lam 0.95 the letter's advantage is set by the value baseline alone: the same sign
    old_right, old_wrong = _letter_advantage(1.0, 0.95, 0.1), _letter_advantage(0.1, 0.95, 1.0)
    assert (old_right > 0) == (old_wrong > 0)


def test_the_value_heads_step_size_is_its_learning_rate_and_no_dead_loss_weight_exists():
    """AdamW normalises a loss weight away on a parameter group of its own: only the learning rate counts."""
    import config

    fields = set(vars(config.PPOConfig()))
    assert "value_learning_rate" in fields and "vf_coef" not in fields
    for weight in (0.1, 10.0):  # the same Adam step whatever the loss is scaled by
        p = torch.nn.Parameter(torch.ones(3))
        opt = torch.optim.AdamW([p], lr=1e-2, eps=1e-5, weight_decay=0.0)
        (weight * (p * torch.tensor([1.0, 2.0, 3.0])).sum()).backward()
        opt.step()
        assert torch.allclose(p.detach(), torch.full((3,), 1 - 1e-2), atol=1e-5)
