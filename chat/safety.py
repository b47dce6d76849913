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
  "sugar 2.1"); decimals with "." or "," count.
* A term does not count where "no", "without", "denies" (and sin/sans/ohne/kein/sem) stand in the
  two words before it: "no chest pain" is not chest pain. "not" is not a negation here ("can not
  breathe" is the emergency), nor is "no" in Spanish or Portuguese ("no puede respirar").

Text is lower-cased, accents stripped ("respiração" -> "respiracao"), contractions spelled out
("can't" / "cant" -> "can not") and punctuation dropped. Figures of speech in
safety_terms.RED_FLAG_EXCEPTIONS ("killing me", "gave me a heart attack", "overdosed on sugar") are removed first.

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

Within such a message, clauses that are not about now are dropped before matching (`words_about_now`):
an episode long ago ("when I was 12", "in 2015", "5 yrs ago", "vor drei Jahren"), an if-clause ("if my baby
gets a fever, ...", "if I get ..."; not "if I was gone" nor "not sure if he is breathing"; it ends where the
writer starts a clause of their own: "if I don't get help I will ..."), a clause that asks about a condition
("what are the signs of a heart attack? my mum is 60", "first aid for a bite", "scared of having a stroke"),
a sentence that laughs ("nearly choked laughing") and a name ("a band called Cardiac Arrest"). So "I had a seizure when I was 12, can
I drive now" raises nothing while "I had a heart attack last year and now I have crushing chest pain" does.
Doses are not counts ("2 tablets of 500mg"), "type 2" is not a blood sugar of 2, a pain score "2/10" is
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
NEGATIONS = frozenset({"no", "without", "denies", "denied", "never", "nor", "sin", "sans", "ohne", "kein", "keine",
                       "sem"})
# In Spanish/Portuguese "no" is also "in the" ("dor no peito"): there it is not read as a negation.
_IBERIAN = frozenset("el la los las de del do da dos das em um uma com que y dor dores muito forte subita tenho "
                     "estou sinto quiero quero puedo puede pueden consigo consegue esta estoy tiene tengo mi hijo "
                     "hija ya mas se".split())
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
                "the actor", "simulated patient", "the examiner", "the candidate", "next step")
# A question about a claim: "my teacher said sepsis kills more people than cancer, is that true?"
CLAIM = ("is that true", "is it true", "true that", "true or false", "a myth", "fact or myth", "fact or fiction")
PAST = ("years ago", "year ago", "last year", "last month", "months ago", "month ago", "weeks ago", "in the past",
        "history of", "when i was", "as a child", "once at", "used to", "last winter", "last summer", "last spring",
        "last autumn", "last fall", "last christmas", "back in")
# An episode that is over and was checked: its "now" ("fine now") does not make it current.
RESOLVED = ("fine now", "ok now", "okay now", "better now", "well now", "good now", "all good", "all fine",
            "fine since", "well since", "nothing since", "recovered", "all clear", "was normal", "were normal",
            "came back normal", "turned out", "ya estoy bien", "tout va bien", "geht mir gut", "geht es mir gut",
            "estou bem", "se recuperou", "jetzt gut", "was fine", "were fine", "said it was", "nothing serious",
            "was nothing", "doing well", "doing great", "doing fine", "back home", "recovering well", "discharged",
            "is recovering", "thriving", "doing ok", "doing okay", "doing alright", "everyone is fine",
            "everyone s fine", "everybody is fine", "everybody s fine", "no one was hurt", "nobody was hurt",
            "no one hurt", "nobody hurt")
# Weeks ago is recent ("gave birth 2 weeks ago and I have a high fever"): past only when said to be over.
RECENT = ("weeks ago", "last month", "months ago", "month ago", "last week")
AGAIN = ("happen again", "happening again", "happens again", "get it again", "have another")  # a worry, not now
CURRENT = ("now", "today", "tonight", "again", "still", "currently", "just")
_OPTION = re.compile(r"(?:^|[\s(])[A-Ea-e][).:](?=\s)")
# An exam vignette opens on a patient in the third person ("A 72-year-old woman presents with ..."): its times
# ("2 hours ago") belong to the case, not to the writer.
_VIGNETTE = re.compile(r"^(?:an? )?\d+ (?:year|month|week|day) old (?:\w+ ){0,3}?(?:man|woman|boy|girl|male|female|"
                       r"patient|child|infant|neonate|baby|gentleman|lady|primigravida|multigravida)\b(?: \w+){0,8}? "
                       r"(?:presents|presented|is brought|was brought|comes|came|is admitted|was admitted|is evaluated|"
                       r"is seen|develops|developed|is found|complains|has had)\b")
