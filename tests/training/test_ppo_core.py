"""PPO's math (ppo_core.py) against numbers worked out by hand."""
from __future__ import annotations

import math

import pytest
import torch

from training import ppo_core as pc


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


# --------------------------------------------------------------------------- credit assignment at the letter

T, LETTER = 128, 5  # a 128-token answer whose option letter is token 5


def _gae_letter_advantages(scores, values):
    """GAE (gamma = lam = 1, the defaults) + whitening at the letter token of each 128-token answer."""
    import config

    ppo = config.PPOConfig()
    scores = torch.tensor(scores)
    mask = torch.ones(len(scores), T)
    zeros = torch.zeros(len(scores), T)
    rewards, _ = pc.kl_penalty_rewards(zeros, zeros, scores, mask, ppo.kl_coef)
    adv, _ = pc.gae(rewards, values, mask, gamma=ppo.gamma, lam=ppo.lam)
    return pc.masked_whiten(adv, mask)[:, LETTER], adv[:, LETTER]


def test_gae_credits_the_letter_only_while_the_value_lies_between_the_rewards():
    """With gamma = lam = 1 the raw advantage at the letter is score - V(letter): its sign is right exactly when
    0.1 < V < 1. Whitening then shifts by the batch's mean advantage, so even a calibrated V can flip it."""
    torch.manual_seed(0)
    # one question, a right (1.0) and a wrong (0.1) answer with the same prefix up to the letter, so the same
    # V there; a value head near the mean reward with token-to-token noise
    values = (0.55 + 0.1 * torch.randn(T)).expand(2, T).clone()
    values[:, LETTER] = 0.55
    whitened, raw = _gae_letter_advantages([1.0, 0.1], values)
    assert raw[0] == pytest.approx(0.45) and raw[1] == pytest.approx(-0.45)  # score - V, nothing else
    assert whitened[0] > 0 > whitened[1]

    # Not guaranteed: 3 of 4 answers right, V at the letter 0.85 (about right for this question), but the
    # head lags elsewhere (0.3 after the letter). The batch's mean advantage (0.47) exceeds the right
    # answer's 0.15, so whitening gives the right answer's letter a negative advantage.
    values = torch.full((4, T), 0.3)
    values[:, LETTER] = 0.85
    whitened, raw = _gae_letter_advantages([1.0, 1.0, 1.0, 0.1], values)
    assert raw[0] > 0 > raw[3]  # before whitening the signs are right
    assert whitened[0] < 0 and whitened[3] < 0  # after it, both answers' letters are pushed down


def _rloo_letter(scores, groups, lengths=None, logp=None):
    n = len(scores)
    mask = torch.ones(n, T)
    if lengths is not None:
        for i, k in enumerate(lengths):
            mask[i, k:] = 0
    adv = pc.group_advantages(torch.tensor(scores), torch.tensor(groups), mask)
    return adv, mask


def test_group_baseline_gives_the_letter_the_answers_sign_whatever_the_values():
    """RLOO: A_i = s_i - mean of the other answers' scores to the same question, on every token, values unused."""
    adv, mask = _rloo_letter([1.0, 0.1, 0.1, 0.1], [0, 0, 1, 1])
    # hand-worked: question 0: 1.0 - 0.1 = 0.9 and 0.1 - 1.0 = -0.9; question 1: 0 and 0; std of
    # [0.9, -0.9, 0, 0] (unbiased) = sqrt(1.62 / 3) = 0.7348
    std = math.sqrt(2 * 0.81 / 3)
    close(adv[:, LETTER], [0.9 / std, -0.9 / std, 0.0, 0.0], tol=1e-4)
    close(adv[0], torch.full((T,), 0.9 / std), tol=1e-4)  # the same on every token of the answer
    # the counterexample batch above: 3 right, 1 wrong to one question
    adv, _ = _rloo_letter([1.0, 1.0, 1.0, 0.1], [0, 0, 0, 0])
    assert (adv[:3, LETTER] > 0).all() and adv[3, LETTER] < 0
    close(adv[0, LETTER], adv[1, LETTER])
    # unscaled: right = 1 - (1 + 1 + 0.1) / 3 = 0.3, wrong = 0.1 - 1 = -0.9
    raw = pc.group_advantages(torch.tensor([1.0, 1.0, 1.0, 0.1]), torch.tensor([0, 0, 0, 0]), torch.ones(4, T),
                              scale=False)
    close(raw[:, 0], [0.3, 0.3, 0.3, -0.9])


