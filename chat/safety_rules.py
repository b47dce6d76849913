"""The chat's red flags: what in a user's message puts the emergency notice before an answer.

Written for clinicians to read and extend. Each rule is "category: term + term + ...": every term must
occur in the message, in any order; "|" separates alternatives of a term; a word of 4+ letters is a stem
("breath" matches breathe, breathless); ">=N", "<=N", "N-M" match a number; a term does not count right
after "no", "without", "denies". `{name}` stands for the word list TERMS[name] below, so one list of, say,
severity words serves every rule. Messages are lower-cased and accents dropped before matching
("respiração" -> "respiracao"); common typos are tolerated. Exam questions, general "what is" questions,
hypotheticals and episodes long ago are filtered out in chat/safety.py (safety.intent) before these rules
are tried.

Most rules have the shape body part x symptom x severity / time / companion sign, or wish / intent x what,
so they hold for phrasings no one listed; a few are fixed phrases (the words people use for suicide, named
emergencies). Coverage is by kind of emergency, in the words of people without the medical name: poisoning
(household products, button batteries, antifreeze, plants, gas) and overdose (medicines, insulin, drugs),
blood sugar (a meter reading LO / HI), fits that do not stop, anaphylaxis, stroke, heart attack, sepsis,
bleeding, pregnancy and after birth, babies and children, suicide and self-harm, head injury, breathing.

No alternative is a sentence lifted from one message: bench/bench_safety.py single_message_phrases(), run by
tests/chat/test_safety.py, fails on any alternative of three words or more that occurs in exactly one message
of the labelled sets tuned on. Write the shape of what people say ("can not|unable + words|word"), not what
one person said.
"""
from __future__ import annotations

from chat.safety import expand

# Shared word lists (English, Spanish, French, German, Portuguese).
TERMS: dict[str, str] = {
    "chest": "chest|pecho|poitrine|thorax|thorac|brust|peito|breastbone|sternum",
    "pain": "pain|ache|hurt|pressure|tight|crush|squeez|heavy|discomfort|stabbing|dolor|duele|douleur|schmerz|"
            "weh|dor|doi|aperto|aprieta|druck|serre|oppress|pressao|presion|pression|mal|enge|engegefuhl|"
            "elephant|vice|band around|weight on|sitting on|killing",
    "severe": "severe|really bad|very bad|so bad|worst|agony|agonis|agoniz|excruciat|unbearable|terrible|"
              "horrible|awful|intense|violent|extreme|crushing|10 outoften|9 outoften|screaming|muy fuerte|fuerte|"
              "muito forte|forte|stark|starke|heftig|violente|insupportable|atroce|brutal|insoportable|"
              "insuportavel",
    "sudden": "sudden|suddenly|all of a sudden|out of nowhere|came on|de repente|repentin|"
              "soudain|brusquement|plotzlich|subita|subito",
    "breathless": "breathless|short of breath|shortness of breath|out of breath|can not breath|catch my breath|"
                  "catch his breath|catch her breath|get my breath|struggl|difficulty breath|"
                  "gasping|winded|falta de aire|essouffl|kurzatmig|atemnot|luftnot|falta de ar",
    "collapse": "collaps|passed out|pass out|passing out|fainted|blacked out|unconscious|unresponsive|"
                "not responding|will not wake|can not wake|blacking out|blacks out|desmay|desmai|evanoui|"
                "bewusstlos|ohnmacht|inconscien",
    "altered": "confus|drowsy|sleepy|not making sense|talking rubbish|talking nonsense|mumbl|slurr|disorient|"
               "out of it|not himself|not herself|delirious|hallucin|verwirrt|confuso|confundid",
    "blue": "blue|grey|gray|purple|ashen|azul|morado|bleu|blau|roxo|roxa",
    "child": "baby|babies|infant|newborn|toddler|child|kid|son|daughter|boy|girl|bebe|nourrisson|enfant|hijo|"
             "hija|nino|nina|filho|filha|crianca|kind|sohn|tochter|saugling|little one",
    "took": "took|taken|take|taking|swallow|ate|eaten|drank|downed|necked|popped|tome|tomo|tomado|avale|pris|"
            "genommen|geschluckt|tomei|tomou|engoli",
    "meds": "pill|tablet|tabs|capsul|meds|medication|medicine|paracetamol|acetaminophen|tylenol|ibuprofen|"
            "aspirin|codeine|codamol|tramadol|morphine|oxy|fentanyl|diazepam|valium|xanax|benzo|sleeping|"
            "antidepress|sertraline|citalopram|fluoxetine|amitriptyline|lithium|propranolol|insulin|metformin|"
            "warfarin|digoxin|methotrexate|iron|pastilla|comprim|pilul|cachet|gelule|tablett|schlaftablett|"
            "remedio|medicament|medikament|somnif|schlaftabl|sonifero|calmant|tranquil",
    "too_much": "too many|too much|handful|bunch of|load of|loads of|lots of|all my|all her|all his|all their|"
                "all the|all of my|all of them|"
                "all of her|all of his|the lot|boxes of|packets of|bottles of|strips of|a bottle of|s worth|days worth|"
                "weeks worth|"
                "at once|double dose|un monton|une plaquette|frasco|varios|varias|plusieurs|mehrere|muchas|muchos|"
                "beaucoup de|viele|muitas|demasiad|trop de|zu viele|muitos",
    # a whole container: "the whole bottle", "toute ma boite", "toda la caja", "die ganze Packung"
    "whole": "whole|entire|all|half|toute|tout|toda|todo|todas|ganze|ganzen|inteira|inteiro|entera|entero|une",
    "container": "bottle|pack|packet|box|strip|blister|tub|tube|boite|plaquette|flacon|caja|frasco|blister|"
                 "caixa|cartela|vidro|packung|schachtel|flasche",
    "poison": "bleach|antifreeze|washing tablet|washing capsul|washing powder|washing liquid|dishwasher tablet|laundry|"
              "liquitab|"
              "batter|magnet|detergent|pod|pods|dishwasher|washing up|"
              "fabric softener|cleaner|cleaning|disinfectant|chemical|drain|pesticide|rat poison|weed killer|"
              "slug pellet|fertilis|fertiliz|white spirit|turps|turpentine|paint thinner|lamp oil|paraffin|"
              "kerosene|petrol|gasoline|lighter fluid|nail polish|nail varnish|acetone|e liquid|vape juice|vape liquid|"
              "nicotine|essential oil|hand sanitiser|hand sanitizer|poison|lye|lejia|javel|bleich|lavandina|"
              "water bead|toadstool|wild mushroom|weedkiller|roundup|paraquat|frostschutz|anticongelante|antigel|"
              "refrigerante|lessive|"
              "waschmittel|detergente|sabao|limpiador|nettoyant|reiniger|agua sanitaria|candida|pila|pilas|pilha|"
              "pilhas|une pile|bateria|batterie|knopfzelle|iman|aimant|ima|rattengift|mort aux rats|raticida|"
              "veneno|gift|insecticid|insektizid|herbicid|glyphosat|iron tablet|iron pill|iron supplement",
    "swallowed": "swallow|drank|drink|ate|eaten|got into|licked|chew|bit into|bitten into|sucking on|sucked|"
                 "ingest|bebio|bebeu|trank|getrunken|bu|avale|bois|"
                 "tomou|tomo|geschluckt|verschluckt|trag|engoli|comio|comeu|mange|gegessen",
    "bleed": "bleed|blood|bloody|sangr|saign|sang|blut|sangue|hemorr|haemorr",
    "heavy_bleed": "heavy|heavily|really bad|badly|a lot|lots|loads|tons|masses|enormement|muchisima|viel blut|"
                   "profuse|spurt|squirt|gush|pumping|pour|soak|will not stop|not stop|"
                   "can not stop|uncontrol|everywhere|so much|clots|pints|litre|mucha sangre|sangra mucho|"
                   "sangrando mucho|sangro mucho|no para|a chorros|jorr|"
                   "beaucoup|arrete pas|jaillit|stark|starke|hort nicht auf|spritzt|muito|nao para",
    "head": "head|skull|cabeza|tete|kopf|cabeca",
    "head_injury": "hit|bang|banged|bump|bumped|knock|injur|trauma|fell|fall|fallen|smack|whack|struck|"
                   "rolled off|dropped|hard floor|"
                   "concuss|golpe|golpeo|cogne|gefallen|schlag|bateu|caiu|cayo|tombe",
    "head_danger": "vomit|throw|being sick|confus|drowsy|sleepy|unconscious|knocked out|seiz|fitting|pass out|"
                   "passed out|blacked out|blood thinner|thinners|warfarin|apixaban|rivaroxaban|anticoag|pupil|"
                   "fluid|slur|worse|same question|can not remember|not remember|forgetting|forget|memory|"
                   "been sick|was sick|"
                   "sick again|sick twice|"
                   "massive headache|"
                   "severe headache|terrible headache|awful headache|ear|nose|floppy|double vision|"
                   "vomitando|verwirrt|erbrech|vomi|confuso|sonolent",
    "accident": "crash|accident|fell|fall|fallen|dive|dived|dove|diving|shallow|tackle|thrown|landed|trampoline|"
                "ladder|roof|"
                "horse|motorbike|motorcycle|collision|whiplash|hit by",
    "belly": "stomach|belly|abdom|tummy|barriga|ventre|bauch|vientre|abdomen",
    "eye": "eye|eyes|ojo|oeil|yeux|auge|augen|olho|vision|sight",
    "testis": "testic|testis|testes|scrot|hoden|testicul|ball|balls|my nuts|his nuts|privates|groin",
    "pregnant": "pregnan|embaraz|enceinte|schwanger|gravid|preggo",
    "postpartum": "accouchement|parto|geburt|entbindung|gave birth|given birth|giving birth|"
                  "just delivered|after delivery|after birth|after the birth|since the birth|postpartum|"
                  "post partum|postnatal|post natal|after labour|after labor|c section|caesarean|cesarean",
    "fever": "fever|temp|temperature|fiebre|fieber|fievre|febre|burning up|chills|shiver|rigor|hot to touch",
    "heat": "heat|heatwave|sun|beach|sunbath|hot day|hot car|festival|sauna|marathon|overheat|hot weather|desert",
    "cold": "ice cold|freezing|frozen|hypotherm|cold water|icy|snow|through the ice|outside all night",
    "water": "pool|lake|sea|river|bath|bathtub|pond|canal|underwater|under water",
    "diabetic": "diabet|typeone|typetwo|insulin|hypo|sugar|sugars|glucose",
}

