"""The exact McNemar test: values worked by hand, and the pairing by question id."""
import pytest

from common import significance


@pytest.mark.parametrize("b, c, p", [
    (0, 6, 2 / 64),             # all six discordant on one side: 2 * (1/2)^6
    (1, 9, 2 * 11 / 1024),      # 2 * (C(10,0) + C(10,1)) / 2^10
    (3, 3, 1.0),
    (0, 0, 1.0),                # no discordant question: no evidence either way
    (7, 2, 2 * (1 + 9 + 36) / 512),
])
def test_exact_p_values(b, c, p):
    first = [True] * b + [False] * c + [True, False] * 5      # 5 both-right and 5 both-wrong pairs
    second = [False] * b + [True] * c + [True, False] * 5
    out = significance.mcnemar_exact(first, second)
    assert (out["b"], out["c"], out["n_discordant"]) == (b, c, b + c)
    assert out["p_value"] == pytest.approx(p, abs=1e-6)
    assert out["significant"] == (p < 0.05)


def test_verdict_says_no_significant_difference_or_names_the_better():
    assert significance.mcnemar_exact([True, False] * 4, [False, True] * 4)["verdict"].startswith(
        "no significant difference")
    assert significance.mcnemar_exact([False] * 8, [True] * 8)["verdict"].startswith("second is better")
    with pytest.raises(ValueError):
        significance.mcnemar_exact([True], [True, False])


def test_paired_tests_match_questions_by_id_and_name_the_models():
    def doc(name, right_ids):
        return {"name": name, "predictions": [
            {"id": i, "answer": "A", "loglik": "A" if i in right_ids else "B"} for i in range(10)]}

    rows = significance.paired_tests([doc("base", set()), doc("sft", set(range(10)))], "loglik")
    assert len(rows) == 1
    r = rows[0]
    assert (r["first"], r["second"], r["n"], r["b"], r["c"]) == ("base", "sft", 10, 0, 10)
    assert r["significant"] and r["verdict"].startswith("sft is better")
    assert significance.paired_tests([doc("base", {1}), doc("sft", {1})], "generate") == []