# "she's 3 now": an age, not a time, so the episode it follows is long over.
_AGE_NOW = re.compile(r"\b(?:is|s|are|re|turned|turns) (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
                      r"(?: years?(?: old)?| months?(?: old)?)? (?:now|today)\b")
# A word in scare quotes ("he 'overdosed' on candy") is a figure of speech, not the thing itself.
_SCARE_QUOTES = re.compile(r"(?:(?<=\s)|^)['\"\u201c]([a-z]+(?: [a-z]+)?)['\"\u201d](?=[\s.,!?;:]|$)")
# Numbers that are not counts or measurements: diabetes type, pain scores, oxygen-saturation names.
_NORMALISE = [
    (re.compile(r"\b(?:type\s*1|t1d|t1)\b"), "typeone"), (re.compile(r"\b(?:type\s*2|t2d|t2)\b"), "typetwo"),
    (re.compile(r"(\d)\s*(?:/|out of)\s*10\b"), r"\1 outoften "),
    (re.compile(r"(\d)\s*-?\s*(?:yo|y/o|y\.o\.?|yrs? old)(?![a-z])"), r"\1 year old"),
    (re.compile(r"\b(?:spo2|sp02|o2|sao2)\b"), "oxygensat"),
    (re.compile(r"\b\d+(?:st|nd|rd|th)\b"), "ordinal"),  # "his 90th birthday" holds no number 90
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
            "last autumn", "years back", "a while back", "a while ago", "long ago", "long time ago", "hace tiempo",
            "il y a longtemps", "vor langer zeit", "ha muito tempo", "died of", "died from", "passed away",
            "was treated for", "was in hospital",
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
                "suppose", "supposing", "imagine", "let s say", "lets say", "what would happen",
                "what would you do", "out of curiosity", "just curious", "just wondering",
                "first aid exam", "first aid class", "zombie", "was soll ich tun wenn", "was mache ich wenn",
                "was tun wenn", "was tue ich wenn", "que hago si", "que debo hacer si", "que hacer si", "que faire si",
                "que dois je faire si", "qu est ce que je fais si", "o que faco se", "o que devo fazer se",
                "o que fazer se", "was mache ich falls", "was soll ich tun falls", "was tun falls", "was tue ich falls",
                "was sollte ich tun wenn", "was sollte ich tun falls", "was macht man wenn", "was macht man falls",
                "was soll man tun wenn", "was soll man tun falls")
# Study, teaching and writing: a question asked for these is about a condition, not the condition now.
STUDY = frozenset(
    "exam exams examen examens finals quiz quizzes usmle mcq mcqs osce vignette vignettes revising revision studying "
    "essay essays assignment homework coursework lecture lectures module flashcards poster syllabus handbook teach "
    "teaching "
    "documentary podcast article partiel partiels prova prufung klausur estudando estudiando revisando nclex mcat "
    "plab mnemonic mnemonics student students trainee trainees simulation scenario rotation placement seminar "
    "presentation leaflet charla palestra vortrag referat expose exposicao lerne lernen estudio estudo etudie "
    "biology chemistry physiology pharmacology anatomy pathology toxicology biochemistry microbiology "
    "lesson lessons lecturer tutor professor drill report statistics awareness research prevention campaign "
    "physikum staatsexamen".split())
# German compounds ("Staatsexamen", "Abschlussprüfung") and "examens": a word ending so is a study word.
STUDY_ENDINGS = ("examen", "prufung", "klausur", "exam", "exams")
STUDY_PHRASES = ("first aid course", "first aid class", "first aid training", "first aid test", "for school",
                 "med school", "medical school", "nursing school", "nursing course", "for my course", "for class",
                 "shelf exam", "safety talk", "book club", "simple terms", "write an essay", "write a", "summarise",
                 "summarize", "make notes", "blog post", "news story", "study guide", "revision notes",
                 "case study", "for uni", "for university", "for college", "for a quiz", "for an assignment",
                 "school project", "sim session", "role play", "give a talk", "giving a talk", "a talk on",
                 "a talk about", "a talk for", "mock exam", "practice question", "board question")
