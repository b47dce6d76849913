"""The words of a message as the red-flag check reads them, shared by the matcher (chat/safety.py) and the
intent check (chat/intent.py): `words` (lower-cased, accents stripped, contractions spelled out, punctuation
dropped, numbers that are no counts renamed), `_has_phrase`, and the person word lists both use.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_CONTRACTIONS = [
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|could|would|should|has|have|had)n'?t\b"), r"\1 not"),
    (re.compile(r"n't\b"), " not"),
]
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+")
# Person words: after one, "is 81" is an age, not a reading (chat/safety.py); a pet next to a person is
# about the person (chat/intent.py).
THIRD_PERSON = frozenset("he she him his her they them hes shes".split())
PEOPLE = frozenset("i me myself son daughter child children baby toddler kid kids husband wife partner boyfriend "
                   "girlfriend mum mom mother dad father brother sister friend grandma grandad grandpa granny nan "
                   "boy girl man woman someone uncle aunt cousin neighbour neighbor flatmate roommate colleague "
                   "hijo hija fils fille sohn tochter filho filha bebe we us family everyone everybody".split())
# The same people in Spanish, Portuguese, French and German ("meine Frau", "mi marido"): someone beside a pet
PEOPLE_ABROAD = frozenset("marido esposa esposo mujer madre padre abuela abuelo novio novia amigo amiga nino nina "
                          "mae pai avo namorado namorada crianca mari femme pere copain copine ami amie enfant "
                          "mann frau mutter vater oma opa freund freundin kollege kollegin".split())
# Numbers that are not counts or measurements: diabetes type, pain scores, oxygen-saturation names.
_NORMALISE = [
    (re.compile(r"\b(?:type\s*1|t1d|t1)\b"), "typeone"), (re.compile(r"\b(?:type\s*2|t2d|t2)\b"), "typetwo"),
    (re.compile(r"(\d)\s*(?:/|out of)\s*10\b"), r"\1 outoften "),
    (re.compile(r"(\d)\s*-?\s*(?:yo|y/o|y\.o\.?|yrs? old)(?![a-z])"), r"\1 year old"),
    (re.compile(r"\b(?:spo2|sp02|o2|sao2)\b"), "oxygensat"),
    (re.compile(r"\b\d+(?:st|nd|rd|th)\b"), "ordinal"),  # "his 90th birthday" holds no number 90
]
# Counts of ten and more written as words ("como diez pastillas", "took twenty"), read as numbers.
_NUMBER_WORDS = {10: "ten diez dix zehn", 12: "twelve doce douze zwolf", 15: "fifteen quince funfzehn",
                 20: "twenty veinte vingt vinte zwanzig", 30: "thirty treinta trente trinta dreissig",
                 40: "forty cuarenta quarante quarenta vierzig", 50: "fifty cincuenta cinquante cinquenta funfzig"}
_NUMBER_OF = {name: str(n) for n, names in _NUMBER_WORDS.items() for name in names.split()}
_NORMALISE.append((re.compile(rf"\b(?:{'|'.join(_NUMBER_OF)})\b"), lambda m: _NUMBER_OF[m.group(0)]))


def words(text: str) -> list[str]:
    """The text as lower-case words and numbers, accents and punctuation gone, contractions spelled out."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"\b(?:cant|cnt|cannt|kant)\b", "can not", re.sub(r"\bwont\b", "will not", text))
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = re.sub(r"(\d),(\d)", r"\1.\2", text)
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return _TOKEN.findall(text)


def _has_phrase(text_words: Sequence[str], phrase: str) -> bool:
    p = phrase.split()
    return any(list(text_words[i:i + len(p)]) == p for i in range(len(text_words) - len(p) + 1))

