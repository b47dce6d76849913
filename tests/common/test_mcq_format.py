"""The shared prompt / answer format, answer extraction and the PPO reward."""
from __future__ import annotations

import pytest

from common import mcq_format as mf

OPTIONS = {"A": "Melanoma", "B": "Basal cell carcinoma", "C": "Squamous cell carcinoma", "D": "Kaposi sarcoma"}
RECORD = {
    "question": "Which skin cancer is the most common in fair-skinned adults living in sunny places?",
    "options": OPTIONS,
    "answer": "B",
    "answer_text": "Basal cell carcinoma",
    "explanation": "It arises from basal keratinocytes and rarely metastasises.",
}


def test_messages_have_the_report_format():
    msgs = mf.build_messages(RECORD, "SYS")
    assert [m["role"] for m in msgs] == ["system", "user", "assistant"]
    assert msgs[0]["content"] == "SYS"
    assert msgs[1]["content"] == (
        "Which skin cancer is the most common in fair-skinned adults living in sunny places?\n\n"
        "A) Melanoma\nB) Basal cell carcinoma\nC) Squamous cell carcinoma\nD) Kaposi sarcoma"
    )
    assert msgs[2]["content"] == "(B) Basal cell carcinoma\n\nIt arises from basal keratinocytes and rarely metastasises."
    assert mf.build_messages(RECORD, "SYS", include_explanation=False)[2]["content"] == "(B) Basal cell carcinoma"
    assert mf.prompt_messages(RECORD, "SYS") == msgs[:2]
    assert msgs[2]["content"].startswith(mf.ANSWER_PREFIX + "B")


EXTRACTION_TABLE = [
    ("(B) Basal cell carcinoma", "B"),
    ("B. Basal cell carcinoma", "B"),
    ("B) Basal cell carcinoma is the most common.", "B"),
    ("C", "C"),
    ("  d  ", None),  # lower-case alone is not a letter choice
    ("D: Kaposi sarcoma", "D"),
    ("[A] Melanoma", "A"),
    ("**(C)** Squamous cell carcinoma", "C"),
    ("Answer: B", "B"),
    ("answer: (D)", "D"),
    ("The answer is B) Basal cell carcinoma, because ...", "B"),
    ("The correct answer is C.", "C"),
    ("The correct option is A", "A"),
    ("I would choose D here.", "D"),
    ("After weighing the findings, the best choice is (B).", "B"),
    ("Basal cell carcinoma", "B"),
    ("basal cell carcinoma is the most common skin cancer", "B"),
    ("It is most likely Kaposi sarcoma given the HIV history.", "D"),
    ("A or B", None),
    ("The answer is A. No wait, the answer is C.", None),
    ("Either (A) or (C) could be right.", None),
    ("Melanoma or Kaposi sarcoma", None),
    ("I am not sure.", None),
    ("", None),
    ("A 45-year-old man would need a biopsy.", None),
    ("B Basal cell carcinoma", "B"),
    ("E) Something", None),  # not one of this question's options
]


@pytest.mark.parametrize("text, expected", EXTRACTION_TABLE)
def test_extract_answer_table(text, expected):
    assert mf.extract_answer(text, OPTIONS) == expected


def test_extract_without_options_accepts_any_letter():
    assert mf.extract_answer("(E) Beta blockers") == "E"
    assert mf.extract_answer("Basal cell carcinoma") is None


def test_reward_is_one_for_the_right_letter_and_point_one_otherwise():
    assert mf.correctness_reward("(B) Basal cell carcinoma", "B", OPTIONS) == 1.0
    assert mf.correctness_reward("(A) Melanoma", "B", OPTIONS) == 0.1
    assert mf.correctness_reward("no idea", "B", OPTIONS) == 0.1
    assert mf.correctness_reward("A or B", "B", OPTIONS) == 0.1
    assert mf.correctness_reward("(B)", "B", OPTIONS, correct=2.0, wrong=-1.0) == 2.0


OPTIONS_B12 = {"A": "Vitamin A", "B": "Vitamin B12", "C": "Folate", "D": "Iron"}


@pytest.mark.parametrize("text, letter", [
    ("(b)", "B"),
    ("B is correct", "B"),
    ("\\boxed{B}", "B"),
    ("\\boxed{d}", "D"),
    ("The answer is b.", "B"),
    ("answer: b", "B"),
    ("Option b", "B"),
    ("The answer is (C).", "C"),
    ("The answer is B because the folate level is normal", "B"),
    ("The answer is B Vitamin B12", "B"),
    ("Both A and C are wrong; the answer is D", "D"),
    ("Answer: **C**", "C"),
    ("Answer: A deficiency of B12 causes this", None),   # "A" is an article here, not option A
    ("The answer is A deficiency", None),
    ("Answer: a patient with anaemia", None),
    ("A 45-year-old", None),
    ("a", None),
])
def test_reward_extraction_table(text, letter):
    assert mf.extract_answer(text, OPTIONS_B12) == letter
    reward = mf.correctness_reward(text, "B", OPTIONS_B12)
    assert reward == (1.0 if letter == "B" else 0.1)


def scurvy_record() -> dict:
    """A processed record (answer C, explanation without letters) for the permutation tests."""
    rec = {"id": "q1", "question": "Which vitamin deficiency causes scurvy in sailors?", "answer": "C",
           "answer_text": "Vitamin C", "explanation": "Collagen synthesis needs ascorbate.",
           "options": {"A": "Vitamin A", "B": "Vitamin D", "C": "Vitamin C", "D": "Vitamin K"}}
    rec["messages"] = mf.build_messages(rec, "sys")
    return rec


def test_permute_options_moves_the_answer_with_its_text():
    import random

    rec = scurvy_record()
    rng = random.Random(3)
    answers = set()
    for _ in range(20):
        out = mf.permute_options(rec, rng)
        assert out["options"][out["answer"]] == "Vitamin C"
        assert sorted(out["options"].values()) == sorted(rec["options"].values())
        assert list(out["options"]) == ["A", "B", "C", "D"]
        assert out["messages"][-1]["content"].startswith(f"({out['answer']}) Vitamin C")
        assert f"{out['answer']}) Vitamin C" in out["messages"][1]["content"]
        assert out["messages"][0]["content"] == "sys" and out["explanation"] == rec["explanation"]
        answers.add(out["answer"])
    assert len(answers) >= 3  # the answer really moves
    lettered = mf.permute_options({**rec, "explanation": "Option A is wrong: vitamin A is for vision."}, rng)
    assert lettered["explanation"] == "" and "vision" not in lettered["messages"][-1]["content"]


def test_permute_options_puts_the_answer_where_asked_and_can_drop_the_explanation():
    import random

    rec = scurvy_record()
    rng = random.Random(0)
    others = set()
    for at in "ABDC" * 5:
        out = mf.permute_options(rec, rng, answer_at=at)
        assert out["answer"] == at and out["options"][at] == "Vitamin C"
        assert sorted(out["options"].values()) == sorted(rec["options"].values())
        others.add(tuple(v for k, v in out["options"].items() if k != at))
    assert len(others) > 1  # the wrong options are still shuffled around the answer
    short = mf.permute_options(rec, rng, answer_at="A", keep_explanation=False)
    assert short["explanation"] == "" and short["messages"][-1]["content"] == "(A) Vitamin C"
    with pytest.raises(ValueError, match="answer_at"):
        mf.permute_options(rec, rng, answer_at="E")
