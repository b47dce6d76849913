"""What a message is about, for the red-flag check in chat/safety.py: study, quiz, question, hypothetical,
past, animal, or something happening now.

Intent before alarm, decided in one place, `intent(text)`: a question about a condition is not the
condition happening now. Lettered quiz items, exam stems and messages written for study, teaching or in a role
("summarise DKA for my exam", "I'm a paramedic student, in our sim ...", "as a nurse, how do I ...", "Ich lerne
für mein Staatsexamen", "preparando una charla"), general questions ("what are the signs of ...", "is it true
that ..."), hypotheticals ("what should I do if ...", "in case her waters break", "next week", a message that
opens with "if I splash bleach in my eye, how long ...?"), episodes long ago ("had a stroke 10 years ago") or
over ("last week ... the ECG was normal") and pets ("my cat is having a seizure") get no notice. Someone who
speaks of themselves or of someone with them has the rules tried even when they also ask: "my dad is ...",
or an "I" that is not only the one studying or asking ("for my exam", "how do I ...", "did I do it right",
"I'm a nursing student", "if I collapse" do not count), or of now ("20 minutes ago", "right now", "help").

A message written for study is read sentence by sentence: only the sentences about the writer or someone with
them now are matched, and one that opens as study ("Paramedic student here. We've been doing head injuries ...")
sets its study sentences aside; a study message that also speaks of someone real in a sentence of its own ("I'm
revising for my exam. My dad has crushing chest pain.") is "now".

Within such a message, clauses that are not about now are dropped before matching (`words_about_now`):
an episode long ago ("when I was 12", "in 2015", "5 yrs ago", "vor drei Jahren"), an if-clause ("if my baby
gets a fever, ...", "if I get ..."; not "if I was gone" nor "not sure if he is breathing"; it ends where the
writer starts a clause of their own: "if I don't get help I will ..."), a clause that asks about a condition
("what are the signs of a heart attack? my mum is 60", "first aid for a bite", "scared of having a stroke"),
a sentence that laughs ("nearly choked laughing") and a name ("a band called Cardiac Arrest"). So "I had a
seizure when I was 12, can I drive now" raises nothing while "I had a heart attack last year and now I have
crushing chest pain" does.
The words and patterns it reads with are listed in chat/intent_words.py; this module holds the decisions.
"""
from __future__ import annotations

import re
from typing import Iterable

from chat.intent_words import (
    FIRST_PERSON, NOW, EDU_START, EDU_LEAD, EXPLAIN_LEADS, EXAM_PHRASES, CLAIM, PAST, RESOLVED, RECENT,
    VERY_RECENT, CHECKED, AGAIN, CURRENT, JUST_HAPPENED, OPTION, VIGNETTE, AGE_NOW, NOW_AGE, SCARE_QUOTES,
    LONG_AGO, LONG_AGO_YEAR, CLAUSE_BREAK, HYPOTHETICAL, STUDY, STUDY_LABELS, STUDY_ENDINGS, STUDY_STARTS,
    STUDY_PHRASES, FRAME, ASKER, ROLE, FOR_STUDY, Q_LABEL, LIKE_AGE, FUTURE, ASKING, HABITUAL, IS_NORMAL, NAME,
    LAUGH, CONDITIONAL, COUNTERFACTUAL, ASKS, IF_OPENER, WHETHER, YEARS_AGO, MONTHS_AGO, TIME_NOW, ANIMAL, PETS,
    PET_VERBS, WHILE_DOING, DEFERRING, HELP_WITH, CASE_OPENING, OUR_PLACE, FOR_ME, WAY_TO_DIE, IF_EVER, TITLE,
    QUOTED, ABOUT_WORDS, PLAN_WORDS, CARE_EVENT, HABITUAL_SAYING, GOING_WELL, DIAGNOSED, BETWEEN, MY_CHARGE, REPORTED,
    PUNCTUATION, RECURRENCE_WORRY, ASKED_AGAIN, OTHER_IF_OPENER, AGE_THEN_NOW, PLAN_MADE, WORRY_AHEAD,
    LONG_AGO_MARKERS, NOW_WORDS, SAYS, ASKED_IF, NOT_STUDY, WRITER_ASKING, ASKING_BEFORE_I, PET_ATTACK,
    CASE_SPEECH, NOT_OVER, BUT, FILM_TOPIC, INTRO_HERE, AGE_IN_FRONT,
)
from chat.safety_text import _APOSTROPHES, PEOPLE, PEOPLE_ABROAD, THIRD_PERSON, _has_phrase, words


