"""The words and patterns chat/intent.py reads a message with: who speaks (first person, a role), when (now, long
ago, over and checked, a worry that it happens again), why (study, exam cases, what-ifs, questions about a
condition) and what is no event (titles, laughter, quotes asked about). Lists only, no logic: add a phrase here,
and a test for it in tests/chat/test_safety_rules.py's intent table."""
from __future__ import annotations

import re

FIRST_PERSON = frozenset(
    "i im me my mine myself we our ours yo mi mis je moi mon ma mes ich mein meine meinen mir mich eu meu minha "
    "estou estoy tengo tenho".split()
)
NOW = ("right now", "tonight", "currently", "at the moment", "just now", "help me", "please help")
EDU_START = frozenset(
    "what whats how why explain describe define which when list name difference tell compare does do is are "
    "que qu quest como cual cuales cuando porque quoi pourquoi comment quel quelle quels was wie warum welche "
    "kann darf puede peut pode "
    "welcher qual quais quando".split()
)
EDU_LEAD = ("can you explain", "could you explain", "can you tell me", "tell me about", "explain to me",
            "help me understand", "i want to know", "i would like to know", "quick question", "please")
# leads that ask for an explanation whatever follows: "help me understand the sepsis six"
EXPLAIN_LEADS = ("can you explain", "could you explain", "explain to me", "help me understand", "tell me about")
EXAM_PHRASES = ("which of the following", "most likely", "next best step", "best next step", "most appropriate",
                "first line", "first step", "year old man", "year old woman", "year old boy", "year old girl",
                "presents with", "is brought to", "year old presents", "what is the diagnosis", "year old with",
                "take a history", "focused history", "your differential", "differential diagnosis", "osce",
                "the actor", "simulated patient", "the examiner", "the candidate", "next step", "presented with",
                "presenting with", "before arrival", "on arrival", "is indicated", "what imaging", "best investigation",
                "next investigation", "per nice", "conduta", "which antibiotic", "which drug", "which investigation",
                "most urgent diagnosis", "le plus probable", "mas probable", "mais provavel", "wahrscheinlichste", "initial management", "immediate management", "definitive management",
                "sequence of", "single most important", "immediate intervention", "appropriate management",
                "correct sequence", "board review", "conduite a tenir", "conducta a seguir", "quel est le diagnostic",
                "cual es el diagnostico", "qual o diagnostico", "qual e o diagnostico", "welche diagnose",
                "naechste schritt", "nachste schritt")
# A question about a claim: "my teacher said sepsis kills more people than cancer, is that true?"
CLAIM = ("is that true", "is it true", "true that", "true or false", "a myth", "fact or myth", "fact or fiction")
PAST = ("years ago", "year ago", "years since", "year since", "last year", "last month", "months ago", "month ago",
        "weeks ago", "in the past",
        "when i was", "as a child", "once at", "used to", "last winter", "last summer", "last spring",
        "last autumn", "last fall", "last christmas")
# An episode that is over and was checked: its "now" ("fine now") does not make it current.
RESOLVED = ("back to normal now", "normal now", "gone now", "healing", "healed", "getting better", "completely gone",
            "settled now", "passed now", "resolved", "back to normal", "survived", "pulled through", "all normal",
            "were normal", "everything normal", "all came back", "ja esta bem", "ya esta bien", "va bien maintenant",
            "est bien maintenant", "wieder gut", "wieder fit", "fine now", "ok now", "okay now", "better now",
            "well now", "good now", "all good", "all fine", "fine since", "well since", "s fine", "is fine", "sorted it", "sorted out", "nothing since", "recovered",
            "all clear", "was normal", "came back normal", "turned out", "ya estoy bien", "tout va bien",
            "geht mir gut", "geht es mir gut", "estou bem", "se recuperou", "jetzt gut", "was fine", "were fine",
            "said it was", "nothing serious", "was nothing", "doing well", "doing great", "doing fine", "back home",
            "recovering well", "discharged", "is recovering", "thriving", "doing ok", "doing okay", "doing alright",
            "everyone is fine", "everyone s fine", "everybody is fine", "everybody s fine", "no one was hurt",
            "nobody was hurt", "no one hurt", "nobody hurt", "healthy", "back at work", "back to work",
            "back at school", "back to school", "no lasting damage", "fully recovered", "was clear", "were clear",
            "came back clear", "been fine", "been well", "totally fine", "no problems since", "nothing since",
            "va tres bien", "va bien", "geht es ihm", "geht es ihr", "seitdem", "desde entonces", "desde entao",
            "depuis", "ela esta bem", "ele esta bem", "esta bien", "gesund", "went after", "went away after",
            "settled after", "cleared up")
# A question about it happening again is a worry, not a recurrence ("what's the chance of another?", "so it doesn't
# happen again", "contacts ok again?")
RECURRENCE_WORRY = re.compile(r"\b(?:chance|chances|risk|likely|likelihood|odds|prevent|avoid|never|ok|okay|safe|"
                              r"will he|will she|will i|will it|will they)\b"
                              r"(?:[ ,'-]+\w+){0,6}?[ ,'-]+(?:again|another|more)\b[^.!?\n]{0,30}\?")
# "again" in a question about doing something ("can he play contact sport again?", "ok to wear contacts again?"):
# no recurrence ("is he fitting again?" stays)
ASKED_AGAIN = re.compile(r"\b(?:can|could|when|ok|okay|safe|allowed|able|should|go back|get back|start)\b"
                         r"(?:[ ,'-]+\w+){0,6}?[ ,'-]+again\b(?=[^.!?\n]*\?)")
