"""Safety text for the chat: emergency red flags in what users write, the disclaimer under answers.

Red flags are written in chat/safety_rules.py (ChatConfig.extra_red_flags adds to them) in one small
pattern language, so they can be read and extended without touching code:

    "cardiac: chest + pain|pressure|tight + breath|sweat|arm|>=10"

* An optional `category:` prefix names the kind of emergency (reported, not used for matching).
* ` + ` separates terms; every term must occur in the text, in any order.
* `|` separates the alternatives of a term; any one of them is enough.
* An alternative of several words ("not stop", "kill myself") must occur as consecutive words.
* A pattern word of 4+ letters matches every word that starts with it ("breath" matches breathe,
  breathing); one of three letters matches only itself and its plural, so "arm" does not match "army";
  one of two letters only itself (a meter's "hi" is not "his").
* Spelling is tolerated: two swapped letters ("pian") match; a text word of 4+ letters close to a pattern
  word of 5+ letters (same first letter, difflib ratio >= 0.88: "chst", "breth", "atack", "headach")
  matches it, unless the rule book uses the text word itself ("nose" is not "noose", "beach" not "bleach").
* `>=N`, `<=N` and `N-M` match a number in the text ("took 30 paracetamol", "baby 40C fever",
  "sugar 2.1"); decimals with "." or "," count. A range written with decimals ("37.8-42.9") matches only
  a number written with them: a temperature "39.8" or "38,5", not an age "40".
* A rule of three terms or more describes one thing: its terms must lie within WINDOW (40) words of each other,
  except in the kinds told as an event and what followed hours later or as a condition named first (head
  injuries, exposures, burns, diabetes, pregnancy).
* A term does not count where "no", "without", "denies" (and sin/sans/ohne/kein/sem) stand in the
  two words before it: "no chest pain" is not chest pain. "not" is not a negation here ("can not
  breathe" is the emergency), nor is "no" in Spanish or Portuguese ("no puede respirar").

Text is read by safety_text.words: lower-cased, accents stripped ("respiração" -> "respiracao"),
contractions spelled out ("can't" / "cant" -> "can not") and punctuation dropped. Figures of speech in
safety_terms.RED_FLAG_EXCEPTIONS ("killing me", "gave me a heart attack", "overdosed on sugar") are removed first.

Intent before alarm: chat/intent.py decides whether a message may describe something happening now
(`intent.intent`) and which of its clauses are about now (`intent.words_about_now`); only those words are
matched. Doses are not counts ("2 tablets of 500mg"), "type 2" is not a blood sugar of 2, a pain score "2/10" is
not a number 10 and "his 90th" holds no number. `find_red_flags_in_conversation` checks the last few user
turns, alone and together.

Patterns may name shared word lists as `{name}` (safety_terms.TERMS); `expand` writes them out, so what
a rule matches is always readable as plain alternatives.

The disclaimer goes under every answer whatever the model wrote; the emergency notice depends only
on the user's words, never on the model's output.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from chat.intent import NOW_INTENT, intent, words_about_now
from chat.safety_text import PEOPLE, THIRD_PERSON, words

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NUMERIC_ALT = re.compile(r"(>=|<=)(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")
_CATEGORY = re.compile(r"^\s*([a-z_]+)\s*:\s*")
NEGATIONS = frozenset({"no", "without", "denies", "denied", "never", "nor", "sin", "sans", "ohne", "kein", "keine",
                       "sem"})
# In Spanish/Portuguese "no" is also "in the" ("dor no peito"): there it is not read as a negation (English "do" and
# "um" are no sign of either language: "no trouble breathing, do I ...").
_IBERIAN = frozenset("el la los las de del da dos das em uma com que y dor dores muito forte subita tenho "
                     "estou sinto quiero quero puedo puede pueden consigo consegue esta estoy tiene tengo mi hijo "
                     "meu minha tem sente ela ele nao muy hay "
                     "hija ya mas se".split())
DOSE_UNITS = frozenset("mg mcg ug ml mls g gram grams milligram milligrams microgram micrograms iu".split())
_READING = frozenset("sugar sugars glucose bs bg bm reading meter level levels".split())  # "sugar 40 mg" is a reading
_REGIMEN = re.compile(r" (?:a day|per day|daily|each day|every day|a week|per week) ")
YEARS = frozenset("year years yr yrs jahr jahre jahren ano anos an ans".split())
HOURS = frozenset("hour hours hr hrs stunden horas heures heure".split())
SPANS_DE = frozenset("tag tage tagen woche wochen monate monaten".split())  # "14 Tage lang": how long, no count
# A rule of three terms or more describes one thing: its terms must fall within WINDOW words of each other (in a
# long message, "took" in one story, "again" in another and a medicine's name in a third are no overdose). Head
# injuries, exposures and burns are told as an event and what followed hours later, diabetes and pregnancy as a
# condition named first and the signs much later, so their terms may lie further apart.
WINDOW = 40
WINDOW_MIN_TERMS = 3
WINDOW_EXEMPT = frozenset({"head_spine", "environmental", "glycaemia", "obstetric", "burns"})
NOT_A_VALUE_AFTER = frozenset("type stage grade step level class covid number no nr day page room bed ward "
                              "question chapter version".split())
SPANS = frozenset("day days week weeks wk wks month months".split())
AGE_CUES = frozenset("im shes hes aged age".split())  # "I'm 23", "she's 80": an age
_METERS = frozenset("libre meter sensor dexcom monitor cgm reader machine".split())
_TEMPERATURE = frozenset("c f degrees grad grados graus degres fever temp temperature fieber fiebre fievre "
                         "febre".split())
_SOMEONE = PEOPLE - frozenset("i me myself we us everyone everybody someone family children kids".split())


@lru_cache(maxsize=200_000)
def _word_matches(word: str, pattern: str, typos: bool = True) -> bool:
    if len(pattern) <= 3:  # "arm" takes "arms" but not "army"; "hi" (a meter's HI) is not "his"
        return word == pattern or (len(pattern) == 3 and word == pattern + "s")
    if word.startswith(pattern):
        return True
    if not typos or len(word) < 4 or word[0] != pattern[0] or not word.isalpha() or abs(len(word) - len(pattern)) > 3:
        return False
    if len(word) == len(pattern) and any(  # two neighbouring letters swapped: "pian", "cehst"
            word[:i] + word[i + 1] + word[i] + word[i + 2:] == pattern for i in range(len(word) - 1)):
        return True
    # spelling tolerance: the word (or its start, for stems) is close to a pattern word of 5+ letters (four
    # letters are too few: "heat" would take "healthy", "nose" "noose")
    if len(pattern) < 5:
        return False
    stem = word[: len(pattern) + 1] if len(word) > len(pattern) else word
    return max(difflib.SequenceMatcher(None, w, pattern).ratio() for w in {stem, word, word[: len(pattern)]}) >= 0.88


def _number_in(token: str, alt: tuple) -> bool:
    if not _NUMBER.fullmatch(token):
        return False
    value = float(token.replace(",", "."))
    _, op, a, b = alt
    if op == "-." and not ("." in token or "," in token):  # "37.8-42.9" is a reading with decimals: 39.8, not 40
        return False
    return value >= a if op == ">=" else value <= a if op == "<=" else a <= value <= b


def _is_value(text_words: Sequence[str], i: int) -> bool:
    """A number that is a count or a measurement: not a dose ("500 mg", but "42 mg/dl" is) nor "type 2"."""
    after = text_words[i + 1:i + 3]
    reading = bool(_READING.intersection(text_words[max(0, i - 3):i])) or after[:2] == ["mg", "dl"]
    if after and after[0] in DOSE_UNITS and not reading:
        return False
    if _REGIMEN.search(" " + " ".join(text_words[i + 1:i + 5]) + " "):  # "10 tablets a day" is a regimen
        return False
    if i and text_words[i - 1] in NOT_A_VALUE_AFTER:
        return False
    if after[:2] and after[0] in SPANS and after[1:2] == ["ago"]:  # "3 weeks ago": when, no count or reading
        return False
    if after[:1] and after[0] in YEARS | HOURS:  # "for 4 years", "12 hrs late": a span or an age, no count
        return False
    if after[1:2] in (["lang"], ["long"]) and after[0] in SPANS | SPANS_DE:  # "14 Tage lang", "12 days long"
        return False
    if {"hba", "hba1c", "a1c"} & set(text_words[max(0, i - 3):i]):  # "HbA1c 48" is a lab value, no reading
        return False
    # an age: "aged 81", "my mum is 81", "she's 81" (a person word, then is / s, then the number)
    before = text_words[max(0, i - 2):i]
    # ... or written beside the person: "my mum (62) had ...", "Mein Sohn (6)"
    aged = (before[-1:] and before[-1] in AGE_CUES or before in (["i", "m"], ["i", "am"])
            or before[-1:] and before[-1] in _SOMEONE and not (after[:1] and after[0] in _TEMPERATURE))
    aged = aged and not (after[:1] and after[0] in SPANS)  # "I'm 31 weeks": a pregnancy, no age
    aged = aged and text_words[i].isdigit()  # "I'm 2.4": a reading
    on_a_meter = after[:1] == ["on"] and bool(_METERS.intersection(text_words[i + 2:i + 5]))
    aged = aged and not (on_a_meter or after[:1] in (["mmol"], ["mg"]))  # "I'm 3 on my libre": a reading
    return not (aged
                or (len(before) == 2 and before[1] in ("is", "s")
                                                        and before[0] in PEOPLE | THIRD_PERSON))


class _Text:
    """A message's words with, per pattern word, the positions of the words it matches (computed once:
    the same word lists recur in many rules). A word the rule book itself uses ("nose", "beach", "fait")
    is read as that word, never as a misspelling of another ("noose", "bleach", "faint")."""

    def __init__(self, text_words: Sequence[str], vocabulary: frozenset = frozenset()):
        self.words = list(text_words)
        self.vocabulary = vocabulary
        self.negations = NEGATIONS - {"no"} if _IBERIAN.intersection(self.words) else NEGATIONS
        self._positions: dict[str, list[int]] = {}
        self._by_first: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self._by_first.setdefault(w[:1], []).append(i)

    def word_matches(self, i: int, pattern_word: str) -> bool:
        word = self.words[i]
        return _word_matches(word, pattern_word, word not in self.vocabulary)

    def positions(self, pattern_word: str) -> list[int]:
        found = self._positions.get(pattern_word)
        if found is None:
            # only words with the same first letter can match (or the first two letters swapped)
            candidates = self._by_first.get(pattern_word[:1], [])
            if len(pattern_word) > 3 and pattern_word[1] != pattern_word[0]:
                candidates = sorted(candidates + self._by_first.get(pattern_word[1], []))
            found = self._positions[pattern_word] = [i for i in candidates if self.word_matches(i, pattern_word)]
        return found

    def negated(self, i: int) -> bool:
        return bool(self.negations.intersection(self.words[max(0, i - 2):i]))


@lru_cache(maxsize=64)
def vocabulary(entries: tuple) -> frozenset:
    """Every word the entries use (numbers aside): text words that are read as themselves, not as typos."""
    return frozenset(w for entry in entries for term in compile_pattern(entry) for alt in term
                     if alt[0] != "#" for w in alt) | OWN_WORDS


# Everyday words a letter away from a rule word, read as themselves: "read" is not "ready", "contraception" not
# "contraction"
OWN_WORDS = frozenset("read reads contraception contraceptive contraceptives".split())


def _phrase_at(text: "_Text", phrase: tuple) -> Iterator[int]:
    """The positions where the phrase (or the number alternative) starts, not negated, in order."""
    w = text.words
    if phrase and phrase[0] == "#":
        return (i for i in range(len(w)) if _number_in(w[i], phrase) and _is_value(w, i) and not text.negated(i))
    n = len(phrase)
    return (i for i in text.positions(phrase[0]) if i + n <= len(w)
            and all(text.word_matches(i + k, phrase[k]) for k in range(1, n)) and not text.negated(i))


def _phrase_in(text: "_Text", phrase: tuple) -> bool:
    return next(_phrase_at(text, phrase), None) is not None


def _alternative(alt: str) -> tuple:
    m = _NUMERIC_ALT.fullmatch(alt.strip())
    if m:
        if m.group(1):
            return ("#", m.group(1), float(m.group(2)), None)
        return ("#", "-." if "." in alt else "-", float(m.group(3)), float(m.group(4)))
    return tuple(words(alt))


def expand(entry: str, terms: dict[str, str]) -> str:
    """'x: {chest} + pain' -> 'x: chest|thorax + pain': each {name} replaced by the word list terms[name] (a
    word list may name another: "{chest_sign}" holds "{severe}")."""
    def sub(m: re.Match) -> str:
        if m.group(1) not in terms:
            raise ValueError(f"red flag {entry[:60]!r} names an unknown word list {{{m.group(1)}}}")
        return terms[m.group(1)]
    for _ in range(5):
        entry, n = re.subn(r"\{(\w+)\}", sub, entry)
        if not n:
            return entry
    raise ValueError(f"red flag {entry[:60]!r}: word lists that name each other in a circle")


@lru_cache(maxsize=2048)
def compile_pattern(entry: str) -> tuple:
    """'a b|c + d' -> ((('a', 'b'), ('c',)), (('d',),)): terms of alternatives of word tuples
    (a number alternative ">=10" becomes ('#', '>=', 10.0, None))."""
    terms = []
    for term in _CATEGORY.sub("", entry).split("+"):
        alternatives = tuple(a for a in (_alternative(alt) for alt in term.split("|")) if a)
        if alternatives:
            terms.append(alternatives)
    return tuple(terms)


def category(entry: str) -> str:
    """The `category:` prefix of a red-flag entry ('' when it has none)."""
    m = _CATEGORY.match(entry)
    return m.group(1) if m else ""


def matches(text_words: "Sequence[str] | _Text", entry: str) -> bool:
    """True when every term of the entry has an alternative in the words (a list, or a _Text to reuse)."""
    terms = compile_pattern(entry)
    text = text_words if isinstance(text_words, _Text) else _Text(text_words, vocabulary((entry,)))
    if not terms:
        return False
    if not _windowed(entry):  # the first alternative found of each term is enough
        return all(any(_phrase_in(text, alt) for alt in term) for term in terms)
    found = []
    for term in terms:
        at = sorted({i for alt in term for i in _phrase_at(text, alt)})
        if not at:
            return False
        found.append(at)
    return any(all(any(p <= i <= p + WINDOW for i in at) for at in found) for p in sorted(set().union(*found)))


@lru_cache(maxsize=2048)
def _windowed(entry: str) -> bool:
    """Whether the entry's terms must lie within WINDOW words of each other."""
    return len(compile_pattern(entry)) >= WINDOW_MIN_TERMS and category(entry) not in WINDOW_EXEMPT