def is_exam_stem(text: str) -> bool:
    """A question written as an exam item: options A-D/A-E or exam phrasing about a vignette."""
    w = words(text)
    return len(OPTION.findall(text or "")) >= 3 or any(_has_phrase(w, p) for p in EXAM_PHRASES)


def is_vignette(text: str) -> bool:
    """An exam case about a patient in the third person ("A 72-year-old woman presents with ... What is the next
    best step?"; after a label: "exam stem: a 3-year-old is brought in ..."), with no I, my or we in it: its
    times are the case's."""
    w = words(text)
    m = VIGNETTE.search(" ".join(w))
    return (bool(m) and (m.start() == 0 or is_study(text)) and not is_personal(text) and is_exam_stem(text))


def is_study(text: str) -> bool:
    """Written for study, teaching or writing: "for my pharmacology exam", "write an essay on", "so I can
    teach my parents", "nursing finals tomorrow", "para mi examen", or asked in a role ("as a paramedic, ...")."""
    joined = MY_CHARGE.sub("someone ", " " + NOT_STUDY.sub(" ", " ".join(words(text))) + " ")
    return (bool(STUDY.intersection(joined.split())) or any(f" {p} " in joined for p in STUDY_PHRASES)
            or any((x.endswith(STUDY_ENDINGS) or x.startswith(STUDY_STARTS)) and len(x) > 4 for x in joined.split())
            or bool(ROLE.search(joined))
            or bool(FOR_STUDY.search(joined)))


def opens_as_study(text: str) -> bool:
    """The first few words say the message is study: "Vignette: 70F ...", "Exam q: ...", "Can someone check my
    answer? Q: ...", "Flashcard help: ...". The times that follow belong to the case."""
    head = NOT_STUDY.sub(" ", " ".join(words(text))).split()[:6]
    return (bool(STUDY_LABELS.intersection(head)) or any(_has_phrase(head, p) for p in STUDY_PHRASES)
            or bool(Q_LABEL.match((text or "").strip())))


def is_educational(text: str) -> bool:
    """A general question (what is / how does / explain / why ...) about no one in particular."""
    w = words(text)
    joined = " ".join(w)
    asked_to_explain = False
    for lead in EDU_LEAD:
        if joined.startswith(lead + " "):
            w = w[len(lead.split()):]
            asked_to_explain = lead in EXPLAIN_LEADS
            break
    short_question = len(words((text or "").split("?")[0])) <= 5 and "?" in (text or "")
    about_it = w[1:2] == ["it"] and short_question and (bool(AGE_IN_FRONT.search(joined)) or "now" in w)
    if w[:1] in (["could"], ["can"], ["might"], ["is"]) and (w[1:2] == ["this"] or about_it):
        return False  # "could this be sepsis?? 9 month old, fever 40", "is it croup? 18 month old ... floppy now"
    if w[1:2] == ["not"]:  # "don't want to be here anymore": a statement
        return False
    starts = asked_to_explain or bool(w) and (w[0] in EDU_START or w[0] in ("can", "could")
                          or w[:2] == ["o", "que"] or any(_has_phrase(w, p) for p in CLAIM))
    return starts and not THIRD_PERSON.intersection(w)


def _without(w: list[str], phrases: Iterable[str]) -> list[str]:
    """The words with every occurrence of the phrases taken out."""
    for phrase in phrases:
        p = phrase.split()
        w = [x for i, x in enumerate(w) if not any(w[j:j + len(p)] == p for j in range(max(0, i - len(p) + 1), i + 1))]
    return w