# An age then and an age now ("surgery at 13, now 20", "com 2 anos, hoje ela tem 5"): the episode is long over
AGE_THEN_NOW = re.compile(r"\b(?:at|aged|age|com|mit) \d{1,2}(?: (?:years?|yrs?|anos|ans|jahren))?"
                          r"(?! ?(?:am|pm|h|uhr|\d))\b"
                          r"(?:(?!\b(?:am|pm|min|mins|minutes|hours?|hrs?|uhr|past|apart|contractions?|it s|its|"
                          r"it is)\b).){0,80}?"
                          r"\b(?:now|hoje|hoy|aujourd hui|jetzt|heute)(?: (?:aged?|im|i m|i am|he s|she s|hes|shes|"
                          r"ela tem|ele tem|tiene|tem|hat|ist))? \d{1,2}(?: (?:years?|yrs?|anos|ans|jahre)(?: old)?)?"
                          r"(?! ?(?:am|pm|h|uhr|min|mins|minutes|degrees|c|f|mmol|past|outof)\b)(?![.,]?\d)")
# A course going well, which a "but" can take back ("was healing well but it's opened up")
GOING_WELL = frozenset(("healing", "getting better", "doing well", "doing fine", "doing great", "doing ok", "doing okay",
                        "doing alright", "recovering well", "is recovering", "was fine", "were fine"))
# "not stable", "no está estable", "nicht stabil", "pas bien": an end denied
NOT_OVER = re.compile(r"\b(?:not|no|nicht|pas|nao|never)(?: \w+)?(?: at all)? (?:stable|estable|estavel|stabil|"
                      r"fine|ok|okay|well|better|bien|bem|gut)\b")
# the words that take back what went before, in five languages
BUT = ("but", "pero", "mais", "aber", "mas")
MONTHS = tuple(f"in {m}" for m in "january february march april may june july august september october november "
                                    "december".split())
# Weeks ago is recent ("gave birth 2 weeks ago and I have a high fever"): past only when said to be over.
RECENT = ("weeks ago", "last month", "months ago", "month ago", "last week", "at christmas", "over christmas",
          "at easter", "over easter", "over the holidays", "at new year", "on holiday") + MONTHS + tuple(
    f"{last} {day}" for last in ("last", "on") for day in "monday tuesday wednesday thursday friday saturday sunday".split())
# Hours ago: over only when someone checked it ("discharged yesterday", "the crew treated him this morning"), never
# on the writer's word alone ("took a bottle of Tylenol last night, feels fine now" is still an overdose).
VERY_RECENT = ("yesterday", "last night", "this morning", "earlier today", "the other day", "ontem", "ayer", "gestern",
               "hier soir")
CHECKED = ("discharged", "treated", "came back normal", "all normal", "were normal", "everything normal",
           "all came back", "checked", "doctor said", "hospital said", "said it was", "ja esta bem", "back to normal",
           "turned out", "sent us home", "sent home", "send us home", "sent him home", "sent her home")
AGAIN = ("happen again", "happening again", "happens again", "get it again", "have another",  # a worry, not now
         "just diagnosed", "just been diagnosed", "just found out", "just started", "just been told", "try again",
         "trying again", "one again", "with the next", "it coming back", "it comes back", "it will come back",
         "it ll come back", "acontecer de novo", "aconteca de novo", "pase otra vez",
         "pasar otra vez", "vuelva a pasar", "volver a pasar", "se reproduise", "se reproduire", "wieder passiert",
         "nochmal passiert")
# ("it's back", "came back": a recurrence is now; "came back normal" is taken out as RESOLVED first)
NOW_WORDS = ("now", "today", "jetzt", "heute", "ahora", "hoy", "agora", "hoje", "maintenant", "aujourd")  # aujourd'hui
CURRENT = NOW_WORDS + ("tonight", "again", "still", "currently", "all day", "all night", "is back", "s back",
                       "back again", "came back", "come back", "coming back", "acabou de", "acaba de", "acabo de",
                       "vient de", "viens de", "gerade", "this feels")
JUST_HAPPENED = re.compile(r"\bjust (?!(?:moved|married|graduated|retired|booked|joined|signed|ordered|finished|"
                           r"renewed|changed|switched|qualified|passed my)\b)"  # life news, not something just happened
                           r"(?:now(?! and then)|\w+ed|took|ate|drank|fell|hit|had|got|swallowed|went|came|threw|"
                           r"broke|cut|bit|stung|made|found|woke|collapsed|started|stopped|passed|told|rang|taken|eaten|"
                           r"drunk|been sick|been violently sick)\b")  # "he's just been sick": vomited
OPTION = re.compile(r"(?:^|[\s(])[A-Ea-e][).:](?=\s)")
# An exam vignette opens on a patient in the third person ("A 72-year-old woman presents with ..."): its times
# ("2 hours ago") belong to the case, not to the writer.
VIGNETTE = re.compile(r"\b(?:an? )?\d+ (?:year|month|week|day) old(?: (?:\w+ ){0,3}?(?:man|woman|boy|girl|male|"
                       r"female|patient|child|infant|neonate|baby|gentleman|lady|primigravida|multigravida)\b)?"
                       r"(?: \w+){0,8}? "
                       r"(?:presents|presented|is brought|was brought|comes|came|is admitted|was admitted|is evaluated|"
                       r"is seen|develops|developed|is found|complains|has had)\b")
# "she's 3 now": an age, not a time, so the episode it follows is long over.
AGE_NOW = re.compile(r"\b(?:is|s|are|re|am|m|im|turned|turns) (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
                      r"(?: years?(?: old)?| months?(?: old)?)? (?:now|today)\b")
# "now I'm 30": an age, no sign that the episode goes on (it dates nothing by itself: "40 min now, I'm 61")
NOW_AGE = re.compile(r"\bnow (?:i am|i m|im|he is|he s|hes|she is|she s|shes|they are|they re) (?:\d+|one|two|three|"
                      r"four|five|six|seven|eight|nine|ten)(?: years?(?: old)?)?"
                     r"(?=(?: years?| yrs?)?(?: and (?:i am |i m |im |he s |she s |hes |shes |my |his |her )?"
                     r"(?:fine|well|healthy|doing|sugars?|all good|ok|okay|good|stable|controlled)\b|$))")