# Words that make a nearby "I"/"my" the one asking or studying, not the one it is happening to.
FRAME = STUDY | frozenset(
    "know wonder wondering curious clear sure understand learn learning read reading heard writing making asking "
    "question prepared class course instructor teacher students pupils lesson patient patients casualty mannequin "
    "manikin dummy assess assessment prepare preparing preparando preparo preparer prepa sim station explain describe "
    "summarise summarize tell erklaren erklaeren expliquer explicar explique explica explain mix confuse confusing "
    "remember memorise memorize muddle revise test tests".split())
# "how do I ...", "did I do it right", "I gave ... (in the simulation)": the I who asks or acts, not the one it
# happens to.
_ASKER = re.compile(r"\b(?:how|what|when|where|why|should|can|could|would|do|did|shall) (?:do |should |can "
                    r"|would |could )?i\b(?! (?:am|m) (?:having|bleeding|choking|dying|going to die))"
                    r"|\bi (?:gave|give|did|do|administered|answered|wrote|chose|picked|said|want to know|wonder)\b"
                    r"|\bi (?:am|m) an? (?:\w+ ){0,2}(?:student|trainee|nurse|doctor|paramedic|teacher|medic|"
                    r"pharmacist|midwife|resident|intern|lecturer|researcher|writer|author|emt|instructor)s?\b")
# Asking in a professional role: "as a paramedic, how do I manage ...", "I'm a nurse, ...".
_ROLE = re.compile(r"\b(?:as an?|i am an?|i m an?|im an?|i work as an?) (?:\w+ ){0,2}(?:student|trainee|nurse|doctor|"
                   r"paramedic|teacher|medic|pharmacist|midwife|resident|intern|lecturer|researcher|writer|author|emt|"
                   r"instructor|first aider|carer|caregiver|lifeguard|physician|gp|clinician)s?\b")
# "for my paramedic test", "for our anatomy class", "for the EMT exam": the purpose of the question is study.
_FOR_STUDY = re.compile(r"\bfor (?:my|our|the|a|an|his|her) (?:\w+ ){0,2}(?:test|tests|exam|exams|course|class|module|"
                        r"assignment|essay|presentation|boards|finals|quiz|revision|homework|project|talk|lecture|"
                        r"seminar|dissertation|thesis|placement)\b")
_LIKE_AGE = re.compile(r"\blike (?:i am|im|i m) (?:\d+|five|ten|a child|a kid|a beginner)\b")
# What might happen: "in case her waters break", "next week", "un jour".
FUTURE = ("in case", "just in case", "in the event", "god forbid", "worst case", "preparing for", "first aid kit",
          "next week", "next month", "next year", "next weekend", "emergency plan",
          "be prepared", "want to be ready", "in the future", "one day", "someday", "some day", "un dia", "um dia",
          "un jour", "irgendwann", "eines tages", "due in")