def _ends_unretracted(w: list[str], phrase: str) -> bool:
    """The phrase occurs, and not with a "but" (pero, mais, aber, mas) in the three words after it ("was healing well
    but ...", "ya pasó, pero ...")."""
    # (only for a course going well: "she's recovered but forgetful" stays over)
    p = phrase.split()
    return any(w[i:i + len(p)] == p and not set(BUT).intersection(w[i + len(p):i + len(p) + 3])
               for i in range(len(w)))


def is_past_event(text: str) -> bool:
    """About an episode long ago ("had a heart attack last year") or weeks ago and over ("last week ... the ECG
    was normal"; weeks ago alone is recent: "had a c-section last week, now breathless"); never when something
    is said to happen now ("fine now" and "happening again" are no now)."""
    if any(_sudden_undated(s) for s in _sentences(text)):  # "my husband suddenly couldn't get his words out"
        return False
    asked_again = bool(RECURRENCE_WORRY.search((text or "").lower()))  # "what's the chance of another?": it is over
    text = ASKED_AGAIN.sub(" ", RECURRENCE_WORRY.sub(" . ", (text or "").lower()))
    text = PUNCTUATION.sub(" clausebreak ", text)  # a word of recovery tells how it ended only in its own clause
    # ("he was fine but now he's worse": the "now" is the "but"'s); "not fine", "no está bien" is no end
    text = re.sub(rf"\b({'|'.join(BUT)})\b", r" clausebreak \1", text)
    w = WHILE_DOING.sub(r"while \1 \2 \3", NOT_OVER.sub(" notover ", " ".join(words(text)))).split()
    aged = bool(AGE_NOW.search(" ".join(w)))
    if aged:
        w = AGE_NOW.sub(" ", " ".join(w)).split()
    w = NOW_AGE.sub(" ", " ".join(w)).split()
    joined = " ".join(w)
    aged = aged or _ages_then_and_now(joined)
    w = AGE_THEN_NOW.sub(" ", joined).split()
    long_ago = (aged or any(_has_phrase(w, p) for p in LONG_AGO_MARKERS if p not in RECENT)
                or bool(YEARS_AGO.search(joined)))
    # a year or months named ("in 2019", "6 months ago") date an episode that is over only when said to be
    recent = any(_has_phrase(w, p) for p in RECENT) or bool(MONTHS_AGO.search(joined) or LONG_AGO_YEAR.search(joined))
    # what is left of an episode long ago goes on ("still has trouble finding words"); "now" beside a word of
    # recovery ("now it's healing") tells how it ended
    current = [x for i, x in enumerate(w)
               if not (x == "still" and long_ago)
               and not (x in NOW_WORDS and any(_has_phrase(_clause(w, i, 5 if x == "now" else 0, 5), p)
                                                for p in RESOLVED))]
    if _is_current(_without(current, RESOLVED + AGAIN)):
        return False
    # "was healing well but it's opened up": an end taken back is no end
    over = (any(_ends_unretracted(w, p) if p in GOING_WELL else _has_phrase(w, p) for p in RESOLVED)
            or asked_again)
    checked = any(_has_phrase(w, p) for p in CHECKED)
    return (long_ago or (recent and over)
            or (any(_has_phrase(w, p) for p in VERY_RECENT) and checked))


_SUDDEN = ("suddenly", "all of a sudden", "de repente", "soudain", "soudainement", "plotzlich", "d un coup")


def _sudden_undated(sentence: str) -> bool:
    """A sentence that tells of something sudden and gives it no time of its own: it is what is happening now, whatever
    an episode last year elsewhere in the message ("suddenly couldn't get his words out ... a funny turn last year")."""
    w = words(sentence)
    joined = " ".join(w)
    dated = (any(_has_phrase(w, p) for p in LONG_AGO_MARKERS + RECENT + VERY_RECENT) or bool(
        YEARS_AGO.search(joined) or MONTHS_AGO.search(joined) or LONG_AGO_YEAR.search(joined)))
    return any(_has_phrase(w, p) for p in _SUDDEN) and not dated


