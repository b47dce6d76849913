"""The red flags of pregnancy, birth and the first years: bleeding, fits and headaches in pregnancy, waters and
labour, after the birth, babies (fever under three months, floppy, not feeding, yellow) and children.

Part of the chat's rule book (chat/safety_rules.py, whose docstring gives the pattern language and the rules
for writing one): these rules sit in RULES between head injuries and sepsis, in the same order as before they
moved here (the book passed 500 lines). Parents rarely use the medical word: "she's gone floppy", "hasn't had
a wet nappy since this morning", "38,5 de fièvre à 3 semaines".
"""
from __future__ import annotations

BIRTH_RULES: list[str] = [
    # ---- pregnancy, birth and after birth
    "obstetric: {pregnant} + {bleed}|blutung|seiz|fit|convuls|headache|flash|vision|contraction|waters|{severe}|"
    "sharp|stab|not moving|not moved|fluid|faint|dizz|collaps|shoulder|one side|fever",
    "obstetric: {pregnant}|weeks + face|hands|eyes + swell|swollen|puffy",
    # a fit late in pregnancy, with the signs that go with it (eclampsia)
    "obstetric: weeks|wks|semanas|semaines|wochen|{pregnant} + fit|fitting|seiz|convuls|krampf + confus|"
    "blood pressure|bp|headache|swollen|swelling|vision|drowsy|unconscious|just|now",
    "obstetric: {pregnant} + accident|crash|hit|fell|fall|kicked|punched|assault|trauma",
    "obstetric: weeks|wks|semanas|semaines|wochen|woche|semana + headache|flash|vision|bleed|contraction|sangr|"
    "saign|blut|sangue|tete|cabeza|cabeca|kopfschmerz + {pregnancy_warning}",
    "obstetric: not felt|stopped moving|not moving|not moved|no movement|less movement|reduced movement|"
    "moving less|not kicked|not kicking|no kicks|barely kicked|hardly kicked|barely any kicks|hardly any kicks + baby|"
    "weeks|bump|pregnan",
    # barely felt the baby, late enough for movements to be expected
    "obstetric: barely felt|hardly felt + 24-42 + weeks|wks|semanas|semaines|wochen",
    "obstetric: {pregnant}|weeks|semanas|semaines|wochen + bebe|baby|bb|kind|nene + nao mexe|parou de mexer|"
    "se mueve|dejo de moverse|no lo siento|ne bouge|bouge plus|ne sens plus|bewegt sich nicht|spure es nicht|"
    "nicht mehr bewegt|sem mexer|nao sinto|"
    "nao mexeu|mexe pouco|mexeu pouco|mexendo pouco|quase nao|no se movio|bouge pas|"
    "kaum bewegt|bewegt sich kaum",
    "obstetric: waters|water broke|waters broke + green|brown|blood|smell|meconium|cord",
    # before 37 weeks: contractions, waters or bleeding (labour too early)
    "obstetric: 20-36 + weeks|semanas|semaines|wochen|wks + contrac|wehen|waters|liquido|liquide|fluid|leaking|"
    "perdendo|bleed|sangr|tightenings every|tightening every",
    # late in pregnancy: pain under the right ribs, or a pressure of 140 over 90 and more (pre-eclampsia)
    "obstetric: weeks|{pregnant} + under my ribs|below my ribs|upper belly|upper tummy|epigastr + pain|sick|vomit",
    "obstetric: weeks|{pregnant}|pregnancy + >=140 + 90-139",
    # a pregnant belly gone hard with constant pain (the placenta coming away)
    "obstetric: bump|{pregnant}|weeks + hard as|rock hard|is hard|rigid|like a board|hard like + pain|constant|"
    "bleed|not ease",
    "obstetric: waters|water + broke|broken|gone|leaking|burst + <=36 + weeks|wks|pregnant",
    # labour before 37 weeks
    "obstetric: contraction|labour|labor|in labor + <=36 + weeks|wks|woche|wochen|semana|semanas|semaine|semaines",
    "obstetric: fruchtblase|blasensprung|fruchtwasser|bolsa|fuente|poche des eaux|aguas + geplatzt|abgegangen|rota|"
    "rompio|rompi|rompu|percee|estourou|rompeu + <=36 + woche|wochen|semana|semanas|semaine|semaines|weeks",
    "obstetric: cord + see|seen|feel|prolap|coming out|hanging",
    "obstetric: {postpartum} + {bleed}|clots|white|pale|faint|dizz|breath|chest|swollen|fever|headache|confus|"
    "pour|soak|pads",
    "obstetric: had the|had my|had her|had our|delivered + baby + {bleed}|clots|white|pale|faint|dizz|breath|"
    "chest|swollen|fever|headache|confus|pour|soak|pads|smell|discharge",
    "obstetric: period|pregnancy test|positive test + late|missed|positive|weeks + pain|bleed|faint|dizz|"
    "shoulder|stab|sharp|{severe}|one side",
    "obstetric: shoulder tip + pregnan|period|weeks|ectopic",
    # a birth under way: the baby's head showing
    "obstetric: baby|babys + head|crowning + coming out|showing|push|pushing + weeks|labour|labor|waters|contraction|"
    "midwife|ambulance|car|birth|pregnan",
    "obstetric: baby|babys|bebe + coming|arriving|on its way|kommt|arrive|viene|vindo + head|crowning|tete|cabeza|"
    "kopf|cabeca",
    # the cord comes first
    "obstetric: cord|cordon|cordao|nabelschnur + coming out|hanging|out|sort|sale|saindo|fuera|dehors|kommt|"
    "vorgefallen|prolap|see|feel|sens|siento|sinto",
    "obstetric: ssw|schwangerschaftswoche + wehen|blut|blutung|fruchtwasser|kopfschmerz|druck",
    "obstetric: to push|pressen|pousser|empujar|empurrar + need|needs|urge|want|wants|muss|envie|besoin|ganas|"
    "necesita|vontade|precisa + wehen|contraction|labour|labor|contracciones|contracoes|contractions|waters",
    "obstetric: labour|labor|waters|contraction|pushing + now|car|home|early|coming|head|crowning|floor|push|"
    "apart|"
    "bathroom|toilet",
    # ---- babies and children
    "paediatric: newborn|week old|weeks old|1 month|2 month|3 month|one month|two month|2 months|3 months|"
    "1 mois|2 mois|3 mois|1 mes|2 meses|3 meses|monate alt|wochen alt|semanas|semaines|wochen + fever|temp|fiebre|fievre|febre|"
    "fieber|>=38",
    "paediatric: soft spot|fontanel + bulging|sunken|swollen|raised",
    "paediatric: {child}|year old|month old|months old|week old|weeks old + {baby_unwell}",
    "paediatric: {child}|month|months + >=39 + fever|temp|grad|fiebre|fievre|febre|fieber",
    # a yellow baby who is sleepy or not feeding
    "paediatric: {child}|day old|days old|week old|weeks old|born yesterday|born today|born last night + is yellow|"
    "quite yellow|gone yellow|turned yellow|going yellow|looks yellow|very yellow|really yellow|so yellow|"
    "gone yellow|turning yellow|looks yellow|s yellow|yellowish|jaundice|gelb|amarill|jaune|amarel|"
    "icteri + sleepy|sleeping|dormid|sonolent|somnolent|schlafrig|endormi|"
    "feed|latch|floppy|letharg|trinkt|boit|come|mama|dark urine|pale poo|white poo",
    "paediatric: {child} + white poo|pale poo|chalky|white stool|pale stool|grey poo + yellow|jaundice|dark urine|"
    "sleepy",
    # a chest infection in a baby, and feeding has stopped
    "paediatric: {child}|month old|months old + bronchiolitis|rsv|croup|chest infection|pneumonia|breath + "
    "stopped feeding|stopped eating|refusing|will not feed|not drinking|no wet|not weed|dry nappies",
    "paediatric: baby|infant|newborn|bebe|nourrisson|saugling + week|weeks|semana|semaine|woche + >=38|fever|hot|"
    "temp|fiebre|fievre|febre|fieber",
    "paediatric: baby|infant|newborn|month old|months old|week old|weeks old|bebe|nourrisson|saugling|semanas|"
    "semaines|wochen + breath|respir|atmet + weird|funny|strange|fast|rapid|schnell|gemendo|gimiendo|"
    "noisy|pale|struggl|grunt",
    "paediatric: {child}|day old|days old|week old|weeks old|month old|months old + wet nappy|wet nappies|"
    "wet diaper|wet diapers + has not|have not|had not|not had|not done|not been|hours|since yesterday|"
    "since last night|since this morning|only 1|only one|only 2|only two",
    # a baby of days or weeks who is too sleepy, will not feed, vomits everything or is drying out
    "paediatric: day old|days old|week old|weeks old|newborn|nourrisson|recien nacido|recem nascido|neugeboren + "
    "very sleepy|too sleepy|really sleepy|so sleepy|hard to wake|projectile|dehydrat|dry nappy|dry nappies|"
    "will not feed|not feeding|refusing feeds|every feed|muy dormid|tres endormi|sehr schlafrig|muito sonolent",
    "paediatric: green|bile|bilious + vomit|sick|throwing|puke",
    "paediatric: vomit vert|vomi vert|vomissements verts|vomita verde|vomito verde|vomitando verde|vomitou verde|"
    "vomitos verdes|erbricht grun|grun erbrochen|grunes erbrochen",
    # a baby of days with a fever and unwell ("mon bébé de 10 jours est tout mou ... 38,5")
    "paediatric: baby|infant|bebe|nourrisson|saugling + jours|dias|tage|days old|day old + >=38|fever|fievre|fiebre|"
    "febre|fieber + {baby_unwell}",
    # a newborn's belly button red and spreading, or hot (omphalitis)
    "paediatric: day old|days old|week old|weeks old|newborn + belly button|umbilic|cord|stump + red|spreading|"
    "smell|pus|ooz|hot|fever",
    # a baby with a chest infection gone grey or sleepy
    "paediatric: {child}|month old|months old + bronchiolitis|rsv|croup|chest infection|pneumonia + grey|gray|"
    "{blue}|sleepy|drowsy|floppy|limp",
    "paediatric: not weed|not peed|not wee|no wee|no urine|not passed urine|not urinated|"
    "dry nappies|"
    "no wet + {child}|vomit|diarrh|hours|since|day",
    "paediatric: newborn|days old|day old|week old|weeks old|jours|dias|tage + yellow|jaundice|jaune|amarill|amarel|"
    "gelb + sleepy|not waking|hardly waking|barely waking|will not wake|not feeding|not feed|floppy|palms|soles|"
    "drowsy|dormido|endormi|schlafrig|sonolent",
    "paediatric: {child} + respire|breath|respira|atmet + fast|vite|rapid|rapido|schnell|rapide + molle|mou|floppy|"
    "limp|blando|blanda|schlaff|mole|sleepy|drowsy|grunt",
    "paediatric: rash|spots|manch|taches|flecken|petechi + purple|violet|roxa|morad|not fade|glass|"
    "non blanch|not blanch|lila",
    # a rash that does not fade under a glass, in five languages
    "sepsis: rash|spots|ausschlag|flecken|sarpullido|manch|taches|boutons|erupcao|exantema + glass|glas|vaso|"
    "verre|copo|not fade|nicht weg|no desaparece|ne disparait|nao desaparece|not blanch|non blanch|"
    "no desaparecen|ne partent pas|nao somem|gehen nicht weg|al apretar|quand on appuie|ao apertar",
]