# A clause that asks about a condition is not the condition: "what are the signs of a stroke? my mum is 70".
ASKING = ("signs of", "sign of", "symptoms of", "symptom of", "warning signs", "how do you", "how do i know",
          "how can i tell", "how would i know", "how will i know", "how to tell", "how to recognise",
          "how to recognize", "how to spot", "how do i spot", "how do i recognise", "how do i recognize",
          "how do i tell", "how can i spot", "how can i recognise", "how can i recognize", "how fast does",
          "how quickly does", "how long does", "how long do", "how long can", "what causes", "difference between",
          "what is a", "what is an",
          "what are the", "what happens", "risk of", "chance of", "chances of", "prevent", "recovery from",
          "treatment for", "treatment of", "management of", "antidote", "look out for", "watch out for",
          "sintomas de", "signos de", "signes d", "sinais de", "anzeichen", "first aid for", "what to do for",
          "what do you do for", "how to treat", "how do you treat", "would be dangerous", "be dangerous",
          "dangerous for", "toxic for", "toxic to", "harmful to", "harmful for", "how much would", "how many would",
          "como reconocer", "comment reconnaitre", "wie erkenne", "wie erkennt", "como reconhecer",
          "como identificar", "les signes", "zeichen", "quels sont les", "cuales son los", "quais sao os",
          "was sind die", "how do i treat", "how should i treat", "how can i treat", "asked us about", "asked about",
          "talking about", "learning about", "reading about", "read about", "heard about", "a question about",
          "scared of having", "scared of getting", "afraid of having", "afraid of getting", "worried about having",
          "worried about getting", "frightened of having", "terrified of having", "fear of having", "thinks every",
          "think every", "always thinks", "hypochondriac", "health anxiety", "drama queen", "how do i talk to",
          "how to talk to", "how do i bring up", "how can i support", "how do i support", "how to support",
          # a symptom that comes and goes by itself is described, not happening: "it goes after a few minutes"
          "goes after", "goes away after", "passes after", "settles after", "eases after", "only lasts",
          "anxiety makes", "panic makes", "when i m anxious", "when i am anxious", "when i get anxious", "when i panic",
          # how recovery goes after an episode that is over: "is that normal after sepsis?"
          "normal after", "common after", "usual after", "expected after", "recovery after", "recovering after")
# "is that normal?" about something that happens now and then ("breathes fast when sleeping sometimes"): a
# question about a pattern, not an event.
HABITUAL = ("sometimes", "occasionally", "now and then", "from time to time", "when sleeping", "in his sleep",
            "in her sleep", "when he sleeps", "when she sleeps")
IS_NORMAL = ("is that normal", "is it normal", "is this normal", "is that ok", "is that okay")
# A name is no emergency: "my friend's band is called Cardiac Arrest", "a film named Overdose".
_NAME = re.compile(r"\b(?:band|song|film|movie|show|series|book|novel|album|game|podcast|group|team|horse|is|are|was|"
                   r"were) (?:called|named|titled)\b[^.,;:!?\n]*")
# Words of laughter: a sentence that laughs is a figure of speech ("nearly choked laughing", "died laughing").
_LAUGH = re.compile(r"[^.!?;\n]*\b(?:laugh|laughing|laughed|laughter|risa|riendo|rire|lachen|lache|rindo|rir)\b"
                    r"[^.!?;\n]*")
# An if-clause is dropped unless it is a wish about the writer ("if I was gone") or about now; "not sure if",
# "wondering if" ask whether, they are no what-if. It ends at punctuation, "but", "then" or where the writer starts
# a clause of their own ("if I don't get help I will ...").
_CONDITIONAL = re.compile(r"\b(?:if|in case)\b[^.,;:!?\n]*?(?=\bbut\b|\bthen\b|[.,;:!?\n]|$|(?<!if )\bi(?:'| )"
                          r"(?:will|would|am|m|ll|d|think|feel|can|just|want|have|ve|might|may|should|wanna|gonna)\b)")
# "if I was gone", "if I died", "if I'm not here": a wish about the writer, kept; "if I get / splash / collapse"
# is what might happen, dropped.
_COUNTERFACTUAL = frozenset("was were died die disappeared disappear vanish vanished did had never could would killed "
                            "kill ended end just went took stopped".split())
# A message that opens with a what-if about someone: "if my baby gets a fever, ...", "if I splash bleach ...".
_ASKS = frozenset("should can could do does did is are will would shall who where".split())
_IF_OPENER = re.compile(r"^(?:so |ok |okay |hi |hey )?(?:if|falls) (?:i|my|our|a|an|someone|somebody|anyone|your|we|"
                        r"he|she|they|mein|meine|ich|jemand)\b")
_WHETHER = re.compile(r"\b(?:sure|unsure|wonder|wondering|know|tell|see|check|ask|asking|idea)\s*$")
_YEARS_AGO = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few|couple of) (?:years?|yrs?|decades?) "
    r"ago\b|\b(?:hace|ha) (?:\w+ )?anos\b|\bil y a (?:\w+ )?ans\b|\bvor (?:\w+ )?jahren\b")
