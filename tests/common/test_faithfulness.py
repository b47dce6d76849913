"""The faithfulness measure and gate, on scripted scorers (the real GGUF path is in test_export_gguf)."""
import math

import numpy as np
import pytest

from common import faithfulness


def rec(i, answer="A"):
    return {"id": i, "question": f"Question number {i} about a patient?", "answer": answer,
            "options": {"A": "one", "B": "two", "C": "three", "D": "four"}}


class Scripted:
    """Next-token distributions over a 6-token vocabulary; tokens 0-3 are the letters A-D."""

    def __init__(self, favourite, texts=None, sharpness=3.0, noise=0.0):
        self.favourite, self.texts, self.sharpness, self.noise = favourite, texts or {}, sharpness, noise

    def answer_distributions(self, chats, letters):
        out = []
        for chat in chats:
            i = int(chat[-1]["content"].split("number ")[1].split()[0])
            logits = np.zeros(6)
            logits["ABCD".index(self.favourite(i))] = self.sharpness
            logits += self.noise * np.sin(np.arange(6) + i)
            logp = logits - np.logaddexp.reduce(logits)
            out.append(({L: float(logp["ABCD".index(L)]) for L in letters[0]}, logp))
        return out

    def generate(self, chats):
        out = []
        for chat in chats:
            i = int(chat[-1]["content"].split("number ")[1].split()[0])
            out.append(self.texts.get(i, f"({self.favourite(i)}) because"))
        return out


def test_kl_is_zero_for_equal_and_positive_for_different_distributions():
    p = np.log(np.array([0.7, 0.2, 0.1]))
    assert faithfulness.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    q = np.log(np.array([0.2, 0.7, 0.1]))
    expected = 0.7 * math.log(0.7 / 0.2) + 0.2 * math.log(0.2 / 0.7)
    assert faithfulness.kl_divergence(p, q) == pytest.approx(expected, rel=1e-9)


def test_identical_models_agree_everywhere_and_a_drifted_one_does_not():
    records = [rec(i) for i in range(10)]
    same = faithfulness.compare(Scripted(lambda i: "ABCD"[i % 4]), Scripted(lambda i: "ABCD"[i % 4]),
                                records, "sys")
    assert same["n"] == 10 and same["loglik_agreement"] == 1.0 and same["generate_agreement"] == 1.0
    assert same["kl_mean"] == pytest.approx(0.0, abs=1e-12)
    # the exported model prefers B on every third question and has noisier logits
    drift = faithfulness.compare(Scripted(lambda i: "ABCD"[i % 4]),
                                 Scripted(lambda i: "B" if i % 3 == 0 else "ABCD"[i % 4], noise=0.5),
                                 records, "sys")
    flipped = sum(1 for i in range(10) if i % 3 == 0 and "ABCD"[i % 4] != "B")
    assert drift["loglik_agreement"] == pytest.approx((10 - flipped) / 10)
    assert drift["kl_mean"] > 0.1 and drift["kl_max"] >= drift["kl_mean"]


def test_no_letter_on_both_sides_is_a_disagreement():
    records = [rec(0), rec(1)]
    silent = {0: "I cannot say", 1: "I cannot say"}
    out = faithfulness.compare(Scripted(lambda i: "A", texts=silent), Scripted(lambda i: "A", texts=silent),
                               records, "sys")
    assert out["loglik_agreement"] == 1.0 and out["generate_agreement"] == 0.0
    assert out["generate_both_answered"] == 0


GATE = {"Q4_K_M": {"min_loglik_agreement": 0.9, "max_kl": 0.05}}


def test_gate_passes_only_within_both_limits():
    good = {"n": 50, "loglik_agreement": 0.96, "kl_mean": 0.01, "generate_agreement": 0.9}
    assert faithfulness.gate(good, "Q4_K_M", GATE)[0]
    ok, line = faithfulness.gate({**good, "loglik_agreement": 0.88}, "Q4_K_M", GATE)
    assert not ok and "88.0%" in line and "< 90%" in line
    ok, line = faithfulness.gate({**good, "kl_mean": 0.2}, "Q4_K_M", GATE)
    assert not ok and "KL" in line
    assert not faithfulness.gate({**good, "kl_mean": float("nan")}, "Q4_K_M", GATE)[0]
    assert not faithfulness.gate(good, "Q5_K_M", GATE)[0]  # no threshold set: no pass
    assert not faithfulness.gate({**good, "n": 0}, "Q4_K_M", GATE)[0]


def test_the_source_is_scored_once_across_several_exports():
    class Counting(Scripted):
        calls = 0

        def answer_distributions(self, chats, letters):
            Counting.calls += len(chats)
            Counting.batches.append(len(chats))
            return super().answer_distributions(chats, letters)

    Counting.batches = []
    records, cache = [rec(i) for i in range(5)], {}
    source = Counting(lambda i: "A")
    for favourite in ("A", "B"):
        out = faithfulness.compare(source, Scripted(lambda i, f=favourite: f), records, "sys", source_cache=cache,
                                   batch_size=2)
    # each question scored once, in batches of 2 (the exported model is asked one question at a time)
    assert Counting.calls == 5 and Counting.batches == [2, 2, 1] and out["loglik_agreement"] == 0.0