# A word in scare quotes ("he 'overdosed' on candy") is a figure of speech, not the thing itself.
SCARE_QUOTES = re.compile(r"(?:(?<=\s)|^)['\"\u201c]([a-z]+)['\"\u201d](?=[\s.,!?;:]|$)")
# Episodes long ago: the clause that holds one is dropped before matching ("when I was 12, can I drive now").
LONG_AGO = ("years ago", "year ago", "years since", "year since", "last year", "when i was", "as a child",
            "as a kid", "as a teen", "as a teenager",
            "as a baby", "in my twenties", "in my thirties", "in my youth", "as a toddler", "as an infant",
            "when he was", "when she was", "when they were", "in my teens", "growing up", "used to", "last summer",
            "last winter", "last spring",
            "last autumn", "years back", "a while back", "a while ago", "long ago", "long time ago", "hace tiempo",
            "il y a longtemps", "vor langer zeit", "ha muito tempo", "died of", "died from", "passed away",
            "was treated for", "was in hospital",
            "was hospitalised", "was hospitalized", "was admitted", "recovered from", "el ano pasado", "hace anos",
            "l annee derniere", "il y a des annees", "letztes jahr", "vor jahren", "ano passado", "ha anos",
            "cuando era", "quando era", "quand j etais", "als kind", "history of", "l hiver dernier", "l ete dernier",
            "l an dernier", "in the spring", "in the summer", "in the autumn", "in the winter", "months later",
            "years later", "el invierno pasado", "el verano pasado", "letzten winter", "letzten sommer",
            "no inverno passado", "no verao passado", "hace un ano", "il y a un an",
            "vor einem jahr", "ha um ano", "faz um ano", "faz anos") + tuple(
    f"in {m}" for m in "january february march april may june july august september october november december".split())
# Markers of an episode long ago for is_past_event (LONG_AGO less what dates nothing: "history of", "when he was")
LONG_AGO_MARKERS = PAST + tuple(p for p in LONG_AGO if not p.startswith((
    "history", "when ", "quand ", "cuando ", "quando ", "was ", "died", "passed", "recovered", "months later",
    "years later")))
LONG_AGO_YEAR = re.compile(r"\b(?:in|back in|en|em|im|au|had|was|hatte|hatten|war|tuve|tive|tenia|tinha|j ai eu)\s+"
                           r"(?:19|20)\d\d\b")
PUNCTUATION = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|[;!?\n]")  # punctuation, not in 6.1 or 38,5
CLAUSE_BREAK = re.compile(rf"(?:{PUNCTUATION.pattern})+"
                           r"|(?=\b(?:and|but|so|then|now|today|tonight|again|still|since|currently|pero|mais|aber|ahora|maintenant|"
                           r"jetzt|agora)\b)")
# Questions about what one would do: no notice unless something is happening now.
HYPOTHETICAL = ("if someone", "if somebody", "if a person", "if you", "if a child", "if a baby", "if a bee",
                "what should you do if", "what do you do if", "what to do if", "what would i do if",
                "what should i do if", "what do i do if", "what would happen if", "what happens if", "would you know if", "would i know if",
                "si jamais", "se por acaso", "si por casualidad", "falls ich", "falls er", "falls sie",
                "falls mein", "falls meine", "say one of us", "say one of them", "say someone", "say somebody",
                "mon roman",
                "how would you",
                "hypothetical", "hypothetically", "in theory", "a novel", "my novel", "write a story", "writing a story",
                "for a story", "in a story", "a story where", "a story in which", "a character",
                "writing a scene in", "write a scene in", "a scene where", "the scene where", "in a scene",
                "the character", "my character",
                "my story", "in my story", "in the story", "the story where", "my book",
                "the novel", "mon personnage", "mi personaje", "meu personagem", "meine figur", "roman policier",
                "in a film", "in the film", "in a movie", "in the movie", "on tv", "in a show",
                "in a game", "how realistic", "screenplay", "my script", "fiction", "the plot", "first aid course",
                "suppose", "supposing", "angenommen", "supongamos", "supposons", "suponhamos", "imaginemos",
                "imagine", "let s say", "lets say", "what would happen",
                "what would you do", "out of curiosity", "just curious", "just wondering",
                "first aid exam", "first aid class", "zombie", "was soll ich tun wenn", "was mache ich wenn",
                "was tun wenn", "was tue ich wenn", "que hago si", "que debo hacer si", "que hacer si", "que faire si",
                "que dois je faire si", "qu est ce que je fais si", "o que faco se", "o que devo fazer se",
                "o que fazer se", "was mache ich falls", "was soll ich tun falls", "was tun falls", "was tue ich falls",
                "was sollte ich tun wenn", "was sollte ich tun falls", "was macht man wenn", "was macht man falls",
                "was soll man tun wenn", "was soll man tun falls",
                "si alguna vez", "se algum dia", "si un jour", "wenn ich jemals", "falls ich mal", "realistic",
                "realista", "realiste", "realistisch", "realistico", "krimi", "tv episode", "that episode",
                "the episode where", "in the show", "in that show", "in the series", "in that film", "dans le film",
                "en la pelicula", "im film", "no filme", "in der serie", "en la serie", "dans la serie", "na serie",
                "si alguien", "si una persona", "si un nino", "si quelqu un", "si une personne", "wenn jemand",
                "falls jemand", "se alguem", "se uma pessoa") + tuple(
    # "was müsste ich tun, wenn ...", "qué haría si ...", "que ferais-je si ...", "o que faria se ...": asked ahead
    f"{what} {if_}" for what, if_ in (
        *((f"was {modal} {who} {do}", if_) for modal in ("muss", "musste", "mussen", "sollte", "sollten", "wurde",
                                                        "wurden", "kann", "konnte")
          for who in ("ich", "man", "wir") for do in ("tun", "machen") for if_ in ("wenn",)),
        *((f"que {do}", "si") for do in ("haria", "hariamos", "deberia hacer", "tendria que hacer", "hay que hacer",
                                          "ferais je", "devrais je faire", "faut il faire", "ferait on")),
        *((f"o que {do}", "se") for do in ("faria", "fariamos", "deveria fazer", "devemos fazer", "fazemos"))))
