"""evaluate.py and plots.py: metrics with known answers, both scoring modes, bad input, charts."""
from __future__ import annotations


import pytest
from test_evaluate import AlwaysA, Scripted, rec, tiny_cfg

import evaluate
from common import metrics

OPTIONS = {"A": "alpha fever", "B": "beta rash", "C": "gamma cough", "D": "delta pain"}


def test_wilson_interval_matches_hand_computed_values():
    # 7 of 10: p=0.7, z=1.96; centre (0.7 + 0.19208) / 1.38415 = 0.64448, half 0.24771
    low, high = metrics.wilson_interval(7, 10)
    assert low == pytest.approx(0.39677, abs=1e-4)
    assert high == pytest.approx(0.89219, abs=1e-4)
    # 0 of 10: the lower bound is 0 and the upper one z^2 / (n + z^2) = 3.8415 / 13.8415
    low, high = metrics.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(3.841459 / 13.841459, abs=1e-6)


@pytest.mark.parametrize("k,n", [(1, 3), (12, 25), (40, 50), (500, 1000)])
def test_wilson_bounds_are_the_roots_of_the_score_test(k, n):
    # Reference form: the bounds are the p where (phat - p)^2 = z^2 p (1 - p) / n.
    z, phat = metrics.Z95, k / n
    low, high = metrics.wilson_interval(k, n)
    assert low < phat < high  # the two roots, one on each side (the same root twice would pass the loop below)
    for p in (low, high):
        assert (phat - p) ** 2 == pytest.approx(z * z * p * (1 - p) / n, abs=1e-12)


def test_always_a_model_gets_exact_accuracy_per_class_scores_and_confusion_matrix():
    answers = "ABACDABA"  # 4 A, 2 B, 1 C, 1 D
    records = [rec(i, a) for i, a in enumerate(answers)]
    out = evaluate.evaluate_model(AlwaysA(), records, tiny_cfg(mode="both", batch_size=3), "always_a",
                                  show_progress=False)
    assert out["mode_agreement"] == 1.0
    for mode in ("loglik", "generate"):
        m = out["modes"][mode]
        assert (m["n"], m["correct"], m["accuracy"]) == (8, 4, 0.5)
        assert m["ci95"] == [round(x, 4) for x in metrics.wilson_interval(4, 8)]
        assert m["per_letter"]["A"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 4, "predicted": 8}
        for L, support in (("B", 2), ("C", 1), ("D", 1)):
            assert m["per_letter"][L] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": support,
                                          "predicted": 0}
        assert m["precision_macro"] == 0.125 and m["recall_macro"] == 0.25 and m["f1_macro"] == 0.1667
        assert m["confusion_matrix"]["true"] == ["A", "B", "C", "D"]
        assert m["confusion_matrix"]["matrix"] == [[4, 0, 0, 0, 0], [2, 0, 0, 0, 0], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0]]
        assert m["avg_reward"] == pytest.approx((4 * 1.0 + 4 * 0.1) / 8)
        assert m["format_compliance"] == 1.0
    assert [p["loglik"] for p in out["predictions"]] == ["A"] * 8
    assert out["predictions"][1]["response"].startswith("(A) alpha fever")


def test_unreadable_answers_count_against_format_compliance_and_reward():
    records = [rec(0, "B"), rec(1, "B"), rec(2, "C"), rec(3, "D")]
    texts = ["(B) beta rash", "I am not sure.", "The answer is C.", "Either (A) or (D)."]  # B, none, C, ambiguous
    cfg = tiny_cfg(mode="generate")
    cfg.ppo.reward_correct, cfg.ppo.reward_wrong = 2.0, -1.0
    m = evaluate.evaluate_model(Scripted(texts), records, cfg, "s", show_progress=False)["modes"]["generate"]
    assert (m["correct"], m["format_compliance"]) == (2, 0.5)
    assert m["avg_reward"] == pytest.approx((2.0 + 2.0 - 1.0 - 1.0) / 4)
    assert m["confusion_matrix"]["true"] == ["B", "C", "D"]
    assert m["confusion_matrix"]["predicted"] == ["B", "C", "D", "none"]
    assert m["confusion_matrix"]["matrix"] == [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1]]
    assert m["per_letter"]["D"]["recall"] == 0.0 and m["per_letter"]["B"]["recall"] == 0.5


def test_accuracy_per_subject_and_source():
    records = [rec(0, "A", "Anatomy", "medmcqa"), rec(1, "B", "Anatomy", "medmcqa"), rec(2, "A", "Dental", "medmcqa"),
               rec(3, "C", "", "medqa")]
    m = metrics.compute_metrics(records, ["A", "A", "A", "C"])
    assert m["per_subject"] == {"Anatomy": {"n": 2, "correct": 1, "accuracy": 0.5},
                                "Dental": {"n": 1, "correct": 1, "accuracy": 1.0}}
    assert m["per_source"] == {"medmcqa": {"n": 3, "correct": 2, "accuracy": 0.6667},
                               "medqa": {"n": 1, "correct": 1, "accuracy": 1.0}}
    assert "bleu" not in m  # loglik mode has no text


def test_bleu_and_rouge_compare_only_the_explanation_part_where_there_is_a_reference():
    ref = "The axillary nerve winds around the surgical neck of the humerus and supplies the deltoid."
    records = [rec(0, "A", explanation=ref), rec(1, "B", explanation=""), rec(2, "C", explanation=ref)]
    texts = [f"(A) alpha fever\n\n{ref}", "(B) beta rash", f"C) gamma cough. {ref}"]
    m = metrics.compute_metrics(records, ["A", "B", "C"], texts)
    assert m["n_references"] == 2
    assert m["bleu"] == pytest.approx(100.0) and m["rouge_l"] == 1.0
    m = metrics.compute_metrics(records, ["A", "B", "C"], ["(A) alpha fever", "(B)", "(C) gamma cough"])
    assert m["bleu"] == 0.0 and m["rouge_l"] == 0.0
    assert metrics.compute_metrics(records[1:2], ["B"], ["(B)"])["bleu"] is None


def test_explanation_part():
    assert metrics.explanation_part("(B) beta rash\n\nIt spreads.", OPTIONS) == "It spreads."
    assert metrics.explanation_part("B. beta rash, since it spreads.", OPTIONS) == "since it spreads."
    assert metrics.explanation_part("It is probably the rash.", OPTIONS) == "It is probably the rash."
    assert metrics.explanation_part("", OPTIONS) == ""
