"""Safety text for the chat: emergency red flags in questions, the disclaimer under answers.

Red flags and safety-notice markers are written in config.py (ChatConfig.red_flags / notice_markers)
in one small pattern language, so they can be changed without touching code:

    "chest + pain|pressure|tight + breath|sweat|arm"

* ` + ` separates terms; every term must occur in the text, in any order.
* `|` separates the alternatives of a term; any one of them is enough.
* An alternative of several words ("not stop", "kill myself") must occur as consecutive words.
* A pattern word of 4+ letters matches every word that starts with it ("breath" matches breathe,
  breathing, breathless; "suicid" matches suicide, suicidal); a shorter one ("arm", "lip", "not")
  matches only itself and its plural, so "arm" does not match "army".

Text is lower-cased, contractions are spelled out ("can't" -> "can not", "won't" -> "will not") and
punctuation is dropped, so "CHEST-PAIN!!" and "chest pain" read the same. Negations are not parsed:
"no chest pain but short of breath" still raises the notice, on purpose (a needless notice costs
less than a missed one).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|could|would|should|has|have|had)n'?t\b"), r"\1 not"),
    (re.compile(r"n't\b"), " not"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")


def words(text: str) -> list[str]:
    """The text as lower-case words, contractions spelled out, punctuation gone."""
    text = (text or "").lower().translate(_APOSTROPHES)
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return _NON_WORD.sub(" ", text).split()


def _word_matches(word: str, pattern: str) -> bool:
    if len(pattern) <= 3:
        return word == pattern or word == pattern + "s"
    return word.startswith(pattern)


def _phrase_in(text_words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(
        all(_word_matches(text_words[i + k], phrase[k]) for k in range(n))
        for i in range(len(text_words) - n + 1)
    )


@lru_cache(maxsize=512)
def compile_pattern(entry: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """'a b|c + d' -> ((('a', 'b'), ('c',)), (('d',),)): terms of alternatives of word tuples."""
    terms = []
    for term in entry.split("+"):
        alternatives = tuple(tuple(words(alt)) for alt in term.split("|") if words(alt))
        if alternatives:
            terms.append(alternatives)
    return tuple(terms)


def matches(text_words: Sequence[str], entry: str) -> bool:
    terms = compile_pattern(entry)
    return bool(terms) and all(any(_phrase_in(text_words, alt) for alt in term) for term in terms)


def find_red_flags(text: str, red_flags: Iterable[str]) -> list[str]:
    """The red-flag patterns the text matches (empty when none)."""
    text_words = words(text)
    return [entry for entry in red_flags if matches(text_words, entry)]


def has_safety_notice(text: str, markers: Iterable[str]) -> bool:
    """True when the answer already carries a safety notice (so no disclaimer is added)."""
    text_words = words(text)
    return any(matches(text_words, entry) for entry in markers)


def compose_answer(
    response: str, *, emergency: bool, emergency_notice: str, disclaimer: str, markers: Iterable[str]
) -> tuple[str, bool]:
    """The answer as shown to the user: emergency notice first (if any), the model's text, then the
    disclaimer when the text has no safety notice of its own. Returns (answer, disclaimer_added)."""
    add = not has_safety_notice(response, markers)
    parts = [f"EMERGENCY: {emergency_notice}"] if emergency else []
    if response.strip():
        parts.append(response.strip())
    if add:
        parts.append(disclaimer)
    return "\n\n".join(parts), add