# Study, teaching and writing: a question asked for these is about a condition, not the condition now.
STUDY = frozenset(
    "exam exams examen examens finals quiz quizzes usmle mcq mcqs osce vignette vignettes revising revision studying "
    "essay essays assignment homework coursework lecture lectures module flashcards poster syllabus handbook teach "
    "teaching "
    "documentary podcast article partiel partiels prova prufung klausur estudando estudiando revisando nclex mcat "
    "plab mnemonic mnemonics student students trainee trainees cadet cadets simulation scenario rotation "
    "placement seminar "
    "presentation charla palestra vortrag referat expose exposicao lerne lernen estudio estudo etudie "
    "biology chemistry physiology pharmacology anatomy pathology toxicology biochemistry microbiology "
    "lesson lessons lecturer tutor professor drill report statistics awareness research prevention campaign "
    "physikum staatsexamen flashcard viva audit audits guideline guidelines guidance requalification recertification "
    "refresher newsletter residencia residency questao concurso oposiciones enarm internat hausarbeit "
    "bachelorarbeit masterarbeit doktorarbeit tesis tese tcc tfg passmed pastest uworld amboss anki quesmed osmosis kaplan "
    "ecn comparing versus vs formation formacion formacao schulung fortbildung stagiaires sba sbas mrcp mrcs mrcpch mrcog frcs boards comlex "
    "slides".split())
# The words that label a message as study when it opens with them ("Vignette: ...", "Exam q: ...").
STUDY_LABELS = frozenset("exam exams quiz vignette flashcard flashcards viva osce mcq usmle nclex plab revision "
                         "homework assignment prufungsfrage examen sba board mrcp mrcs ecn edn enarm".split())
# German compounds ("Staatsexamen", "Abschlussprüfung") and "examens": a word ending so is a study word.
STUDY_ENDINGS = ("examen", "prufung", "klausur", "exam", "exams")
STUDY_STARTS = ("prufungs", "klausur", "examens", "staatsexam")  # "Prüfungsfrage", "Klausurvorbereitung"
STUDY_PHRASES = ("mock paper", "mock exam", "mock test", "mock osce", "first aid at work",
                 "give a short talk", "giving a short talk", "do a short talk", "a short talk to", "a short talk for",
                 "a short talk about", "a short talk on", "writing a novel set", "writing a novel about",
                 "writing a novel where", "writing a short story where", "writing a story where",
                 "pour un expose", "fur ein referat", "mein referat", "learn the signs", "a talk for", "a talk on",
                 "a talk about", "give a talk", "giving a talk", "first aid course", "first aid class",
                 "first aid training", "first aid test", "for school",
                 "first aid certificate", "course book", "course books", "past paper", "past papers",
                 "escrever um", "escribir un", "ecrire un", "a escrever", "estoy escribiendo", "j ecris",
                 "estudante de", "estudiante de", "etudiant en", "etudiante en",
                 "practice question", "practice questions", "practice q", "practise q", "practice qs",
                 "med school", "medical school", "nursing school", "nursing course", "for my course", "for class",
                 "shelf exam", "safety talk", "book club", "simple terms", "write an essay", "write a", "summarise",
                 "summarize", "make notes", "blog post", "news story", "study guide", "revision notes",
                 "case study", "for uni", "for university", "for college", "for a quiz", "for an assignment",
                 "school project", "sim session", "role play", "give a talk", "giving a talk", "a talk on",
                 "a talk about", "a talk for", "mock exam", "practice question", "board question", "test question",
                 "quiz question",
                 "my answer", "short answer", "model answer", "mark my", "pour mon memoire",
                 "mon memoire", "ma these", "a leaflet", "leaflet about", "leaflet on", "doing a course",
                 "taking a course", "cpr course", "cpr class", "cpr training", "course at the", "got this wrong",
                 "got it wrong", "a table", "training slides", "we covered", "walk me through", "memory trick",
                 "mnemonic", "struggling to remember", "we ve been doing", "we have been doing", "lost on the",
                 "a training",
                 "staff training", "prevention training", "training session", "training day", "leaflet for",
                 "a comic", "comic about", "comic for", "a pun", "pun about", "puns about", "a joke about",
                 "joke about", "joke for", "jokes about", "courses for", "courses are there")
# Words that make a nearby "I"/"my" the one asking or studying, not the one it is happening to.
FRAME = STUDY | frozenset(
    "know wonder wondering curious clear sure understand learn learning read reading heard writing making asking "
    "volunteer volunteering putting talk presentation poster "
    "examples example stories illustrate structure check mark marking feedback "
    "question prepared class course instructor teacher students pupils lesson patient patients casualty mannequin "
    "manikin dummy assess assessment prepare preparing preparando preparo preparer prepa sim station explain describe "
    "summarise summarize tell erklaren erklaeren expliquer explicar explique explica explain mix confuse confusing "
    "remember memorise memorize muddle revise test tests actor actress mixing mixed muddling asked ask answer "
    "answers mark marking textbook confuses memoire diagnosed diagnosis culture knowledge curiosity curiosidad "
    "examiner saying states stated reports client clients giving talk talks courses classes slides leaflet comic joke pun unterlagen notes notizen apuntes skript "
    "curiosite neugier".split())