_TIME_NOW = re.compile(
    r"\b(?:\d+|a|an|one|two|three|few|couple of|half an?) (?:sec|secs|seconds?|min|mins|minutes?|hours?|hrs?) ago\b"
    r"|\bsince (?:this morning|last night|yesterday|lunch|breakfast|dinner|earlier|\d)"
    r"|\b(?:for|in) the (?:last|past) (?:\d+|few|couple|half)"
    r"|\bhace (?:un rato|media hora|una hora|\d+ (?:minutos|horas))\b|\bil y a (?:une|\d+) (?:heure|minute)"
    r"|\bdepuis \d+ (?:minute|heure)|\bseit \d+ (?:minuten|stunden)|\bha \d+ (?:minutos|horas)\b")
ANIMAL = frozenset("vet vets veterinarian veterinary vet's".split())
# A pet as the one it happens to ("my cat is having a seizure"), when no person is named.
PETS = frozenset("dog dogs puppy cat cats kitten rabbit hamster horse pony budgie parrot tortoise ferret".split())
PEOPLE = frozenset("i me myself son daughter child children baby toddler kid kids husband wife partner boyfriend "
                   "girlfriend mum mom mother dad father brother sister friend grandma grandad grandpa granny nan "
                   "boy girl man woman someone uncle aunt cousin neighbour neighbor flatmate roommate colleague "
                   "hijo hija fils fille sohn tochter filho filha bebe we us family everyone everybody".split())