@lru_cache(maxsize=64)
def _exception_index(exceptions: tuple) -> dict:
    """{first word: [phrase words, ...]} of the figures of speech, longest first."""
    index: dict[str, list[list[str]]] = {}
    for phrase in exceptions:
        p = words(phrase)
        if p:
            index.setdefault(p[0], []).append(p)
    return {k: sorted(v, key=len, reverse=True) for k, v in index.items()}


def _strip_exceptions(text_words: list[str], exceptions: Iterable[str]) -> list[str]:
    """The words with each figure of speech replaced by "."."""
    index = _exception_index(tuple(exceptions))
    out: list[str] = []
    i = 0
    while i < len(text_words):
        for p in index.get(text_words[i], ()):
            if text_words[i:i + len(p)] == p:
                out.append(".")
                i += len(p)
                break
        else:
            out.append(text_words[i])
            i += 1
    return out


def find_red_flags(text: str, red_flags: Iterable[str], exceptions: Iterable[str] = ()) -> list[str]:
    """The red-flag entries the text matches: none unless intent(text) is "now"; the rules are tried on
    words_about_now(text) with the figures of speech (`exceptions`) removed."""
    if intent(text) != NOW_INTENT:
        return []
    red_flags = tuple(red_flags)
    text_words = _Text(_strip_exceptions(words_about_now(text), exceptions), vocabulary(red_flags))
    return [entry for entry in red_flags if matches(text_words, entry)]