# Care roles, for the I who asks (ASKER) and the role asked in (ROLE): "I'm an HCA", "as a support worker"
CARE_ROLES = r"hca|cna|healthcare assistant|care assistant|support worker|nursing assistant"
# "how do I ...", "did I do it right", "I gave ... (in the simulation)": the I who asks or acts, not the one it
# happens to.
ASKER = re.compile(r"\b(?:how|what|when|where|why|should|can|could|would|do|did|shall) (?:do |should |can "
                    r"|would |could )?(?:i|we)\b(?! (?:am|m|are|re) (?:having|bleeding|choking|dying|going to die))"
                    r"|\b(?:i|we) (?:gave|give|did|do(?! not)|administered|answered|wrote|chose|picked|said|"
                    r"want to know|"
                    r"wonder|put|think|believe|guess)\b|\b(?:walk|talk|take) me through\b"
                    r"|\b(?:paramedic|nurse|doctor|medic|emt|midwife|firefighter|lifeguard|gp|student) here\b"
                    rf"|\bi (?:am|m) an? (?:new )?(?:{CARE_ROLES}|carer)\b"
                    r"|\bi (?:am|m) an? (?:\w+ ){0,3}(?:student|trainee|nurse|doctor|paramedic|teacher|medic|"
                    r"pharmacist|midwife|resident|intern|lecturer|researcher|writer|author|emt|instructor|lifeguard|"
                    r"first aider|physician|clinician)s?\b"
                    r"|\bi work (?:in|at|on) (?:the |an? )?(?:ed|er|a e|icu|emergency|ambulance|hospital|ward)\b")
# Asking in a professional role: "as a paramedic, how do I manage ...", "I'm a nurse, ...".
ROLE = re.compile(r"\b(?:as an?|i am an?|i m an?|im an?|i work as an?) (?:\w+ ){0,3}(?:student|trainee|nurse|doctor|"
                   r"paramedic|teacher|medic|pharmacist|midwife|resident|intern|lecturer|researcher|writer|author|emt|"
                   rf"instructor|first aider|carer|caregiver|lifeguard|physician|gp|clinician|{CARE_ROLES}|"
                   r"health care assistant|care worker)s?\b"
                   r"|\bi work (?:in|at|on) (?:the |an? )?(?:ed|er|a e|icu|emergency|ambulance|hospital|ward)\b"
                   r"|\b(?:paramedic|nurse|doctor|medic|emt|midwife|firefighter|lifeguard|gp|student) here\b")
# "for my paramedic test", "for our anatomy class", "for the EMT exam": the purpose of the question is study.
FOR_STUDY = re.compile(r"\bfor (?:my|our|the|a|an|his|her) (?:\w+ ){0,2}(?:test|tests|exam|exams|course|class|module|"
                        r"assignment|essay|presentation|boards|finals|quiz|revision|homework|project|talk|lecture|"
                        r"seminar|dissertation|thesis|placement)\b")
Q_LABEL = re.compile(r"(?i)^(?:q|q\d+|question \d+|case|scenario)\s*[:.)-]")
LIKE_AGE = re.compile(r"\blike (?:i am|im|i m) (?:\d+|five|ten|a child|a kid|a beginner)\b")
# What might happen: "in case her waters break", "next week", "un jour".
FUTURE = ("in case", "just in case", "in the event", "god forbid", "worst case", "preparing for", "first aid kit",
          "next week", "next month", "next year", "next weekend", "emergency plan", "no signs yet", "no signs so far",
          "be prepared", "want to be ready", "in the future", "one day", "someday", "some day", "un dia", "um dia",
          "un jour", "irgendwann", "eines tages", "due in", "algun dia", "algum dia", "worth getting",
          "worth buying", "worth having", "should we get", "should we buy", "thinking of buying",
          "thinking of getting", "planning a", "we are planning", "we re planning",
          "quero me preparar", "me preparar", "quiero prepararme", "prepararme", "me preparer",
          "mich vorbereiten", "vorbereitet sein", "wir planen", "planeamos", "estamos planeando", "on prevoit",
          "nous prevoyons", "estamos planejando")
# A clause that asks about a condition is not the condition: "what are the signs of a stroke? my mum is 70".
ASKING = ("signs of", "sign of", "symptoms of", "symptom of", "warning signs", "how do you", "how do i know",
          "how can i tell", "how would i know", "how will i know", "how to tell", "how to recognise",
          "how to recognize", "how to spot", "how do i spot", "how do i recognise", "how do i recognize",
          "how do i tell", "how can i spot", "how can i recognise", "how can i recognize", "how fast does",
          "how quickly does", "how long does", "how long do", "how long can", "what causes", "difference between",
          "what is a", "what is an", "different from", "differ from", "the difference", "la difference",
          "la diferencia", "der unterschied", "a diferenca", "news said", "on the news", "in the news", "news report",
          "noticias", "nachrichten", "les infos", "how many people", "people survive", "survival rate",
          "googling", "googled", "how would i tell", "how would you tell", "how will i tell",
          "how would i recognise", "how would i recognize", "it can cause", "they can cause", "read it can",
          "known to cause", "can you explain", "could you explain", "explain to me", "explain how",
          "explain what", "explain why", "help me understand", "podes explicar", "puedes explicar", "pode explicar",
          "peux tu expliquer", "pouvez vous expliquer", "kannst du erklaren", "konnen sie erklaren",
          "health anxious", "anxious about every", "worried about every", "can anxiety", "could anxiety", "can stress", "could stress", "can panic", "can a panic",
          "news story", "a story about", "an article about", "a video about", "a post about", "saw a story",
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
          "normal after", "common after", "usual after", "expected after", "recovery after", "recovering after",
          # the aftermath of an illness ("is this post sepsis syndrome?")
          "post sepsis syndrome", "post concussion syndrome",
          "post covid syndrome", "post viral fatigue", "post viral syndrome", "post stroke fatigue",
          "figure of speech", "just an expression", "just a saying", "turn of phrase", "manner of speaking")