def _clause(w: list[str], i: int, before: int, after: int) -> list[str]:
    """The words around w[i], up to `before` words before and `after` after, within its clause."""
    start, end = max(0, i - before), min(len(w), i + after + 1)
    for j in range(i - 1, start - 1, -1):
        if w[j] == "clausebreak":
            start = j + 1
            break
    for j in range(i + 1, end):
        if w[j] == "clausebreak":
            end = j
            break
    return w[start:end]


def _ages_then_and_now(joined: str) -> bool:
    """'surgery at 13, now 20', 'com 2 anos, hoje ela tem 5': an age then and a greater one now, no reading before
    it ('temp was 39 at 6, now 41' is a reading)."""
    for m in AGE_THEN_NOW.finditer(joined):
        numbers = re.findall(r"\d+", m.group(0))
        then, now = int(numbers[0]), int(numbers[-1])
        before = joined[:m.start()].split()[-3:]
        if now > then + 1 and not any(re.fullmatch(r"\d+(?:\.\d+)?", x) for x in before):
            return True
    return False


def is_hypothetical(text: str) -> bool:
    """'if someone was choking, what would I do', 'writing a novel where ...', 'in case her waters break',
    'we are going hiking next week', a sentence that opens with a what-if ('if I splash bleach in my eye, how
    long ...', 'my husband has epilepsy. If he has a seizure when we are out, when should I call?'), with nothing
    said to happen now."""
    w = DEFERRING.sub(" ", " ".join(words(text))).split()
    return ((any(_has_phrase(w, p) for p in HYPOTHETICAL + FUTURE) or bool(IF_EVER.search(" ".join(w)))
             or bool(WORRY_AHEAD.search(" ".join(w)))
             or any(_opens_with_what_if(sentence) for sentence in re.split(r"(?<=[.!?])\s+", text or "")))
            and not _is_current(_without(w, AGAIN + RESOLVED)) and not any(_has_phrase(w, p) for p in NOW))


def _is_current(w: list[str]) -> bool:
    """Says it is going on: "now", "today", "still", "again", or "just" before what happened ("just fell")."""
    return any(_has_phrase(w, p) for p in CURRENT) or bool(JUST_HAPPENED.search(" ".join(w)))


def _is_yes(text: str) -> bool:
    """Opens with the Spanish "sí", a yes, which the accents taken out would read as "si", an if."""
    return (text or "").lstrip().lower().startswith(("s\u00ed ", "s\u00ed,"))


def _opens_with_what_if(text: str) -> bool:
    """'If my baby gets a fever, what ...?', 'if I splash bleach in my eye, how long ...?': the message opens with
    an if-clause about someone, no wish about the writer ('if I was gone'), and goes on to ask. A statement after
    it ('if I don't get help I will kill myself') is no what-if."""
    w = words(text)
    if _is_yes(text):
        return False
    if OTHER_IF_OPENER.match(" ".join(w)):  # "se ... tiver", "si ... à partir de quand": asked, it ends on "?"
        return (text or "").rstrip().endswith("?")
    if not IF_OPENER.match(" ".join(w)):
        return False
    m = CONDITIONAL.search((text or "").lower().translate(_APOSTROPHES))
    if w[0] != "falls" and not (m and not _stays(m.group(0))):
        return False
    rest = words(text[m.end():]) if m and w[0] != "falls" else w
    return "?" in (text or "") or bool(rest) and (rest[0] in EDU_START or rest[0] in ASKS)


_ANYONE = PEOPLE | PEOPLE_ABROAD  # a person, named in any of the five languages


def is_about_an_animal(text: str) -> bool:
    """A message for the vet ('my cat had a seizure, the vet says ...', 'my dog ate chocolate'): not a human
    emergency. A pet next to a person ('the dog bit my daughter') is about the person."""
    w = words(text)
    pet_subject = any(x in PETS and w[i + 1:i + 2] and w[i + 1] in PET_VERBS for i, x in enumerate(w))
    owners = {i for i, x in enumerate(w) if w[i + 1:i + 3] and w[i + 1] == "s" and w[i + 2:i + 3] and w[i + 2] in PETS}
    # "my friend's dog" is the dog; the writer asking ("I think my dog ate chocolate, what do I do") is no patient,
    # the writer hurt is ("bit my hand", "I feel faint", "bit me")
    people = {x for i, x in enumerate(w) if x in _ANYONE and i not in owners
              and not (x == "i" and (WRITER_ASKING.match(" ".join(w[i:i + 4])) or w[i - 1:i] in ASKING_BEFORE_I))}
    if PET_ATTACK.search(" ".join(w)):  # "my dog has bitten my hand": the writer is hurt
        people.add("i")
    return bool(ANIMAL.intersection(w)) or (pet_subject and not people)