def find_red_flags_in_conversation(
    user_messages: Sequence[str], red_flags: Iterable[str], exceptions: Iterable[str] = (), turns: int = 3
) -> list[str]:
    """Red flags in the last `turns` user messages, each alone and all together (so "my chest feels
    odd" then "now my arm is numb and I'm sweating" counts), most recent message's flags first."""
    recent = [m for m in list(user_messages)[-turns:] if m and m.strip()]
    red_flags = list(red_flags)
    found: list[str] = []
    for message in reversed(recent):
        found += [f for f in find_red_flags(message, red_flags, exceptions) if f not in found]
    together = [m for m in recent if intent(m) == NOW_INTENT]
    if len(together) > 1:
        found += [f for f in find_red_flags(" . ".join(together), red_flags, exceptions) if f not in found]
    return found


def has_safety_notice(text: str, markers: Iterable[str]) -> bool:
    """True when the model's text mentions a safety notice. Informational only: it never decides
    whether the disclaimer is shown."""
    text_words = words(text)
    return any(matches(text_words, entry) for entry in markers)


def compose_answer(
    response: str,
    *,
    emergency: bool,
    emergency_notice: str,
    disclaimer: str,
    markers: Iterable[str] = (),
    first: bool = True,
    short_disclaimer: str | None = None,
) -> tuple[str, bool]:
    """The answer as shown to the user: the emergency notice first (when the user's words raised a red
    flag), the model's text, then the disclaimer, always, whatever the model wrote: the full text on a
    session's first answer, `short_disclaimer` (when given) after it. Returns (answer, True); `markers`
    is accepted for old callers and ignored."""
    parts = [f"EMERGENCY: {emergency_notice}"] if emergency else []
    if response.strip():
        parts.append(response.strip())
    parts.append(disclaimer if first or not short_disclaimer else short_disclaimer)
    return "\n\n".join(parts), True