# "is that normal?" about something that happens now and then ("breathes fast when sleeping sometimes"): a
# question about a pattern, not an event.
HABITUAL = ("sometimes", "occasionally", "now and then", "from time to time", "when sleeping", "in his sleep",
            "in her sleep", "when he sleeps", "when she sleeps")
IS_NORMAL = ("is that normal", "is it normal", "is this normal", "is that ok", "is that okay")
# What a case's patient says ("the patient says 'I have a plan ...'"): the case's words, not the writer's
CASE_SPEECH = re.compile(r"\b(?:the|a|your) (?:patient|casualty|examiner|actor|simulated patient)s? "
                         r"(?:says|said|tells you|told you|states|stated|reports|reported|asks|asked|shouts|screams)\b[^.!?\n]*(?:[.!?][\'\"\u2019\u201d])?")
# What a film, a programme or a book is about or shows ("a documentary last night about people having strokes", "a
# film where a guy gets bitten"): its story, up to the end of the clause, an "and"/"but" or someone of the writer's
FILM_TOPIC = re.compile(r"\b(?:film|movie|documentary|programme|program|episode|drama|thriller|series|video|book|novel)"
                        r"(?: \w+){0,3}? (?:about|where|in which)\b[^.,;:!?\n]*?"
                        r"(?=\b(?:and|but|my|our|i|we|me|he|she|his|her|they)\b|[.,;:!?\n]|$)")
# A name is no emergency: "my friend's band is called Cardiac Arrest", "a film named Overdose".
NAME = re.compile(r"\b(?:band|song|film|movie|show|series|book|novel|album|game|podcast|group|team|horse|dish|"
                   r"burger|cocktail|is|are|was|"
                   r"were) (?:called|named|titled)\b[^.,;:!?\n]*")
# Words of laughter: a sentence that laughs is a figure of speech ("nearly choked laughing", "died laughing").
LAUGH = re.compile(r"[^.!?;,\n]*\b(?:laugh|laughing|laughed|laughter|risa|riendo|rire|lachen|lache|rindo|rir)\b"
                   r"(?:(?!\b(?:now|then|suddenly|but)\b)[^.!?;,\n])*")
# An if-clause is dropped unless it is a wish about the writer ("if I was gone") or about now; "not sure if",
# "wondering if" ask whether, they are no what-if. It ends at punctuation, "but", "then" or where the writer starts
# a clause of their own ("if I don't get help I will ...").
CONDITIONAL = re.compile(r"\b(?:if|in case)\b[^.,;:!?\n]*?(?=\bbut\b|\bthen\b|[.,;:!?\n]|$|(?<!if )\bi(?:'| )"
                          r"(?:will|would|am|m|ll|d|think|feel|can|just|want|have|ve|might|may|should|wanna|gonna)\b)")
# "if I was gone", "if I died", "if I'm not here": a wish about the writer, kept; "if I get / splash / collapse"
# is what might happen, dropped.
COUNTERFACTUAL = frozenset("was were died die disappeared disappear vanish vanished did had never could would killed "
                            "kill ended end just went took stopped".split())
# A message that opens with a what-if about someone: "if my baby gets a fever, ...", "if I splash bleach ...".
ASKS = frozenset("should can could do does did is are will would shall who where".split())
# "se meu filho tiver uma convulsão, o que eu faço?" (Portuguese says a what-if with the future subjunctive), "si
# mon fils fait une crise, j'appelle à partir de quand ?" (asking from when on to call)
OTHER_IF_OPENER = re.compile(r"^(?:e|y|et|und|and|mas|pero|mais|aber) (?:se|si|wenn|falls|if) (?:eu|yo|je|ich|i|"
                             r"mon|ma|mi|meu|minha|mein|meine|my)\b"
                             r"|^se (?:\w+ ){0,3}(?:tiver|tiverem|estiver|estiverem|for|fizer|ficar|comecar|tomar|"
                             r"engolir|cair|bater|desmaiar|parar|encontrar|vir|acontecer)\b"
                             r"|^(?:si|se|wenn|falls) (?:mon|ma|mi|meu|minha|mein|meine)\b.*\b(?:a partir de quand|"
                             r"a partir de cuando|a partir de quando|ab wann|en que momento|em que momento)\b")
IF_OPENER = re.compile(r"^(?:so |ok |okay |hi |hey )?(?:if|falls) (?:i|my|our|a|an|someone|somebody|anyone|your|we|"
                        r"he|she|they|mein|meine|ich|jemand)\b")
WHETHER = re.compile(r"\b(?:sure|unsure|wonder|wondering|know|tell|see|check|ask|asking|idea)\s*$")
YEARS_AGO = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few|couple of) (?:years?|yrs?|decades?|"
    r"summers?|winters?|christmases) (?:ago|on(?! from)|later)\b"
    r"|\bin my (?:[1-9]0 s|twenties|thirties|forties|fifties),? (?:i )?(?:had|was|got|went|used)\b|\b(?:hace|ha) (?:\w+ )?anos\b|\bil y a (?:\w+ )?ans\b|\bvor (?:\w+ )?jahren\b")
# Months ago (two or more): the clause that holds it is over ("had a heart attack 6 months ago, when can I jog
# again?"), though the message may go on about now ("gave birth 3 months ago and now ...").
MONTHS_AGO = re.compile(
    r"\b(?:[2-9]|1[0-9]|two|three|four|five|six|seven|eight|nine|ten|eleven|several|many|few|couple of) months? ago\b"
    r"|\b(?:hace|ha|faz) (?:[2-9]|1[0-9]|dos|tres|cuatro|seis|quatro|varios|alguns|uns|unos|algunos) meses\b"
    r"|\bil y a (?:[2-9]|1[0-9]|deux|trois|quatre|six|plusieurs|quelques) mois\b|\bvor (?:[2-9]|1[0-9]|zwei|drei|vier|"
    r"sechs|einigen|mehreren|ein paar) monaten\b")