def words_about_now(text: str) -> list[str]:
    """The text's words without the clauses that are not about now: an episode long ago ('when I was 12',
    'in 2015', '5 yrs ago', 'vor drei Jahren'), what might happen ('if my baby gets a fever, ...'), a
    question about a condition ('what are the signs of a stroke', 'how do I know if ...'), laughter ('nearly
    choked laughing') and names ('a band called Cardiac Arrest')."""
    text = _without_case_speech(ASKED_IF.sub(r"\1when", text or ""))
    if is_study(text) or is_exam_stem(text):  # written for study: only its sentences about someone real count
        intro = INTRO_HERE.match(text)  # "Nursing student here, my flatmate's dad ...": the role is read apart
        sentences = _sentences(text[intro.end():] if intro else text)
        # a message that opens as study ("Paramedic student here. We've been doing head injuries ...") keeps no
        # sentence of its study either, only those about someone now
        opens = len(sentences) > 1 and (is_study(sentences[0]) or bool(intro) and is_study(intro.group(1)))
        kept: list[str] = []
        label = False  # the sentence before was a study label ("Paramedic practice Q:"): this one is its case
        for s in sentences:
            ws = words(s)
            # "My grandma is here with me. Her face is drooping.": she is the one just named
            named_before = bool(kept) and bool(THIRD_PERSON.intersection(ws))
            study_line = opens_as_study(s)
            case, label = label, study_line and s.rstrip().endswith(":") and len(ws) <= 6
            if (case or study_line) and not (is_personal(s) or describes_now(s) or named_before):  # "Scenario: ..."
                continue
            if named_before or _about_someone_now(s, study_aside=opens):
                kept.append(s)
        text = " . ".join(kept)
    text = " . ".join(s for s in _sentences(text) if not _general_question(s))
    text = TITLE.sub(" . ", (text or "").lower().translate(_APOSTROPHES))
    said = words(text)
    if any(_has_phrase(said, p) for p in ABOUT_WORDS) and any(_has_phrase(said, p) for p in HABITUAL_SAYING):
        text = QUOTED.sub(lambda m: m.group(0) if PLAN_WORDS.intersection(words(m.group(0))) else " . ", text)
    text = BETWEEN.sub(r"\1\2 with", SCARE_QUOTES.sub(_figure_or_quote, text))
    text = LAUGH.sub(" . ", NAME.sub(" . ", LONG_AGO_YEAR.sub(" in longago ", FILM_TOPIC.sub(" . ", text))))
    text = WHILE_DOING.sub(r"while \1 \2 \3", text)
    text = CONDITIONAL.sub(lambda m: m.group(0) if _stays(m.group(0)) or WHETHER.search(m.string[:m.start()])
                            else " . ", text)
    kept: list[str] = []
    for clause in CLAUSE_BREAK.split(text):
        w = words(clause)
        joined = " ".join(w)
        if ("longago" in w or any(_has_phrase(w, p) for p in LONG_AGO + ASKING)
                or YEARS_AGO.search(joined) or MONTHS_AGO.search(joined)):
            continue
        kept += w
    return kept


# a person, or something in front of the writer ("this", "it"), or an age ("a 10 month old")
_NAMES_SOMEONE = FIRST_PERSON | THIRD_PERSON | PEOPLE | frozenset("this it these he she they old".split())


def _without_case_speech(text: str) -> str:
    """In a message that opens as study or is an exam stem, what the case's patient says ("OSCE station: the patient
    says 'I have a plan ...'") is the case's, not the writer's; elsewhere ("I'm a nurse, the patient says he has a
    plan tonight") it is kept."""
    return CASE_SPEECH.sub(" . ", text) if opens_as_study(text) or is_exam_stem(text) else text


