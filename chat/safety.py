"""Safety text for the chat: emergency red flags in what users write, the disclaimer under answers.

Red flags are written in config.py (ChatConfig.red_flags) in one small pattern language, so they can be
read and extended without touching code:

    "cardiac: chest + pain|pressure|tight + breath|sweat|arm|>=10"

* An optional `category:` prefix names the kind of emergency (reported, not used for matching).
* ` + ` separates terms; every term must occur in the text, in any order.
* `|` separates the alternatives of a term; any one of them is enough.
* An alternative of several words ("not stop", "kill myself") must occur as consecutive words.
* A pattern word of 4+ letters matches every word that starts with it ("breath" matches breathe,
  breathing); a shorter one matches only itself and its plural, so "arm" does not match "army".
* Spelling is tolerated: two swapped letters ("pian") match; a text word of 4+ letters that is close to a pattern word of 4+ letters
  (same first letter, difflib ratio >= 0.88: "chst", "breth", "atack", "headach") matches it.
* `>=N`, `<=N` and `N-M` match a number in the text ("took 30 paracetamol", "baby 40C fever",
  "sugar 2.1"); decimals with "." or "," count.
* A term does not count where "no", "without", "denies" (and sin/sans/ohne/kein/sem) stand in the
  two words before it: "no chest pain" is not chest pain. "not" is not a negation here ("can not
  breathe" is the emergency).

Text is lower-cased, accents stripped ("respiração" -> "respiracao"), contractions spelled out
("can't" / "cant" -> "can not") and punctuation dropped. Figures of speech in
ChatConfig.red_flag_exceptions ("killing me", "gave me a heart attack") are removed first.

Two kinds of message get no emergency notice even when a pattern matches, unless they speak in
the first person or about now ("I", "my", "right now"): exam stems (options A-D, "which of the
following", "most likely", "next best step", a "year-old ... presents" vignette) and general
education questions ("what is", "how does", "explain", "why"; for education "he/she" also counts as
personal). Messages about an episode long ago ("years ago", "last year") with nothing
happening now get none either. `find_red_flags_in_conversation` checks the last few user turns, alone and together.

Tense and person: a clause about an episode long ago ("when I was 12", "as a kid", "in 2015", "died of",
"was treated for") is dropped before matching, so "I had a seizure when I was 12, can I drive now" raises
nothing while "I had a heart attack last year and now I have crushing chest pain" does. Hypotheticals
("if someone was choking", "what should you do if", "writing a novel where") with nothing happening now
raise nothing. Doses are not counts ("2 tablets of 500mg"), "type 2" is not a blood sugar of 2 and a pain
score "2/10" is not a number 10.

Patterns may name shared word lists as `{name}` (safety_rules.TERMS); `expand` writes them out, so what
a rule matches is always readable as plain alternatives.

The disclaimer goes under every answer whatever the model wrote; the emergency notice depends only
on the user's words, never on the model's output.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|could|would|should|has|have|had)n'?t\b"), r"\1 not"),
    (re.compile(r"n't\b"), " not"),
]
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NUMERIC_ALT = re.compile(r"(>=|<=)(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")
_CATEGORY = re.compile(r"^\s*([a-z_]+)\s*:\s*")
NEGATIONS = frozenset({"no", "without", "denies", "denied", "never", "nor", "sin", "sans", "ohne", "kein", "keine", "sem"})
# In Spanish/Portuguese "no" is also "in the" ("dor no peito"): there it is not read as a negation.
_IBERIAN = frozenset("el la los las de del do da dos das em um uma com que y dor dores muito forte subita tenho estou sinto".split())
FIRST_PERSON = frozenset(
    "i im me my mine myself we our ours yo mi mis je moi mon ma mes ich mein meine meinen mir mich eu meu minha "
    "estou estoy tengo tenho".split()
)
THIRD_PERSON = frozenset("he she him his her they them hes shes".split())
NOW = ("right now", "tonight", "currently", "at the moment", "just now", "help me", "please help")
EDU_START = frozenset(
    "what whats how why explain describe define which when list difference tell compare does do is are "
    "que qu quest como cual cuales cuando porque quoi pourquoi comment quel quelle quels was wie warum welche "
    "welcher qual quais quando".split()
)
EDU_LEAD = ("can you explain", "could you explain", "can you tell me", "tell me about", "explain to me",
            "help me understand", "i want to know", "i would like to know", "quick question", "please")
EXAM_PHRASES = ("which of the following", "most likely", "next best step", "best next step", "most appropriate",
                "first line", "first step", "year old man", "year old woman", "year old boy", "year old girl",
                "presents with", "is brought to", "year old presents", "what is the diagnosis", "year old with",
                "take a history", "focused history", "your differential", "differential diagnosis", "osce",
                "the actor", "simulated patient", "the examiner", "the candidate")
PAST = ("years ago", "year ago", "last year", "last month", "months ago", "month ago", "weeks ago", "in the past",
        "history of", "when i was", "as a child", "once at", "used to")
CURRENT = ("now", "today", "tonight", "again", "still", "currently", "just")
_OPTION = re.compile(r"(?:^|[\s(])[A-Ea-e][).:](?=\s)")
# Numbers that are not counts or measurements: diabetes type, pain scores, oxygen-saturation names.
_NORMALISE = [
    (re.compile(r"\b(?:type\s*1|t1d|t1)\b"), "typeone"), (re.compile(r"\b(?:type\s*2|t2d|t2)\b"), "typetwo"),
    (re.compile(r"(\d)\s*(?:/|out of)\s*10\b"), r"\1 outoften "),
    (re.compile(r"(\d)\s*-?\s*(?:yo|y/o|y\.o\.?|yrs? old)(?![a-z])"), r"\1 year old"),
    (re.compile(r"\b(?:spo2|sp02|o2|sao2)\b"), "oxygensat"),
]
DOSE_UNITS = frozenset("mg mcg ug ml mls g gram grams milligram milligrams microgram micrograms".split())
_READING = frozenset("sugar sugars glucose bs bg bm reading meter level levels".split())  # "sugar 40 mg" is a reading
_REGIMEN = re.compile(r" (?:a day|per day|daily|each day|every day|a week|per week) ")
NOT_A_VALUE_AFTER = frozenset("type stage grade step level class covid number no nr".split())
# Episodes long ago: the clause that holds one is dropped before matching ("when I was 12, can I drive now").
LONG_AGO = ("years ago", "year ago", "last year", "when i was", "as a child", "as a kid", "as a teen", "as a teenager",
            "as a baby", "in my twenties", "in my thirties", "in my youth", "as a toddler", "as an infant",
            "when he was", "when she was", "when they were", "in my teens", "growing up", "used to", "last summer",
            "last winter", "last spring",
            "last autumn", "died of", "died from", "passed away", "was treated for", "was in hospital",
            "was hospitalised", "was hospitalized", "was admitted", "recovered from", "el ano pasado", "hace anos",
            "l annee derniere", "il y a des annees", "letztes jahr", "vor jahren", "ano passado", "ha anos",
            "cuando era", "quando era", "quand j etais", "als kind") + tuple(
    f"in {m}" for m in "january february march april may june july august september october november december".split())
_LONG_AGO_YEAR = re.compile(r"\b(?:in|back in)\s+(?:19|20)\d\d\b")
_CLAUSE_BREAK = re.compile(r"(?:(?<!\d)[.,]|[.,](?!\d)|[;!?\n])+"  # punctuation, not in 6.1 or 38,5
                           r"|(?=\b(?:and|but|so|then|now|today|tonight|again|still|since|currently)\b)")
# Questions about what one would do: no notice unless something is happening now.
HYPOTHETICAL = ("if someone", "if somebody", "if a person", "if you", "if a child", "if a baby", "if a bee",
                "what should you do if", "what do you do if", "what to do if", "what would i do if",
                "what should i do if", "what do i do if", "what would happen if", "what happens if",
                "how would you",
                "hypothetical", "hypothetically", "in theory", "a novel", "my novel", "a story", "a character",
                "a scene", "the character", "my character", "my story", "in my story", "the story", "my book",
                "the novel", "in a film", "in the film", "in a movie", "in the movie", "on tv", "in a show",
                "in a game", "how realistic", "screenplay", "my script", "fiction", "the plot", "first aid course",
                "first aid exam", "first aid class", "zombie")
ANIMAL = frozenset("vet vets veterinarian veterinary vet's".split())
_IF_EVER = re.compile(r"\bif\b[^.?!]*\bever\b")


def words(text: str) -> list[str]:
    """The text as lower-case words and numbers, accents and punctuation gone, contractions spelled out."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ß", "ss")
    text = re.sub(r"\b(?:cant|cnt|cannt|kant)\b", "can not", re.sub(r"\bwont\b", "will not", text))
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = re.sub(r"(\d),(\d)", r"\1.\2", text)
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return _TOKEN.findall(text)


