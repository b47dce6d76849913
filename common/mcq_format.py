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


_LETTER_REFERENCE = re.compile(r"\([A-E]\)|\b[A-E]\)|\b(?:option|answer|choice)\s+[A-E]\b", re.I)


def letter_after_answer(record: Mapping, shift: int) -> str:
    """The option letter `shift` places after the record's answer, cyclically: where a balanced copy puts it
    (with shifts 1..n-1 the copies and the original hold the answer once on each of the n letters)."""
    letters = list(record["options"])
    return letters[(letters.index(record["answer"]) + shift) % len(letters)]


def permute_options(record: Mapping, rng, system_prompt: str | None = None, answer_at: str | None = None,
                    keep_explanation: bool = True) -> dict:
    """The record with its options in a random order and the answer relabelled (SFT augmentation).

    Teaches the content, not a position: a model trained on one fixed order can learn that the answer is
    often "B". answer_at puts the correct option at that letter (the others shuffled around it), so copies
    can spread the answer evenly over the letters. An explanation that names option letters ("option A is
    wrong") would be wrong after the shuffle, so a permuted copy drops it; one that does not is kept unless
    keep_explanation is False (a short target: the letter and its option text). rng is a random.Random.
    """
    letters = list(record["options"])
    texts = [record["options"][k] for k in letters]
    correct = letters.index(record["answer"])
    order = list(range(len(texts)))
    rng.shuffle(order)
    if answer_at is not None:
        if answer_at not in letters:
            raise ValueError(f"answer_at={answer_at!r} is not one of the options {letters}")
        order.remove(correct)
        order.insert(letters.index(answer_at), correct)
    options = {letters[i]: texts[j] for i, j in enumerate(order)}
    answer = letters[order.index(correct)]
    explanation = (record.get("explanation", "") or "") if keep_explanation else ""
    if _LETTER_REFERENCE.search(explanation):
        explanation = ""
    if system_prompt is None:
        system_prompt = record["messages"][0]["content"] if record.get("messages") else ""
    out = {**record, "options": options, "answer": answer, "explanation": explanation,
           "id": f"{record.get('id', '')}#perm"}
    out["messages"] = build_messages(out, system_prompt)
    return out


# --------------------------------------------------------------------------- answer extraction

_MARKUP = re.compile(r"[*_`#>]+")
# "(B)" / "B)" / "B." / "B:" / "[B]" at the very start of the answer; "(b)" and "b)" in lower case too
_START_MARKED = re.compile(r"^\s*(?:\(([A-Ea-e])\)|\[([A-E])\]|([A-E])\s*[\).:\]](?!\d)|([a-e])\)(?!\d))")
_START_ALONE = re.compile(r"^\s*([A-E])\s*$")
_START_WORD = re.compile(r"^\s*([A-E])\s+(.+)", re.S)
# "answer is B", "Answer: (c)", "correct option is D)", "I would choose B", "option E"; what follows the
# letter is checked in code, so "Answer: A deficiency of B12" is no letter at all
_EXPLICIT = re.compile(
    r"(?i)\b(?:answer|option|choice|choose|select|pick)(?:\s+(?:is|would\s+be|will\s+be|=|:|-))?"
    r"(?:\s+(?:option|choice|letter))?\s*[:\-=]?\s*[\(\[]?([A-E])(?![A-Za-z0-9])(?=(.{0,80}))", re.S
)
_LETTER_IS_CORRECT = re.compile(r"\b\(?([A-E])\)?\s+is\s+(?:the\s+)?(?:correct|right|best)\b")
_BOXED = re.compile(r"\\boxed\{\s*\(?([A-Ea-e])\)?\s*\}")
_TAIL_OK = re.compile(r"^\s*(?:$|[\)\]]|[.,;:!?](?:\s|$)|[-\u2013\u2014]|(?:because|since|as|which|is|was)\b)", re.I)
_PAREN_ANYWHERE = re.compile(r"\(([A-Ea-e])\)")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip().lower()


def _one(letters: list[str]) -> str | None | bool:
    """The single distinct letter, None if there were several (ambiguous), False if none."""
    distinct = set(letters)
    if len(distinct) == 1:
        return distinct.pop()
    return None if distinct else False


def _tail_ok(tail: str, letter: str, options: Mapping[str, str] | None) -> bool:
    """After "the answer is X": the end, punctuation, "because ...", or X's own option text; not another word.

    Only "A" and lower-case letters can be English words ("a deficiency"); "choose D here" needs no check.
    """
    if letter in "BCDE" or _TAIL_OK.match(tail):
        return True
    text = options.get(letter.upper()) if options else None
    return bool(text) and _norm(tail).startswith(_norm(text))


def extract_answer(text: str, options: Mapping[str, str] | None = None) -> str | None:
    """The option letter a generated answer chooses, or None when it is missing or ambiguous.

    Tried in order: a letter marked at the start ("(B) ...", "B.", "B)", "(b)"), \\boxed{B}, an explicit
    statement anywhere ("Answer: B", "the answer is b.", "B is correct"; the letter must end there or be
    followed by its option's text, so "Answer: A deficiency of ..." is no letter), a parenthesised letter
    anywhere, and finally the text of exactly one option. Two different letters at the same level count as
    ambiguous.
    """
    if not text or not text.strip():
        return None
    valid = set(options) if options else set(LETTERS)
    clean = _MARKUP.sub("", text).strip()

    m = _START_MARKED.match(clean)
    if m:
        letter = next(g for g in m.groups() if g).upper()
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

    explicit = [m.group(1).upper() for m in _EXPLICIT.finditer(clean) if _tail_ok(m.group(2), m.group(1), options)]
    for letters in (_BOXED.findall(clean), explicit, _LETTER_IS_CORRECT.findall(clean), _PAREN_ANYWHERE.findall(clean)):
        found = _one([x.upper() for x in letters if x.upper() in valid])
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
