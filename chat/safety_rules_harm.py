"""The red flags of what people take or do: overdose, poisoning, suicide and self-harm, danger to others.

Part of the chat's rule book (chat/safety_rules.py, whose docstring gives the pattern language and the rules
for writing one): these rules sit in RULES between bleeding and seizures, in the same order as before the
book was split in two files. They are the longest section because people describe these without any medical
word: the act, the wish, the plan and the means ("tengo la cuerda preparada", "given my cat away and sorted
my will"), and what was swallowed by whom ("my 3 year old got into the dishwasher tablets").
"""
from __future__ import annotations

HARM_RULES: list[str] = [
    # ---- overdose (medicines, drugs) and poisoning (household products, batteries, gas, plants)
    "overdose: overdos|sobredosis|surdose|uberdosis|intoxica|vergift|envenen|empoison|oded|od ed",
    "overdose: od|od d + meds|pills|tablets|help|again|on my|on his|on her|heroin|drugs",
    # a count of tablets taken ("took 30 paracetamol"); "I am taking Telma 40" is a strength, a regimen
    "overdose: took|taken|swallow|swallowed|ate|eaten|drank|downed|necked|popped|tome|tomo|tomado|avale|pris|"
    "eingenommen|genommen|geschluckt|tomei|tomou|engoli|had|gegessen|comio|comeu|mange + >=10 + {meds}|of my|of them",
    "overdose: {took} + everything|all + medicine cabinet|medicine cupboard|cabinet|cupboard|drawer|the house",
    "overdose: {took}|had|se tomo + {too_much} + {meds}|somnif|heroin",
    # "all of my / her / his" pills, written as two overlapping pairs
    "overdose: {took} + all of + of my|of her|of his|of their|of them + {meds}|somnif",
    "overdose: {took}|had|se tomo + {whole} + {container} + {meds}|somnif|heroin",
    "poisoning: {swallowed}|drinking|bebiendo|bebendo + {poison}",
    "overdose: demais|demasiadas|demasiados|trop de|zu viele + remedio|comprimido|pastilla|medicament|comprime|"
    "tablett|"
    "pilul|cachet",
    "overdose: took|taken|swallowed|ate|eaten|got into|tomo|tomou|genommen|avale|engoli|tomei|"
    "pris + {someone_elses} + medic|pill|tablet|meds|comprim|pastilla|remedio|tablett",
    "poisoning: carbon monoxide|monoxido|monoxyde|kohlenmonoxid",
    # a button battery pushed into an ear or a nose burns as it does when swallowed
    "poisoning: battery|batteries|pila|pile|batterie|pilha|knopfzelle + ear|nose|nostril|oreja|nariz|oreille|nez|"
    "ohr|nase|orelha",
    "poisoning: co + alarm|detector|poison|headache|drowsy|sleepy|vomit|dizz|sick",
    "poisoning: button batter|coin batter|round batter|flat batter|little batter|tiny batter|knopfzell|knopfbatter|"
    "pile bouton|piles bouton|de boton|de botao + missing|can not find|gone|lost|"
    "cover off|verschwunden|fehlt|disparu|manque|falta|sumiu|ya no esta|no la encuentro|nao encontro|nao acho|"
    "finde sie nicht|la trouve pas|trouve plus + drool|cough|gag|swallow|vomit|chest|babea|tose|baba|tosse|bave|tousse|"
    "sabbert|hustet",
    # a pesticide on the skin or breathed: drooling, pinpoint pupils, twitching (organophosphate)
    "poisoning: pesticid|insecticid|agrotox|veneno|crop spray|sheep dip|organophosph + drool|babando|babeando|"
    "saliv|pupil|twitch|tremedeira",
    "poisoning: {fume_source} + headache|dizz|sick|nause|drowsy|sleepy|faint|vomit|confus|kopfschmerz|schwindl|ubel|"
    "cabeza|mareo|cabeca|tontura|tete|vertige + everyone|family|both|kids|dog|cat|better when|better outside|go out|"
    "leave|outside|we|all have|all got|all feel|all of them|me and|him and|her and|wir|alle|hund|todos|perro|tous|"
    "chien|cachorro|kaum wach|no despierta|nao acorda|reveille pas",
    # a child who got into medicines (not their own dose): some, a handful, someone else's, a pack, found
    "overdose: {child}|year old|month old|months old|yo + {swallowed}|took|found|got hold|got at|missing + pill|"
    "tablet|meds|medicine|capsul|{meds}|blister + {got_into}",
    "poisoning: {child}|year old|month old|months old|yo|found + {poison} + {swallowed}|drinking|"
    "foam|froth|cough|drool|"
    "vomit|sick|burn|sleepy|drowsy|choking|mouth|lips|tongue",
    # insulin, deliberate or by mistake: the whole pen, the wrong insulin, ten times the dose
    "overdose: {insulin} + injected|gave|took|taken|shot up|inyecto|injete|injetou|gespritzt|dose|doses|jabbed|"
    "put in + instead of|too much|by mistake|accident|wrong|double|twice|extra|whole pen|entire pen|on purpose|"
    "all of|the lot|{too_much}|whole|entire",
    "overdose: {drugs} + too much|not respond|unrespons|not breath|{blue}|not wake|will not wake|snor|pinpoint|"
    "collaps|fitting|seiz|overheat|burning up|boiling|chest|racing|{altered}",
    # a child given the wrong dose: "10 ml of calpol instead of 2.5"
    "overdose: gave|given|give|giving + {child}|year old|month old|months old + instead of|by mistake|wrong|"
    "too much|double|twice|extra|accident + {meds}|calpol|nurofen|ml|dose|medicine|syrup",
    # plants and mushrooms from outside, with symptoms
    "poisoning: garden|wild|picked|forest|woods|park|hedge|poisonous|unknown|jardin|jardim|garten|vecin|"
    "neighbour|neighbor + {wild_plant} + ate|eaten|eating|"
    "eat|chewed|swallow|munch|tasted|comio|comido|comeu|mange|gegessen|gekaut + vomit|sick|drowsy|confus|hallucin|drool|mouth|fit|seiz|dizz|diarrh|stomach|"
    "tummy|rash|swell",
    "poisoning: wild|picked|forag|forest|woods|field|hedge|unknown + mushroom|fungi|toadstool|berries|seta|"
    "champignon|pilz|cogumelo + cooked|fried|ate|eaten|had|eating + vomit|liver|under my ribs|under his ribs|sick|cramp|diarrh|drowsy|confus|"
    "hallucin|dizz|yellow",
    "overdose: pill|tablet|meds + alcohol|vodka|drunk|drinking",
    "overdose: insulin|insulina|insuline|lantus|novorapid|humalog|levemir|tresiba|fiasp|humulin + instead|statt|"
    "en vez|en lugar|au lieu|em vez|wrong|by mistake|versehen|accident|doubled|double dose",
    # some pills, and now not right: drowsy, will not wake, cannot get a word out of them
    "overdose: {took} + some|several|load|loads|lots|bunch|handful|few|unknown|random|whole|all|someone + pill|"
    "pills|tablets|{meds} + {altered}|{collapse}|will not wake|breathing slow|"
    "slow breathing|not breathing",
    # the same medicine again, forgotten or mixed up ("took it a few times because he forgot"), and now not right
    "overdose: {took}|had|dosed|dose|doses|dosing|gave|given|doubling|doubled + twice|double|doubling|doubled up|"
    "again|few times|three times|3 times|times today|forgot|by mistake|extra|wrong|mixed up|duas vezes|dos veces|"
    "deux fois|zweimal|sem querer|sin querer|par erreur|aus versehen|por engano|por error + {meds} + {altered}|"
    "sweat|shak|faint|dizz|slow|collaps|vomit|pale|racing|pounding|drowsy|stay awake|keep awake|"
    "tonta|tonto|mareado|sonolent|somnolent|schlafrig|lento|lenta",
    # pills or powder at a festival, party or club, and now overheating, fitting or not right
    "overdose: festival|rave|club|party|gig + pill|pills|something|drugs|molly|mdma|ecstasy|pinger + overheat|"
    "burning up|boiling|fit|seiz|collaps|racing|not respond|unrespons|{altered}",
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
    "suicide: s arrete|se acabe|tudo acabe|alles aufhort + couteau|cuchillo|faca|messer|"
    "cachets|pastillas|comprimidos|tabletten|en peux plus|no puedo mas|nao aguento|kann nicht mehr|me suis coupe|"
    "mourir|morir|morrer|sterben",
    # telling someone before the act, with the means at hand
    "suicide: before + do it|go through with it + gun|shotgun|rifle|loaded|noose",
    "suicide: quiero|quero|veux|voglio|envie de|ganas de|vontade de|will|mochte|pienso en|penso em|denke daran + "
    "morir|morirme|mourir|morrer|morire|sterben|desaparecer|disparaitre|matarme|me tuer|me matar|mich umbringen|"
    "quitarme|tirar|das leben",
    "suicide: not want|not wanna|no quiero|nao quero|veux plus|veux pas|will nicht|mochte nicht|nicht mehr|"
    "ne plus + {to_live}",
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
    "vermissen|sentiria falta|sentir falta|echar de menos|echara de menos|manquer|vermisst",
    "suicide: nobody|no one|nadie|personne|niemand|ninguem + care|cares|miss|notice + die|died|dead|gone|disappear|"
    "not here|not around",
    "suicide: burden + everyone|family|everybody|to them|to my|on everyone",
    "suicide: disappear|vanish + forever|for good|never come|should just|wish i could|want to",
    "suicide: sleep forever|sleep for ever|sleep for good|never wake|not wake up|want to sleep + forever|"
    "for good|never|"
    "not wake|for ever",
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
    "suicide: picked|chosen|set|planned + a day|a date|the day|the date + pills|tablets|rope|gun|die|end it|"
    "kill myself|goodbye",
    "suicide: garage|garagem + engine|motor|moteur|car + running|on|tourne|encendido|ligado|lauft|allume|marcha",
    # a high place or a railway, and the jump: "on the platform ... going to jump", "auf der Brücke ... springen"
    "suicide: {high_place} + jump|jumping|end it|anymore|goodbye|standing on|threaten|springen|saltar|sauter|"
    "pular|step off|throw myself|verabschiedet|despedi|adieu|despedido",
    # no longer a burden or a worry, soon: "won't be a problem much longer", "nobody has to worry after tonight"
    "suicide: burden|problem|bother|be around|be here + much longer|any longer|after tonight|"
    "after today|not for long|for long|soon|anymore",
    "suicide: worry about + about me + much longer|any longer|after tonight|after today|not for long|soon|anymore",
    # the pet rehomed, the contracts cancelled: affairs put in order
    "suicide: gave|given|giving|rehomed|rehoming + my dog|my cat|my pets|my things|my stuff|away + cancelled|"
    "after tonight|goodbye|about me|will not need|not need|sorted|the end",
    # a goodbye sent with the means: "sent me a photo of her pills and said sorry"
    "suicide: sent|texted|messaged|posted|photo|picture|pic|message + sorry|goodbye|bye|forgive|love you + "
    "{meds}|rope|knife|blade|razor|bridge|gun|noose|ledge|roof",
    "suicide: jump|step|walk|throw myself|lie down + front + train|bus|lorry|truck|traffic",
    "suicide: drive|driving|crash|crashing|swerve + wall|tree|traffic|bridge + on purpose|thinking|thought|"
    "want|keep|end",
    "suicide: gun|shotgun|firearm|pistol|weapon + on himself|on herself|on myself|use it|shoot himself|"
    "shoot herself|shoot myself|end it|kill",
    # a gun taken out by someone low, who wants no one near
    "suicide: gun|shotgun|rifle|firearm|pistol + follow him|follow her|not follow|leave him|leave her|"
    "goodbye|really down|so down|been down|depress|hopeless|note",
    # a gun got out tonight with affairs put in order
    "suicide: gun|shotgun|rifle|firearm|pistol + tonight|loaded + affairs|will is|my will|life insurance|"
    "gave the dog|rehomed|goodbye|note",
    # "I'm going to take all my pills tonight", in five languages
    "suicide: vou tomar|a tomar|vais prendre|going to take|gonna take|werde + todos|todas|tous|toutes|alle|all + "
    "comprimidos|pastillas|comprimes|tabletten|pills|tablets|remedios|medicamentos|cachets",
    # a way to die asked for (intent.py keeps it from study and stories)
    "suicide: quickest|fastest|easiest|painless|least painful|best|surest|simplest + way to die|"
    "way of dying|way to end it|way to end my life",
    "suicide: want|wanna|thought|thinking|urge|going to|gonna|feel like|plan|keep|on purpose|again|deep + "
    "hurt myself|hurting myself|harm myself|cut myself|cut my arm|cut my arms|hurt herself|hurt himself|"
    "burn myself|burning myself",
    "suicide: cutting|slitting|slashing|self harming + myself|wrist|wrists|arms|thighs|herself|himself",
    "suicide: me cortar|me cortei|me corte|me he cortado|me suis coupe|mich geritzt|mich geschnitten|me scarifie|"
    "cut myself + bleed|sangr|saign|blut|deep|fundo|profundo|profond|tief|brazo|braco|bras|arm|pulso|poignet",
    "suicide: cut|slit|slash|aufgeschnitten|geschnitten|ritz|coupe|corte|corto|cortou + wrist|wrists|veins|venas|"
    "pulsos|pulsader|handgelenk|poignet|veines|veias|punhos",
    "suicide: com tudo|en finir|mit allem schluss + esta noite|esta noche|ce soir|heute nacht|preparado|prepare|"
    "vorbereitet|pronto|listo",
    "suicide: ending it|end it|end things|end this + tonight|now|soon|rope|pills|plan|thinking|want|going|gonna|"
    "ready|decided",
    "suicide: rope|noose|ligature + bought|ready|tied|tonight|end|myself|neck|hang",
    "suicide: pill|tablet|meds|pastillas|comprim|tabletten + lined up|counted out|going to take them|"
    "gonna take them|about to take them|them all|ready|listas|listos|pretes|bereit|prontas|"
    "in front of me|got them out",
    "suicide: ready|prepared|decided + this time|tonight|pills|tablets|rope|note|letters|goodbye|done",
    # not being here tomorrow; means got ready tonight; belongings given away; a last message from a high place
    "suicide: do not think|not going to|will not|not gonna|no longer|not be + be here|be around|be alive|"
    "here anymore + tomorrow|much longer|by morning|next week|after tonight|for long",
    "suicide: cuerda|soga|corda|corde|strick|seil + preparad|lista|listo|pronta|pronto|prete|bereit|esta noche|"
    "esta noite|ce soir|heute nacht|cuello|pescoco|cou|hals",
    "suicide: puedo mas|aguanto mas|peux plus|aguento mais|nicht mehr + "
    "esta noche|esta noite|ce soir|heute nacht|lo voy a hacer|vou fazer|je vais le faire|werde es tun|"
    "pastillas|comprimidos|cachets|tabletten",
    "suicide: given away|gave away|giving away|given my|gave my|rehomed|new home for + cat|dog|pet|belongings|"
    "things|stuff|possessions + my will|affairs|ready|goodbye|final",
    "suicide: bought|buying|got|saved up|collected|stocked up + paracetamol|pills|tablets|painkillers|{meds} + "
    "vodka|whisky|whiskey|alcohol|wine|bottle of + tonight|car|alone|a lot|all of|park|hotel",
    "suicide: {high_place} + know why|typing this|telling you|telling a|last message|nobody|no one|"
    "goodbye|anymore|not coming",
    "suicide: saving them|saving up|hoard|collecting + pills|tablets|them|meds",
    # a goodbye or sorry sent, and then silence
    "suicide: texted|messaged|message|sent|posted|said + sorry|goodbye|love you|loves me|forgive + not answering|"
    "not replying|not pick|phone off|phone is|phone s|switched off|can not reach|can not get hold|no answer|"
    "gone quiet",
    "suicide: goodbye|farewell|last message + note|notes|letter|letters|text|texted|message|"
    "messaged|bridge|rope|pills|tablets|forever|tonight|jump|roof|cliff|ledge|everyone|family|kids",
    "suicide: goodbye|letters to|wrote letters|note for + gave away|giving away|given away|not answering|stuff|"
    "belongings",
    "suicide: d adieu|cartas de despedida|carta de despedida|abschiedsbrief|cartas de adeus|"
    "carta de adeus|goodbye letter|goodbye letters|farewell letter|suicide note",
    # shut in a garage with the engine running
    "suicide: locked himself|locked herself|locked myself|shut himself|shut herself|in the garage + car running|"
    "engine running|engine on|exhaust|hose",
    # letters or notes left for the family, with a sorry, a goodbye or a night chosen
    "suicide: letters to|wrote letters|letters for|note for|notes for|wrote a note|left a note|left notes + "
    "sorry|forgive|goodbye|the night|the end|last time",
    "suicide: how many|how much + {meds} + die|kill|not wake|lethal|fatal|deadly|to end",
    # ---- acute mental health crisis with danger to others
    "psychiatric: knife|gun|weapon|axe|machete + kill|hurt|attack|voices|coming for|after him|after me|after her|"
    "paranoid|out to get me|out to get him|out to get her|out to get us|are out to get|is out to get|re out to get|"
    "s out to get|threaten",
    "psychiatric: voices|paranoid|psychotic|hallucinat|not slept|awake for + kill|weapon|knife|gun|"
    "hurt someone|hurt people|attack",
]