RULES: list[str] = [
    # ---- cardiac: chest pain with a companion sign, time or severity; collapse; very fast pulse
    "cardiac: {chest} + {pain} + breath|winded|sweat|clammy|arm|jaw|back|neck|shoulder|faint|dizz|nause|sick|"
    "vomit|"
    "throw|{blue}|pale|minute|min|mins|hour|hours|{severe}|respir|sudor|sudando|sueur|transpir|schwitz|atem|luft|"
    "bras|brazo|braco|minutos|minuten|irradi|spread|radiat|going down|elephant|vice|gtn|spray|nitro|not going|"
    "not go away|will not go|not ease|not easing|not settl|getting worse|constant|racing|pounding|bad|badly|"
    "walk|steps|stairs|sit down|had to stop|die|dying|doom|heure|stunde|hora|horas|blass|palido|palida|"
    "formig|hormigue|"
    "fourmill|kribbel",
    "cardiac: brustschmerz|thoraxschmerz|clutch chest",
    "cardiac: clutch|clutched|clutching|grabbing|grabbed + chest",
    "cardiac: duele|dolor|aprieta + pecho",
    "cardiac: mal|douleur|serre + poitrine|thorac",
    "cardiac: weh|tut|schmerz + brust",
    "cardiac: doi|dor|aperto + peito",
    "cardiac: grey|gray|pale|ashen + sweat|clammy",
    "cardiac: jaw|left arm|left shoulder|arms|shoulder + pain|ache|aching|heavy|tight|numb + sweat|clammy|breath|"
    "nause|sick|faint|grey|gray|pale|indigestion",
    "cardiac: indigestion|heartburn + grey|gray|sweat|clammy|arm|jaw|shoulder|breath|faint",
    "cardiac: heart attack|cardiac arrest|no pulse|heart stopped|infarto|crise cardiaque|herzinfarkt|"
    "ataque cardiaco|attaque cardiaque|herzstillstand|arret cardiaque",
    "cardiac: heart|pulse|puls|coeur|corazon|coracao + >=150",
    "cardiac: heart|pulse|puls|coeur|corazon|coracao + <=40 + faint|dizz|blacking|black out|blacked out|collaps|"
    "breath|chest",
    "cardiac: heart|pulse|palpitat + racing|pounding|fluttering|palpitat|skipping|beating fast|irregular|fast|"
    "crazy + faint|dizz|pass out|collaps|{chest}|breath|blacked out|vision|going dark|went dark|black",
    "cardiac: cpr|chest compressions|defib + doing|giving|started|someone|is|are|help",
    "cardiac: collaps|dropped|fell|found + not breathing|no pulse|is not breathing|unresponsive|not respond",
    # ---- vascular: aortic dissection (tearing pain), pulmonary embolism (breathless with a clot risk)
    "vascular: tearing|ripping|ripped|like something tore|something tore + pain|{chest}|back|shoulder|belly|abdom",
    "vascular: {breathless}|breath + long flight|flight home|flight back|plane|flew|long haul|surgery|operation|"
    "c section|caesarean|gave birth|"
    "postpartum|calf|swollen leg|leg swollen|dvt|clot|plaster cast|blood",
    "vascular: {breathless}|breath + leg|calf + swollen|swelling|swell|red|hot|hurts|painful",
    "vascular: calf|leg + swollen|swelling|ache|pain|sore + flight|flew|surgery|operation|pill|pregnan|c section|"
    "cast + chest|breath|cough",
    "vascular: pain|stab|sharp + breathe in|breathing in|deep breath|when i breathe + breathless|short of breath|"
    "heart pound|heart racing|pounding|racing|cough|blood|sudden|calf|leg",
    # ---- stroke / TIA: face, arm, speech, one side, sudden neurological loss, thunderclap headache
    "stroke: face|facial|mouth|smile|cara|boca|visage|bouche|gesicht|mund|rosto|mundwinkel + droop|dropped|uneven|"
    "lopsided|crooked|torc|torta|tordu|deform|schief|hang|paral|travers|fallen",
    "stroke: fala enrolada|habla arrastrada|verwaschen|parle bizarrement|arrastra las palabras|hablo raro|"
    "habla raro|fala estranho|fala enrolado|parle mal|habla mal|fala mal|spricht komisch|spricht undeutlich",
    "stroke: slur|garbl|gibberish|jumbl|muddl|nonsense|wrong words|lallt + speech|speak|talk|word|habla|parl|"
    "sprech|fala|saying|coming out",
    "stroke: can not speak|can not talk|not making sense|not make sense|plus parler|redet wirr|spricht wirr",
    # words that will not come: "can't find his words", "keeps losing words", "can't get my words out"
    "stroke: can not|could not|unable|struggling|trouble|losing|lost|keep losing + words|word",
    "stroke: can not|could not|does not|do not + understand + {sudden}|confus|slur|gibberish|droop|weak|one side|"
    "face|arm",
    # "no puede hablar", "du mal a parler", "kann kaum sprechen", "nao consegue falar"
    "stroke: puede|puedo|cuesta|dificultad|mal a|arrive|peut|peux|kann|kaum|consegue|consigo|dificuldade|"
    "nicht mehr + hablar|parler|sprechen|falar",
    "stroke: stroke|avc|ictus|derrame|schlaganfall|apoplex + having|think|sign|symptom|now|sudden|just|mini|creo|"
    "pense|glaube|acho|fait|esta|teniendo|hat|tendo",
    "stroke: {sudden} + weak|numb|paraly|confus|vision|blind|see|speak|speech|talk|walk|balance|headache|dizz|"
    "double|"
    "lost|word|words|drag|drool|droop|slur|clumsy|understand|floppy|sight|parl|faible|engourdi|hablar|debil|"
    "entumec|sprechen|schwach|taub|falar|fraco|dormente",
    "stroke: one side|left side|right side|half my|half of my|half his|half her|half of his|half of her|"
    "down one side|un lado|un cote|einer seite|um lado + numb|weak|paraly|droop|feel|floppy|move|heavy|dead|tingl|"
    "not working|useless",
    "stroke: worst|thunderclap + headache|headach|head",
    "stroke: can not lift|can not raise|can not move|dragging + right arm|left arm|right leg|left leg|his arm|"
    "her arm|his leg|her leg|my arm|my leg",
    "stroke: arm|leg|hand + weak|heavy|numb|dead|clumsy + face|speech|slur|talk|words|droop|sudden|suddenly|"
    "one side",
    "stroke: dropping|keeps dropping|dropped his|dropped her + droop|slur|speech|words|talk|nonsense|face|mouth",
    # an arm or leg that will not move or feel, in other languages: "ne peut plus lever le bras"
    "stroke: no siento|nao sinto|ne sens|spure nicht|puede|puedo|peut|peux|kann|consegue|consigo + mover|bouger|"
    "bewegen|mexer|lever|levantar|heben|sentir + brazo|pierna|braco|perna|bras|jambe|arm|bein|cara|visage|rosto|"
    "lado|cote|mano|main|hand|mao",
    "stroke: no siento|nao sinto|ne sens plus|spure nicht + brazo|pierna|braco|perna|bras|jambe|arm|bein|cara|"
    "visage|rosto|lado|cote",
    "stroke: cabeza|tete|cabeca|kopfschmerz + dolor|mal|dor|kopfschmerz + peor|pire|schlimmst|pior|repentin|"
    "brutal|plotzlich|subit|terrible",
    "stroke: paralys|paralyz|gelahmt|paralis|lahm",
    "stroke: slurring|slurred + leaning|one side|drunk|face|arm|leg|weak|sudden|confus",
    # ---- breathing
    "breathing: can not breath|unable to breath|not breathing|stopped breathing|stop breathing|barely breathing|"
    "hardly breathing|can barely breathe|can hardly breathe|gasping|choking|air hunger|turned blue|turning blue|"
    "went blue|going blue|gone blue|ahog|atragantando|engasgando|etouff|keine luft|atemnot|kann nicht atmen|erstick|"
    "falta de ar|sufoc|respire mal|respira mal|no respira|nao respira|atmet nicht|atmet kaum|not breathe",
    "breathing: struggl|fighting|trouble|difficult|hard to|harder to|gasping + breath|for air",
    "breathing: can not|barely|hardly|not getting|struggl|fighting + get air|enough air|any air|air in",
    # "no puede respirar", "le cuesta respirar", "n'arrive plus a respirer", "nao consegue respirar direito"
    "breathing: puedo|puede|pueden|consigo|consegue|cuesta|custa|dificultad|dificuldade|peux|peut|arrive|"
    "du mal + respirar|respirer|respira|respire",
    "breathing: respire|respira|respirando|atmet + plus|presque|peine|casi|quase|kaum|nicht",
    "breathing: {breathless} + sentence|talk|speak|rest|sitting|still|lying|worse|faint|{blue}|can not|{severe}|"
    "{sudden}|confus|chest|lips",
    "breathing: wheez + badly|bad|severe|{blue}|not help|can not|really|puffy|so bad|few words|only say|"
    "one word|sentences",
    "breathing: inhaler|puffs|puffer|pump|nebul|ventolin|salbutamol + not help|not working|not work|no help|"
    "no better|fait rien|hace nada|hilft nicht|faz efeito|nao ajuda|no ayuda|done nothing|doing nothing|>=6",
    "breathing: rib|ribs|chest|neck + suck|sucking|retract|caving|pulling in",
    "breathing: grunting",
    "breathing: breath + tummy|belly|stomach + suck|sucking|pulling in|caving|sinking",
    "breathing: panting|puffing|heaving|huffing + breath|air",
    "breathing: can not|unable|struggl|too breathless + finish|complete|full + sentence|sentences",
    "breathing: one word|few words|two words + at a time|between breaths|breath",
    "breathing: asthma + hardly|can not talk|can not speak|not help|severe|really bad|{blue}|worst",
    "breathing: {blue} + lip|face|mouth|labio|levre|lippe|boca|rosto",
    "breathing: copd|asthma|emphysema + worse than usual|much worse|way worse|sleepy|drowsy|confus|{blue}",
    "breathing: breath + fast|rapid + faint|shallow|fever|grunt|floppy|{altered}",
    "breathing: froth|frothy + cough|breath|spit|pink",
    "breathing: breath + lying|lie flat|sit up|sitting up|sleep sitting|propped up",
    "breathing: oxygen|sats|saturat + 50-92",
    "breathing: stridor|whistling|high pitched + breath|noise|gasp|can not",
    # ---- choking
    "choking: chok|atragant|etouffe|verschluck|engasg + can not|not breathing|not cough|no noise|no sound|silent|"
    "not making|{blue}|red|stuck|help|grabbing|gagging|no puede|ne peut|kann nicht|nao consegue",
    "choking: stuck + throat + air|breath|cough|swallow|spit|saliva|drool",
    "choking: swallow|inhaled + coin|toy|marble|lego|bead + cough|chok|breath|wheez|{blue}|stuck",
    # ---- anaphylaxis
    "anaphylaxis: anaphyla|anafila",
    "anaphylaxis: epipen|epi pen|adrenaline pen|auto injector + used|had to use|gave|given|injected|jabbed|jab|"
    "after|"
    "twice|second|not work|not help",
    "anaphylaxis: throat|tongue|lip|lips|face|mouth|garganta|lengua|labio|cara|gorge|langue|levre|visage|zunge|"
    "lippe|hals|gesicht|rachen|lingua|rosto + swell|swollen|closing|close|tight|puff|hincha|cerrada|cierra|"
    "gonfl|schwill|schwell|geschwoll|inch|fechando|huge|thick|blown up|ballooned|massive",
    "anaphylaxis: hives|urticaria|welts|blotch + faint|dizz|breath|wheez|vomit|throat|swell",
    "anaphylaxis: tongue|lips|mouth|throat + tingl|itch|numb + faint|dizz|breath|swell|blotch|hives|rash",
    "anaphylaxis: allerg|alerg + severe|fuerte|strong|bad|swell|swollen|breath|throat|tongue|lip|faint|dizz|chest|"
    "hincha|schwill|zunge|gorge|garganta|shock|swallow|tingl|voice|hoarse|wheez",
    "anaphylaxis: sting|stung|wasp|bee|hornet|peanut|nut|nuts|cashew|shellfish|shrimp|prawn|crab|lobster|egg|"
    "sesame|dye|contrast|antibiotic|penicillin|latex|satay|piqur|picadur|abeja|avispa|wespe|biene|abelha|vespa|"
    "cacahu|amendoim|camarao|erdnuss|guepe|abeille + wheez|breath|faint|dizz|throat|gorge|garganta|"
    "voice|hoarse|swallow|collaps|tongue",
    # ---- bleeding
    "bleeding: nosebleed|nose bleed|{bleed} + {heavy_bleed}|faint|dizz|lightheaded|light headed|pass out|"
    "passing out|pads|really weak|so weak|very weak|clammy",
    "bleeding: vomit|throwing up|threw up|cough|spit|spat|being sick|bringing up|brought up|bring up|puking|puke|"
    "vomitando|vomis|crach|erbrech|erbroch|"
    "tosiendo + blood|sangre|sang|blut|sangue",
    "bleeding: tarry|black stool|black poop|black stools|melena|coffee ground",
    "bleeding: black|tar + poo|poop|stool|faeces|feces + dizz|faint|weak|pale|vomit|sick|lightheaded|breath|"
    "collaps|blood",
    "bleeding: stabbed|knifed|gunshot|been shot|got shot|apunalado|poignarde|erstochen|esfaqueado",
    "bleeding: stab|knife|gunshot|bullet + wound|wounds|bleed|blood|chest|belly|stomach|neck",
    "bleeding: nosebleed|nose bleed|nose + bleed + hour|hours|warfarin|thinner|apixaban|rivaroxaban",
    "bleeding: period|menstrua + soak|flood|every hour|clots|pad every|faint|dizz",
    "bleeding: clots|soak|flooding + pad|pads|every hour|towel|towels|faint|dizz",
    # ---- overdose (medicines, drugs) and poisoning (household products, batteries, gas, plants)
    "overdose: overdos|sobredosis|surdose|uberdosis|intoxica|vergift|envenen|empoison|oded|od ed",
    "overdose: od|od d + meds|pills|tablets|help|again|on my|on his|on her|heroin|drugs",
    "overdose: {took}|had + >=10 + {meds}|of my|of them",
    "overdose: {took}|had|se tomo + {too_much} + {meds}|somnif|heroin",
    "overdose: {took}|had|se tomo + {whole} + {container} + {meds}|somnif|heroin",
    "poisoning: {swallowed} + {poison}",
    "overdose: demais|demasiadas|demasiados|trop de|zu viele + remedio|comprimido|pastilla|medicament|comprime|tablett|"
    "pilul|cachet",
    "overdose: took|taken|swallow|ate|eaten|got into|tomo|tomou|genommen|avale|engoli|tomei|pris + grandmas|"
    "grandma s|grandpas|grandpa s|grandads|grandad s|grannys|granny s|nans|nan s|nanas|nana s|someone else s|"
    "someone elses|da avo|do avo|de la abuela|del abuelo|de la grand mere|du grand pere|von oma|von opa|mum s|"
    "mom s|"
    "dad s|parents + medic|pill|tablet|meds|comprim|pastilla|remedio|tablett",
    "poisoning: carbon monoxide|monoxido|monoxyde|kohlenmonoxid",
    "poisoning: co + alarm|detector|poison|headache|drowsy|sleepy|vomit|dizz|sick",
    "poisoning: boiler|gas fire|gas heater|heater|generator|stove|wood burner|log burner|bbq|barbecue|exhaust|"
    "chimney|flue|chaudiere|heizung|aquecedor|calefon + headache|dizz|sick|nause|drowsy|sleepy|faint|vomit|"
    "confus + "
    "everyone|all of us|family|both|kids|dog|cat|better when|better outside|go out|leave the house|we",
    "overdose: {child}|year old|month old|months old|yo + {swallowed}|took|found + pill|tablet|meds|medicine|"
    "capsul|{meds}|blister",
    "poisoning: {child}|year old|month old|months old|yo|found + {poison} + {swallowed}|foam|froth|cough|drool|"
    "vomit|sick|burn|sleepy|drowsy|choking|mouth|lips|tongue",
    # insulin, deliberate or by mistake: the whole pen, the wrong insulin, ten times the dose
    "overdose: insulin|lantus|novorapid|humalog|levemir|tresiba|fiasp|humulin|units + injected|gave|took|taken|"
    "dose|doses|jabbed|put in + instead of|too much|by mistake|accident|wrong|double|twice|extra|whole pen|"
    "entire pen|on purpose|all of|the lot",
    "overdose: heroin|fentanyl|opiat|opioid|methadone|oxy|morphine|ketamine|ghb|mdma|spice|ecstasy|cocaine|"
    "crack|meth|amphetamine|took something|taken something|spiked + too much|not respond|unrespons|not breath|"
    "{blue}|not wake|will not wake|snor|pinpoint|collaps|fitting|seiz|overheat|burning up|boiling|chest|"
    "racing|{altered}",
    # a child given the wrong dose: "10 ml of calpol instead of 2.5"
    "overdose: gave|given|give|giving + {child}|year old|month old|months old + instead of|by mistake|wrong|"
    "too much|double|twice|extra|accident + {meds}|calpol|nurofen|ml|dose|medicine|syrup",
    # plants and mushrooms from outside, with symptoms
    "poisoning: garden|wild|picked|forest|woods|park|hedge|poisonous|unknown + mushroom|berries|berry|plant|"
    "leaves|seeds|flower + ate|eaten|chewed|swallow + vomit|sick|drowsy|confus|hallucin|drool|mouth|fit|seiz|"
    "dizz|diarrh|stomach|tummy|rash|swell",
    "overdose: pill|tablet|meds + alcohol|vodka|drunk|drinking",
    "overdose: {took}|had + twice|double|by mistake|extra|wrong + {meds} + {altered}|sweat|shak|faint|dizz|slow|"
    "collaps|vomit",
    # ---- suicide and self-harm, direct and indirect: the act (kill / end my life / not wake up), the wish
    # (want to die, not want to live, better off without me), the plan or the means (pills, rope, bridge, a
    # note, goodbyes), self-harm; most as "wish or intent + what", so word order and fillers do not matter
    "suicide: suicid|suizid|selbstmord|suicidio|unaliv|sewerslide|kms|kys|selfharm|self harm|self harming|"
    "stockpil|umbringen|umzubringen|matarme|me matar|me tuer|me suicider|en finir|end it all|ending it all|"
    "better off dead|wish i was dead|wish i were dead|rather be dead|wanna die",
    "suicide: kill|killing|hang|hanging|shoot|shooting|drown|unalive|poison + myself|himself|herself|themselves",
    "suicide: end|ending|ended|take|taking|took + own life|own lives",
    "suicide: end my|ending my|end his|end her|ending his|ending her|tirar|quitar|quitarme|acabar|terminar|"
    "nehmen|beenden|mettre fin|tirarme + life|mi vida|minha vida|a vida|la vida|das leben|leben|mes jours|ma vie",
    "suicide: want|wanna|wants|wanted|wish|rather|ready|decided|planning|urge + to die|be dead|disappear|"
    "sleep forever|end it|end things|end everything|my life to end",
    "suicide: want|wants|wanted|wish + everything|it all + to stop|to end",
    "suicide: quiero|quero|veux|voglio|envie de|ganas de|vontade de|will|mochte|pienso en|penso em|denke daran + "
    "morir|morirme|mourir|morrer|morire|sterben|desaparecer|disparaitre|matarme|me tuer|me matar|mich umbringen|"
    "quitarme|tirar|das leben",
    "suicide: not want|not wanna|no quiero|nao quero|veux plus|veux pas|will nicht|mochte nicht|nicht mehr|"
    "ne plus + live|living|alive|exist|here anymore|be around|vivir|viviendo|viver|vivre|leben|aufwachen|"
    "seguir|continuar|continuer|weiter|envie de vivre",
    "suicide: no reason|no point|any reason|any point|the point|no sense|raison|razon|grund|motivo|razao|"
    "sentido + live|living|go on|going on|keep going|carry on|carrying on|alive|exist|vivre|vivir|viver|leben|"
    "waking up|wake up|anymore",
    "suicide: not worth|no vale la pena|vaut pas la peine|nicht wert|nao vale a pena + living|life|it anymore|"
    "alive|vivir|vivre|leben|viver",
    "suicide: can not|no longer|not think + go on|keep going|carry on|this anymore|live like|it anymore|"
    "cope anymore|here anymore",
    "suicide: better|better off|happier|easier|mejor|mieux|besser|melhor + without me|sin mi|sans moi|ohne mich|"
    "sem mim|without him|without her|sin el|sin ella|sem ele|sem ela|off dead",
    "suicide: better|happier|easier|relief + if i + gone|dead|died|not around|not here|disappeared|ended|"
    "not exist|never woke",
    "suicide: nobody|no one|nadie|personne|niemand|ninguem + miss me|care if|notice if|extranaria|manquerait|"
    "vermissen|sentiria falta",
    "suicide: burden + everyone|family|everybody|to them|to my|on everyone",
    "suicide: disappear|vanish|sleep + forever|for good|never come|should just|wish i could|want to",
    "suicide: take|sleep|pills|tablets|want|wish|hope + not wake|never wake|not to wake|never to wake",
    "suicide: way|ways|method|methods|how + to die|kill myself|end it|end my|commit|painless|lethal|overdose + "
    "looking|searching|researching|googling|looked|searched|best|easiest|quickest|painless|thinking",
    "suicide: plan|planned|planning|thought about|worked out|know how + do it|end it|kill myself|to die|"
    "pills|rope|tonight|jump",
    "suicide: not safe|can not trust myself|can not keep myself safe|scared of what|afraid of what + "
    "on my own|alone|tonight|myself|might do|i will do",
    "suicide: dying|death|die|dead + relief|stop thinking|should just|be easier|better if",
    "suicide: voices + telling|tell|told|commanding + hurt|kill|harm|die|jump|end",
    "suicide: engine running|exhaust|hose + garage|car|sat|sitting|window",
    "suicide: bridge|ledge|roof|rooftop|cliff|car park|multi storey|balcony + jump|jumping|end it|anymore|"
    "goodbye|standing on|threaten",
    "suicide: jump|step|walk|throw myself|lie down + front + train|bus|lorry|truck|traffic",
    "suicide: drive|driving|crash|crashing|swerve + wall|tree|traffic|bridge + on purpose|thinking|thought|"
    "want|keep|end",
    "suicide: gun|shotgun|firearm|pistol|weapon + on himself|on herself|on myself|use it|shoot himself|"
    "shoot herself|shoot myself|end it|kill",
    "suicide: want|wanna|thought|thinking|urge|going to|gonna|feel like|plan|keep|on purpose|again|deep + "
    "hurt myself|hurting myself|harm myself|cut myself|cut my arm|cut my arms|hurt herself|hurt himself|"
    "burn myself|burning myself",
    "suicide: cutting|slitting|slashing|self harming + myself|wrist|wrists|arms|thighs|herself|himself",
    "suicide: cut|slit|slash + wrist|wrists|veins|venas|pulsos",
    "suicide: ending it|end it|end things|end this + tonight|now|soon|rope|pills|plan|thinking|want|going|gonna|"
    "ready|decided",
    "suicide: rope|noose|ligature + bought|ready|tied|tonight|end|myself|neck|hang",
    "suicide: pill|tablet|meds|pastillas|comprim|tabletten + lined up|counted out|going to take them|"
    "gonna take them|about to take them|them all|ready|listas|listos|pretes|bereit|prontas|"
    "in front of me|got them out",
    "suicide: ready|prepared|decided + this time|tonight|pills|tablets|rope|note|letters|goodbye|done",
    "suicide: saving them|saving up|hoard|collecting + pills|tablets|them|meds",
    "suicide: goodbye|farewell|last message + note|notes|letter|letters|text|texted|message|"
    "messaged|bridge|rope|pills|tablets|forever|tonight|jump|roof|cliff|ledge|everyone|family|kids",
    "suicide: goodbye|letters to|wrote letters|note for + gave away|giving away|given away|not answering|stuff|"
    "belongings",
    "suicide: how many|how much + {meds} + die|kill|not wake|lethal|fatal|deadly|to end",
    # ---- seizures
    "seizure: unconscious|unresponsive|collaps|pass out|passed out|passing out|blacked|blacking|fainted|"
    "not respond|not responding|not answering|not answer|not moving|bewusstlos|ohnmacht|inconscien|desmai|"
    "desmay|evanoui|sin respuesta|no responde|no reacciona|reagiert nicht|nao responde|nao acorda|nao reage|"
    "knocked out|floppy|limp",
    "seizure: not wake|can not wake|will not wake|not waking|hard to wake|difficult to wake|can not rouse|"
    "unrousable|not woken|wake him|wake her|no despierta|se despierta|se reveille|wacht nicht|nao acorda",
    "seizure: come round|coming round|came round|come to|woken up + not|without|has not|still|in between",
    "seizure: seiz|convuls|fitting|having a fit|tonic clonic|krampf|crise d epilepsie|epilep|convulsion + having|"
    "now|not stop|minute|min|mins|still|started|again|first|second|hour|just|>=3|arret|hort|para|since|after|"
    "had a|has a|another",
    "seizure: first seizure|first fit|krampfanfall|anfall|convulsao|convulsiones|convulsion|crise convulsive|"
    "convulsing|convulsionando|convulsiona|convulse|krampft|fait une crise|having a seizure|having a fit|"
    "is seizing|seizing",
    "seizure: first|first ever|never had + seizure|fit|fits|convuls|krampf",
    "seizure: fit|fits + first ever|another one|not stop|will not stop|minutes|shaking|jerking|"
    "{blue}|froth|foam|convuls|epilep|unconscious|rolled|never had",
    "seizure: foam|froth|foaming|frothing + mouth|lips",
    # a fit without the word: shaking or jerking that will not stop, eyes rolled back, stiff, not answering
    "seizure: jerk|shaking|shakes|shook|twitch|convuls|trembl|spasm + eyes roll|eyes rolled|"
    "rolled back|rolling back|foam|froth|unrespons|not respond|all over|whole body|rigid|stiff|"
    "on the floor|not stop|not stopping|will not stop|minutes|mins|min|blue|drool|lips|not breathing|limbs",
    "seizure: roll|rolled|rolling + eyes|eye + jerk|shak|twitch|stiff|rigid|fit|seiz|unrespons|floppy|blue|foam|"
    "froth|fever",
    # ---- head and spine injuries
    "head_spine: {head} + {head_injury} + {head_danger}",
    "head_spine: can not feel|can not move|numb|tingl|pins and needles|paraly|weak + leg|legs|arm|arms|feet|foot|"
    "hand|hands|fingers|toes + neck|back|spine|{accident}",
    "head_spine: {accident} + neck + pain|hurt|sore|stiff|numb|tingl",
    "head_spine: bladder|bowel|peed myself|wet myself|saddle + back|numb|can not feel|control",
    "head_spine: pupil + different|unequal",
    "head_spine: broke my neck|broken neck|broke my back|broken back|broke his neck|broke her neck",
    "head_spine: hit by a car|run over|knocked down by|hit by a bus|hit by a truck|atropell|renverse par|"
    "angefahren|atropelad",
    "head_spine: fluid|blood|bleeding|clear + ear|ears|nose + {head}|fall|fell|hit|knock|crash|bang|accident",
    "head_spine: concussion + worse|vomit|seiz|confus",
    "head_spine: accident|crash|fell|fall|fallen + not making sense|confus|vomit|drowsy|sleepy|can not move",
    # ---- pregnancy, birth and after birth
    "obstetric: {pregnant} + {bleed}|blutung|seiz|fit|convuls|headache|flash|vision|contraction|waters|{severe}|"
    "sharp|stab|not moving|not moved|fluid|faint|dizz|collaps|shoulder|one side|fever",
    "obstetric: {pregnant}|weeks + face|hands|eyes + swell|swollen|puffy",
    "obstetric: {pregnant} + accident|crash|hit|fell|fall|kicked|punched|assault|trauma",
    "obstetric: weeks|wks|semanas|semaines|wochen|semana + headache|flash|vision|bleed|contraction|sangr|saign|"
    "blut|sangue|tete|cabeza|cabeca|kopfschmerz + flash|vision|swell|swollen|blur|bleed|every|sangr|saign|blut|"
    "sangue|heavy|forte|mucho|stark|beaucoup|etoiles|estrellas|estrelas|sterne|stars|spots|horrible|terrible|"
    "horrivel|schlimm|{severe}",
    "obstetric: not felt|stopped moving|not moving|not moved|no movement|less movement|reduced movement|"
    "moving less|not kicked|not kicking|no kicks + baby|weeks|bump|pregnan",
    "obstetric: waters|water broke|waters broke + green|brown|blood|smell|meconium|cord",
    "obstetric: waters|water + broke|broken|gone|leaking|burst + <=36 + weeks|wks|pregnant",
    "obstetric: cord + see|seen|feel|prolap|coming out|hanging",
    "obstetric: {postpartum} + {bleed}|clots|white|pale|faint|dizz|breath|chest|swollen|fever|headache|confus|"
    "pour|soak|pads",
    "obstetric: had the|had my|had her|had our|delivered + baby + {bleed}|clots|white|pale|faint|dizz|breath|"
    "chest|swollen|fever|headache|confus|pour|soak|pads|smell|discharge",
    "obstetric: period|pregnancy test|positive test + late|missed|positive|weeks + pain|bleed|faint|dizz|"
    "shoulder|stab|sharp|{severe}|one side",
    "obstetric: shoulder tip + pregnan|period|weeks|ectopic",
    "obstetric: labour|labor|waters|contraction|pushing + now|car|home|early|coming|head|crowning|floor|"
    "bathroom|toilet",
    # ---- babies and children
    "paediatric: newborn|week old|weeks old|1 month|2 month|3 month|one month|two month|2 months|3 months|"
    "1 mois|2 mois|3 mois|1 mes|2 meses|3 meses|monate alt|wochen alt|semanas + fever|temp|fiebre|fievre|febre|"
    "fieber|>=38",
    "paediatric: soft spot|fontanel + bulging|sunken|swollen|raised",
    "paediatric: {child}|year old|month old|months old|week old|weeks old + floppy|limp|letharg|unrespons|"
    "not respond|hard to wake|not waking|"
    "will not wake|will not feed|not feeding|refusing feeds|no wet|high pitch|bulging|grunt|schlapp|mole|"
    "no reacciona|green vomit|bile|bilious|not fade|seeing things|hallucin|trinkt nicht|boit plus|sunken|"
    "mottled|fontanel|soft spot",
    "paediatric: {child}|month|months + >=39 + fever|temp|grad|fiebre|fievre|febre|fieber",
    "paediatric: baby|infant|newborn|bebe|nourrisson|saugling + week|weeks|semana|semaine|woche + >=38|fever|hot|"
    "temp|fiebre|fievre|febre|fieber",
    "paediatric: baby|infant|newborn|month old|months old|week old|weeks old + breath + weird|funny|strange|fast|"
    "noisy|pale|struggl|grunt",
    "paediatric: {child} + wet nappy|wet nappies|wet diaper|wet diapers + not|hours",
    "paediatric: green|bile|bilious + vomit|sick|throwing|puke",
    "paediatric: not weed|not peed|not wee|no wee|no urine|not passed urine|not had a wee|not urinated|"
    "dry nappies|"
    "no wet + {child}|vomit|diarrh|hours|since|day",
    "paediatric: rash|spots|manchas|taches|flecken|petechi + purple|violet|roxa|morad|not fade|glass|"
    "non blanch|not blanch|lila",
    # ---- sepsis and meningitis
    "sepsis: stiff|rigid|steif|raide|rigidez + neck|nacken|cuello|nuque|pescoco|nuchal + {fever}|headache|rash|"
    "light|vomit|drowsy|confus|kopfschmerz|cabeza|tete|cabeca|fieber|fiebre|fievre|febre",
    "sepsis: headache + rash|spots + vomit|{fever}|stiff|drowsy|confus|light",
    "sepsis: {fever} + confus|mottled|racing|not peed|no urine|faint|breathing fast|breathing really fast|"
    "fast breathing|can not think|dying|spreading|purple|can not stop shaking|weird colour|strange colour|"
    "funny colour|odd colour|going grey|so ill|this ill|>=40|chemo|neutropen|surgery|operation|violet|roxa|"
    "taches|manchas|flecken|uncontrol|not fade|blotch",
    "sepsis: sepsis|septic|sepsi|meningit|meningococ|septicemi",
    "sepsis: photophob + headache|fever|neck|vomit",
    "sepsis: light|lights + hurts|hurting|bear|stand|look at|sensitive|painful|bright + headache|{fever}|neck|vomit|"
    "rash",
    "sepsis: purple|blotchy|blotches + spots|rash|marks|patches + {fever}|unwell|out of it|drowsy|confus",
    "sepsis: spreading fast|spreading quickly|red streak|red line + cut|wound|bite|{fever}|skin|arm|leg",
    "sepsis: cellulitis|infection|infected|abscess|wound|bite|redness + spreading|tracking|streak + faint|dizz|"
    "shiver|unwell|confus|fast|quickly|{fever}",
    "sepsis: chemo|chemotherapy|neutropen|immunosupp + {fever}|>=37.5|unwell",
    "sepsis: mottled|blotchy + cold|breath|drowsy|confus|{fever}|pale|floppy",
    # an infection, and now the person is not right: confused, cold and clammy, mottled, not passing urine
    "sepsis: uti|urine infection|water infection|kidney infection|chest infection|pneumonia|infection|infected|"
    "cellulitis|wound + confus|drowsy|not herself|not himself|out of it|clammy|mottled|breathing fast|not peed|"
    "no urine|shivering uncontrol|can not stop shaking|rigor|faint|collaps|blotchy|cold hands|ice cold",
    # ---- abdominal emergencies
    "abdominal: {belly} + {severe}|hard as|rigid|can not walk|can not stand|passed out|tearing|burst|"
    "can not move|kann nicht|swollen|bent over|curled|punch",
    "abdominal: lower right|right side|right lower|bottom right|lado derecho + pain|hurt|dolor + fever|walk|vomit|"
    "{severe}|worse|fiebre",
    "abdominal: belly button|navel|umbilic + moved|right side|right lower|lower right|bottom right",
    "abdominal: appendix + burst|rupture",
    "abdominal: not pooped|not pooed|not farted|no bowel|can not poop|not passed wind|not passed gas + vomit|"
    "swollen|pain|bloat|distend",
    "abdominal: not keep|not keeping|not stay|not staying|not hold + down|water|fluids|anything|drink",
    "abdominal: vomit|sick|throwing up + poo|faec|feces|fecal|poop",
    "abdominal: {belly} + kicked|punched|hit|crash|trauma|injur|seatbelt|handlebar + pale|faint|dizz|shoulder|"
    "vomit|swell|swollen|blood|worse|rigid|hard",
    "abdominal: {severe} + side|flank|loin|kidney|groin|back + pee|urine|blood|fever|shiver|vomit|keep still|"
    "lie still|sit still|writh|rolling",
    "abdominal: af|atrial fib + belly|stomach|abdom|tummy + pain|{severe}",
    "abdominal: out of proportion",
    "abdominal: yellow eyes|jaundice|yellow skin + fever + pain",
    # ---- eyes
    "eye: {eye} + bleach|chemical|acid|alkali|cleaner|oven|lime|cement|ammonia|caustic|pepper spray|superglue|"
    "splash|metal|grinder|glass|shard|stabbed|poked|a stick|firework|pellet|punched|lost|losing|blind|curtain|"
    "shadow|"
    "halo|double|can not see|{sudden}|no veo|perdu|sehe nichts|nichts mehr|white spot|severe|burning",
    "eye: curtain|shadow|veil + vision|eye|sight",
    "eye: eye|eyes|vision + pain|painful + blur|headache|vomit|halo",
    "eye: flashes|flash|flashing lights + floaters|floater|vision",
    "eye: lost|losing|loss|gone|went|going + vision|sight|blind|dark + eye|eyes|sudden|suddenly|one|half|left|"
    "right|everything|completely",
    "eye: went blind|gone blind|blindness|vision went",
    "eye: can not|could not|unable + see + eye|eyes|vision|sight|out of",
    # ---- testicular torsion
    "testicular: {testis} + {sudden}|{severe}|swollen|swell|twist|vomit|sick|nause|higher|purple|can not walk|"
    "hurts like|agonis|fuerte|starke|stark|brutal|subita|plotzlich|repentin",
    "testicular: torsion",
    # ---- burns and electrical injury
    "burns: burn|burnt|burned|scald|quem|queim|brul|verbrann|verbruh + boiling|oil|acid|chemical|electric|fire|whole|"
    "large|big|face|blister|white|charred|black|chest|severe|badly|peeling|skin off|schwer|grave|toda|todo|"
    "hirviendo|quente|bigger|inhal|smoke|breath|hoarse|drain|leathery|painless|does not hurt|most of|all over|"
    "visage|cara|rosto|gesicht|huile|aceite|oleo|bouillant|fervendo|kochend",
    "burns: caught fire|on fire|set alight|went up in flames + shirt|clothes|hair|skin|burn|body|back|arm|leg|"
    "face|dress|pyjamas",
    "burns: smoke|fire + inhal|cough|hoarse|soot|breath",
    "burns: blister + huge|large|big|massive|palm|face|whole|all over + oven|hob|iron|kettle|stove|boil|hot|fire|"
    "steam|touched|grabbed",
    "burns: boiling|hot oil|hot water|kettle|chemical + splash|spill|pulled|poured + face|chest|arm|leg|hand|body|"
    "blister|skin|himself|herself|myself|eye|neck",
    # ---- blood sugar
    "glycaemia: sugar|glucose|bs|bg|bm|glycemi|glucemi|zucker|acucar|azucar|glycaemi + <=3.5|20-70|>=300|hi",
    "glycaemia: hypo|hypoglyc|unterzucker|hipoglucemia|azucar bajo + confus|"
    "unconscious|passing out|pass out|can not swallow|not respond|fit|seiz|reagiert nicht|desmai|shaking|sweaty|"
    "not making sense",
    "glycaemia: sugar|sugars|glucose|bs|acucar|azucar|zucker + low|lows|baixo|bajo|niedrig + shak|confus|sweat|"
    "faint|drowsy|fit|seiz|unconscious|not respond|not making sense|pass out|passing out",
    # the meter's own words for out of range, with the person not right
    "glycaemia: meter|monitor|reading|reads|says|shows|libre|sensor|glucometer|messgerat|zeigt|glucometro|"
    "glicosimetro|lecteur + lo|hi + {altered}|sweat|shak|clammy|vomit|unconscious|not respond|breath|verwirrt|"
    "schwitz|confuso|confundid|sudando|transpir|suando|sleepy|pass out|passing out",
    "glycaemia: insulin + {altered} + sweat|shak|pale|clammy",
    "glycaemia: diabet + confus|not making sense|unconscious|fruity|drowsy|sweaty|desmai|ketone|{collapse}",
    "glycaemia: dka|ketoacidosis|diabetic coma|hyperosmolar",
    "glycaemia: ketones + high|vomit|>=1.5|breath",
    "glycaemia: pear drops|fruity|acetone|nail varnish|nail polish + breath|smell",
    "glycaemia: {diabetic} + vomit|throwing up|can not keep down|breathing fast|deep breath|breathing deep",
    # ---- acute mental health crisis with danger to others
    "psychiatric: knife|gun|weapon|axe|machete + kill|hurt|attack|voices|coming for|after him|after me|after her|"
    "paranoid|out to get|threaten",
    "psychiatric: voices|paranoid|psychotic|hallucinat|not slept|awake for + kill|weapon|knife|gun|"
    "hurt someone|hurt people|attack",
    # ---- any emergency: extreme pain, an ambulance called or asked about
    "severe_pain: worst pain of my life|worst pain ever|worst pain i have ever|pain is 10 outoften|"
    "10 outoften pain|screaming in pain|writhing in pain|screaming with pain",
    "general: sickle + crisis|fever|breath|chest",
    "general: ambulance|911|999|112|samu|ambulancia|rettungswagen|notruf + should i|do i need|call|called|calling|"
    "on the way|waiting|coming|now",
    # ---- heat, cold, water, electricity, venom
    "environmental: heat stroke|heatstroke|sunstroke",
    "environmental: {heat} + confus|collaps|stopped sweating|not sweating|dry skin|seiz|fitting|unconscious|"
    "unresponsive|talking rubbish|not making sense|>=40",
    "environmental: left in a hot car|locked in a hot car|in the hot car|locked in the car",
    "environmental: {cold} + {altered}|collaps|stopped shivering|not shivering|unconscious|floor|not respond|"
    "slow breathing",
    "environmental: shiver|shivering + {altered}|stumbl|clumsy",
    "environmental: drown|nearly drowned|pulled out of the water|pulled from the water|went under|face down + "
    "cough|sleepy|drowsy|breath|{blue}|vomit|confus|unconscious|minute|seconds|froth|chest",
    "environmental: {water} + pulled out|pulled from|face down|went under|under|underwater|unconscious|"
    "not breathing|{blue}|cough|minute",
    "environmental: electrocut|electric shock|shock from the mains|from the mains|live wire|high voltage|"
    "power line|lightning|into a socket|electric fence|stromschlag",
    "environmental: shock + electric|cooker|socket|plug|mains|wire|cable|appliance|fence + numb|pound|racing|"
    "chest|"
    "burn|breath|faint|palpitat|tingl|heart",
    "environmental: snake|adder|viper|rattlesnake|scorpion|funnel web|black widow|box jellyfish|stonefish + "
    "bite|bit|bitten|sting|stung",
]

