"""The chat's red flags: what in a user's message puts the emergency notice before an answer.

Written for clinicians to read and extend. Each rule is "category: term + term + ...": every term must
occur in the message, in any order; "|" separates alternatives of a term; a word of 4+ letters is a stem
("breath" matches breathe, breathless); ">=N", "<=N", "N-M" match a number; a term does not count right
after "no", "without", "denies". `{name}` stands for the word list TERMS[name] (chat/safety_terms.py, with
the figures of speech removed before matching), so one list of, say, severity words serves every rule.
Messages are lower-cased and accents dropped before matching ("respiração" -> "respiracao"); common typos are
tolerated. Exam questions, general "what is" questions,
hypotheticals and episodes long ago are filtered out in chat/intent.py (intent.intent) before these rules
are tried; what is asked, studied or imagined is decided there, never by a rule here.

Most rules have the shape body part x symptom x severity / time / companion sign, or wish / intent x what,
so they hold for phrasings no one listed; a few are fixed phrases (the words people use for suicide, named
emergencies). Coverage is by kind of emergency, in the words of people without the medical name: poisoning
(household products, button batteries, antifreeze, plants, gas) and overdose (medicines, insulin, drugs),
blood sugar (a meter reading LO / HI), fits that do not stop, anaphylaxis, stroke, heart attack, sepsis,
bleeding, pregnancy and after birth, babies and children, suicide and self-harm, head injury, breathing,
a limb bent the wrong way. Each
kind is written for the ways of talking it stands for, in English, Spanish, French, German and Portuguese
(German compounds too: "Knopfbatterie", "Fieberkrampf"); tests/chat/test_safety_rules.py holds phrasings of
each kind written for the tests, both urgent and not.

No alternative is a sentence lifted from one message: bench/bench_safety.py single_message_phrases(), run by
tests/chat/test_safety_rules.py, fails on any alternative of three words or more that occurs in exactly one message
of the labelled sets tuned on. Write the shape of what people say ("can not|unable + words|word"), not what
one person said.
"""
from __future__ import annotations

from chat.safety import expand
from chat.safety_rules_birth import BIRTH_RULES
from chat.safety_rules_exposure import EXPOSURE_RULES
from chat.safety_rules_harm import HARM_RULES
from chat.safety_terms import RED_FLAG_EXCEPTIONS, TERMS

__all__ = ["RED_FLAGS", "RED_FLAG_EXCEPTIONS", "RULES", "TERMS"]