def test_group_baseline_sign_holds_for_any_batch_with_both_answers():
    """Random batches: groups of 2-6 answers, random lengths >= 6; in every group with a right and a wrong
    answer, the right answers' letters get A > 0 and the wrong ones' A < 0; padding gets 0."""
    g = torch.Generator().manual_seed(0)
    mixed = 0
    for _ in range(200):
        sizes = torch.randint(2, 7, (3,), generator=g).tolist()
        groups = [q for q, k in enumerate(sizes) for _ in range(k)]
        right = torch.rand(len(groups), generator=g) < 0.5
        scores = torch.where(right, 1.0, 0.1)
        lengths = torch.randint(LETTER + 1, T + 1, (len(groups),), generator=g).tolist()
        adv, mask = _rloo_letter(scores.tolist(), groups, lengths)
        assert torch.all(adv[mask == 0] == 0)
        for q in range(len(sizes)):
            member = torch.tensor(groups) == q
            if right[member].any() and (~right[member]).any():
                mixed += 1
                assert (adv[member & right, LETTER] > 0).all() and (adv[member & ~right, LETTER] < 0).all()
    assert mixed > 100  # the draws do reach the groups the test is about


def test_group_baseline_needs_two_answers_per_question():
    with pytest.raises(ValueError, match="at least two answers"):
        pc.group_advantages(torch.tensor([1.0, 0.1, 1.0]), torch.tensor([0, 0, 1]), torch.ones(3, 4))


def test_k3_kl_is_zero_at_the_reference_and_pulls_towards_it():
    ref = t([-1.0, -2.0, -0.5])
    close(pc.kl_k3(ref, ref), [0.0, 0.0, 0.0])
    logp = torch.tensor([-0.5, -3.0, -0.5], requires_grad=True)
    k3 = pc.kl_k3(logp, ref)
    # d = ref - logp = [-0.5, 1, 0]: e^d - d - 1 = [0.1065, 0.7183, 0]
    close(k3, [math.exp(-0.5) + 0.5 - 1, math.e - 2, 0.0], tol=1e-4)
    k3.sum().backward()
    # d/dlogp = 1 - e^d: positive where logp is above ref (descent lowers it), negative below
    close(logp.grad, [1 - math.exp(-0.5), 1 - math.e, 0.0], tol=1e-4)


def test_micro_batch_losses_add_up_to_the_minibatch_loss():
    """With n_tokens = the minibatch's real tokens, the losses of its parts sum to the loss of the whole."""
    torch.manual_seed(1)
    logp, old, adv = torch.randn(4, 6), torch.randn(4, 6), torch.randn(4, 6)
    values, old_values, returns = torch.randn(4, 6), torch.randn(4, 6), torch.randn(4, 6)
    mask = (torch.arange(6) < torch.tensor([[6], [2], [4], [1]])).float()
    whole_pg, whole_clip, whole_kl = pc.clipped_policy_loss(logp, old, adv, mask, 0.2)
    whole_vf, _ = pc.clipped_value_loss(values, old_values, returns, mask, 0.2)
    n = mask.sum()
    # the whole minibatch's losses by the formulas, token by token (a constant loss would add up too)
    real = [(i, j) for i in range(4) for j in range(6) if mask[i, j]]
    ratio = {ij: math.exp(logp[ij] - old[ij]) for ij in real}
    pg = [max(-adv[ij] * ratio[ij], -adv[ij] * min(max(ratio[ij], 0.8), 1.2)) for ij in real]
    pg_clipped = [-adv[ij] * min(max(ratio[ij], 0.8), 1.2) > -adv[ij] * ratio[ij] for ij in real]
    v_clip = {ij: old_values[ij] + min(max(values[ij] - old_values[ij], -0.2), 0.2) for ij in real}
    vf = [max((values[ij] - returns[ij]) ** 2, (v_clip[ij] - returns[ij]) ** 2) for ij in real]
    close(whole_pg, sum(pg) / len(real))
    close(whole_clip, sum(pg_clipped) / len(real))
    close(whole_kl, 0.5 * sum((logp[ij] - old[ij]) ** 2 for ij in real) / len(real))
    close(whole_vf, 0.5 * sum(vf) / len(real))
    assert 0 < float(whole_clip) < 1  # both kinds of token are in the minibatch
    parts = [pc.clipped_policy_loss(logp[i:i + 1], old[i:i + 1], adv[i:i + 1], mask[i:i + 1], 0.2, n)
             for i in range(4)]
    vparts = [pc.clipped_value_loss(values[i:i + 1], old_values[i:i + 1], returns[i:i + 1], mask[i:i + 1], 0.2, n)
              for i in range(4)]
    close(sum(p[0] for p in parts), whole_pg)
    close(sum(p[1] for p in parts), whole_clip)
    close(sum(p[2] for p in parts), whole_kl)
    close(sum(v[0] for v in vparts), whole_vf)
    # a plain mean per part would weigh the 1-token answer like the 6-token one
    assert not torch.isclose(sum(pc.clipped_policy_loss(logp[i:i + 1], old[i:i + 1], adv[i:i + 1],
                                                        mask[i:i + 1], 0.2)[0] for i in range(4)) / 4, whole_pg)


def test_the_value_head_has_no_dead_loss_weight():
    """AdamW normalises a loss weight away on a parameter group of its own: the head's speed is its learning
    rate (tests/test_train_ppo.py checks the step size through a real update)."""
    import config

    fields = set(vars(config.PPOConfig()))
    assert "value_learning_rate" in fields and "vf_coef" not in fields
