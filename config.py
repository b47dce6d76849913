"""Every setting of the MedLLM pipeline, in typed dataclasses, and the two named presets.

`tiny` (the default) runs the whole pipeline offline on a laptop CPU in minutes: the embedded
SmolLM2-135M-Instruct and the sample questions in data/sample/. `paper` holds the settings of the
report the project was designed from: Llama-3.1-8B-Instruct in 4-bit on one 8 GB GPU, MedQA + MedMCQA
from the Hugging Face Hub.

Scripts never read settings from anywhere else: `cli.py` resolves a preset, applies the user's flags
and `--set section.field=value` overrides, prints the result and saves it beside the stage's outputs.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SYSTEM_PROMPT = (
    "You are a knowledgeable medical AI assistant. Answer the multiple-choice question by giving the "
    "letter and text of the single best option, then a short explanation."
)

DISCLAIMER = (
    "Educational information only, not medical advice: an AI model can be wrong. Ask a doctor, nurse "
    "or pharmacist about your own symptoms and treatment."
)

EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your local emergency number now (911 in the US, 112 in the "
    "EU, 999 in the UK) or go to the nearest emergency department. If you are thinking about harming "
    "yourself, call or text a crisis line (988 in the US) or your emergency number. Do not wait for an "
    "AI answer."
)

# Red flags that put the chat's emergency notice before an answer, in safety.py's pattern language
# ("category: term + term", "|" between alternatives, 4+ letter words are stems, ">=N" / "<=N" / "N-M"
# match a number in the text). Accents are stripped, so "pecho", "poitrine", "Brust", "peito" are plain.
RED_FLAGS: list[str] = [
    "cardiac: chest|pecho|poitrine|thorax|thorac|brust|peito|breastbone|sternum + pain|ache|hurt|pressure|tight|"
    "crush|squeez|heavy|discomfort|killing|dolor|douleur|schmerz|dor|aprieta|druck|elephant|vice|oppress + breath|winded|"
    "sweat|clammy|arm|jaw|back|neck|faint|dizz|nause|sick|vomit|throw|grey|gray|pale|minute|min|mins|hour|hours|"
    "severe|really bad|crush|respir|sudor|sudando|sueur|transpir|schwitz|atem|luft|bras|brazo|braco|forte|fuerte|"
    "stark|starke|intense|minutos|minuten|irradi",
    "cardiac: brustschmerz|douleur thoracique|dor no peito|dolor en el pecho|dolor de pecho|clutch chest|clutching his chest|"
    "clutching her chest|clutching my chest",
    "cardiac: duele|dolor|aprieta + pecho",
    "cardiac: mal|douleur|serre + poitrine",
    "cardiac: weh|tut|schmerz + brust",
    "cardiac: doi|dor|aperto + peito",
    "cardiac: grey|gray|pale|ashen + sweat|clammy",
    "cardiac: heart attack|cardiac arrest|no pulse|heart stopped|infarto|crise cardiaque|herzinfarkt|ataque cardiaco|"
    "attaque cardiaque|herzstillstand|arret cardiaque",
    "cardiac: heart|pulse|puls|coeur|corazon|coracao + >=150",
    "stroke: face|facial|mouth|smile|cara|boca|visage|bouche|gesicht|mund|rosto + droop|uneven|lopsided|crooked|torc|"
    "torta|deform|schief|hang|paral",
    "stroke: fala enrolada|habla arrastrada|verwaschen|parle bizarrement|arrastra las palabras",
    "stroke: slur|garbl|gibberish|jumbl|muddl|lallt + speech|speak|talk|word|habla|parl|sprech|fala",
    "stroke: can not speak|can not talk|can not get my words|not making sense|not make sense|no puede hablar|"
    "no puedo hablar|plus parler|arrive plus a parler|nicht mehr sprechen|kann nicht sprechen|nao consegue falar|"
    "can not understand me",
    "stroke: stroke|avc|ictus|derrame|schlaganfall|apoplex + having|think|sign|symptom|now|sudden|just|mini|creo|pense|"
    "glaube|acho|fait|esta|teniendo|hat|tendo",
    "stroke: sudden|suddenly|all of a sudden|out of nowhere|plotzlich|de repente|soudain|d un coup|subita|subito|"
    "brutal + weak|numb|paraly|confus|vision|blind|see|speak|speech|talk|walk|balance|headache|dizz|double|lost",
    "stroke: one side|left side|right side|un lado|un cote|einer seite|um lado|half my|half of my + numb|weak|paraly|"
    "droop|feel|floppy|move",
    "stroke: worst|thunderclap + headache|headach|head",
    "stroke: can not lift|can not raise|can not move + right arm|left arm|right leg|left leg|his arm|her arm|his leg|"
    "her leg",
    "stroke: dolor de cabeza|mal de tete|mal a la tete|kopfschmerz|dor de cabeca + peor|pire|schlimmst|pior|repentin|"
    "brutal|plotzlich|subit|terrible",
    "stroke: paralys|paralyz|gelahmt|paralis|lahm",
    "breathing: can not breath|could not breath|unable to breath|struggling to breath|struggle to breath|"
    "trouble breath|difficulty breath|hard to breath|not breathing|stopped breathing|stop breathing|stopping breathing|"
    "gasping|choking|can not get air|barely get air|can not catch my breath|air hunger|turned blue|turning blue|"
    "went blue|going blue|gone blue|no puedo respirar|no puede respirar|me ahogo|se ahoga|dificultad para respirar|"
    "me cuesta respirar|cuesta respirar|arrive plus a respirer|arrive pas a respirer|peux pas respirer|"
    "peux plus respirer|du mal a respirer|etouff|keine luft|atemnot|kann nicht atmen|erstick|nao consigo respirar|"
    "nao consegue respirar|falta de ar|sufoc|respire mal|respira mal",
    "breathing: ne respire plus|ne respire pas|no respira|atmet nicht|nao respira|nao esta respirando|"
    "respire plus|not breathe|isnt breathing",
    "breathing: short of breath|breathless|out of breath|shortness of breath + sentence|talk|speak|rest|sitting|still|"
    "lying|worse|faint|blue|grey|gray|can not",
    "breathing: wheez + badly|bad|severe|grey|gray|blue|not help|can not|really|puffy",
    "breathing: inhaler|puffs|nebul + not help|not working|not work|no help|>=6",
    "breathing: rib|ribs|chest|neck + suck|sucking|retract|caving|pulling in",
    "breathing: grunting",
    "breathing: asthma + hardly|can not talk|can not speak|not help|severe|really bad|blue|worst",
    "breathing: blue|grey|gray|purple|azul|azules|bleu|bleue|blau|roxo|roxa|morado + lip|face|labio|levre|lippe|boca|rosto",
    "breathing: breath + fast|rapid + faint|shallow|confus|fever|grunt",
    "breathing: stuck + throat + air|breath|cough|swallow",
    "anaphylaxis: anaphyla|anafila|epipen|epi pen",
    "anaphylaxis: throat|tongue|lip|lips|face|garganta|lengua|labio|cara|gorge|langue|levre|visage|zunge|lippe|"
    "hals|gesicht|rachen|lingua|rosto + swell|swollen|closing|close|tight|puff|hincha|cerrada|cierra|gonfl|schwill|"
    "geschwoll|inch|fechando|huge",
    "anaphylaxis: hives|urticaria|welts + faint|dizz|breath|wheez|vomit|throat|swell",
    "anaphylaxis: allerg|alerg + severe|fuerte|strong|bad|swell|swollen|breath|throat|tongue|lip|faint|dizz|chest|"
    "hincha|schwill|zunge|gorge|garganta|shock",
    "anaphylaxis: sting|stung|peanut|nut|nuts|shellfish|shrimp|prawn|egg|cashew|piqur|picadur + wheez|breath|faint|"
    "dizz|swell|puff|throat|gorge|garganta",
    "bleeding: nosebleed|nose bleed|bleed|blood|sangr|saign|sang|blut|sangue + heavy|heavily|a lot|lots|profuse|spurt|squirt|gush|soak|"
    "not stop|will not stop|uncontrol|pouring|everywhere|really bad|so much|mucho|beaucoup|stark|starke|muito|no para|"
    "arrete pas|hort nicht auf|nao para|clots|pads|faint|dizz|lightheaded|light headed|pass out|passing out",
    "bleeding: vomit|throwing up|threw up|cough|spit|vomitando|vomis|crach|erbrech|erbroch|tosiendo + blood|sangre|sang|blut|"
    "sangue",
    "bleeding: tarry|black stool|black poop|black stools|melena",
    "bleeding: stabbed|stab wound|knifed|gunshot|been shot|got shot|apunalado|poignarde|erstochen|esfaqueado",
    "overdose: overdos|sobredosis|surdose|uberdosis|intoxica|vergift|envenen|empoison",
    "overdose: took|taken|take|swallow|ate|eaten|drank|had|tome|tomo|avale|genommen|tomei|tomou|pris + >=10 + pill|"
    "tablet|capsul|paracetamol|acetaminophen|ibuprofen|tylenol|pastilla|comprim|tablett|pilul|antidepress|sleeping|"
    "aspirin|cachet|of my|of them|gelule|codamol|codeine|tramadol|diazepam|xanax|oxy|sertraline|citalopram|"
    "amitriptyline|lithium|propranolol|iron",
    "overdose: took|taken|take|swallow|ate|drank|tome|tomo|tomei|avale|genommen|se tomo + too many|too much|whole bottle|"
    "entire bottle|whole pack|whole box|handful|bunch of|frasco|toute une boite|muitos|lots of|all my|all of my|"
    "a lot of|tous mes|alle|todas|una caja + pill|tablet|capsul|pastilla|comprim|tablett|pilul|somnif|medic|meds|"
    "heroin|insulin|xanax|valium|diazepam|codeine|tramadol|oxy|benzo|sleeping",
    "overdose: swallow|drank|drink|ate|eaten|got into|bebio|bebeu|trank|getrunken|bu|avale|bois|tomou|geschluckt|trague + bleach|antifreeze|batter|magnet|"
    "detergent|laundry pod|pod|drain cleaner|oven cleaner|pesticide|rat poison|weed killer|lejia|javel|bleich|poison|"
    "lye|gasoline|petrol|kerosene|lavandina|water bead",
    "overdose: remedio demais|remedios demais|comprimidos demais|demasiadas pastillas|trop de medicaments|"
    "trop de comprimes|zu viele tabletten|load of my tablets|load of pills|load of tablets|load of my pills",
    "overdose: avale|swallow|ate|took|got into|tomo|tomou|genommen + grand|granny|grandma|nan|nana|someone else|"
    "mum s|mom s|dad s|parents + medic|pill|tablet|meds",
    "overdose: carbon monoxide|monoxido|monoxyde|kohlenmonoxid",
    "overdose: toddler|child|kid|baby|son|daughter|year old + ate|swallow|took|got into + pill|tablet|meds|medicine|capsul",
    "overdose: heroin|fentanyl|opiat|opioid|methadone|oxy + too much|not respond|unrespons|not breath|blue|not wake",
    "overdose: pill|tablet|meds + alcohol|vodka|drunk|drinking",
    "suicide: suicid|suizid|selbstmord|kill myself|killing myself|kill herself|kill himself|kill themselves|kms|"
    "end my life|ending my life|end his life|end her life|end it all|take my own life|take my life|better off dead|"
    "better off without me|want to die|wanna die|wants to die|wish i was dead|wish i were dead|no reason to live|"
    "not want to live|not worth living|never wake up|goodbye letter|goodbye note|hang myself|jump off|"
    "burden to everyone|want to disappear|no point in living|no point in going on|can not go on|"
    "can not do this anymore|harming myself|cutting myself|"
    "cut my wrist|slit my wrist|self harm|selfharm|want to end it|going to end it|gonna end it|"
    "no quiero vivir|no quiero seguir viviendo|quiero morir|quitarme la vida|matarme|veux mourir|me tuer|"
    "envie de mourir|en finir|nicht mehr leben|will sterben|mich umbringen|umbringen|quero morrer|nao quero mais viver|"
    "nao quero viver|me matar|tirar minha vida|acabar com tudo|quiero desaparecer|pills ready|ending everything|"
    "end everything|nobody would miss me|no one would miss me|nobody would care if i|if i was gone|if i were gone|"
    "better off if i|tired of living|stockpil|saving up my pills|take them all|point in living|point of living|point to living|reason to go on|want it all to stop|want everything to stop|make it all stop|feel like i am dying|"
    "feel like im dying|done with life|no way out|ganas de morir|las venas|cortarme|going to jump|"
    "gonna jump|jump in front|ne plus vivre|no vale la pena vivir",
    "suicide: bridge|ledge|roof + standing|jump|end|anymore",
    "suicide: want|wanna|thought|thinking|urge|going to|gonna|feel like|plan|keep|on purpose|again|deep + hurt myself|"
    "hurting myself|harm myself|cut myself|cut my arm|cut my arms|hurt herself|hurt himself",
    "seizure: unconscious|unresponsive|collaps|pass out|passed out|passing out|blacked out|fainted|not respond|"
    "not responding|not answering|will not answer|not answer|not moving|bewusstlos|ohnmacht|inconscien|desmai|desmay|evanoui|sin respuesta|"
    "no responde|no reacciona|reagiert nicht|nao responde|nao acorda|nao reage|knocked out|floppy|limp",
    "seizure: not wake|can not wake|will not wake|not waking|hard to wake|difficult to wake|can not rouse|unrousable|"
    "not woken|wake him|wake her|no despierta|se reveille pas|wacht nicht",
    "seizure: seiz|convuls|fitting|having a fit|tonic clonic|krampf|crise d epilepsie|epilep|convulsion + having|now|"
    "not stop|minute|min|mins|still|started|again|first|second|hour|just|>=3|arret|hort|para|since|after|had a|has a",
    "seizure: had a fit|first seizure|first fit|first ever seizure|krampfanfall|anfall|convulsao|convulsiones|convulsion|crise convulsive|convulsing|convulsionando|convulsiona|krampft|fait une crise|having a seizure|having a fit|is seizing|"
    "seizing|shaking all over|eyes rolled",
    "head_spine: head|cabeza|tete|kopf|cabeca + hit|bang|banged|injur|trauma|fell|fall|knock|golpe|golpeo|cogne|"
    "gefallen|schlag|bateu + vomit|throw|confus|drowsy|sleepy|unconscious|seiz|pass out|passed out|blacked out|"
    "blood thinner|warfarin|pupil|fluid|slur|worse|being sick|vomitando|verwirrt|erbrech|vomi|confuso|sonolent",
    "head_spine: can not feel|can not move|numb|tingl|paraly + leg|legs|arm|arms|feet|foot + neck|back|spine|fall|fell|"
    "crash|accident|dove|dive|diving|roof|ladder",
    "head_spine: bladder|bowel|peed myself|wet myself|saddle + back|numb|can not feel|can not control",
    "head_spine: pupil + different|unequal",
    "head_spine: broke my neck|broken neck|broke my back|broken back|broke his neck|broke her neck",
    "head_spine: hit by a car|run over|knocked down by|hit by a bus|hit by a truck|atropell|renverse par|angefahren|atropelad",
    "head_spine: bleeding from|blood from|fluid from|blood coming out of + ear|ears|nose",
    "head_spine: concussion + worse|vomit|seiz|confus",
    "head_spine: accident|crash|fell|fall|fallen + not making sense|confus|vomit|drowsy|sleepy|can not move",
    "obstetric: pregnan|embaraz|enceinte|schwanger|gravid|preggo + bleed|sangr|saign|blut|sangue|blood|seiz|fit|"
    "headache|flash|vision|contraction|waters|severe|really bad|sharp|not moving|fluid|faint|blutung",
    "obstetric: weeks|wks + headache|flash|vision|bleed|contraction + flash|vision|swell|swollen|blur|bleed|every",
    "obstetric: not felt|stopped moving|not moving|no movement|less movement|reduced movement|not kicked + baby|weeks",
    "obstetric: waters|water broke|waters broke + green|brown|blood|smell|meconium",
    "obstetric: cord + see|prolap|coming out|hanging",
    "obstetric: gave birth|had my baby|postpartum|post partum|after birth|delivered|after delivery + bleed|clots|"
    "breath|chest|swollen|fever|headache",
    "obstetric: baby is coming|baby coming|in labour|in labor + now|car|home|early",
    "paediatric: newborn|week old|weeks old|1 month|2 month|3 month|one month|two month|2 months|3 months|1 mois|"
    "2 mois|3 mois|1 mes|2 meses|3 meses|monate alt|wochen alt|semanas + fever|temp|fiebre|fievre|febre|fieber|>=38",
    "paediatric: baby|infant|newborn|bebe|toddler|child|kid|son|daughter|nourrisson|hijo|hija|filho|filha|kind|sohn|"
    "tochter|saugling|year old + floppy|limp|letharg|unrespons|not respond|hard to wake|not waking|will not wake|"
    "will not feed|not feeding|no wet|high pitch|bulging|grunt|schlapp|mole|no reacciona|green vomit|bile|bilious|"
    "not fade|seeing things|hallucin",
    "paediatric: baby|infant|bebe|toddler|nourrisson|saugling|newborn|child|son|daughter|kid|hijo|kind|month|months + >=39 + fever|"
    "temp|grad|fiebre|fievre|febre|fieber",
    "paediatric: baby|infant|newborn|bebe|nourrisson|saugling + week|weeks|semana|semaine|woche + >=38|fever|hot|"
    "temp|fiebre|fievre|febre|fieber",
    "paediatric: baby|infant|newborn|month old|months old|week old|weeks old + breath + weird|funny|strange|fast|"
    "noisy|pale|struggl|grunt",
    "paediatric: rash|spots|manchas|taches|flecken|petechi + purple|violet|roxa|morad|not fade|glass|blanch|pressed|lila",
    "sepsis: stiff|rigid|steif|raide|rigidez + neck|nacken|cuello|nuque|pescoco|nuchal",
    "sepsis: fever|temp|fiebre|fieber|fievre|febre|burning up|chills|shiver|rigor + confus|mottled|racing|not peed|"
    "faint|breathing fast|breathing really fast|can not think|dying|spreading|purple|>=40|chemo|neutropen|surgery|"
    "violet|roxa|taches|manchas|flecken|uncontrol|not fade",
    "sepsis: sepsis|septic|sepsi|meningit|meningococ|septicemi",
    "abdominal: stomach|belly|abdom|tummy|barriga|ventre|bauch|vientre|abdomen + severe|worst|agony|unbearable|excruciat|"
    "10 10|hard as|rigid|can not walk|can not stand|passed out|tearing|burst|insupportable|muy fuerte|muito forte|"
    "stark|starke|kann nicht|swollen|bent over|curled|so bad|punch|really bad",
    "abdominal: lower right|right side|right lower|lado derecho + pain|hurt|dolor + fever|walk|vomit|severe|worse|fiebre",
    "abdominal: appendix + burst|rupture",
    "abdominal: not pooped|not farted|no bowel|can not poop|not passed wind + vomit|swollen|pain",
    "abdominal: can not keep water|can not keep fluids|can not keep anything down|can not keep down|poop smelling vomit",
    "abdominal: yellow eyes|jaundice|yellow skin + fever + pain",
    "eye: eye|eyes|ojo|oeil|auge|olho|vision|sight + bleach|chemical|acid|alkali|cleaner|splash|metal|glass|stabbed|stick|"
    "punched|lost|losing|blind|curtain|shadow|halo|double|can not see|sudden|suddenly|no veo|perdu|sehe nichts|"
    "nichts mehr|white spot|severe|burning",
    "eye: curtain|shadow + vision|eye|sight",
    "eye: eye|eyes|vision + pain|painful + blur|headache|vomit|halo",
    "eye: flashes|flash + floaters|floater|vision",
    "eye: lost vision|loss of vision|vision loss|lost my sight|went blind|gone blind|blindness|can not see out of",
    "testicular: testic|testis|testes|scrot|hoden|testicul|balls|ball pain|my ball|my nuts|privates|groin + sudden|"
    "severe|swollen|swell|agonis|terrible|twist|vomit|sick|nause|higher|purple|can not walk|hurts like|extreme|fuerte|"
    "starke|stark|brutal|subita|plotzlich|so bad|repentin",
    "testicular: torsion",
    "burns: burn|burnt|burned|scald|quem|brul|verbrann|verbruh + boiling|oil|acid|chemical|electric|fire|whole|large|"
    "big|face|blister|white|charred|black|chest|severe|badly|peeling|skin off|schwer|grave|toda|todo|hirviendo|quente|bigger|inhal|smoke|"
    "breath|hoarse|drain",
    "burns: live wire|electric fence|power line|into a socket|electrocu|electric shock|struck by lightning|lightning strike|stromschlag|electrocu",
    "burns: smoke|fire + inhal|cough|hoarse|soot|breath",
    "burns: boiling|hot oil|hot water|kettle|chemical + splash|spill|pulled|poured + face|chest|arm|leg|hand|body|"
    "blister|skin|himself|herself|myself|eye",
    "glycaemia: sugar|glucose|bs|bg|glycemi|glucemi|zucker|acucar|azucar|glycaemi + <=3.5|20-70|>=300|hi",
    "glycaemia: hypo|hypoglyc|unterzucker|hipoglucemia|low blood sugar|low sugar|muito baixo|azucar bajo + confus|"
    "unconscious|passing out|pass out|can not swallow|not respond|fit|seiz|reagiert nicht|desmai|shaking|sweaty|"
    "not making sense",
    "glycaemia: sugar|sugars|glucose|bs + low + shak|confus|sweat|faint|drowsy",
    "glycaemia: diabet + confus|not making sense|unconscious|fruity|drowsy|sweaty|desmai|ketone",
    "glycaemia: dka|ketoacidosis|diabetic coma|hyperosmolar",
    "glycaemia: ketones + high|vomit|>=1.5",
]

# Figures of speech removed before matching ("this heat is killing me", "gave me a heart attack lol").
RED_FLAG_EXCEPTIONS: list[str] = [
    "giving me a heart attack", "give me a heart attack", "gave me a heart attack", "killing me", "killed it",
    "dying to", "to die for", "die laughing", "dead lol", "my legs are dead",
]

# Short disclaimer shown under every answer after the first one in a session.
DISCLAIMER_SHORT = "Not medical advice: ask a doctor, nurse or pharmacist about your own care."

# Phrases that count as a safety notice in a model's answer; answers without one get the disclaimer.
NOTICE_MARKERS: list[str] = [
    "not medical advice|not professional medical advice|not a substitute|not a replacement|no substitute",
    "educational|informational + purpose|only",
    "consult|seek advice|speak to|speak with|talk to + doctor|physician|clinician|pharmacist|"
    "healthcare|health care|medical professional",
    "seek + medical attention|medical help|medical care|emergency care|immediate care",
]


@dataclass
class ModelConfig:
    name: str = "embedded"  # 'embedded', a hub id, a local HF folder, or a .gguf file
    backend: str = "auto"  # auto | unsloth | hf
    load_in_4bit: bool = False  # nf4 4-bit: Unsloth on CUDA, else bitsandbytes (CUDA or CPU)
    max_seq_length: int = 1024
    dtype: str = "auto"  # auto | float32 | float16 | bfloat16
    base_dir: str = "models/base"  # converted GGUF checkpoints are cached here


@dataclass
class DataConfig:
    medqa: str = "data/sample/medqa.jsonl"  # hub dataset id or local file; '' to leave out
    medmcqa: str = "data/sample/medmcqa.jsonl"
    medqa_split: str = "train"  # hub split to read
    medmcqa_split: str = "train"
    medmcqa_subset: int = 0  # rows of MedMCQA to keep after shuffling (0 = all)
    val_ratio: float = 0.1
    min_question_words: int = 10
    system_prompt: str = SYSTEM_PROMPT
    include_explanation: bool = True
    output_dir: str = "data/processed"
    exclude: str = ""  # a file whose questions must appear in neither split
    max_samples: int = 0  # cap on rows per source (0 = no cap)
    seed: int = 42
    dedupe: bool = True  # drop exact duplicates (normalised question + options)
    cache_dir: str = ""  # datasets cache for loaded files and hub downloads ('' = datasets' default)


@dataclass
class LoraConfig:
    r: int = 16
    alpha: int = 8
    dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj"])


@dataclass
class SFTConfig:
    output_dir: str = "models/sft"
    train_file: str = "data/processed/train.jsonl"
    validation_file: str = "data/processed/validation.jsonl"
    epochs: float = 5.0
    max_steps: int = -1  # > 0 overrides epochs
    max_samples: int = 0  # cap on training rows (0 = all)
    batch_size: int = 1
    grad_accum: int = 8
    learning_rate: float = 3e-6
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    optim: str = "adamw_torch"
    max_grad_norm: float = 1.0
    gradient_checkpointing: bool = True
    max_length: int = 1024
    logging_steps: int = 10
    eval_steps: int = 100
    save_steps: int = 200
    save_total_limit: int = 2
    seed: int = 42
    wandb: str = "offline"  # offline | online | disabled
    run_name: str = ""  # logs/<run_name>/; default 'sft'
    logs_dir: str = "logs"
    eval_batch_size: int = 0  # 0 = batch_size
    eval_max_samples: int = 0  # cap on validation rows (0 = all)
    group_by_length: bool = True  # batch similar lengths together: less padding
    torch_threads: int = 0  # CPU threads for torch (0 = torch's default, one per core)
    permute_options: int = 0  # extra copies of each training question with its options shuffled (0 = off)


@dataclass
class PPOConfig:
    output_dir: str = "models/ppo"
    sft_adapter: str = "models/sft"
    train_file: str = "data/processed/train.jsonl"
    source: str = "medqa"  # which training rows PPO samples questions from ('' = all)
    num_examples: int = 500  # questions PPO samples from (0 = all rows of `source`)
    epochs: float = 2.0
    max_steps: int = -1  # > 0: number of rollout batches, overrides epochs
    max_samples: int = 0  # alias cap on num_examples (0 = no cap)
    batch_size: int = 2  # questions per rollout batch
    samples_per_question: int = 1  # answers sampled per question (rloo needs 2 or more)
    mini_batch_size: int = 2  # answers per optimizer step
    micro_batch_size: int = 1  # answers per forward/backward (gradients accumulated over the minibatch)
    gradient_checkpointing: bool = True  # recompute each layer in the backward (train mode; rollouts keep the KV cache)
    ppo_epochs: int = 4  # optimisation passes over each rollout batch
    advantage: str = "gae"  # gae (value baseline) | rloo (group baseline over samples_per_question answers)
    learning_rate: float = 5e-7
    value_learning_rate: float = 1e-4  # the value head's own AdamW learning rate (it starts from zero; its loss
    # trains only the head, so this, not a loss weight, sets how fast the value baseline learns)
    clip_eps: float = 0.2
    value_clip_eps: float = 0.2
    kl_coef: float = 0.05
    gamma: float = 1.0
    lam: float = 1.0  # with gamma 1: the answer's reward reaches every token undiscounted (lam 0.95 over 128 tokens left the letter's advantage to value noise)
    whiten_advantages: bool = True
    max_grad_norm: float = 1.0
    max_new_tokens: int = 48
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    reward_correct: float = 1.0
    reward_wrong: float = 0.1
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int = 2  # checkpoints kept under <output_dir>/checkpoints
    torch_threads: int = 0  # CPU threads for torch (0 = torch's default, one per core)
    seed: int = 42
    wandb: str = "offline"
    run_name: str = ""
    logs_dir: str = "logs"


@dataclass
class EvalConfig:
    data: str = "data/processed/validation.jsonl"
    mode: str = "both"  # loglik | generate | both
    max_samples: int = 0
    max_new_tokens: int = 96
    batch_size: int = 8
    output_dir: str = "logs/eval"
    seed: int = 42
    adapter: str = ""  # a LoRA adapter folder to load on top of model.name ('' = the base model alone)
    system_prompt: str = ""  # '' = each record's own system turn (else config.SYSTEM_PROMPT)
    n_ctx: int = 2048  # llama.cpp context when the model is a .gguf file
    plots: bool = True  # also write confusion-matrix / accuracy PNGs next to the JSON
    # what --compare evaluates beside the base model; a missing one is skipped with a note
    sft_adapter: str = "models/sft"
    ppo_adapter: str = "models/ppo"
    gguf: str = "models/medllm_finetuning.gguf"


# The export's faithfulness gate: per quant type, the lowest share of validation questions on which the GGUF's
# log-likelihood answer letter equals the merged model's, and the highest mean KL(merged || GGUF) of the
# next-token distribution at the answer position (nats). No threshold lets through a GGUF that changes more than
# 10% of the answers. Set from bench/bench_export.py (bench/RESULTS.md): SmolLM2-135M, 100 real MedQA questions.
# Measured (2026-12-02): F16 100% / KL 0.0000; Q8_0 92% / KL 0.0027 (max 0.0115). F16 allows only float
# rounding; the quantized types share the 90% floor, with KL limits a few times the measured mean.
FAITHFULNESS_GATE = {
    "F16": {"min_loglik_agreement": 0.98, "max_kl": 0.002},
    "Q8_0": {"min_loglik_agreement": 0.90, "max_kl": 0.01},
    "Q5_K_M": {"min_loglik_agreement": 0.90, "max_kl": 0.05},
    "Q4_K_M": {"min_loglik_agreement": 0.90, "max_kl": 0.10},
}


@dataclass
class ExportConfig:
    output: str = "models/medllm_finetuning.gguf"
    adapter: str = ""  # '' = models/ppo if present, else models/sft
    quant: str = "Q4_K_M"  # Q4_K_M | Q5_K_M | Q8_0 | F16
    faithfulness_questions: int = 0  # validation questions the GGUF is checked on (0 = all of them)
    faithfulness_generate: int = 20  # of those, how many are also compared by greedy generation (the slow part)
    faithfulness_max_tokens: int = 32  # greedy tokens per answer in the faithfulness check
    faithfulness_gate: dict = field(default_factory=lambda: {k: dict(v) for k, v in FAITHFULNESS_GATE.items()})
    validation_file: str = "data/processed/validation.jsonl"  # else questions from data.medqa / data.medmcqa
    merge_base: str = ""  # 16-bit base to merge into ('' = model.name); for a pre-quantized 4-bit base
    converter_dir: str = ".venv/convert-hf-to-gguf"  # llama.cpp's converter (make setup); relative to the repo
    log_file: str = "logs/export.log"


@dataclass
class ChatConfig:
    model: str = "models/medllm_finetuning.gguf"
    n_gpu_layers: int = 0
    n_ctx: int = 2048
    n_batch: int = 512
    threads: int = 0  # 0 = let llama.cpp choose
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 256
    seed: int = -1
    system_prompt: str = SYSTEM_PROMPT
    disclaimer: str = DISCLAIMER
    disclaimer_short: str = DISCLAIMER_SHORT  # under every answer after a session's first
    emergency_notice: str = EMERGENCY_NOTICE
    red_flags: list[str] = field(default_factory=lambda: list(RED_FLAGS))  # safety.py pattern language
    notice_markers: list[str] = field(default_factory=lambda: list(NOTICE_MARKERS))
    red_flag_exceptions: list[str] = field(default_factory=lambda: list(RED_FLAG_EXCEPTIONS))
    sessions_dir: str = "logs/sessions"


@dataclass
class Config:
    preset: str = "tiny"
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    ppo: PPOConfig = field(default_factory=PPOConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    chat: ChatConfig = field(default_factory=ChatConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


SECTIONS = ("model", "data", "lora", "sft", "ppo", "eval", "export", "chat")


def paper() -> Config:
    """The report's settings: Llama-3.1-8B-Instruct 4-bit, real datasets, one 8 GB GPU."""
    cfg = Config(preset="paper")
    cfg.model = ModelConfig(
        name="unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit",
        backend="auto",
        load_in_4bit=True,
        max_seq_length=2048,
    )
    cfg.data = DataConfig(
        medqa="GBaker/MedQA-USMLE-4-options",
        medmcqa="openlifescienceai/medmcqa",
        medmcqa_subset=50_000,
        val_ratio=0.05,
        min_question_words=10,
    )
    cfg.lora = LoraConfig(r=16, alpha=8, dropout=0.0, target_modules=["q_proj", "k_proj"])
    cfg.sft = SFTConfig(
        epochs=5.0,
        batch_size=1,
        grad_accum=8,
        learning_rate=3e-6,
        lr_scheduler="cosine",
        optim="adamw_torch",
        gradient_checkpointing=True,
        max_length=2048,
        logging_steps=10,
        eval_steps=500,
        save_steps=500,
        # ~3,100 validation questions at batch 1 would cost minutes per evaluation on an 8 GB card.
        eval_max_samples=500,
        eval_batch_size=4,
    )
    cfg.ppo = PPOConfig(
        num_examples=500,
        epochs=2.0,
        batch_size=2,
        mini_batch_size=2,
        learning_rate=5e-7,
        clip_eps=0.2,
        reward_correct=1.0,
        reward_wrong=0.1,
        max_new_tokens=128,
        save_steps=100,
    )
    cfg.eval = EvalConfig(max_new_tokens=256, batch_size=4, n_ctx=4096)
    # 500 of the ~3,000 validation questions: a tight enough estimate (+-3 points) in minutes on the 8B model
    cfg.export = ExportConfig(quant="Q4_K_M", merge_base="unsloth/Meta-Llama-3.1-8B-Instruct", faithfulness_questions=500)
    cfg.chat = ChatConfig(n_gpu_layers=-1, n_ctx=4096)
    return cfg