def _general_question(sentence: str) -> bool:
    """A sentence that asks about a condition and names no one, nothing in front of the writer and no time:
    "Why is a rash that doesn't fade under a glass such a worry?", "Could you explain the difference between a hypo
    and the high-sugar thing with ketones?" ("Is this a stroke?", "Is it normal that he can't breathe?" and a short
    follow-up, "how many is too many?", are about now)."""
    w = words(sentence)
    return (sentence.rstrip().endswith("?") and len(w) >= 7 and (w[0] in EDU_START or w[0] in ("could", "can"))
            and not _NAMES_SOMEONE.intersection(w) and not describes_now(sentence)
            and not WAY_TO_DIE.search(" ".join(w)))  # "what's the quickest way to die?" is asked for oneself


def _figure_or_quote(m: re.Match) -> str:
    """A word in quotes is a figure of speech ("he 'overdosed' on candy") unless it is what someone said or
    wrote ("posted a rope with 'sorry'", "texted 'goodbye'"): that stays."""
    before = m.string[max(0, m.start() - 12):m.start()].split()
    return m.group(0) if before and before[-1] in REPORTED else " . "


def _stays(clause: str) -> bool:
    """An if-clause that speaks about now ("if he is still not breathing") or is a wish about the writer ("if I
    was gone", "if I died", "if I'm not here") is kept; "if I get ...", "if my baby gets ..." is not."""
    w = words(clause)
    if w[1:2] == ["i"]:
        return bool(w[2:3]) and (w[2] in COUNTERFACTUAL or (w[2] in ("am", "m") and w[3:4] in (
            ["not"], ["gone"], ["dead"], ["no"])))
    if w[2:3] and w[2] in ("d", "would", "had"):  # "if they'd just fainted": what might have been, about another
        return False
    return _is_current(w) or any(_has_phrase(w, p) for p in NOW)


def describes_now(text: str) -> bool:
    """Says that something is going on at this moment: 'right now', 'help me', '20 minutes ago', 'since
    this morning', 'hace media hora', 'il y a une heure'."""
    w = HELP_WITH.sub(" ", " ".join(words(text))).split()
    return w[:1] == ["help"] or any(_has_phrase(w, p) for p in NOW) or bool(TIME_NOW.search(" ".join(w)))


def opens_with_case(text: str) -> bool:
    """Opens on a patient's age, as an exam case does ("A 2-year-old swallowed a button battery 1 hour ago ...")."""
    return bool(CASE_OPENING.match(" ".join(words(text))))


def is_personal(text: str) -> bool:
    """Speaks about the writer or someone with them ('I', 'my', 'we'), not only as the one studying or
    asking: an 'I'/'my' within three words of a study or asking word ('for my exam', 'so I can teach',
    'I am not sure whether') does not count, nor the I of 'how do I ...', 'did I do it right', 'I gave ...',
    nor 'IM' (intramuscular), 'like I'm 10' or an I in a what-if ('if I collapse')."""
    text = re.sub(r"\b(IM|MI)\b", " ", text or "")  # intramuscular, myocardial infarction
    text = CONDITIONAL.sub(lambda m: m.group(0) if _stays(m.group(0)) else " . ", text.lower().translate(_APOSTROPHES))
    joined = ASKER.sub(" . ", LIKE_AGE.sub(" ", " ".join(words(text))))
    joined = DIAGNOSED.sub(" . ", OUR_PLACE.sub(" . ", HELP_WITH.sub(" . ", joined)))
    w = joined.split()
    if FOR_ME.search(joined):
        return True
    return any(x in FIRST_PERSON and not FRAME.intersection(w[max(0, i - 3):i + 4]) for i, x in enumerate(w))


NOW_INTENT = "now"


