"""The multiple-choice format every stage shares: prompt, target answer, answer extraction, reward.

data_processor.py writes records whose `messages` come from `build_messages`; SFT trains on them; PPO,
evaluation and the chat prompt with `prompt_messages` and read the model's choice back with
`extract_answer`; PPO's reward is `correctness_reward`. Change the format here and every stage follows.

A record (one line of data/processed/*.jsonl):
    {"id", "source", "question", "options": {"A": ..., ...}, "answer": "B", "answer_text",
     "explanation", "subject", "messages": [system, user, assistant]}
"""
from __future__ import annotations

import re
from typing import Mapping

LETTERS = "ABCDE"
# The assistant's answer starts with "(" + letter + ")": log-likelihood scoring appends this prefix
# to the prompt and compares the model's probability of each option letter after it.
ANSWER_PREFIX = "("


def format_options(options: Mapping[str, str]) -> str:
    return "\n".join(f"{letter}) {text}" for letter, text in options.items())


def user_message(question: str, options: Mapping[str, str]) -> str:
    return f"{question.strip()}\n\n{format_options(options)}"


def assistant_message(letter: str, answer_text: str, explanation: str = "") -> str:
    head = f"({letter}) {answer_text.strip()}"
    explanation = (explanation or "").strip()
    return f"{head}\n\n{explanation}" if explanation else head


def prompt_messages(record: Mapping, system_prompt: str) -> list[dict[str, str]]:
    """System + user turns: what the model sees before it answers."""
    return [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": user_message(record["question"], record["options"])},
    ]


def build_messages(record: Mapping, system_prompt: str, include_explanation: bool = True) -> list[dict[str, str]]:
    """System, user and the target assistant turn ("(B) Basal cell carcinoma" + explanation)."""
    explanation = record.get("explanation", "") if include_explanation else ""
    target = assistant_message(record["answer"], record["answer_text"], explanation)
    return prompt_messages(record, system_prompt) + [{"role": "assistant", "content": target}]


# --------------------------------------------------------------------------- answer extraction

_MARKUP = re.compile(r"[*_`#>]+")
# "(B)" / "B)" / "B." / "B:" / "[B]" at the very start of the answer
_START_MARKED = re.compile(r"^\s*(?:\(([A-E])\)|\[([A-E])\]|([A-E])\s*[\).:\]](?!\d))")
_START_ALONE = re.compile(r"^\s*([A-E])\s*$")
_START_WORD = re.compile(r"^\s*([A-E])\s+(.+)", re.S)
# "answer is B", "Answer: (C)", "correct option is D)", "I would choose B", "option E"
_EXPLICIT = re.compile(
    r"(?i:\b(?:answer|option|choice|choose|select|pick)(?:\s+(?:is|would\s+be|will\s+be|=|:|-))?"
    r"(?:\s+(?:option|choice|letter))?)\s*[:\-=]?\s*[\(\[]?([A-E])(?![A-Za-z0-9])"
)
_PAREN_ANYWHERE = re.compile(r"\(([A-E])\)")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip().lower()


def _one(letters: list[str]) -> str | None | bool:
    """The single distinct letter, None if there were several (ambiguous), False if none."""
    distinct = set(letters)
    if len(distinct) == 1:
        return distinct.pop()
    return None if distinct else False


def extract_answer(text: str, options: Mapping[str, str] | None = None) -> str | None:
    """The option letter a generated answer chooses, or None when it is missing or ambiguous.

    Tried in order: a letter marked at the start ("(B) ...", "B.", "B)"), an explicit statement
    anywhere ("Answer: B", "the answer is B) ..."), a parenthesised letter anywhere, and finally the
    text of exactly one option. Two different letters at the same level count as ambiguous.
    """
    if not text or not text.strip():
        return None
    valid = set(options) if options else set(LETTERS)
    clean = _MARKUP.sub("", text).strip()

    m = _START_MARKED.match(clean)
    if m:
        letter = next(g for g in m.groups() if g)
        if letter in valid:
            return letter
    m = _START_ALONE.match(clean)
    if m and m.group(1) in valid:
        return m.group(1)
    m = _START_WORD.match(clean)
    if m and options and m.group(1) in valid:
        rest = _norm(m.group(2))
        if rest.startswith(_norm(options[m.group(1)])):
            return m.group(1)

    for pattern in (_EXPLICIT, _PAREN_ANYWHERE):
        found = _one([x for x in pattern.findall(clean) if x in valid])
        if found is None:
            return None
        if found:
            return found

    if options:
        norm = _norm(clean)
        starts = [k for k, v in options.items() if _norm(v) and norm.startswith(_norm(v))]
        if len(starts) == 1:
            rest = norm[len(_norm(options[starts[0]])):].lstrip(" ,;")
            if not re.match(r"(or|and|/|versus|vs)\b", rest):  # "Melanoma or Kaposi sarcoma" is no choice
                return starts[0]
            return None
        inside = [
            k for k, v in options.items() if _norm(v) and re.search(r"\b" + re.escape(_norm(v)) + r"\b", norm)
        ]
        if len(inside) == 1:
            return inside[0]
    return None


def correctness_reward(
    response: str,
    answer: str,
    options: Mapping[str, str] | None = None,
    correct: float = 1.0,
    wrong: float = 0.1,
) -> float:
    """PPO's rule reward: `correct` when the response chooses the right letter, `wrong` otherwise."""
    return correct if extract_answer(response, options) == answer else wrong