RULES: list[str] = [
    # ---- cardiac: chest pain with a companion sign, time or severity; collapse; very fast pulse
    "cardiac: {chest} + {pain} + {chest_sign}",
    "cardiac: brustschmerz|thoraxschmerz|clutch chest",
    "cardiac: clutch|clutched|clutching|grabbing|grabbed + chest",
    "cardiac: duele|dolor|aprieta + pecho",
    "cardiac: mal|douleur|serre + poitrine|thorac",
    "cardiac: weh|tut|schmerz + brust",
    "cardiac: doi|dor|aperto + peito",
    "cardiac: grey|gray|pale|ashen + sweat|clammy",
    "cardiac: oppression|oppresse|beklemm|opresion|opressao + nause|transpir|sweat|sueur|schwitz|sudor|suando|"
    "sudando|breath|souffle|bras|arm|brazo|braco|machoire|jaw|kiefer",
    "cardiac: jaw|left arm|left shoulder|arms|shoulder + {pain}|aching|numb + sweat|clammy|breath|"
    "nause|sick|faint|grey|gray|pale|indigestion",
    "cardiac: indigestion|heartburn + grey|gray|sweat|clammy|arm|jaw|shoulder|breath|faint",
    "cardiac: heart attack|cardiac arrest|no pulse|heart stopped|infarto|crise cardiaque|herzinfarkt|"
    "ataque cardiaco|attaque cardiaque|herzstillstand|arret cardiaque",
    "cardiac: heart|pulse|puls|coeur|corazon|coracao + >=150 + rest|resting|sitting|lying|racing|pounding|dizz|"
    "faint|chest|breath|sudden|out of nowhere|not slow|not going down|no reason|{collapse}|pale|"
    "sweat",
    "cardiac: heart|pulse|puls|coeur|corazon|coracao + <=40 + faint|dizz|blacking|black out|blacked out|collaps|"
    "breath|chest",
    "cardiac: heartbeat|heart beat|pulse + slow + irregular + sick|vomit|drowsy|sleepy|faint|dizz|confus",
    "cardiac: heart|pulse|palpitat + racing|pounding|fluttering|palpitat|skipping|beating fast|irregular|fast|"
    "crazy + faint|dizz|pass out|collaps|{chest}|breath|blacked out|vision|going dark|went dark|black",
    "cardiac: cpr|chest compressions|defib + doing|giving|started|someone|is|are|help",
    "cardiac: collaps|dropped|fell|found + not breathing|no pulse|is not breathing|unresponsive|not respond",
    # an implanted defibrillator that fires
    "cardiac: icd|defibrillator|defib + shock|shocked|fired|went off|zapped + twice|again|times|dizzy|faint|chest|"
    "breath|>=2",
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
    "lopsided|crooked|torc|torta|tordu|deform|schief|hang|paral|travers|fallen|caid|tombe",
    "stroke: fala enrolada|habla arrastrada|verwaschen|parle bizarrement|arrastra|hablo raro|"
    "habla raro|fala estranho|fala enrolado|parle mal|habla mal|fala mal|spricht komisch|spricht undeutlich",
    "stroke: slur|garbl|gibberish|jumbl|muddl|nonsense|wrong words|lallt + speech|speak|talk|word|habla|parl|"
    "sprech|fala|saying|coming out",
    "stroke: can not speak|can not talk|not making sense|plus parler|redet wirr|spricht wirr",
    "stroke: talking funny|talking weird|talking strange|speaking funny|talks funny|sounds drunk",
    # a hand or an arm that suddenly stops working
    "stroke: hand|arm|leg|side + stopped working|not working properly|not work|gone weak|gone dead|useless|"
    "can not use|can not lift",
    # words that will not come: "can't find his words", "keeps losing words", "can't get my words out"
    "stroke: can not|could not|unable|struggling|trouble|losing|lost|keep losing + words|word",
    "stroke: can not|could not|does not|do not + understand + {sudden}|confus|slur|gibberish|droop|weak|one side|"
    "face|arm",
    # "no puede hablar", "du mal a parler", "kann kaum sprechen", "nao consegue falar"
    "stroke: puede|puedo|cuesta|dificultad|mal a|arrive|peut|peux|kann|kaum|consegue|consigo|dificuldade|"
    "nicht mehr + hablar|parler|sprechen|falar",
    "stroke: stroke|avc|ictus|derrame|schlaganfall|apoplex + having|think|sign|symptom|now|sudden|just|mini|creo|"
    "pense|glaube|acho|fait|esta|teniendo|hat|tendo",
    "stroke: {sudden} + {neuro_loss}",
    "stroke: one side|left side|right side|half my|half of my|half his|half her|half of his|half of her|"
    "down one side|un lado|un cote|einer seite|um lado + numb|weak|paraly|droop|feel|floppy|move|heavy|dead|tingl|"
    "not working|useless",
    "stroke: worst|thunderclap + headache|headach|head",
    "stroke: can not lift|can not raise|can not move|dragging + right arm|left arm|right leg|left leg|his arm|"
    "her arm|his leg|her leg|my arm|my leg",
    "stroke: arm|leg|hand + weak|heavy|numb|dead|clumsy + face|speech|slur|talk|words|droop|sudden|suddenly|"
    "one side",
    "stroke: dropping|keeps dropping|dropped his|dropped her + droop|slur|speech|words|talk|nonsense|face|mouth",
    # an arm and a leg on one side: "my left hand and leg went numb"
    "stroke: hand|arm|main|bras|mano|brazo|mao|braco + leg|foot|jambe|pierna|perna|bein + numb|weak|heavy|dead|"
    "engourd|entumec|dormente|taub|faible|debil|fraco|schwach + left|right|one side|same side|gauche|droit|"
    "izquierd|derech|esquerd|direit|links|rechts",
    # words that will not come, in other languages, with a time or a hand that lets go
    "stroke: trouver|trouve|encontrar|encuentra|encontra|finden|findet|wortfindung + mots|palabras|palavras|worte|"
    "wort|wortfindung + {sudden}|minutes|since|depuis|hace|seit|desde|commence|comenzo|comecou|main|mano|mao|hand|"
    "bras|brazo|braco|lache|deixa cair|fallen",
    # an arm or leg that will not move or feel, in other languages: "ne peut plus lever le bras"
    "stroke: no siento|nao sinto|ne sens|spure nicht|puede|puedo|peut|peux|kann|consegue|consigo + mover|bouger|"
    "bewegen|mexer|lever|levantar|heben|sentir + brazo|pierna|braco|perna|bras|jambe|arm|bein|cara|visage|rosto|"
    "lado|cote|mano|main|hand|mao",
    "stroke: no siento|nao sinto|ne sens plus|spure nicht + brazo|pierna|braco|perna|bras|jambe|arm|bein|cara|"
    "visage|rosto|lado|cote",
    "stroke: cabeza|tete|cabeca|kopfschmerz + dolor|mal|dor|kopfschmerz + peor|pire|schlimmst|pior|repentin|"
    "brutal|plotzlich|subit|terrible",
    "stroke: paralys|paralyz|gelahmt|paralis|lahm",
    "stroke: double vision|seeing double + swallow|slur|weak|droop|speak|talk|walk|balance|face",
    "stroke: slurring|slurred + leaning|one side|drunk|face|arm|leg|weak|sudden|confus|can not stand|can not walk|"
    "balance|unsteady|stagger|started|came on|dizz|vision",
    # ---- breathing
    "breathing: {cannot_breathe}",
    "breathing: struggl|fighting|trouble|difficult|hard to|harder to|gasping + breath|for air",
    "breathing: can not|barely|hardly|not getting|struggl|fighting + get air|enough air|any air|air in",
    # "no puede respirar", "le cuesta respirar", "n'arrive plus a respirer", "nao consegue respirar direito"
    "breathing: puedo|puede|pueden|consigo|consegue|cuesta|custa|dificultad|dificuldade|peux|peut|arrive|"
    "du mal|esfuerzo|esforco + respirar|respirer|respira|respire",
    "breathing: respire|respira|respirando|atmet + plus|presque|peine|casi|quase|kaum|nicht",
    "breathing: {breathless} + sentence|talk|speak|rest|sitting|sit still|lying down|lying flat|in bed|"
    "worse|faint|{blue}|can not|{severe}|"
    "{sudden}|confus|chest|lips",
    "breathing: wheez + badly|bad|severe|{blue}|not help|can not|really|puffy|so bad|few words|only say|loud|"
    "leaning forward|no inhaler|without inhaler|scared|"
    "one word|sentences",
    "breathing: inhaler|puffs|puffer|pump|nebul|ventolin|salbutamol + not help|not working|not work|no help|"
    "no better|fait rien|hace nada|hilft nicht|faz efeito|nao ajuda|no ayuda|done nothing|doing nothing|>=6",
    "breathing: rib|ribs|chest|neck|costilla|cotes|rippe|costela + suck|sucking|retract|caving|pulling in|hunde|"
    "creus|zieht|einzieh|afund|tiraje|tirage",
    "breathing: filha|filho|bebe|hija|hijo|fils|fille|sohn|tochter|nene|crianca|nino|nina|enfant|kind + "
    "chiado|puxando|afundando|silbido|hundiendo|siffle|creuse|tirage|pfeift|einzieh|respira mal|"
    "consegue respirar|puede respirar|respire mal|keine luft|falta de ar|cuesta respirar",
    # a baby who stops breathing for a moment: "pauses in her breathing", "gaps between breaths"
    "breathing: {child}|month old|months old|week old|weeks old + pause|pauses|pausing|gaps|gap|stops breathing|"
    "stopping breathing|holding his breath|holding her breath + breath|breathing|seconds|pale|{blue}|floppy",
    "breathing: grunting",
    "breathing: breath + tummy|belly|stomach + suck|sucking|pulling in|caving|sinking",
    "breathing: mid sentence|middle of a sentence|between words|between each word + breath|breathe|air",
    "breathing: panting|puffing|heaving|huffing + breath|air",
    "breathing: can not|unable|struggl|too breathless + finish|complete|full + sentence|sentences",
    "breathing: can not lie down|can not lie flat|can not lay down|can not lay flat + breath|air|worse|cough",
    "breathing: frase|frases|phrase|phrases|satz|satze + terminar|acabar|finir|terminer|beenden|completa|entera|"
    "inteira|ganzen|zu ende|entiere + {breathless}|respir|ar|aire|air|luft|souffle|atem|atmen|enfisema|emphysem|"
    "asma|asthm|oxigen|oxygen|sauerstoff",
    "breathing: one word|few words|two words|couple words|words out|word out + a time|between breaths|breath",
    "breathing: nostril|nostrils|nose + flar",
    # the noise of a narrowed windpipe, in lay words: "a horrible noise when breathing in"
    "breathing: noise|noisy|sound|squeak|whistl|rasp|crow + breathing in|breathes in|breathe in|breath in|"
    "at rest|when calm|even when",
    "breathing: asthma + hardly|can not talk|can not speak|not help|severe|really bad|{blue}|worst|barely talk|"
    "barely speak|can only say|words at a time|full sentences",
    "breathing: {blue} + lip|face|mouth|labio|levre|lippe|boca|rosto|mund|bouche|gesicht|visage|cara",
    # a sore throat that closes: cannot swallow their own spit, drooling, leaning forward to breathe
    "breathing: drool|dribbl + can not swallow|leaning forward|sitting forward|breath|noise|high pitch",
    "breathing: copd|asthma|emphysema + worse than usual|much worse|way worse|sleepy|drowsy|confus|{blue}",
    "breathing: breath + fast|rapid + faint|shallow|fever|grunt|floppy|{altered}",
    "breathing: respirando|respira|respire|respiration|respiracao|respiracion|atmet|atmung + rapid|rapido|rapida|vite|"
    "schnell + no contesta|nao responde|ne repond|reagiert kaum|{altered}",
    "breathing: froth|frothy + cough|breath|spit|pink",
    "breathing: breath + lying down|lying flat|in bed|lie flat|sit up|sitting up|sleep sitting|propped up",
    "breathing: oxygen|sats|saturat + 50-92",
    "breathing: stridor|whistling|high pitched + breath|noise|gasp|can not",
    # a whistle or squeak with every breath after a baby ate or coughed: something inhaled
    "breathing: whistl|squeak|wheez|noisy|noise + every breath|each breath|breathing in|breathes in + {child}|"
    "month old|months old|mo|eating|ate|choked|coughed|swallowed",
    # ---- choking
    "choking: chok|atragant|etouffe|verschluck|engasg + can not|not breathing|not cough|no noise|no sound|silent|"
    "not making|{blue}|red|stuck|help|grabbing|gagging|no puede|ne peut|kann nicht|nao consegue|wheez|nonstop|"
    "non stop|hard work|since then|still coughing|no respira|ni respira|nao respira|ne respire|atmet nicht|"
    "no llora|ni llora|ne pleure|nao chora|weint nicht|respira mal",
    # something small in a baby's mouth, and now gagging or silent
    "choking: {child}|month old|months old|year old + mouth|coin|toy|grape|bead|button|food + gagging|not cry|"
    "silent|no sound|can not breath|{blue}|turning",
    # hands at the throat and no sound: "hands on her neck, can't cough"
    "choking: hands on|hands at|hand at|hands to|hand to|clutching|grabbing|holding + neck|throat + can not cough|can not speak|can not talk|silent|"
    "no sound|can not breath|turning|{blue}|can not make|any sound|a sound|no noise|not coughing|stopped coughing|"
    "going dark|gone dark|nothing comes|nothing coming",
    # food that went down the wrong way, and now silent or grabbing at someone
    "choking: swallowed wrong|went down wrong|wrong way|eating|sandwich|meat|steak|mouthful + gone silent|"
    "went silent|going silent|no sound|no noise|making no|squeak|pointing at|words out|wheezy|grabbing at|clutching at|can not breath|turning blue",
    "choking: stuck|lodged|went down|steak|meat|food|bite|piece + cough|coughs|coughing + weaker|getting weak|fading|"
    "can not talk|can not speak|no sound|silent",
    "choking: ball|marble|coin|toy|bead|button|lego|grape|sweet|candy|canica|bille|murmel|bolinha|moneda|"
    "munze|moeda|juguete|jouet|spielzeug|brinquedo + mouth|boca|bouche|mund + cough|chok|gag|wheez|{blue}|"
    "toser|tousser|husten|tossir|respirar|respirer|atmen|sonido|ningun|aucun|keinen|nenhum",
    "choking: stuck + throat + air|breath|cough|swallow|spit|saliva|drool|sound|noise|speak|talk|{blue}|red",
    "choking: swallow|inhaled + coin|toy|marble|lego|bead + cough|chok|breath|wheez|{blue}|stuck",
    "choking: breathed in|inhaled|aspirated + wheez|noisy|whistl|one side|cough|breath",
    # a small thing in the mouth that went down the airway, and now a wheeze or noisy breathing
    "choking: marble|bead|coin|peanut|nut|grape|lego|pea|popcorn|button|toy|sweet|candy + breathed|inhaled|"
    "went down + wheez|noisy|whistl|one side",
    # ---- anaphylaxis
    "anaphylaxis: anaphyla|anafila",
    "anaphylaxis: epipen|epi pen|adrenaline pen|auto injector + used|gave|given|injected|jabbed|jab|"
    "after the|after using|after giving|twice|second|not work|not help",
    "anaphylaxis: {face_throat} + {swelling}",
    "anaphylaxis: hives|urticaria|welts|blotch + faint|dizz|breath|wheez|vomit|throat|swell",
    # a food or sting, then a rash with a second system: coughing, vomiting, tummy pain (anaphylaxis in a child)
    "anaphylaxis: {allergen} + rash|hives|welts|blotch + cough|wheez|sick|vomit|tummy|stomach|breath|swell|throat",
    "anaphylaxis: swell|swollen|hives|blotch|welts + all over|everywhere|whole body|head to toe + faint|dizz|"
    "breath|"
    "wheez|throat|tongue|lip|collaps|vomit",
    "anaphylaxis: tongue|lips|mouth|throat + tingl|itch|numb + faint|dizz|breath|swell|blotch|hives|rash",
    # a known allergy, and the food or medicine was eaten: "nut allergy, just ate a cookie with nuts, coughing"
    "anaphylaxis: allerg|alerg + ate|eaten|eating|had some|accidentally|by accident|exposed|took + itch|cough|"
    "tingl|"
    "swell|hives|vomit|throat|lip|tongue|breath|wheez",
    "anaphylaxis: allerg|alerg + severe|fuerte|strong|bad|swell|swollen|breath|throat|tongue|lip|faint|dizz|chest|"
    "hincha|schwill|zunge|gorge|garganta|shock|swallow|tingl|voice|hoarse|wheez|heiser|quaddel|eng|ronque|rouque|"
    "rouca|enrouee",
    # the throat closing, in the words people use: "mein Hals wird eng", "se me cierra la garganta"
    "anaphylaxis: hals|kehle|garganta|gorge|throat + eng|zu|schwillt|schnurt|cierra|cerrando|fechando|fechada|"
    "serre|closing|closes|tight",
    "anaphylaxis: {allergen} + wheez|breath|faint|dizz|throat|gorge|garganta|swollen shut|swelling shut|voice|"
    "hoarse|swallow|collaps|tongue|tonta|tonto|mareado|mareada|mareo|etourdi|vertige|schwindel",
    # ---- bleeding
    "bleeding: nosebleed|nose bleed|{bleed} + {heavy_bleed}|faint|dizz|lightheaded|light headed|pass out|"
    "passing out|pads|really weak|so weak|very weak|clammy",
    "bleeding: vomit|throwing up|threw up|cough|spit|spat|being sick|bringing up|brought up|bring up|puking|puke|"
    "vomitando|vomis|vomi|vomiu|vomito|vomio|crach|erbrech|erbroch|erbricht|bricht|spuckt|hustet|"
    "tosiendo + blood|sangre|sang|blut|sangue",
    "bleeding: tarry|black stool|black poop|black stools|melena|coffee ground|pooing black|black sticky|"
    "sticky black|black tar|like tar|borra de cafe|marc de cafe|kaffeesatz",
    # dark vomit like coffee grounds, in other languages ("como posos de café, oscuro")
    "bleeding: vomit|echado|devuelto|erbrech|vomis + cafe|coffee|kaffee + ground|borra|marc|satz|oscuro|escuro|dark|"
    "noir|dunkel|preto|negro",
    "bleeding: black|tar|schwarz|pechschwarz|tiefschwarz|negr|noir|preto|preta|pretas|pretos + poo|poop|stool|faeces|"
    "feces|stuhl|heces|selles|fezes|caca|coco + dizz|faint|weak|pale|vomit|sick|lightheaded|breath|collaps|blood|blass|"
    "kreidebleich|palid|umgekipp|"
    "desmai|desmay|evanou|schwindel|mareo|tontura|vertige|faible|debil|fraca|fraco|schwach",
    "bleeding: black|tar|tarry + poo|poop|stool|faeces|feces|caca|selles|stuhl|fezes|coco + getting up|stood up|"
    "standing up|stand up|on standing|collaps|blacked out|heart racing",
    "bleeding: tooth out|extraction|socket|wisdom tooth + pouring|mouthful|mouth full|keeps filling|"
    "will not stop|not stopping",
    "bleeding: soaked|soaking|dripping|pouring + dressing|bandage|towel|gauze + puddle|dripping|carpet|floor|"
    "everywhere|through",
    "bleeding: stabbed|knifed|gunshot|been shot|got shot|apunalado|poignarde|erstochen|esfaqueado",
    "bleeding: stab wound|stab wounds|stabbing|gunshot|bullet + wound|wounds|bleed|blood|chest|belly|stomach|neck",
    # a knife in the body, not a kitchen cut ("small cut from a knife, it stopped bleeding")
    "bleeding: knife + chest|belly|stomach|neck|back|still in|stuck in|sticking out|deep|spurt|pouring|gushing",
    # a limb bent the wrong way or a bone through the skin; a hip twisted after a fall
    "fracture: bent the wrong way|wrong angle|funny angle|weird angle|odd angle|bone sticking out|bone through|"
    "bone poking|deformed + leg|arm|wrist|ankle|elbow|knee|thigh|hip|shin",
    "fracture: fell|fall|fallen|falling|crash|tackle|hit + leg|hip|thigh|arm + can not stand|not get|"
    "can not move|can not put weight|twisted|shorter|turned out|{severe}",
    "bleeding: nosebleed|nose bleed|nose + bleed + hour|hours|warfarin|thinner|apixaban|rivaroxaban",
    "bleeding: period|menstrua + soak|flood|every hour|clots|pad every|faint|dizz",
    "bleeding: clots|soak|flooding + pad|pads|every hour|towel|towels|faint|dizz",
    # blood coming through one cloth after another
    "bleeding: bleed|blood|sangr|saign|blut|sangue + through|soaked|soaking|traspasa|traverse|durch + towel|towels|"
    "cloth|cloths|bandage|dressing|tea towel|t shirt|toalla|serviette|handtuch|toalha|pano|tuch",
    *HARM_RULES,  # overdose, poisoning, suicide and self-harm, danger to others: chat/safety_rules_harm.py
    # ---- seizures
    "seizure: {unresponsive}",
    "seizure: not wake|can not wake|will not wake|not waking|hard to wake|difficult to wake|not rouse|"
    "unrousable|not woken|unable to wake|trying to wake|tried to wake|try to wake|seem to wake|no despierta|"
    "reveille pas|wacht nicht|nao acorda",
    "seizure: come round|coming round|came round|come to|woken up + not|without|has not|still|in between",
    # fits one after another without coming back in between (a cluster, status), named or described
    "seizure: episodes|seizures|fits|spells|attacks|staring|jerking|twitching|absences|anfalle|crisis|crises|"
    "convuls + after another|back to back|keeps having|keep having|and again|one after|nonstop|non stop + "
    "coming back|back to normal|coming round|coming to|in between|not waking|not recovering|without waking",
    "seizure: {fitting} + having|nicht auf|now|not stop|minute|min|mins|still|started|again|first|second|hour|"
    "just|>=3|arret|hort|para|since|after|had a|has a|another|{blue}|lips|shaking|jerk|foam|froth|unconscious|"
    "floor",
    "seizure: first seizure|first fit|krampfanfall|anfall|convulsao|convulsiones|convulsion|crise convulsive|"
    "convulsing|convulsionando|convulsiona|convulse|krampft|fait une crise|having a seizure|having a fit|"
    "is seizing|seizing",
    "seizure: first|first ever|never had + seizure|fit|fits|convuls|krampf",
    "seizure: fit|fits + first ever|another one|had another|after another|another fit|a second fit|a third|not stop|"
    "will not stop|minutes|shaking|jerking|bath|bathtub|pool|"
    "{blue}|froth|foam|convuls|epilep|unconscious|rolled|never had",
    "seizure: foam|froth|foaming|frothing + mouth|lips",
    # fits one after another without coming round in between ("started again before he came round")
    "seizure: fit|seiz|convuls + started again|another one|third one|third in|again before + came round|come round|"
    "coming round|woke up|waking",
    # stiff, then shaking that goes on ("se puso rígida y a temblar ... 5 minutos y no para")
    "seizure: rigida|rigido|raide + temblar|tiembla|tremer|trembl|secou + minutos|no para|nao para|arrete pas",
    # a fit without the word: shaking or jerking that will not stop, eyes rolled back, stiff, not answering
    "seizure: jerk|shaking|shakes|shook|twitch|convuls|trembl|spasm + {fit_sign}",
    "seizure: jerking|convulsing|fitting + ground|floor|pavement|road|street|suelo|terre|sol|chao|boden",
    "seizure: debatendo|se debatiendo|se debat|temblando|tremendo|sacud|secouss|zuckt|zucken|krampft|"
    "tremble|convulsa + minutos|minutes|minuten|no para|nao para|arrete pas|hort nicht auf|olhos virados|"
    "ojos en blanco|yeux revulses|augen verdreht|chao|suelo|sol|boden|{fit_sign}",
    "seizure: roll|rolled|rolling + eyes|eye + jerk|shak|twitch|stiff|rigid|fit|seiz|unrespons|floppy|blue|foam|"
    "froth|fever",
    # ---- head and spine injuries
    # knocked out, and since then sick, confused or asking the same thing again
    "head_spine: knocked out|out cold|knocked unconscious + took a knock|knock to the head|hit his head|hit her head|"
    "hit my head|head first|tackle|punched|kicked in the head + sick|vomit|same question|same thing|"
    "repeating|keeps asking|confus|drowsy|sleepy|seiz|fitting",
    "head_spine: {head} + {head_injury} + {head_danger}",
    "head_spine: {fall_from} + fell|fall|fallen|falling|rolled off|tombe|tombee|cayo|caiu|gesturzt|gefallen|"
    "runtergefallen|came off|thrown off + {head_danger}",
    # a baby or toddler who fell and is now sleepy, sick or floppy
    "head_spine: baby|infant|newborn|toddler|month old|months old + fell|fall|fallen|rolled off|dropped + sleepy|"
    "drowsy|vomit|been sick|was sick|floppy|limp|unconscious|not herself|not himself|will not wake|swelling|"
    "swollen|lump|squishy|boggy|not acting",
    "head_spine: can not feel|can not move|numb|tingl|pins and needles|paraly|weak + leg|legs|arm|arms|feet|foot|"
    "hand|hands|fingers|toes + neck|back|spine|{accident}",
    "head_spine: {accident} + neck + pain|hurt|sore|stiff|numb|tingl",
    # hit with something hard, and later not right: slurring, drowsy, vomiting
    "head_spine: hit with|hit by|struck|smashed + bottle|bat|brick|pole|club|glass|hammer|rock|stone + slurr|"
    "drowsy|stay awake|confus|vomit|sleepy|being sick|seiz",
    "head_spine: bladder|bowel|peed myself|wet myself|saddle + back|numb|can not feel|control",
    "head_spine: pupil + different|unequal",
    "head_spine: broke my neck|broken neck|broke my back|broken back|broke his neck|broke her neck",
    "head_spine: hit by a car|run over|knocked down by|hit by a bus|hit by a truck|atropell|renverse par|"
    "angefahren|atropelad",
    "head_spine: fluid|blood|bleeding|clear|watery|dripping|leaking|liquido|liquide|flussigkeit|transparente|"
    "clair|klar + ear|ears|nose|nariz|nez|nase|oreja|oreille|ohr|orelha|ouvido + {head}|fall|fell|hit|knock|crash|"
    "bang|accident|golpe|cayo|caiu|tombe|gesturzt",
    "head_spine: concussion + worse|vomit|seiz|confus",
    "head_spine: accident|crash|fell|fall|fallen + not making sense|confus|vomit|drowsy|sleepy|can not move|"
    "slurr|disorient|keeps asking|same question",
    *BIRTH_RULES,  # pregnancy, birth, babies and children: chat/safety_rules_birth.py
    # ---- sepsis and meningitis
    "sepsis: stiff|rigid|steif|raide|rigidez + neck|nacken|cuello|nuque|pescoco|nuchal + {fever}|headache|rash|"
    "light|vomit|drowsy|confus|kopfschmerz|cabeza|tete|cabeca|fieber|fiebre|fievre|febre",
    "sepsis: headache + rash|spots + vomit|{fever}|stiff|drowsy|confus|light",
    "sepsis: {fever} + {sepsis_sign}",
    "sepsis: sepsis|septic|sepsi|meningit|meningococ|septicemi",
    # a hot swollen joint with a fever
    "sepsis: joint|knee|hip|ankle|elbow|shoulder + swollen|swelling|hot|red + {fever}",
    # a stomach bug, and now not drinking and drowsy, or confused and hardly passing urine
    "sepsis: vomit|diarrh|sickness bug|gastro + not drinking|not drink|refusing|no fluids|not keeping + "
    "{altered}|floppy|not peed|no wee|faint",
    # a stomach bug, and now confused or drowsy and hardly passing urine
    "sepsis: vomit|diarrh|sickness bug|gastro + {confused}|drowsy|floppy + peed|wee|urine|pee",
    "sepsis: photophob + headache|fever|neck|vomit",
    "sepsis: light|lights + hurts|hurting|bear|stand|look at|sensitive|painful|bright + headache|{fever}|neck|"
    "vomit|"
    "rash",
    "sepsis: purple|blotchy|blotches + spots|rash|marks|patches + {fever}|unwell|out of it|drowsy|confus",
    "sepsis: spreading fast|spreading quickly|red streak|red line|line going|line moving|line tracking|line spreading|"
    "streak + cut|wound|bite|"
    "{fever}|going up|moving up|"
    "up my|up his|up her|tracking|spreading|longer|bigger",
    "sepsis: cellulitis|infection|infected|abscess|wound|bite|redness + spreading|tracking|streak + faint|dizz|"
    "shiver|unwell|confus|fast|quickly|{fever}",
    "sepsis: chemo|chemotherapy|neutropen|immunosupp + {fever}|>=37.5|unwell",
    # a wound or an operation site gone red, hot or oozing, with a fever or a racing heart
    "sepsis: wound|incision|stitches|scar|op site|operation site|cut|herida|plaie|wunde|ferida + red|oozing|pus|"
    "hot|smell|weeping|swollen|spreading + fever|fiebre|fieber|fievre|febre|37.8-42.9|burning up|chills|shiver|"
    "rigor|racing|faint|dizz|clammy|confus",
    "sepsis: mottled|blotchy + cold|breath|drowsy|confus|{fever}|pale|floppy",
    "sepsis: rash|spots|marks + like bruises|bruise|bruising + drowsy|sleepy|cold hands|cold feet|legs hurt|{fever}|"
    "unwell|floppy|confus",
    # cold hands and feet, or leg pain, with a fever: early signs of sepsis, in five languages
    "sepsis: {fever} + cold hands|cold feet|hands cold|feet cold|pes gelados|maos geladas|pies frios|manos frias|"
    "pieds froids|mains froides|kalte hande|kalte fusse|legs hurt|leg pain|leg pains|nas pernas|las piernas|"
    "aux jambes|den beinen|beinschmerzen",
    # an infection, and now the person is not right: confused, cold and clammy, mottled, not passing urine
    "sepsis: {infection} + confus|drowsy|not herself|not himself|out of it|clammy|mottled|breathing fast|very fast|"
    "bluish|not peed|"
    "{confused}|fleckig|marmor|manchad|marbre|atmet schnell|respira rapido|respire vite|"
    "no urine|shivering uncontrol|can not stop shaking|rigor|faint|collaps|blotchy|cold hands|ice cold",
    # ---- abdominal emergencies
    "abdominal: {belly} + {severe}|hard as|rigid|can not walk|can not stand|passed out|tearing|burst|horrivel|"
    "dura|duro|hart|dure|nao consegue|"
    "can not move|kann nicht|swollen|bent over|curled|punch",
    "abdominal: lower right|right side|right lower|bottom right|lado derecho|lado direito|cote droit|rechte seite|"
    "rechts unten + pain|hurt|dolor|dor|douleur|schmerz|weh + {fever}|walk|vomit|{severe}|worse",
    "abdominal: {child}|year old|yo + right side|lower right|right lower|tummy|belly|stomach + scream|screams|"
    "cries|crying|not walk|not jump|bent over|touch it|touch his|touch her|touched",
    "abdominal: barriga|ventre|vientre|barriga|bauch|estomac|estomago|estomago + fortissima|fortisima|muito forte|"
    "muy fuerte|de repente|subita|subito|soudain|plotzlich|atroz|horrivel + vomit|vomito|vomitando|vomissant|"
    "erbrech|nao consigo|no puedo|costas|espalda|dos|rucken|em pe|de pie",
    "abdominal: belly button|navel|umbilic + moved|right side|right lower|lower right|bottom right",
    "abdominal: appendix + burst|rupture",
    # a hernia that is stuck: hard, dark, will not go back, with pain or vomiting
    "abdominal: hernia|lump|bulge|hernie|hernie|bruch + hard|purple|dark|go back|push back|stuck + pain|painful|"
    "sick|vomit|{severe}",
    # very thirsty and losing weight for weeks, now vomiting or breathing oddly (a first ketoacidosis)
    # passing water and thirsty for days, now confused or barely answering (a hyperglycaemic state)
    "glycaemia: peeing|weeing|urinating|toilet + thirst|drinking|water + {confused}|drowsy|barely respond|"
    "{collapse}",
    "glycaemia: thirst|drinking loads|drinking so much|boit enormement|bebe mucho|trinkt viel|"
    "bebe muito|sede|durst + weight|maigri|adelgaz|abgenommen|emagrec|thin + vomit|breath|respir|atmet|drowsy|"
    "tummy|ventre|bauch|barriga|stomach",
    # angina that the spray does not settle
    "cardiac: angina|gtn|nitro|spray + not shifting|not going|not helping|not working|worse|three times|3 times|"
    "again + pale|clammy|sweat|grey|gray|pain",
    "abdominal: not pooped|not pooed|not farted|no bowel|can not poop|not passed wind|not passed gas + vomit|"
    "swollen|pain|bloat|distend",
    "abdominal: pee|wee|urinate|urine + can not|unable|not able + agony|{severe}|swollen|bladder",
    "abdominal: not keep|not keeping|not stay|not staying|not hold + down|water|fluids|anything|drink",
    "abdominal: vomit|sick|throwing up|vomi|erbrech|erbricht + poo|faec|feces|fecal|poop|de fezes|a caca|nach kot",
    # bowel folding into itself in a baby: screaming in bouts, legs drawn up, a stool like redcurrant jelly
    "abdominal: {child}|month old|months old|year old + scream|crying|cries|inconsolable + bouts|episodes|"
    "comes and goes|on and off|attacks|waves|every few + knees|legs|pale|floppy|vomit|jelly|blood",
    "abdominal: redcurrant|red jelly|like jelly|like jam|jelly like|blood and mucus|bloody mucus|blood and slime + "
    "poo|stool|nappy|diaper",
    "abdominal: {belly} + kicked|punched|hit|crash|trauma|injur|seatbelt|handlebar|fall|fell + pale|faint|dizz|"
    "shoulder|"
    "vomit|swell|swollen|blood|worse|rigid|hard",
    "abdominal: {severe} + side|flank|loin|kidney|groin|back + pee|urine|blood|fever|shiver|vomit|keep still|"
    "lie still|sit still|writh|rolling",
    "abdominal: af|atrial fib + belly|stomach|abdom|tummy + pain|{severe}",
    "abdominal: out of proportion",
    "abdominal: positive|pregnan|embaraz|enceinte|schwanger|gravid + pain|dolor|douleur|dor|schmerz + passed out|"
    "pass out|fainted|faint|shoulder tip|collaps|desmai|desmay|evanoui|ohnmacht",
    "abdominal: yellow eyes|jaundice|yellow skin|m yellow|s yellow|gone yellow|turned yellow|turning yellow|"
    "look yellow|looks yellow|yellowish + fever|shiver|rigor|temperature + pain|ribs|belly|tummy|stomach",
    # ---- eyes
    "eye: {eye} + {eye_injury}",
    "eye: curtain|shadow|veil + vision|eye|sight",
    "eye: {eye} + flechette|dart|pencil|crayon|stylo|lapiz|lapis|bleistift|stick|baton|palo|branch|branche|rama|"
    "nail|clou|scissors|ciseaux|tijeras|fleche|arrow|pfeil|knife|couteau + liquide|fluid|liquido|flussigkeit|clear|"
    "clair|blood|sang|sangre|blut|flou|blurr|borroso|verschwommen|embacad|turvo|bleed",
    "eye: eye|eyes|vision + pain|painful + blur|headache|vomit|halo",
    "eye: flashes|flash|flashing lights + floaters|floater|vision",
    "eye: points noirs|eclairs|blitze|destellos|moscas|floaters|flashes|flash|relampagos|pontos pretos + ombre|"
    "rideau|schatten|vorhang|sombra|cortina|shadow|curtain|voile|velo",
    # an eyelid swollen shut with a fever (infection behind the eye)
    "eye: eyelid|eye lid|augenlid|parpado|paupiere|palpebra|around his eye|around her eye + swollen|swelling|shut + "
    "fever|{fever}|to move|moving",
    "eye: lost|losing|loss|gone|went|going + vision|sight|blind|dark + eye|eyes|sudden|suddenly|one|half|left|"
    "right|everything|completely",
    "eye: went blind|gone blind|blindness|vision went",
    "eye: can not|could not|unable + see + eye|eyes|vision|sight|out of",
    "eye: {eye} + barely see|hardly see|can barely|can hardly|blood pooled|pooled|hammer|hammering|chisel|drilling|"
    "grinding|gespritzt|bespritzt|spritzer|salpic|espirr|gicle|projete",
    # ---- testicular torsion
    "testicular: {testis} + {sudden}|{severe}|swollen|swell|twist|vomit|sick|nause|higher|purple|can not walk|"
    "hurts like|agonis|fuerte|starke|stark|brutal|subita|plotzlich|repentin|thrown up|threw up|throwing up|crying",
    "testicular: right nut|left nut|one nut|right ball|left ball|one ball|right testicle|left testicle + pain|"
    "agony|{sudden}|{severe}|swollen|puke|puked|vomit|sick",
    # the condition named beside a sign, a worry or a doctor's word now ("could this be torsion? it hurts", "the GP
    # said possible torsion"), not a history of it ("had surgery for torsion at 15")
    "testicular: torsion + pain|hurt|ache|swell|swollen|sudden|vomit|sick|agony|think|worried|scared|help|now|"
    "dolor|douleur|dor|schmerz|could this|is this|might|could|possible|possibly|suspect|hospital|a e|gp|doctor|"
    "nurse said|urgent|emergency|ambulance|in the car|on our way",
    "testicular: nuts|balls|ball|nut + one side|left side|right side|one of them + swollen|swell|{sudden}|vomit|"
    "threw up|sick|{severe}|belly",
    # a twisted or raised testicle, in slang: "my nut looks twisted and it's killing me"
    "testicular: my nut|his nut|one nut|left nut|right nut|my ball|his ball + twist|{sudden} + pain|hurt|agony|"
    "sore|{severe}|killing|vomit|throwing up|threw up|being sick",
    # an erection that will not go down for hours (priapism)
    "testicular: erection|hard on|boner + hours|hrs|will not go|not going down|painful|agony|>=4",
    # ---- blood sugar
    "glycaemia: sugar|glucose|bs|bg|bm|glycemi|glucemi|zucker|acucar|azucar|glycaemi|glucometr|glicosimetr|"
    "glukometer|glycometre + <=3.5|20-70|>=300|hi",
    "glycaemia: hypo|hypoglyc|unterzucker|hipoglucemia|azucar bajo + confus|"
    "unconscious|passing out|pass out|can not swallow|not respond|fit|seiz|reagiert nicht|desmai|shaking|sweaty|"
    "not making sense",
    "glycaemia: sugar|sugars|glucose|bs|acucar|azucar|zucker + low|lows|baixo|bajo|niedrig + shak|confus|sweat|"
    "faint|drowsy|fit|seiz|unconscious|not respond|not making sense|pass out|passing out",
    "glycaemia: meter|reading|libre|sensor|dexcom|cgm|lecteur|lector|medidor + <=3.5 + {altered}|think straight|"
    "can not think|sweat|shak|"
    "vomit|sick|coming up|not respond|unconscious|sueur|sudor|suor|schwitz",
    # the meter's own words for out of range, with the person not right
    "glycaemia: {meter} + lo|hi + {altered}|sweat|shak|clammy|vomit|unconscious|not respond|breath|verwirrt|"
    "schwitz|confuso|confundid|sudando|transpir|suando|sleepy|pass out|passing out|sueur|agressi|comprend plus|"
    "comprend pas",
    "glycaemia: meter|monitor|libre|sensor|dexcom|cgm|glucometer|messgerat + low|high|niedrig|bajo|baixo|alto|bas|"
    "says lo|reads lo|shows lo|says hi|reads hi|shows hi + {altered}|think straight|really weird|sweat|shak|clammy|vomit|unconscious|not respond|verwirrt|schwitz|confuso|sudando|transpir",
    "glycaemia: insulin + {altered} + sweat|shak|pale|clammy",
    "glycaemia: diabet + confus|not making sense|unconscious|fruity|drowsy|sweaty|desmai|ketone|{collapse}|"
    "gibberish|verwirrt|durcheinander|confundid|desorient|acting drunk|acting strange|slurr|agitat|aggressiv|"
    "{confused}|ansprechbar|murmel|mumbl|schwitzt stark",
    # shaking and sweating in someone with diabetes, in five languages
    "glycaemia: diabet|typeone|typetwo|insulin + shak|trembl|tremb|zitter|tiembl|sweat|clammy|schwitz|sudando|"
    "transpir|suando|sueur|sudor|schweiss + shak|trembl|tremb|zitter|tiembl|{altered}|pale|racing|blurr",
    # no insulin for a while, and now vomiting, heavy breathing, tummy pain or drowsy (ketoacidosis)
    "glycaemia: skip|missed|missing|forgot|ran out|run out|stopped|not taking|not had + insulin|injections|jabs|"
    "pump|shots + vomit|sick|throw|stomach|tummy|belly|breath|drowsy|sleepy|confus|thirst|ketone",
    "glycaemia: dka|ketoacidosis|diabetic coma|hyperosmolar",
    "glycaemia: ketone + high|vomit|>=1.5|breath|purple|dark|throwing up",
    "glycaemia: pear drops|fruity|acetone|nail varnish|nail polish + breath|smell",
    "glycaemia: {diabetic} + vomit|throwing up|can not keep down|breathing fast|deep breath|breathing deep|"
    "heavy breath|breathing heav|breathing hard|breathing weird|breathing funny",
    # ---- any emergency: extreme pain, an ambulance called or asked about
    "severe_pain: worst pain + ever|life|had|felt",
    "severe_pain: pain is 10 outoften|10 outoften pain",
    "severe_pain: screaming|writhing|doubled up|crying out + in pain|in agony|with pain",
    "general: sickle + crisis|fever|breath|chest",
    # on the floor and unable to get up, alone or for hours (a long lie)
    "general: fell|fallen|on the floor + unable to get up|can not stand + alone|hours|all night|"
    "since|on my own|by myself",
    # a long lie: on the floor, cannot get up, and now cold or confused
    "general: on the floor|fallen|fell + get up|unable to get up + {confused}|cold|hours|all night",
    "general: ambulance|911|999|112|samu|ambulancia|rettungswagen|notruf + should i|do i need|call|called|calling|"
    "on the way|waiting|coming|now",
    *EXPOSURE_RULES,  # burns, heat, cold, water, electricity, venom: chat/safety_rules_exposure.py
]

RED_FLAGS: list[str] = [expand(rule, TERMS) for rule in RULES]