TIME_NOW = re.compile(
    r"\b(?:\d+|a|an|one|two|three|few|couple of|half an?) (?:sec|secs|seconds?|min|mins|minutes?|hours?|hrs?) ago\b"
    r"|\bsince (?:this morning|this afternoon|this evening|last night|yesterday|lunch|lunchtime|breakfast|dinner|"
    r"teatime|earlier|\d)"
    r"|\b(?:for|in) the (?:last|past) (?:\d+|few|couple|half)"
    r"|\bhace (?:un rato|media hora|una hora|\d+ (?:minutos|horas))\b|\bil y a (?:une|\d+) (?:heure|minute)"
    r"|\bdepuis \d+ (?:minute|heure)|\bseit \d+ (?:minuten|stunden)|\bha \d+ (?:minutos|horas)\b")
ANIMAL = frozenset("vet vets veterinarian veterinary vet's".split())
# A pet as the one it happens to ("my cat is having a seizure"), when no person is named.
PETS = frozenset("spaniel labrador retriever terrier collie poodle beagle dachshund pug staffy greyhound "
                 "whippet alsatian cockapoo cavapoo schnauzer chihuahua bulldog "
                 "dog dogs puppy cat cats kitten rabbit hamster horse pony budgie parrot tortoise ferret chat chien "
                 "chiot chaton perro perrito gato gatito hund katze kater cachorro gata goldfish fish gerbil guinea".split())
PET_VERBS = frozenset("is has had was keeps ate swallowed drank got seems just s a est hat ist tiene esta tem se knocked "
                      "chewed chewing licked licking eating started".split())
# "when I was lifting at the gym": what one was doing when it began, not an age ("when I was 12")
WHILE_DOING = re.compile(r"\bwhen (i|he|she|we|they|you) (was|were) (\w+ing)\b")
# "should I book an optician for next week?", "can it wait until Monday": putting off now, not a plan ahead
DEFERRING = re.compile(r"\b(?:wait|waiting|book|booking|appointment|until|till|til|optician|gp|doctor)\b"
                        r"(?: \w+){0,3}? "
                        r"(?:next (?:week|month|weekend)|monday|tuesday|wednesday|thursday|friday|tomorrow)\b")
# "help me write ...", "can you help me come up with ...": a task, not a call for help
HELP_WITH = re.compile(r"\bhelp me (?:come up|write|understand|with|find|make|prepare|plan|revise|study|learn|"
                        r"remember|figure|create|draft|think|choose|pick|word|phrase|explain|summar\w*)\b")
# An exam case opens on the patient's age ("A 2-year-old swallowed ...", "In an MRCP question, a 19-year-old ...")
CASE_OPENING = re.compile(r"^(?:\w+ ){0,4}?(?:an? )?\d+ (?:years?|months?|weeks?|days?) old\b")
# "our care home residents", "our ward": a place one works at, not someone with the writer now
OUR_PLACE = re.compile(r"\bour (?:\w+ ){0,2}?(?:care home|ward|school|team|staff|residents|students|patients|clients|"
                        r"members|volunteers|employees|company|hospital|clinic|practice|unit|department|service|"
                        r"organisation|organization|charity|club|church|community|workplace|office|nursery|pupils)\b")
# "asking for me", "it's for myself": the question is about the writer
FOR_ME = re.compile(r"\b(?:asking|ask|it is|it s|its|this is|question is) for (?:me|myself)\b")
# a way to die asked for: a risk in itself, unless it is for a story or study
WAY_TO_DIE = re.compile(r"\b(?:quickest|fastest|easiest|painless|least painful|best|surest|simplest) "
                         r"(?:way|ways|method|"
                         r"methods) (?:to|of) (?:die|dying|kill myself|end it|end my life|go)\b")
# A worry about what may come ("I worry he'd have a stroke and not realise", "worried my teen might start ..."):
# what might happen, not what is happening
WORRY_AHEAD = re.compile(r"\b(?:worry|worried|worrying|scared|afraid|terrified|nervous|fear)(?: that)? "
                         r"(?:he|she|they|i|we|it|my \w+|our \w+) (?:d|would)\b"
                         r".*\b(?:signs|symptoms|look for|watch for|teach|how (?:would|will|do) (?:i|we) know)\b")
# A plan made ("picked a day", "written letters to the kids", "saving up my pills"): now, whatever else is past
PLAN_MADE = re.compile(r"\b(?:picked|chosen|set|planned|decided on) (?:a|the) (?:day|date|night|time)\b"
                       r"|\b(?:written|wrote|left) (?:my |the |some )?(?:goodbye |suicide )?(?:letters|notes?)\b"
                       r"|\b(?:saving|saved|stockpil\w*|hoard\w*|collecting) (?:up )?(?:\w+ ){0,3}?"
                       r"(?:pills|tablets|meds|"
                       r"morphine|medication|sleeping)\b")
IF_EVER = re.compile(r"\bif\b[^.?!]*\bever\b|^(?:so |ok )?say (?:my|a|an|someone|somebody|your|i)\b"
                      r"|\bsi (?:\w+ ){1,4}?(?:alguna vez|algun dia)\b|\bse (?:\w+ ){1,4}?(?:algum dia|alguma vez)\b"
                      r"|\b(?:wenn|falls) (?:\w+ ){1,4}?(?:jemals|irgendwann)\b")

# A title in quotes ("the song 'Heart Attack'") names a work; a quote asked about as a figure of speech ("he says
# 'I want to die' when I ask him to tidy up, that's just a figure of speech?") is the words, not the thing.
TITLE = re.compile(r"\b(?:song|film|movie|album|book|show|track|series|episode|game|novel|play|poem|single|titled)\s+"
                    r"['\"\u201c][^'\"\u201d]{1,60}['\"\u201d]")