@lru_cache(maxsize=200_000)
def _word_matches(word: str, pattern: str) -> bool:
    if len(pattern) <= 3:
        return word == pattern or word == pattern + "s"
    if word.startswith(pattern):
        return True
    if len(word) < 4 or word[0] != pattern[0] or not word.isalpha() or abs(len(word) - len(pattern)) > 3:
        return False
    if len(word) == len(pattern) and any(  # two neighbouring letters swapped: "pian", "cehst"
            word[:i] + word[i + 1] + word[i] + word[i + 2:] == pattern for i in range(len(word) - 1)):
        return True
    # spelling tolerance: the word (or its start, for stems) is close to the pattern word
    stem = word[: len(pattern) + 1] if len(word) > len(pattern) else word
    return max(difflib.SequenceMatcher(None, w, pattern).ratio() for w in {stem, word, word[: len(pattern)]}) >= 0.88


def _number_in(token: str, alt: tuple) -> bool:
    if not _NUMBER.fullmatch(token):
        return False
    value = float(token)
    _, op, a, b = alt
    return value >= a if op == ">=" else value <= a if op == "<=" else a <= value <= b


def _is_value(text_words: Sequence[str], i: int) -> bool:
    """A number that is a count or a measurement: not a dose ("500 mg", but "42 mg/dl" is) nor "type 2"."""
    after = text_words[i + 1:i + 3]
    reading = bool(_READING.intersection(text_words[max(0, i - 3):i])) or after[:2] == ["mg", "dl"]
    if after and after[0] in DOSE_UNITS and not reading:
        return False
    if _REGIMEN.search(" " + " ".join(text_words[i + 1:i + 5]) + " "):  # "10 tablets a day" is a regimen
        return False
    return not (i and text_words[i - 1] in NOT_A_VALUE_AFTER)