def tiny() -> Config:
    """Embedded SmolLM2-135M-Instruct and the shipped sample: every stage in minutes on 2 CPU cores."""
    cfg = Config(preset="tiny")
    cfg.model = ModelConfig(name="embedded", backend="auto", load_in_4bit=False, max_seq_length=512)
    cfg.data = DataConfig(val_ratio=0.1)
    cfg.lora = LoraConfig(
        r=16,
        alpha=32,
        dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    )
    # 80 examples, one epoch: 20 steps of 4 at a high LoRA rate (5e-4). The answer format and the
    # explanation style are learnt within ten steps: validation loss 2.04 -> 1.45 in about 2 minutes
    # on 2 idle cores. fp32, no activation checkpointing: a 135M model fits easily.
    cfg.sft = SFTConfig(
        epochs=1.0,
        max_samples=80,
        batch_size=4,
        grad_accum=1,
        learning_rate=5e-4,
        lr_scheduler="cosine",
        warmup_ratio=0.1,
        gradient_checkpointing=False,
        max_length=512,
        logging_steps=2,
        eval_steps=10,
        save_steps=10,
        eval_batch_size=8,
    )
    cfg.ppo = PPOConfig(
        # 32 questions in 8 rollout batches of 4, 2 PPO epochs each, answers cut at 16 tokens (the
        # letter and the option text): about two minutes on 2 idle cores. It proves the loop runs; a
        # visible reward gain needs far more steps than a CPU demo can afford.
        num_examples=32,
        epochs=1.0,
        batch_size=4,
        mini_batch_size=4,
        ppo_epochs=2,
        learning_rate=2e-5,
        max_new_tokens=16,
        save_steps=4,
        gradient_checkpointing=False,  # a 135M model fits easily; recomputing would only cost time
    )
    cfg.eval = EvalConfig(max_new_tokens=48, batch_size=8)
    # F16: on this 135M model even Q8_0 changes 8% of the log-likelihood answer letters (its letter
    # probabilities are nearly tied), too close to the 90% floor for 25 validation questions; F16 agrees on
    # 100% (bench/bench_export.py, bench/RESULTS.md). 271 MB instead of 145 MB, still instant to chat with.
    cfg.export = ExportConfig(quant="F16")
    cfg.chat = ChatConfig(n_ctx=2048, max_tokens=160, temperature=0.2)
    return cfg


PRESETS = {"tiny": tiny, "paper": paper}
DEFAULT_PRESET = "tiny"


def get_preset(name: str) -> Config:
    """A fresh Config for a named preset; KeyError names the valid ones."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; choose one of: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]()