RED_FLAGS: list[str] = [expand(rule, TERMS) for rule in RULES]

# Figures of speech removed before matching ("this heat is killing me", "gave me a heart attack lol").
RED_FLAG_EXCEPTIONS: list[str] = [
    "giving me a heart attack", "give me a heart attack", "gave me a heart attack", "gave her a heart attack",
    "gave him a heart attack", "gave us a heart attack", "give her a heart attack", "give him a heart attack",
    "heat is killing me",
    "is killing me lol", "killing me haha", "work is killing me", "you are killing me", "killed it",
    "dying to", "to die for", "die laughing", "died laughing", "dead lol", "my legs are dead", "fell asleep",
    "fall asleep", "falling asleep", "fallen asleep", "midnight oil", "food poisoning", "ending it with", "end it with",
    "end things with",
    "skipped a beat", "took my breath away", "take my breath away", "bleeding money", "bleeding me dry",
    "drowning in", "suffocating under", "kill time", "killing time", "bored to death", "scared to death",
    "stroke of genius", "stroke of luck", "seizure of", "giving blood", "gave blood", "give blood", "blood test",
    "blood donation", "donate blood", "donating blood", "blood pressure", "blood results", "blood work",
    "overdose crisis", "opioid crisis", "overdose epidemic", "overdose deaths", "overdose prevention",
    "nearly fainted", "almost fainted", "nearly passed out",
    "almost passed out", "in den herzinfarkt", "ins grab", "choking hazard", "choked up", "choking up",
    "fit of", "fits of", "keep fit", "get fit", "fit and healthy", "hissy fit", "throw a fit", "threw a fit",
    "throwing a fit", "nearly had a heart attack", "almost had a heart attack", "mini heart attack when",
    "my heart stopped when", "my heart stopped for a", "heart skipped",
]
# The same figures in families: things that choke, bleed or get overdosed on are not people; laughing so hard
# one can't breathe.
_THINGS = "laptop computer pc phone wifi internet server network system app browser engine".split()
RED_FLAG_EXCEPTIONS += [f"{verb} {whose} {thing}" for verb in ("choking", "chokes", "choked")
                        for whose in ("my", "the") for thing in _THINGS]
RED_FLAG_EXCEPTIONS += [f"bleeding {what}" for what in
                        "memory money cash customers users subscribers fans points".split()]
RED_FLAG_EXCEPTIONS += [f"{verb} on {what}" for verb in ("overdosed", "overdosing", "overdose", "od d", "oded")
                        for what in "netflix tv television youtube tiktok anime music chocolate candy sweets cake "
                                    "christmas work revision coffee caffeine".split()]
RED_FLAG_EXCEPTIONS += [f"{lead} i {can} {breathe}" for lead in ("so funny", "laughing so hard", "laughed so hard",
                                                                  "laughing so much", "laughed so much")
                        for can in ("could not", "can not") for breathe in ("breathe", "breath")]
RED_FLAG_EXCEPTIONS += [f"{die} of {what}" for die in ("die", "died", "dying") for what in
                        "embarrassment shame boredom laughter laughing cringe".split()]
RED_FLAG_EXCEPTIONS += [f"{kill} myself laughing" for kill in ("kill", "killing", "killed")]