QUOTED = re.compile(r"(?:(?<=\s)|^)['\"\u201c](?:[^'\"\u201d]|(?<=\w)'(?=\w)){2,80}['\"\u201d](?=[\s.,!?;:]|$)")
ABOUT_WORDS = ("figure of speech", "just an expression", "just a saying", "turn of phrase", "manner of speaking",
                "facon de parler", "forma de hablar", "maneira de falar", "redewendung",
                "only an expression")
# said as a habit ("every time I ask him to tidy up"), not written once in a diary
HABITUAL_SAYING = ("every time", "everytime", "whenever", "when i ask", "when we ask", "all the time", "always says",
                   "always saying", "each time")
# a quote with a plan or a time in it is no figure of speech: "'I'll kill myself tonight', is that just a saying?"
PLAN_WORDS = frozenset("tonight today now pills tablets rope bridge goodbye note gun knife jump overdose".split())
# "the difference between a heart attack and a cardiac arrest": one clause, its "and" no break
BETWEEN = re.compile(r"\b(between|entre|zwischen)\b([^.,;:!?\n]{1,40}?)\band\b"
                     r"(?=(?: [^\s.,;:!?]+){1,4}\s*(?:[.,;:!?\n]|$))")
# "I'm an HCA and my patient has gone blue": someone in the writer's care now, whatever the writer's role
CARE_EVENT = re.compile(r"\bmy (?:\w+ )?(?:patient|client|resident|service user)s? (?:has|is|s|just|took|collapsed|fell|"
                        r"had|keeps|can not|will not|went|started|stopped|seems|looks)\b"
                        r"|\bone of (?:our|my) (?:\w+ )?(?:patient|client|resident|service user)s\b"
                        r"|\b(?:carer|caregiver|care worker|support worker|nanny|babysitter|au pair|childminder) "
                        r"(?:for|to) (?:an? |my |two |three )?(?:\w+ )?(?:lady|man|woman|gentleman|boy|girl|boys|girls|"
                        r"kids|children|baby|toddler|client|family|patient|resident|couple)\b")
# "my niece was just diagnosed with type 1": a diagnosis is news, not an event going on
DIAGNOSED = re.compile(r"\b(?:my|our) (?:\w+ ){1,2}(?:was|has been|have been|got|s been|is|are|were) "
                       r"(?:just |recently |newly |only )?diagnosed\b")
# "my student messaged me ...": someone in the writer's charge, not the writer studying
MY_CHARGE = re.compile(r"\b(?:my|one of my|our) (?:\w+ )?(?:student|pupil|trainee)s? (?:\w+ )?"
                       r"(?=(?:just )?(?:messaged|texted|told|called|rang|phoned|emailed|wrote|posted|sent|says|said|is|"
                       r"has|had|collapsed|fell|took)\b)")

# "My friend says only if symptoms.", "I said yes, within 8 hours": an opinion or an answer, not an event
SAYS = re.compile(r"^(?:i|we) (?:said|say|answered|put|wrote|chose|picked|went for)\b(?!.*\b(?:my|our)\b)"
                  r"|^(?:my|our) \w+(?: \w+)? (?:says|said|thinks|thought|reckons|insists|argues)\b"
                  r"(?=.*\b(?:right|wrong|answer|only if|only when|instead|agree|disagree|correct)\b)")
# "is it a stroke if my face suddenly feels numb?": the if-clause says what is happening, it is no what-if
ASKED_IF = re.compile(r"\b((?:is it|is this|could it be|could this be|can it be|would it be) (?:an? |the )(?:\w+ ){0,2})"
                      r"if\b(?=(?: \w+){0,4}? (?:my|i|me)\b)",
                      re.IGNORECASE)
# beside a pet, the writer only asking is no patient: "I think my dog ate ...", "what do I do", "I'm pretty sure"
WRITER_ASKING = re.compile(r"i (?:think|thought|guess|wonder|assume|reckon|suppose|m pretty sure|m sure|m not sure|"
                           r"m worried|noticed|just noticed|just found|found|saw|could even|could get to|got to|"
                           r"cleaned|checked|read|looked|m fairly sure|m freaking|m panicking|m paranoid|called the vet|"
                           r"rang the vet)\b")
ASKING_BEFORE_I = (["do"], ["should"], ["can"], ["could"], ["would"], ["will"], ["shall"], ["did"])
# a pet that hurt the writer: "my dog has bitten my hand"
PET_ATTACK = re.compile(r"\b(?:bit|bitten|scratched|attacked|mauled|kicked|trampled|savaged) (?:me|my)\b")
# "Teacher here, one of my year 9s ...", "nursing student here - my flatmate's dad ...": the writer's role, read apart
# from what follows it
INTRO_HERE = re.compile(r"^\s*((?:[\w'\u2019-]+\s+){0,3}(?:student|nurse|teacher|carer|caregiver|worker|assistant|"
                        r"paramedic|doctor|medic|midwife|coach|mum|mom|dad|parent|grandma|grandad|granny|trainee|"
                        r"volunteer|lifeguard|instructor|firefighter|emt)\s+here)\s*[,:;\u2013\u2014-]+\s*", re.I)
# "is it croup? 18 month old, ...": an age tells the question is about someone in front of the writer
AGE_IN_FRONT = re.compile(r"\b\d+ (?:month|year|week|day|yr|mo)s? old\b")
# a pub quiz or a quiz night is an evening out, no study
NOT_STUDY = re.compile(r"\b(?:pub|trivia|quiz) (?:quiz|night|show|team)\b")
REPORTED = frozenset("with saying said says wrote writes texted text captioned caption message messaged just".split())