class _Text:
    """A message's words with, per pattern word, the positions of the words it matches (computed once:
    the same word lists recur in many rules)."""

    def __init__(self, text_words: Sequence[str]):
        self.words = list(text_words)
        self.negations = NEGATIONS - {"no"} if _IBERIAN.intersection(self.words) else NEGATIONS
        self._positions: dict[str, list[int]] = {}
        self._by_first: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self._by_first.setdefault(w[:1], []).append(i)

    def positions(self, pattern_word: str) -> list[int]:
        found = self._positions.get(pattern_word)
        if found is None:
            # only words with the same first letter can match (or the first two letters swapped)
            candidates = self._by_first.get(pattern_word[:1], [])
            if len(pattern_word) > 3 and pattern_word[1] != pattern_word[0]:
                candidates = sorted(candidates + self._by_first.get(pattern_word[1], []))
            found = self._positions[pattern_word] = [
                i for i in candidates if _word_matches(self.words[i], pattern_word)]
        return found

    def negated(self, i: int) -> bool:
        return bool(self.negations.intersection(self.words[max(0, i - 2):i]))


def _phrase_in(text: "_Text", phrase: tuple) -> bool:
    w = text.words
    if phrase and phrase[0] == "#":
        return any(_number_in(w[i], phrase) and _is_value(w, i) and not text.negated(i) for i in range(len(w)))
    n = len(phrase)
    return any(i + n <= len(w) and all(_word_matches(w[i + k], phrase[k]) for k in range(1, n))
               and not text.negated(i) for i in text.positions(phrase[0]))


def _alternative(alt: str) -> tuple:
    m = _NUMERIC_ALT.fullmatch(alt.strip())
    if m:
        if m.group(1):
            return ("#", m.group(1), float(m.group(2)), None)
        return ("#", "-", float(m.group(3)), float(m.group(4)))
    return tuple(words(alt))