def intent(text: str) -> str:
    """Why a message does or does not get the emergency notice, decided here and only here: "now" when it
    may describe something happening to the writer or someone with them (the rules are then tried), else
    the reason it is a question about a condition rather than the condition: "quiz" (lettered options),
    "animal" (for the vet), "study" (an exam stem, or written for study or teaching: "summarise DKA for my
    exam"), "question" ("what are the signs of ..."), "hypothetical" ("what should I do if ...", "in case
    ...", "next week"), "past" ("had a stroke 10 years ago"). Speaking of oneself or someone present, or
    of now ("20 minutes ago", "right now"), turns study, questions and what-ifs back into "now", except in a case
    that opens on a patient's age ("A 2-year-old swallowed ... 1 hour ago. Next step?"). A way to die asked for
    ("the quickest way to die?") is "now" unless it is for study or a story."""
    if len(OPTION.findall(text or "")) >= 3:  # lettered options: a quiz item, whatever its vignette says
        return "quiz"
    text = ASKED_IF.sub(r"\1when", text or "")
    if is_about_an_animal(text):
        return "animal"
    text = _without_case_speech(text)
    if is_vignette(text):
        return "study"
    now = describes_now(text)
    # a message that opens on a study label ("Vignette:", "Exam q:", "Check my answer") keeps its case's times
    w = words(text)
    in_care = _tells_of_care(text) and not is_exam_stem(text)
    # "student nurse here - my neighbour's husband ...": the role does not make the "my" after it a study's
    personal = (((now or in_care) and not opens_as_study(text) and not opens_with_case(text))
                or is_personal(INTRO_HERE.sub("", text)))
    if not now and any(_has_phrase(w, p) for p in IS_NORMAL) and any(_has_phrase(w, p) for p in HABITUAL):
        return "question"
    # "OSCE practice: '...' Can you check my structure? I said ...": the writer's answer is no one real
    answers_a_case = opens_as_study(text) and len(_sentences(text)) > 1
    if ((is_exam_stem(text) or is_study(text)) and (not personal or answers_a_case)
            and not _someone_beside_the_study(text)):
        return "study"
    if is_hypothetical(text) and not now:
        return "hypothetical"
    if WAY_TO_DIE.search(" ".join(w)) or PLAN_MADE.search(" ".join(w)):
        return NOW_INTENT
    if is_educational(text) and not personal:
        return "question"
    if is_past_event(text) and not now:
        return "past"
    return NOW_INTENT


def _about_someone_now(sentence: str, study_aside: bool = False) -> bool:
    """A sentence about the writer or someone with them, or about someone now ("now her breathing is ..."); with
    `study_aside`, one about the writer's study ("I keep mixing up praevia and abruption") is not."""
    w = words(sentence)
    return ((is_personal(sentence) and not (study_aside and is_study(sentence))) or describes_now(sentence)
            or _tells_of_care(sentence) or bool(THIRD_PERSON.intersection(w)) and _is_current(w))


def _tells_of_care(text: str) -> bool:
    """Someone in the writer's care ("my client has ...", "carer for an elderly man"), also past a short aside in
    brackets: "My client (type 2, on insulin) is confused" reads as "My client is confused"."""
    unbracketed = re.sub(r"\([^()]{0,60}\)", " ", text or "")
    return any(CARE_EVENT.search(" ".join(words(t))) for t in (text, unbracketed))


def _someone_beside_the_study(text: str) -> bool:
    """A message written for study that also speaks, in a sentence of its own, of the writer or someone with them
    ("I'm studying for my EMT exam on choking. My baby is choking on a grape."): its words about now are read."""
    sentences = _sentences(text)
    return len(sentences) > 1 and any(
        not is_exam_stem(s) and not SAYS.match(" ".join(words(s)))
        and ((is_personal(s) and not is_study(s))  # "My baby is choking on a grape."
                                 or (_is_current(words(s)) and bool((PEOPLE | THIRD_PERSON).intersection(words(s)))
                                     and bool(FIRST_PERSON.intersection(words(s)))))  # "One of my pupils just ate ..."
        for s in sentences)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])['\"\u2019\u201d]?\s+|\n+", text or "") if s.strip()]


def is_general_question(text: str) -> bool:
    """A quiz item, exam stem, study or education question: no one says it is happening to them now."""
    return intent(text) in ("quiz", "study", "question")
