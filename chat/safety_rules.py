"""The chat's red flags: what in a user's message puts the emergency notice before an answer.

Written for clinicians to read and extend. Each rule is "category: term + term + ...": every term must
occur in the message, in any order; "|" separates alternatives of a term; a word of 4+ letters is a stem
("breath" matches breathe, breathless); ">=N", "<=N", "N-M" match a number; a term does not count right
after "no", "without", "denies". `{name}` stands for the word list TERMS[name] below, so one list of, say,
severity words serves every rule. Messages are lower-cased and accents dropped before matching
("respiração" -> "respiracao"); common typos are tolerated. Exam questions, general "what is" questions,
hypotheticals and episodes long ago are filtered out in chat/safety.py before these rules are tried.

Most rules have the shape body part x symptom x severity / time / companion sign, so they hold for
phrasings no one listed; a few are fixed phrases (the words people use for suicide, named emergencies).
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
    "sudden": "sudden|suddenly|all of a sudden|out of nowhere|out of the blue|came on|de repente|repentin|"
              "soudain|brusquement|d un coup|plotzlich|subita|subito",
    "breathless": "breathless|short of breath|shortness of breath|out of breath|can not breath|"
                  "can not catch my breath|can not catch his breath|can not catch her breath|"
                  "can not get my breath|"
                  "struggling to breath|struggling for breath|struggling for air|hard to breath|difficulty breath|"
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
    "too_much": "too many|too much|whole bottle|entire bottle|whole pack|whole packet|whole box|whole strip|"
                "handful|bunch of|load of|loads of|lots of|all my|all of my|all of them|all of her|all of his|"
                "the lot|boxes of|packets of|bottles of|strips of|a bottle of|bottle of my|weeks worth|"
                "week s worth|days worth|month s worth|all at once|at once|double dose|"
                "toda la caja|una caja|frasco|un monton|toute une plaquette|une plaquette|ganzen blister|"
                "blister entero|"
                "varios|varias|plusieurs|mehrere|muchas|muchos|beaucoup de|viele|muitas|demasiad|toute la boite|"
                "toute une boite|une boite entiere|trop de|ganze packung|ganze schachtel|"
                "ganze flasche|zu viele|muitos|cartela inteira|caixa inteira",
    "poison": "bleach|antifreeze|washing tablet|washing powder|washing liquid|dishwasher tablet|laundry|liquitab|"
              "batter|magnet|detergent|laundry pod|pod|pods|dishwasher|washing up liquid|"
              "fabric softener|cleaner|cleaning|disinfectant|chemical|drain|pesticide|rat poison|weed killer|"
              "slug pellet|fertilis|fertiliz|white spirit|turps|turpentine|paint thinner|lamp oil|paraffin|"
              "kerosene|petrol|gasoline|lighter fluid|nail polish remover|acetone|e liquid|vape juice|vape liquid|"
              "nicotine|essential oil|hand sanitiser|hand sanitizer|poison|lye|lejia|javel|bleich|lavandina|"
              "water bead|toadstool|wild mushroom",
    "swallowed": "swallow|drank|drink|ate|eaten|got into|licked|chewed|ingest|bebio|bebeu|trank|getrunken|bu|"
                 "avale|bois|tomou|tomo|geschluckt|trague",
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
                   "massive headache|"
                   "severe headache|terrible headache|awful headache|ear|nose|floppy|double vision|"
                   "vomitando|verwirrt|erbrech|vomi|confuso|sonolent",
    "accident": "crash|accident|fell|fall|fallen|dive|dived|dove|diving|shallow|tackle|thrown|landed|trampoline|"
                "ladder|roof|"
                "horse|motorbike|motorcycle|collision|whiplash|hit by",
    "belly": "stomach|belly|abdom|tummy|barriga|ventre|bauch|vientre|abdomen",
    "eye": "eye|eyes|ojo|oeil|yeux|auge|augen|olho|vision|sight",
    "testis": "testic|testis|testes|scrot|hoden|testicul|balls|ball pain|my ball|my nuts|his nuts|one of my nuts|"
              "privates|groin",
    "pregnant": "pregnan|embaraz|enceinte|schwanger|gravid|preggo",
    "postpartum": "accouchement|parto|geburt|entbindung|gave birth|given birth|giving birth|had the baby|"
                  "had my baby|had her baby|had our baby|"
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
    "not go away|will not go|will not ease|not easing|not settl|getting worse|constant|racing|pounding|bad|badly|"
    "walk|steps|stairs|sit down|had to stop|going to die|dying|doom|heure|stunde|hora|horas|blass|palido|palida|"
    "formig|hormigue|"
    "fourmill|kribbel",
    "cardiac: brustschmerz|douleur thoracique|dor no peito|dolor en el pecho|dolor de pecho|clutch chest|"
    "clutching his chest|clutching her chest|clutching my chest",
    "cardiac: clutch|clutched|clutching|grabbing|grabbed + chest",
    "cardiac: duele|dolor|aprieta + pecho",
    "cardiac: mal|douleur|serre + poitrine",
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
    "postpartum|calf|swollen leg|leg swollen|leg is swollen|dvt|clot|plaster cast|cough blood|coughed up blood|"
    "coughing up blood|coughed up a bit of blood",
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
    "stroke: can not speak|can not talk|can not get my words|can not find my words|can not find his words|"
    "can not find her words|can not find the words|can not get his words|can not get her words|"
    "not making sense|not make sense|no puede hablar|no puedo hablar|plus parler|arrive plus a parler|"
    "nicht mehr sprechen|kann nicht sprechen|nao consegue falar|can not understand me|can not understand what",
    "stroke: stroke|avc|ictus|derrame|schlaganfall|apoplex + having|think|sign|symptom|now|sudden|just|mini|creo|"
    "pense|glaube|acho|fait|esta|teniendo|hat|tendo",
    "stroke: {sudden} + weak|numb|paraly|confus|vision|blind|see|speak|speech|talk|walk|balance|headache|dizz|"
    "double|"
    "lost|word|words|drag|drool|droop|slur|clumsy|understand|floppy|sight|parl|faible|engourdi|hablar|debil|"
    "entumec|sprechen|schwach|taub|falar|fraco|dormente",
    "stroke: du mal a parler|dificultad para hablar|le cuesta hablar|dificuldade para falar|kann kaum sprechen|"
    "redet wirr|spricht wirr|habla incoherente",
    "stroke: one side|left side|right side|half my|half of my|half his|half her|half of his|half of her|"
    "down one side|un lado|un cote|einer seite|um lado + numb|weak|paraly|droop|feel|floppy|move|heavy|dead|tingl|"
    "not working|useless",
    "stroke: worst|thunderclap + headache|headach|head",
    "stroke: can not lift|can not raise|can not move|dragging + right arm|left arm|right leg|left leg|his arm|"
    "her arm|his leg|her leg|my arm|my leg",
    "stroke: arm|leg|hand + weak|heavy|numb|dead|clumsy + face|speech|slur|talk|words|droop|sudden|suddenly|"
    "one side",
    "stroke: dropping|keeps dropping|dropped his|dropped her + droop|slur|speech|words|talk|nonsense|face|mouth",
    "stroke: no siento|nao sinto|ne sens plus|spure nicht|kann nicht bewegen|no puede mover|no puedo mover|"
    "ne peut plus bouger|ne peux plus bouger|nao consegue mexer|nao consigo mexer|nicht mehr bewegen|"
    "nicht bewegen|"
    "ne peut plus lever|no puede levantar|kann nicht heben|nao consegue levantar + brazo|pierna|braco|perna|bras|"
    "jambe|arm|bein|cara|visage|rosto|lado|cote",
    "stroke: dolor de cabeza|mal de tete|mal a la tete|kopfschmerz|dor de cabeca + peor|pire|schlimmst|pior|"
    "repentin|brutal|plotzlich|subit|terrible",
    "stroke: paralys|paralyz|gelahmt|paralis|lahm",
    "stroke: slurring|slurred + leaning|one side|falling to one side|drunk|face|arm|leg|weak|sudden|confus",
    # ---- breathing
    "breathing: can not breath|could not breath|unable to breath|struggling to breath|struggle to breath|"
    "struggling for breath|struggling for air|fighting for breath|fighting for air|gasping for|"
    "trouble breath|difficulty breath|hard to breath|not breathing|stopped breathing|stop breathing|"
    "stopping breathing|barely breathing|hardly breathing|can barely breathe|can hardly breathe|gasping|choking|"
    "can not get air|can not get enough air|barely get air|can not catch my breath|air hunger|turned blue|"
    "turning blue|went blue|going blue|gone blue|no puedo respirar|no puede respirar|me ahogo|se ahoga|"
    "dificultad para respirar|me cuesta respirar|cuesta respirar|arrive plus a respirer|arrive pas a respirer|"
    "peux pas respirer|peux plus respirer|du mal a respirer|etouff|keine luft|atemnot|kann nicht atmen|erstick|"
    "nao consigo respirar|nao consegue respirar|falta de ar|sufoc|respire mal|respira mal",
    "breathing: ne respire plus|ne respire pas|respire presque plus|respire a peine|respira casi|atmet kaum|"
    "quase nao respira|no respira|atmet nicht|nao respira|nao esta respirando|"
    "respire plus|not breathe|is not breathing",
    "breathing: {breathless} + sentence|talk|speak|rest|sitting|still|lying|worse|faint|{blue}|can not|{severe}|"
    "{sudden}|confus|chest|lips",
    "breathing: wheez + badly|bad|severe|{blue}|not help|can not|really|puffy|so bad|few words|only say|"
    "one word|sentences",
    "breathing: inhaler|puffs|puffer|pump|nebul|ventolin|salbutamol + not help|not working|not work|no help|"
    "no better|ne fait rien|no hace nada|hilft nicht|nao faz efeito|nao ajuda|no ayuda|>=6",
    "breathing: rib|ribs|chest|neck + suck|sucking|retract|caving|pulling in",
    "breathing: grunting",
    "breathing: breath + tummy|belly|stomach + suck|sucking|pulling in|caving|sinking",
    "breathing: panting|puffing|heaving|huffing + breath|air",
    "breathing: can not finish a sentence|can not finish sentences|can not finish his sentences|"
    "can not finish her sentences|can not complete a sentence|can not say a full sentence|one word at a time",
    "breathing: asthma + hardly|can not talk|can not speak|not help|severe|really bad|{blue}|worst",
    "breathing: {blue} + lip|face|mouth|labio|levre|lippe|boca|rosto",
    "breathing: copd|asthma|emphysema + worse than usual|much worse|way worse|sleepy|drowsy|confus|{blue}",
    "breathing: breath + fast|rapid + faint|shallow|fever|grunt|floppy|{altered}",
    "breathing: froth|frothy + cough|breath|spit|pink",
    "breathing: breath + lying|lie flat|sit up all night|sitting up all night|sleep sitting",
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
    "gonfl|schwill|geschwoll|inch|fechando|huge|thick|blown up|ballooned|massive",
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
    "bleeding: stabbed|stab wound|knifed|gunshot|been shot|got shot|apunalado|poignarde|erstochen|esfaqueado",
    "bleeding: nosebleed|nose bleed|nose + bleed + hour|hours|warfarin|thinner|apixaban|rivaroxaban",
    "bleeding: period|menstrua + soak|flood|every hour|clots|pad every|faint|dizz",
    "bleeding: clots|soak|flooding + pad|pads|every hour|towel|towels|faint|dizz",
    # ---- overdose and poisoning
    "overdose: overdos|sobredosis|surdose|uberdosis|intoxica|vergift|envenen|empoison|od d|oded|od ed",
    "overdose: {took}|had + >=10 + {meds}|of my|of them",
    "overdose: {took}|had|se tomo + {too_much} + {meds}|somnif|heroin",
    "overdose: {swallowed} + {poison}",
    "overdose: remedio demais|remedios demais|comprimidos demais|demasiadas pastillas|trop de medicaments|"
    "trop de comprimes|zu viele tabletten|load of my tablets|load of pills|load of tablets|load of my pills",
    "overdose: took|taken|swallow|ate|eaten|got into|tomo|tomou|genommen|avale|engoli|tomei|pris + grandmas|"
    "grandma s|grandpas|grandpa s|grandads|grandad s|grannys|granny s|nans|nan s|nanas|nana s|someone else s|"
    "someone elses|da avo|do avo|de la abuela|del abuelo|de la grand mere|du grand pere|von oma|von opa|mum s|"
    "mom s|"
    "dad s|parents + medic|pill|tablet|meds|comprim|pastilla|remedio|tablett",
    "overdose: carbon monoxide|co alarm|co detector|co poisoning|monoxido|monoxyde|kohlenmonoxid",
    "overdose: boiler|gas fire|gas heater|heater|generator|stove|wood burner|log burner|bbq|barbecue|exhaust|"
    "chimney|flue|chaudiere|heizung|aquecedor|calefon + headache|dizz|sick|nause|drowsy|sleepy|faint|vomit|"
    "confus + "
    "everyone|all of us|family|both|kids|dog|cat|better when|better outside|go out|leave the house|we",
    "overdose: {child}|year old + {swallowed}|took + pill|tablet|meds|medicine|capsul",
    "overdose: heroin|fentanyl|opiat|opioid|methadone|oxy|morphine|ketamine|ghb|mdma|spice + too much|"
    "not respond|unrespons|not breath|{blue}|not wake|will not wake|snor|pinpoint|collaps|fitting|overheat",
    "overdose: pill|tablet|meds + alcohol|vodka|drunk|drinking",
    "overdose: {took}|had + twice|double|by mistake|extra|wrong + {meds} + {altered}|sweat|shak|faint|dizz|slow|"
    "collaps|vomit",
    # ---- suicide and self-harm, direct and indirect
    "suicide: suicid|suizid|selbstmord|kill myself|killing myself|kill herself|kill himself|kill themselves|kms|"
    "kys|unaliv|unalive|sewerslide|end myself|off myself|top myself|"
    "end my life|ending my life|end his life|end her life|end it all|take my own life|take my life|"
    "better off dead|"
    "better off without me|better off without him|better off without her|better without me|want to die|"
    "wanna die|wants to die|wish i was dead|wish i were dead|rather be dead|no reason to live|"
    "not want to live|not want to be alive|not want to exist|not want to be here anymore|"
    "not want to be here any more|not worth living|never wake up|to not wake up|not to wake up|goodbye letter|"
    "goodbye note|"
    "suicide note|hang myself|jump off|in front of a train|in front of a bus|in front of a lorry|"
    "in front of a truck|under a train|throw myself|off a bridge|off the bridge|off a cliff|off the roof|"
    "off a building|driving into a wall|drive into a wall|driving into a tree|drive into a tree|"
    "crash my car on purpose|burden to everyone|want to disappear|disappear forever|want to sleep forever|"
    "wanted to sleep forever|"
    "no point in living|no point in going on|can not go on|can not do this anymore|harming myself|cutting myself|"
    "cut my wrist|slit my wrist|self harm|selfharm|want to end it|going to end it|gonna end it|"
    "no quiero vivir|no quiero seguir viviendo|quiero morir|quitarme la vida|matarme|veux mourir|me tuer|"
    "envie de mourir|en finir|nicht mehr leben|will sterben|mich umbringen|umbringen|quero morrer|"
    "nao quero mais viver|nao quero viver|me matar|tirar minha vida|acabar com tudo|quiero desaparecer|"
    "pills ready|ending everything|end everything|nobody would miss me|no one would miss me|"
    "nobody would care if i|if i was gone|if i were gone|better off if i|tired of living|stockpil|"
    "saving up my pills|take them all|taking them all|point in living|point of living|point to living|"
    "reason to go on|want it all to stop|want everything to stop|make it all stop|feel like i am dying|"
    "feel like im dying|done with life|no way out|ganas de morir|las venas|cortarme|going to jump|gonna jump|"
    "jump in front|ne plus vivre|no vale la pena vivir|mejor sin mi|mejor sin el|mejor sin ella|"
    "mieux sans moi|besser ohne mich|melhor sem mim|melhor sem ele|melhor sem ela|hope i do not wake|"
    "hope i never wake|and not wake up|if i died|if i was dead|if i were dead|if i disappeared|written a note|"
    "wrote a note|left a note|want it to end|want it all to end|want my life to end|ways to die|ways to kill|"
    "painless way|how to end it|looking up ways|searching for ways|researching ways|best way to die|"
    "not think i can keep going|not think i can go on|not think i can carry on|can not keep going|"
    "can not carry on|last message|final message|this is goodbye|not hear from me again|sorry for everything|"
    "reason to keep living|reason to keep going|reason to be alive|reason to stay alive|reason to carry on|"
    "acabar con mi vida|terminar con mi vida|mettre fin a mes jours|mettre fin a ma vie|meinem leben ein ende|"
    "acabar com a minha vida|acabar com minha vida|veux plus vivre|plus envie de vivre|das leben zu nehmen|"
    "das leben nehmen|leben beenden|nicht mehr aufwachen|umzubringen|if i was not around|if i was not here|"
    "if i were not here|if i were not around|if i did not exist|can not live like this|planning how to|"
    "planned how to|taking my own life|taking my life|ending it all|life is not worth|not worth it anymore|"
    "not worth it any more|go to sleep forever|disappear and never come back|thought about how|"
    "thought about ways|know how i would do it|have a plan to|made a plan to|not safe on my own|not safe alone|"
    "not safe tonight|can not keep myself safe|can not trust myself|scared i will hurt myself|"
    "scared of what i might do|afraid of what i might do|better if i just|better if i ended|easier if i|"
    "no quiero seguir|ne veux plus continuer|will nicht mehr weiter|nao quero continuar|raison de vivre|"
    "razon para vivir|grund zu leben|grund mehr zu leben|motivo para viver|razao para viver|tirar a minha vida|"
    "me quitar a vida|m oter la vie|mir das leben",
    "suicide: dying|death|die|dead + relief|can not stop thinking|i should just|would be easier|better if i",
    "suicide: voices + telling me to|tell me to|told me to + hurt|kill|harm|die|jump|end",
    "suicide: engine running|exhaust|hose + garage|car|sat|sitting|window",
    "suicide: bridge|ledge|roof + standing|jump|end|anymore",
    "suicide: gun|shotgun|firearm|pistol|weapon + on himself|on herself|on myself|use it|shoot himself|"
    "shoot herself|shoot myself|end it|kill",
    "suicide: want|wanna|thought|thinking|urge|going to|gonna|feel like|plan|keep|on purpose|again|deep + "
    "hurt myself|hurting myself|harm myself|cut myself|cut my arm|cut my arms|hurt herself|hurt himself|"
    "burn myself|burning myself",
    "suicide: point + living|waking|wake up|going on|carrying on|being alive|being here|existing|of me|anymore",
    "suicide: ending it|end it|end things|end this + tonight|now|soon|rope|pills|plan|thinking|want|going|gonna|"
    "ready|decided",
    "suicide: rope|noose|ligature + got|bought|ready|tied|tonight|end|myself|neck|hang",
    "suicide: pill|tablet|meds|pastillas|comprim|tabletten + lined up|counted out|going to take them|"
    "gonna take them|about to take them|ready this time|i am ready|im ready|listas|listos|pretes|bereit|prontas|"
    "in front of me|got them out",
    "suicide: cutting|been cutting|self harming + again|deep|deeper|stitches|can not stop",
    "suicide: saving them|saving up|hoard|collecting + pills|tablets|them|meds",
    "suicide: goodbye|letters to|wrote letters|note for + gave away|giving away|given away|ready to go|"
    "not answering|stuff|belongings|pills|rope|tonight",
    "suicide: how many|how much + {meds} + die|kill|not wake|lethal|fatal|deadly|to end",
    # ---- seizures
    "seizure: unconscious|unresponsive|collaps|pass out|passed out|passing out|blacked out|fainted|not respond|"
    "not responding|not answering|will not answer|not answer|not moving|bewusstlos|ohnmacht|inconscien|desmai|"
    "desmay|evanoui|sin respuesta|no responde|no reacciona|reagiert nicht|nao responde|nao acorda|nao reage|"
    "knocked out|knocked himself out|knocked herself out|knocked myself out|floppy|limp",
    "seizure: not wake|can not wake|will not wake|not waking|hard to wake|difficult to wake|can not rouse|"
    "unrousable|not woken|wake him|wake her|no despierta|no se despierta|ne se reveille pas|wacht nicht auf|"
    "se reveille pas|wacht nicht|not come round|"
    "not coming round",
    "seizure: seiz|convuls|fitting|having a fit|tonic clonic|krampf|crise d epilepsie|epilep|convulsion + having|"
    "now|not stop|minute|min|mins|still|started|again|first|second|hour|just|>=3|arret|hort|para|since|after|"
    "had a|has a|back to back|another",
    "seizure: had a fit|first seizure|first fit|first ever seizure|first ever fit|krampfanfall|anfall|convulsao|"
    "convulsiones|convulsion|crise convulsive|convulsing|convulsionando|convulsiona|krampft|fait une crise|"
    "having a seizure|having a fit|is seizing|seizing|shaking all over|eyes rolled|foaming at the mouth|"
    "frothing at the mouth",
    "seizure: fit|fits + first ever|back to back|another one|not stop|will not stop|minutes|shaking|jerking|"
    "{blue}|froth|foam|convuls|epilep|unconscious|eyes rolled|never had",
    "seizure: jerk|shaking|twitching + eyes rolled|foam|froth|unrespons|not respond|all over|whole body|rigid|"
    "stiff",
    # ---- head and spine injuries
    "head_spine: {head} + {head_injury} + {head_danger}",
    "head_spine: can not feel|can not move|numb|tingl|pins and needles|paraly|weak + leg|legs|arm|arms|feet|foot|"
    "hand|hands|fingers|toes + neck|back|spine|{accident}",
    "head_spine: {accident} + neck + pain|hurt|sore|stiff|numb|tingl",
    "head_spine: bladder|bowel|peed myself|wet myself|saddle + back|numb|can not feel|can not control",
    "head_spine: pupil + different|unequal",
    "head_spine: broke my neck|broken neck|broke my back|broken back|broke his neck|broke her neck",
    "head_spine: hit by a car|run over|knocked down by|hit by a bus|hit by a truck|atropell|renverse par|"
    "angefahren|atropelad",
    "head_spine: bleeding from|blood from|fluid from|blood coming out of|fluid dripping from|fluid coming from|"
    "fluid coming out of|fluid leaking from|clear fluid + "
    "ear|ears|nose",
    "head_spine: concussion + worse|vomit|seiz|confus",
    "head_spine: accident|crash|fell|fall|fallen + not making sense|confus|vomit|drowsy|sleepy|can not move",
    # ---- pregnancy, birth and after birth
    "obstetric: {pregnant} + {bleed}|blutung|seiz|fit|convuls|headache|flash|vision|contraction|waters|{severe}|"
    "sharp|stab|not moving|not moved|fluid|faint|dizz|collaps|shoulder|one side|fever",
    "obstetric: {pregnant}|weeks + face|hands|eyes + swell|swollen|puffy",
    "obstetric: {pregnant} + accident|crash|hit|fell|fall|kicked|punched|assault|trauma",
    "obstetric: weeks|wks|semanas|semaines|wochen|semana + headache|flash|vision|bleed|contraction|sangr|saign|"
    "blut|sangue + flash|vision|swell|swollen|blur|bleed|every|sangr|saign|blut|sangue|heavy|forte|mucho|stark|"
    "beaucoup",
    "obstetric: not felt|stopped moving|not moving|not moved|no movement|less movement|reduced movement|"
    "moving less|not kicked|not kicking|no kicks + baby|weeks|bump|pregnan",
    "obstetric: waters|water broke|waters broke + green|brown|blood|smell|meconium|cord",
    "obstetric: cord + see|seen|feel|prolap|coming out|hanging",
    "obstetric: {postpartum} + {bleed}|clots|white|pale|faint|dizz|breath|chest|swollen|fever|headache|confus|"
    "pour|soak|pads",
    "obstetric: missed period|missed my period|late period|period is late|positive pregnancy test|"
    "pregnancy test|positive test + pain|bleed|faint|dizz|shoulder|stab|sharp|{severe}|one side",
    "obstetric: shoulder tip + pregnan|period|weeks|ectopic",
    "obstetric: baby is coming|baby coming|in labour|in labor + now|car|home|early",
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
    "paediatric: rash|spots|manchas|taches|flecken|petechi + purple|violet|roxa|morad|not fade|glass|blanch|"
    "pressed|lila",
    # ---- sepsis and meningitis
    "sepsis: stiff|rigid|steif|raide|rigidez + neck|nacken|cuello|nuque|pescoco|nuchal + {fever}|headache|rash|"
    "light|vomit|drowsy|confus|kopfschmerz|dolor de cabeza|mal de tete|dor de cabeca|fieber|fiebre|fievre|febre",
    "sepsis: headache + rash|spots + vomit|{fever}|stiff|drowsy|confus|light",
    "sepsis: {fever} + confus|mottled|racing|not peed|no urine|faint|breathing fast|breathing really fast|"
    "fast breathing|can not think|dying|spreading|purple|can not stop shaking|weird colour|strange colour|"
    "funny colour|odd colour|going grey|so ill|this ill|>=40|chemo|neutropen|surgery|operation|violet|roxa|"
    "taches|manchas|flecken|uncontrol|not fade|blotch",
    "sepsis: sepsis|septic|sepsi|meningit|meningococ|septicemi",
    "sepsis: photophob|can not look at light|can not look at the light|light hurts|light hurting|"
    "can not bear the light|can not stand the light|can not stand light|can not bear light|sensitive to light|"
    "hurts to look at light + headache|"
    "fever|neck|vomit",
    "sepsis: purple|blotchy|blotches + spots|rash|marks|patches + {fever}|unwell|out of it|drowsy|confus",
    "sepsis: spreading fast|spreading quickly|red streak|red line + cut|wound|bite|{fever}|skin|arm|leg",
    "sepsis: cellulitis|infection|infected|abscess|wound|bite|redness + spreading|tracking|streak + faint|dizz|"
    "shiver|unwell|confus|fast|quickly|{fever}",
    "sepsis: chemo|chemotherapy|neutropen|immunosupp + {fever}|>=37.5|unwell",
    # ---- abdominal emergencies
    "abdominal: {belly} + {severe}|hard as|rigid|can not walk|can not stand|passed out|tearing|burst|"
    "can not move|kann nicht|swollen|bent over|curled|punch",
    "abdominal: lower right|right side|right lower|bottom right|lado derecho + pain|hurt|dolor + fever|walk|vomit|"
    "{severe}|worse|fiebre",
    "abdominal: belly button|navel|umbilic + moved|right side|right lower|lower right|bottom right",
    "abdominal: appendix + burst|rupture",
    "abdominal: not pooped|not pooed|not farted|no bowel|can not poop|not passed wind|not passed gas + vomit|"
    "swollen|pain|bloat|distend",
    "abdominal: can not keep water|can not keep fluids|can not keep anything down|can not keep down|"
    "poop smelling vomit",
    "abdominal: vomit|sick|throwing up + poo|faec|feces|fecal|poop",
    "abdominal: {belly} + kicked|punched|hit|crash|trauma|injur|seatbelt|handlebar + pale|faint|dizz|shoulder|"
    "vomit|swell|swollen|blood|worse|rigid|hard",
    "abdominal: {severe} + side|flank|loin|kidney|groin|back + pee|urine|blood|fever|shiver|vomit|"
    "can not keep still|"
    "writh|rolling",
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
    "eye: lost vision|loss of vision|vision loss|lost my sight|lost the sight|lost sight|went blind|gone blind|"
    "blindness|can not see out of|gone dark|vision went",
    # ---- testicular torsion
    "testicular: {testis} + {sudden}|{severe}|swollen|swell|twist|vomit|sick|nause|higher|purple|can not walk|"
    "hurts like|agonis|fuerte|starke|stark|brutal|subita|plotzlich|repentin",
    "testicular: torsion",
    # ---- burns and electrical injury
    "burns: burn|burnt|burned|scald|quem|brul|verbrann|verbruh + boiling|oil|acid|chemical|electric|fire|whole|"
    "large|big|face|blister|white|charred|black|chest|severe|badly|peeling|skin off|schwer|grave|toda|todo|"
    "hirviendo|quente|bigger|inhal|smoke|breath|hoarse|drain|leathery|painless|does not hurt|most of|all over",
    "burns: caught fire|on fire|set alight|went up in flames + shirt|clothes|hair|skin|burn|body|back|arm|leg|"
    "face|dress|pyjamas",
    "burns: smoke|fire + inhal|cough|hoarse|soot|breath",
    "burns: blister + huge|large|big|massive|palm|face|whole|all over + oven|hob|iron|kettle|stove|boil|hot|fire|"
    "steam|touched|grabbed",
    "burns: boiling|hot oil|hot water|kettle|chemical + splash|spill|pulled|poured + face|chest|arm|leg|hand|body|"
    "blister|skin|himself|herself|myself|eye|neck",
    # ---- blood sugar
    "glycaemia: sugar|glucose|bs|bg|bm|glycemi|glucemi|zucker|acucar|azucar|glycaemi + <=3.5|20-70|>=300|hi",
    "glycaemia: hypo|hypoglyc|unterzucker|hipoglucemia|low blood sugar|low sugar|muito baixo|azucar bajo + confus|"
    "unconscious|passing out|pass out|can not swallow|not respond|fit|seiz|reagiert nicht|desmai|shaking|sweaty|"
    "not making sense",
    "glycaemia: sugar|sugars|glucose|bs + low + shak|confus|sweat|faint|drowsy",
    "glycaemia: insulin + {altered} + sweat|shak|pale|clammy",
    "glycaemia: diabet + confus|not making sense|unconscious|fruity|drowsy|sweaty|desmai|ketone|{collapse}",
    "glycaemia: dka|ketoacidosis|diabetic coma|hyperosmolar",
    "glycaemia: ketones + high|vomit|>=1.5|breath",
    "glycaemia: pear drops|fruity|acetone|nail varnish|nail polish + breath|smell",
    "glycaemia: {diabetic} + vomit|throwing up|can not keep down|breathing fast|deep breath|breathing deep",
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
    "fall asleep", "falling asleep", "fallen asleep", "midnight oil", "food poisoning", "overdosing on coffee",
    "overdose on coffee", "overdosing on caffeine", "ending it with", "end it with", "end things with",
    "skipped a beat", "took my breath away", "take my breath away", "bleeding money", "bleeding me dry",
    "drowning in", "suffocating under", "kill time", "killing time", "bored to death", "scared to death",
    "stroke of genius", "stroke of luck", "seizure of", "giving blood", "gave blood", "give blood", "blood test",
    "blood donation", "donate blood", "donating blood", "blood pressure", "blood results", "blood work",
    "overdose crisis", "opioid crisis", "overdose epidemic", "overdose deaths", "overdose prevention",
    "nearly fainted", "almost fainted", "nearly passed out",
    "almost passed out",
]
