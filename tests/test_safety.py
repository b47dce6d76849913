"""safety.py: the red-flag matcher on a table of phrasings (both sides), safety-notice detection and
the answer composition every chat mode uses."""
from __future__ import annotations

import pytest

import config
import safety

RED_FLAGS = config.RED_FLAGS
MARKERS = config.NOTICE_MARKERS

# Emergencies, in many phrasings: casing, punctuation, contractions, word forms, any word order.
EMERGENCIES = [
    "I have crushing chest pain and I'm short of breath",
    "My chest hurts and I can't breathe properly",
    "pain in my chest spreading down my left arm, sweating a lot",
    "CHEST PRESSURE!!! and sweating",
    "chest-tightness + shortness-of-breath while resting",
    "I think I'm having a heart attack",
    "My dad's face is drooping on one side",
    "my wife's speech is slurred and her arm is weak",
    "Could this be a stroke? Sudden weakness in my left leg",
    "Worst headache of my life, it came on in seconds",
    "Sudden numbness on one side of my face",
    "I feel suicidal",
    "i want to kill myself",
    "I've been thinking about ending my life",
    "I have thoughts of hurting myself tonight",
    "Sometimes I self-harm when I'm stressed",
    "I took a whole bottle of sleeping pills",
    "Possible overdose on heroin, what do I do?",
    "She swallowed a handful of tablets an hour ago",
    "My toddler swallowed a button battery",
    "My son is having an anaphylactic reaction to peanuts",
    "her throat is swelling up after a bee sting",
    "My tongue is swollen and it is getting worse",
    "Stung by a bee and now my face is swelling",
    "He's not breathing!",
    "My baby's lips are turning blue",
    "She passed out and is unresponsive",
    "He collapsed and won\u2019t wake up",
    "my friend is having a seizure that won't stop",
    "I'm bleeding heavily and it won't stop",
    "blood is spurting from the cut on my leg",
    "Vomiting blood since this morning",
    "coughing up blood",
    "I'm 30 weeks pregnant and bleeding",
    "Hit my head and now I keep vomiting and feel confused",
    "stiff neck, high fever and a rash",
    "I cant breathe",
]

# Everyday and exam questions that share words with the red flags but are not emergencies.
NOT_EMERGENCIES = [
    "What is the first-line treatment for hypertension?",
    "Which antiepileptic drug is first-line for absence seizures?",
    "How does aspirin reduce the risk of stroke in atrial fibrillation?",
    "What is the mechanism of action of metformin?",
    "I have a mild sore throat and a runny nose",
    "What causes heartburn after meals?",
    "Can you explain how the heart pumps blood?",
    "What is a normal blood pressure for adults?",
    "How much vitamin D should I take daily?",
    "I bumped my elbow yesterday and it is bruised",
    "What is the difference between type 1 and type 2 diabetes?",
    "Is it safe to take ibuprofen for back pain?",
    "A 45-year-old man presents with chronic cough and weight loss. What is the most likely diagnosis?",
    "How do I take care of myself after knee surgery?",
    "My child has a runny nose and a mild fever, should I worry?",
    "What are the side effects of statins?",
    "How long does a common cold last?",
    "I have a headache after working at the computer all day",
    "Can stress cause chest acne?",
    "What is the recommended dose of paracetamol for adults?",
    "What is poison ivy and how do I treat the rash?",
    "I cut my finger while cooking, there is a little bleeding",
    "Is it bad to take too many vitamin pills?",
    "Why do my legs feel weak after a long run?",
    "I passed my medical exam, what should I study next?",
    "What are the symptoms of pregnancy in the first weeks?",
    "A patient has a heart murmur: what are the causes?",
    "Is it normal to be short of breath after climbing stairs when out of shape?",
    "Do allergies cause itchy eyes?",
    "Which drug reverses heparin?",
    "I hurt myself playing football, my ankle is sore",
    "What does a blue rash on the skin mean?",
]


def test_tables_are_large_enough():
    assert len(EMERGENCIES) >= 30 and len(NOT_EMERGENCIES) >= 30


@pytest.mark.parametrize("question", EMERGENCIES)
def test_emergency_phrasings_raise_a_red_flag(question):
    assert safety.find_red_flags(question, RED_FLAGS), question


@pytest.mark.parametrize("question", NOT_EMERGENCIES)
def test_ordinary_questions_raise_no_red_flag(question):
    assert safety.find_red_flags(question, RED_FLAGS) == [], question


def test_words_normalises_case_punctuation_and_contractions():
    assert safety.words("CAN'T breathe!! Won\u2019t-stop; isn't") == [
        "can", "not", "breathe", "will", "not", "stop", "is", "not"
    ]
    assert safety.words("cannot  cant wont") == ["can", "not", "can", "not", "will", "not"]


def test_pattern_language():
    w = safety.words("Shortness of breath, then a pain in the chest")
    assert safety.matches(w, "chest + pain + breath")  # any order
    assert not safety.matches(w, "chest + pain + arm")  # every term is needed
    assert safety.matches(safety.words("bleeding won't stop"), "bleed + not stop")  # consecutive words
    assert not safety.matches(safety.words("not going to stop bleeding"), "bleed + not stop")
    assert safety.matches(safety.words("two arms"), "arm") and not safety.matches(safety.words("army"), "arm")
    assert safety.matches(safety.words("suicidal"), "suicid")  # 4+ letters: a stem
    assert safety.compile_pattern("a b|c + d") == ((("a", "b"), ("c",)), (("d",),))
    assert not safety.matches(w, " + ")  # an empty pattern matches nothing


def test_find_red_flags_returns_the_matching_entries():
    flags = ["chest + pain + breath", "suicid", "stroke + sudden"]
    assert safety.find_red_flags("suicidal thoughts and chest pain, can't breathe", flags) == [
        "chest + pain + breath",
        "suicid",
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        (config.DISCLAIMER, True),
        ("(B) Metformin. This is not medical advice.", True),
        ("For educational purposes only: aspirin inhibits COX-1.", True),
        ("Please consult your doctor before changing the dose.", True),
        ("Seek medical attention right away if it gets worse.", True),
        ("(B) Basal cell carcinoma", False),
        ("The doctor prescribed metformin for the patient.", False),
        ("", False),
    ],
)
def test_safety_notice_detection(text, expected):
    assert safety.has_safety_notice(text, MARKERS) is expected


def test_compose_answer_adds_notice_first_and_disclaimer_last():
    kw = dict(emergency_notice="CALL 911.", disclaimer="Not advice.", markers=MARKERS)
    answer, added = safety.compose_answer("  (B) Aspirin  ", emergency=True, **kw)
    assert (answer, added) == ("EMERGENCY: CALL 911.\n\n(B) Aspirin\n\nNot advice.", True)
    answer, added = safety.compose_answer("(B) Aspirin. This is not medical advice.", emergency=False, **kw)
    assert (answer, added) == ("(B) Aspirin. This is not medical advice.", False)
    assert safety.compose_answer("", emergency=False, **kw) == ("Not advice.", True)