def expand(entry: str, terms: dict[str, str]) -> str:
    """'x: {chest} + pain' -> 'x: chest|thorax + pain': each {name} replaced by the word list terms[name]."""
    def sub(m: re.Match) -> str:
        if m.group(1) not in terms:
            raise ValueError(f"red flag {entry[:60]!r} names an unknown word list {{{m.group(1)}}}")
        return terms[m.group(1)]
    return re.sub(r"\{(\w+)\}", sub, entry)


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
    text = text_words if isinstance(text_words, _Text) else _Text(text_words)
    return bool(terms) and all(any(_phrase_in(text, alt) for alt in term) for term in terms)


def _has_phrase(text_words: Sequence[str], phrase: str) -> bool:
    p = phrase.split()
    return any(list(text_words[i:i + len(p)]) == p for i in range(len(text_words) - len(p) + 1))


def _strip_exceptions(text_words: list[str], exceptions: Iterable[str]) -> list[str]:
    for phrase in exceptions:
        p = words(phrase)
        i = 0
        while p and i <= len(text_words) - len(p):
            if text_words[i:i + len(p)] == p:
                text_words = text_words[:i] + ["."] + text_words[i + len(p):]
            i += 1
    return text_words


def is_exam_stem(text: str) -> bool:
    """A question written as an exam item: options A-D/A-E or exam phrasing about a vignette."""
    w = words(text)
    return len(_OPTION.findall(text or "")) >= 3 or any(_has_phrase(w, p) for p in EXAM_PHRASES)


def is_educational(text: str) -> bool:
    """A general question (what is / how does / explain / why ...) about no one in particular."""
    w = words(text)
    joined = " ".join(w)
    for lead in EDU_LEAD:
        if joined.startswith(lead + " "):
            w = w[len(lead.split()):]
            break
    starts = bool(w) and (w[0] in EDU_START or (w[0] in ("can", "could") and w[1:2] != ["not"])
                          or w[:2] == ["o", "que"])
    return starts and not THIRD_PERSON.intersection(w)


def is_past_event(text: str) -> bool:
    """About an episode long ago ("had a heart attack last year") and nothing happening now."""
    w = words(text)
    return any(_has_phrase(w, p) for p in PAST) and not any(_has_phrase(w, p) for p in CURRENT)


def is_hypothetical(text: str) -> bool:
    """'if someone was choking, what would I do', 'writing a novel where ...', with nothing said to happen now."""
    w = words(text)
    return ((any(_has_phrase(w, p) for p in HYPOTHETICAL) or bool(_IF_EVER.search(" ".join(w))))
            and not any(_has_phrase(w, p) for p in CURRENT + NOW))


def is_about_an_animal(text: str) -> bool:
    """A message for the vet ('my cat had a seizure, the vet says ...'): not a human emergency."""
    return bool(ANIMAL.intersection(words(text)))


def without_long_ago(text: str) -> list[str]:
    """The text's words without the clauses about an episode long ago ('when I was 12', 'in 2015')."""
    text = _LONG_AGO_YEAR.sub(" in longago ", (text or "").lower())
    kept: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        w = words(clause)
        if "longago" in w or any(_has_phrase(w, p) for p in LONG_AGO):
            continue
        kept += w
    return kept


def is_personal_now(text: str) -> bool:
    """Speaks in the first person or about the present moment ('my dad ... right now')."""
    w = words(re.sub(r"\b(IM|MI)\b", " ", text or ""))  # intramuscular, myocardial infarction
    return bool(FIRST_PERSON.intersection(w)) or any(_has_phrase(w, p) for p in NOW)


def is_general_question(text: str) -> bool:
    """An exam stem or education question that no one says is happening to them now: no notice."""
    if len(_OPTION.findall(text or "")) >= 3:  # lettered options: a quiz item, whatever its vignette says
        return True
    return (is_exam_stem(text) or is_educational(text)) and not is_personal_now(text)


def find_red_flags(text: str, red_flags: Iterable[str], exceptions: Iterable[str] = ()) -> list[str]:
    """The red-flag entries the text matches (empty when none, and for exam and education questions)."""
    if is_general_question(text) or is_past_event(text) or is_hypothetical(text) or is_about_an_animal(text):
        return []
    text_words = _Text(_strip_exceptions(without_long_ago(text), exceptions))
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
    together = [m for m in recent if not is_general_question(m)]
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