_PET_VERBS = frozenset("is has had was keeps ate swallowed drank got seems just s".split())
_IF_EVER = re.compile(r"\bif\b[^.?!]*\bever\b|^(?:so |ok )?say (?:my|a|an|someone|somebody|your|i)\b")


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
    if i and text_words[i - 1] in NOT_A_VALUE_AFTER:
        return False
    # an age: "aged 81", "my mum is 81", "she's 81" (a person word, then is / s, then the number)
    before = text_words[max(0, i - 2):i]
    return not (before[-1:] in (["aged"], ["age"]) or (len(before) == 2 and before[1] in ("is", "s")
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
                     if alt[0] != "#" for w in alt)


def _phrase_in(text: "_Text", phrase: tuple) -> bool:
    w = text.words
    if phrase and phrase[0] == "#":
        return any(_number_in(w[i], phrase) and _is_value(w, i) and not text.negated(i) for i in range(len(w)))
    n = len(phrase)
    return any(i + n <= len(w) and all(text.word_matches(i + k, phrase[k]) for k in range(1, n))
               and not text.negated(i) for i in text.positions(phrase[0]))


def _alternative(alt: str) -> tuple:
    m = _NUMERIC_ALT.fullmatch(alt.strip())
    if m:
        if m.group(1):
            return ("#", m.group(1), float(m.group(2)), None)
        return ("#", "-", float(m.group(3)), float(m.group(4)))
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
    return bool(terms) and all(any(_phrase_in(text, alt) for alt in term) for term in terms)


def _has_phrase(text_words: Sequence[str], phrase: str) -> bool:
    p = phrase.split()
    return any(list(text_words[i:i + len(p)]) == p for i in range(len(text_words) - len(p) + 1))


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


def is_exam_stem(text: str) -> bool:
    """A question written as an exam item: options A-D/A-E or exam phrasing about a vignette."""
    w = words(text)
    return len(_OPTION.findall(text or "")) >= 3 or any(_has_phrase(w, p) for p in EXAM_PHRASES)


def is_vignette(text: str) -> bool:
    """An exam case about a patient in the third person ("A 72-year-old woman presents with ... What is the next
    best step?"), with no I, my or we in it: its times are the case's."""
    w = words(text)
    return bool(_VIGNETTE.match(" ".join(w))) and not FIRST_PERSON.intersection(w) and is_exam_stem(text)


def is_study(text: str) -> bool:
    """Written for study, teaching or writing: "for my pharmacology exam", "write an essay on", "so I can
    teach my parents", "nursing finals tomorrow", "para mi examen", or asked in a role ("as a paramedic, ...")."""
    joined = " " + " ".join(words(text)) + " "
    return (bool(STUDY.intersection(joined.split())) or any(f" {p} " in joined for p in STUDY_PHRASES)
            or any(x.endswith(STUDY_ENDINGS) and len(x) > 4 for x in joined.split()) or bool(_ROLE.search(joined))
            or bool(_FOR_STUDY.search(joined)))


def is_educational(text: str) -> bool:
    """A general question (what is / how does / explain / why ...) about no one in particular."""
    w = words(text)
    joined = " ".join(w)
    for lead in EDU_LEAD:
        if joined.startswith(lead + " "):
            w = w[len(lead.split()):]
            break
    starts = bool(w) and (w[0] in EDU_START or (w[0] in ("can", "could") and w[1:2] != ["not"])
                          or w[:2] == ["o", "que"] or any(_has_phrase(w, p) for p in CLAIM))
    return starts and not THIRD_PERSON.intersection(w)


def _without(w: list[str], phrases: Iterable[str]) -> list[str]:
    """The words with every occurrence of the phrases blanked out."""
    for phrase in phrases:
        p = phrase.split()
        w = [x for i, x in enumerate(w) if not any(w[j:j + len(p)] == p for j in range(max(0, i - len(p) + 1), i + 1))]
    return w


def is_past_event(text: str) -> bool:
    """About an episode long ago ("had a heart attack last year") or weeks ago and over ("last week ... the ECG
    was normal"; weeks ago alone is recent: "had a c-section last week, now breathless"); never when something
    is said to happen now ("fine now" and "happening again" are no now)."""
    w = words(text)
    aged = bool(_AGE_NOW.search(" ".join(w)))
    if aged:
        w = _AGE_NOW.sub(" ", " ".join(w)).split()
    current = _without(w, RESOLVED + AGAIN)
    if any(_has_phrase(current, p) for p in CURRENT):
        return False
    long_ago = aged or any(_has_phrase(w, p) for p in PAST if p not in RECENT) or bool(_YEARS_AGO.search(" ".join(w)))
    over = any(_has_phrase(w, p) for p in RESOLVED)
    return long_ago or (any(_has_phrase(w, p) for p in RECENT) and over)


def is_hypothetical(text: str) -> bool:
    """'if someone was choking, what would I do', 'writing a novel where ...', 'in case her waters break',
    'we are going hiking next week', a message that opens with a what-if ('if I splash bleach in my eye, how
    long ...'), with nothing said to happen now."""
    w = words(text)
    return ((any(_has_phrase(w, p) for p in HYPOTHETICAL + FUTURE) or bool(_IF_EVER.search(" ".join(w)))
             or _opens_with_what_if(text))
            and not any(_has_phrase(w, p) for p in CURRENT + NOW))


def _opens_with_what_if(text: str) -> bool:
    """'If my baby gets a fever, what ...?', 'if I splash bleach in my eye, how long ...?': the message opens with
    an if-clause about someone, no wish about the writer ('if I was gone'), and goes on to ask. A statement after
    it ('if I don't get help I will kill myself') is no what-if."""
    w = words(text)
    if not _IF_OPENER.match(" ".join(w)):
        return False
    m = _CONDITIONAL.search((text or "").lower().translate(_APOSTROPHES))
    if w[0] != "falls" and not (m and not _stays(m.group(0))):
        return False
    rest = words(text[m.end():]) if m and w[0] != "falls" else w
    return "?" in (text or "") or bool(rest) and (rest[0] in EDU_START or rest[0] in _ASKS)


def is_about_an_animal(text: str) -> bool:
    """A message for the vet ('my cat had a seizure, the vet says ...', 'my dog ate chocolate'): not a human
    emergency. A pet next to a person ('the dog bit my daughter') is about the person."""
    w = words(text)
    pet_subject = any(x in PETS and w[i + 1:i + 2] and w[i + 1] in _PET_VERBS for i, x in enumerate(w))
    owners = {i for i, x in enumerate(w) if w[i + 1:i + 3] and w[i + 1] == "s" and w[i + 2:i + 3] and w[i + 2] in PETS}
    people = {x for i, x in enumerate(w) if x in PEOPLE and i not in owners}  # "my friend's dog" is the dog
    return bool(ANIMAL.intersection(w)) or (pet_subject and not people)


def words_about_now(text: str) -> list[str]:
    """The text's words without the clauses that are not about now: an episode long ago ('when I was 12',
    'in 2015', '5 yrs ago', 'vor drei Jahren'), what might happen ('if my baby gets a fever, ...'), a
    question about a condition ('what are the signs of a stroke', 'how do I know if ...'), laughter ('nearly
    choked laughing') and names ('a band called Cardiac Arrest')."""
    text = _SCARE_QUOTES.sub(" . ", (text or "").lower().translate(_APOSTROPHES))
    text = _LAUGH.sub(" . ", _NAME.sub(" . ", _LONG_AGO_YEAR.sub(" in longago ", text)))
    text = _CONDITIONAL.sub(lambda m: m.group(0) if _stays(m.group(0)) or _WHETHER.search(m.string[:m.start()])
                            else " . ", text)
    kept: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        w = words(clause)
        joined = " ".join(w)
        if "longago" in w or any(_has_phrase(w, p) for p in LONG_AGO + ASKING) or _YEARS_AGO.search(joined):
            continue
        kept += w
    return kept


def _stays(clause: str) -> bool:
    """An if-clause that speaks about now ("if he is still not breathing") or is a wish about the writer ("if I
    was gone", "if I died", "if I'm not here") is kept; "if I get ...", "if my baby gets ..." is not."""
    w = words(clause)
    if w[1:2] == ["i"]:
        return bool(w[2:3]) and (w[2] in _COUNTERFACTUAL or (w[2] in ("am", "m") and w[3:4] in (
            ["not"], ["gone"], ["dead"], ["no"])))
    return any(_has_phrase(w, p) for p in CURRENT + NOW)


def describes_now(text: str) -> bool:
    """Says that something is going on at this moment: 'right now', 'help me', '20 minutes ago', 'since
    this morning', 'hace media hora', 'il y a une heure'."""
    w = words(text)
    return w[:1] == ["help"] or any(_has_phrase(w, p) for p in NOW) or bool(_TIME_NOW.search(" ".join(w)))


def is_personal(text: str) -> bool:
    """Speaks about the writer or someone with them ('I', 'my', 'we'), not only as the one studying or
    asking: an 'I'/'my' within three words of a study or asking word ('for my exam', 'so I can teach',
    'I am not sure whether') does not count, nor the I of 'how do I ...', 'did I do it right', 'I gave ...',
    nor 'IM' (intramuscular), 'like I'm 10' or an I in a what-if ('if I collapse')."""
    text = re.sub(r"\b(IM|MI)\b", " ", text or "")  # intramuscular, myocardial infarction
    text = _CONDITIONAL.sub(lambda m: m.group(0) if _stays(m.group(0)) else " . ", text.lower().translate(_APOSTROPHES))
    joined = _ASKER.sub(" . ", _LIKE_AGE.sub(" ", " ".join(words(text))))
    w = joined.split()
    return any(x in FIRST_PERSON and not FRAME.intersection(w[max(0, i - 3):i + 4]) for i, x in enumerate(w))


NOW_INTENT = "now"


def intent(text: str) -> str:
    """Why a message does or does not get the emergency notice, decided here and only here: "now" when it
    may describe something happening to the writer or someone with them (the rules are then tried), else
    the reason it is a question about a condition rather than the condition: "quiz" (lettered options),
    "animal" (for the vet), "study" (an exam stem, or written for study or teaching: "summarise DKA for my
    exam"), "question" ("what are the signs of ..."), "hypothetical" ("what should I do if ...", "in case
    ...", "next week"), "past" ("had a stroke 10 years ago"). Speaking of oneself or someone present, or
    of now ("20 minutes ago", "right now"), turns study, questions and what-ifs back into "now"."""
    if len(_OPTION.findall(text or "")) >= 3:  # lettered options: a quiz item, whatever its vignette says
        return "quiz"
    if is_about_an_animal(text):
        return "animal"
    if is_vignette(text):
        return "study"
    now = describes_now(text)
    personal = now or is_personal(text)
    w = words(text)
    if not now and any(_has_phrase(w, p) for p in IS_NORMAL) and any(_has_phrase(w, p) for p in HABITUAL):
        return "question"
    if (is_exam_stem(text) or is_study(text)) and not personal:
        return "study"
    if is_hypothetical(text) and not now:
        return "hypothetical"
    if is_educational(text) and not personal:
        return "question"
    if is_past_event(text) and not now:
        return "past"
    return NOW_INTENT


def is_general_question(text: str) -> bool:
    """A quiz item, exam stem, study or education question: no one says it is happening to them now."""
    return intent(text) in ("quiz", "study", "question")


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
