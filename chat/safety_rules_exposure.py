"""The red flags of the world outside: burns, heat and cold, water, electricity, venom and dives.

Part of the chat's rule book (chat/safety_rules.py, whose docstring gives the pattern language and the rules
for writing one): these rules close RULES, in the same order as before they moved here (the book passed 500
lines again in issue 27's tenth round; burns followed in its twelfth). People name what happened rather than the condition: "lay in the
garden all night and is ice cold", "touched the fence and was thrown back", "came up too fast from a dive".
"""
from __future__ import annotations

EXPOSURE_RULES: list[str] = [
    # ---- burns and electrical injury
    "burns: burn|burnt|burned|scald|quem|queim|brul|verbrann|verbruh + {burn_severe}",
    "burns: caught fire|on fire|set alight|went up in flames + shirt|clothes|hair|skin|burn|body|back|arm|leg|"
    "face|dress|pyjamas|sleeve|forearm|arms|hand|hands|legs|chest|neck",
    # skin gone white and leathery, or charred: a deep burn, often painless
    "burns: leathery|ledrig|charred|waxy|cuir|acartonad|couro|verkohlt|like leather|wie leder + skin|haut|piel|"
    "peau|pele|arm|leg|bein|hand|burn|fire|oil|ol|huile|aceite|oleo|foot|feet|sole|soles|heel|toe|toes|finger|"
    "fingers|heater|radiator|stove|pie|pies|pied|pieds|fuss|fusse",
    "burns: smoke|fire + inhal|cough|hoarse|soot|breath",
    "burns: cable|cord|wire|charger|lead|kabel|cabo|fil electrique|plugged in + bit|bitten|biting|chew|mordeu|mordio|"
    "mordu|gebissen|zerbissen + mouth|lip|boca|bouche|mund|black|burn|shock|quiet",
    # a firework or blast in a hand or a face
    "burns: firework|explosion|exploded|blast|banger + hand|fingers|face|eye|arm + charred|black|blown|missing|"
    "bleeding|burn|burnt|mangled",
    "burns: blister|ampolla|ampoule|bolha|blase + huge|large|big|massive|palm|face|whole|all over|entera|toda|"
    "entiere|ganze|inteira|llen|chei|plein|voll + oven|hob|iron|kettle|stove|boil|hot|fire|steam|touched|"
    "grabbed|plancha|horno|fer|bugeleisen|ferro|herd|toco|touche|tocou|hirviendo|bouillante|fervendo|kochend",
    # a caustic spilled on the skin: white, blistering or burning
    "burns: {poison}|acid|lye + spill|spilled|splash|on my|on his|on her|skin|haut|piel|peau|pele|hand|arm|auf + "
    "white|blister|burn|peel|raw|hurts|pain|weiss|blanc|blanca|branca|brennt|brule|quema|queima",
    # a flash of flame in the face: singed eyebrows or nose hairs, a hoarse voice (burnt airway)
    "burns: singed|burnt off|burned off|gone|verbrannt|brules|quemad|queimad|sumiu|sumieron|desaparec|weg|"
    "disparu + eyebrow|eyelash|nose|nostril|augenbraue|sourcil|ceja|sobrancelha",
    "burns: fire|fogo|fuego|feu|feuer|flame|flama|chama|flamme|flash|explo + face|rosto|cara|visage|gesicht + "
    "hoarse|rouca|rouco|ronca|ronco|rauque|heiser|soot|fuligem|hollin|suie|russ|cough|tosse|tossindo|tos|tosiendo|"
    "tousse|hust",
    # a scald and the skin coming away
    "burns: boiling|hirviendo|fervendo|bouillant|hot oil|hot water|kettle|bouilloire|hervidor|chaleira|"
    "wasserkocher|kochend|heisses fett|hot fat|huile chaude|aceite caliente|aceite hirviendo|oleo quente|"
    "oleo fervendo + skin peeling|skin is peeling|"
    "skin coming off|skin came off|in sheets|pele solta|pele saindo|se despelleja|peau qui part|peau part|lambeaux|"
    "haut lost|haut geht ab|in fetzen|a tiras|em tiras",
    "burns: boiling|hirviendo|fervendo|bouillant|hot oil|hot water|kettle|chemical|hot tea|hot coffee|hot drink|hot chocolate|"
    "bouilloire|hervidor|chaleira|wasserkocher|"
    "soup|hot milk|heisses|heisse|kochend|huile bouillante|eau bouillante|aceite hirviendo|agua hirviendo|"
    "oleo quente|agua fervendo + splash|spill|pulled|poured|went down|went over|tipped|geschuttet|verschuttet|"
    "renverse|derrame|derramo|derramou|grabbed|encima|tiro|tirou|gekippt|ubergekippt + "
    "face|chest|arm|leg|hand|body|front|all over|tummy|belly|back|shoulder|feet|foot|thigh|lap|cuisse|muslo|"
    "coxa|oberschenkel|cloque|ampolla|bolha|blase|"
    "blister|skin|himself|herself|myself|eye|neck|bein|jambe|pierna|perna|gesicht|visage|cara|rosto",
    "environmental: heat stroke|heatstroke|sunstroke",
    "environmental: {heat} + confus|collaps|stopped sweating|not sweating|dry skin|seiz|fitting|unconscious|"
    "unresponsive|talking rubbish|not making sense|39.5-45.0",
    "environmental: hot car|locked in + car|vehicle|van",
    "environmental: {cold} + {altered}|collaps|stopped shivering|not shivering|unconscious|floor|not respond|"
    "slow breathing|barely moving|barely respond|barely talk|talking slow|speaking slow|slurr|"
    "frostbit",
    "environmental: shiver|shivering + {altered}|stumbl|clumsy",
    "environmental: cold|wet|soaked|soaking|freezing|snow|rain + stumbl|mumbl + stumbl|mumbl|confus|undress|"
    "jacket off|coat off|clothes off",
    "environmental: {cold} + zittert nicht|ya no tiembla|ne tremble plus|parou de tremer|dejo de temblar|"
    "antwortet kaum|antwortet nicht|no contesta|ne repond|nao responde|barely answer|barely respond",
    "environmental: drown|nearly drowned|pulled out of the water|went under|face down + "
    "cough|sleepy|drowsy|breath|{blue}|vomit|confus|unconscious|minute|seconds|froth|chest",
    "environmental: {water} + pulled out|pulled from|face down|went under|under|underwater|unconscious|"
    "not breathing|{blue}|cough|minute|minuto|minuten|embaixo|debajo|noye|coule|unter wasser|submerg|"
    "sonolent|somnolent",
    "environmental: raio|rayo|foudre|blitz + caiu|cayo|struck|atingi|alcanz|einschlag|eingeschlagen|getroffen|"
    "frappe|tombe",
    "environmental: electrocut|electric shock|live cable|shock from the mains|from the mains|live wire|high voltage|"
    "power line|lightning|into a socket|electric fence|stromschlag|decharge electrique|"
    "une decharge|descarga electrica|choque electrico|choque eletrico|elektrischen schlag|stromschlag",
    # metal in a socket: "stuck a fork in the socket", "put a key in the plug socket"
    "environmental: socket|outlet|power point|steckdose|enchufe|tomada + fork|knife|key|hairpin|pin|paperclip|"
    "finger|fingers|scissors|screwdriver|shock|zap|burn|dazed|{altered}",
    "environmental: shock + electric|cooker|socket|plug|mains|wire|cable|appliance|fence|fuse box|fusebox|"
    "fuse board + numb|pound|racing|"
    "chest|"
    "burn|breath|faint|palpitat|tingl|heart|{altered}",
    # a dive, then joint pain, tingling, a rash or breathlessness (decompression sickness)
    "environmental: dive|diving|dived|scuba|tauch|plongee|buceo|mergulh + pins and needles|tingl|joint|shoulders|"
    "elbows|rash|numb|weak|breathless|short of breath|chest|confus|dizz|paralys",
    "environmental: buceando|bucear|buceamos|buceo + subimos|subi|ascenso|rapido + hormigueo|codos|rodillas|confus|"
    "mareo|cuesta caminar",
    "environmental: snake|adder|viper|rattlesnake|scorpion|funnel web|black widow|box jellyfish|stonefish|serpent|"
    "serpiente|vibora|cobra|schlange|kreuzotter|cascavel|jararaca|escorpion|escorpiao|skorpion + bite|bit|bitten|"
    "sting|stung|mord|gebissen|bisse|pique|picad|picou|gestochen",
    # stung many times: a swarm, dozens of stings
    "environmental: swarm|dozens|hundreds|>=10 + sting|stung|"
    "stings|picad|pique|gestochen|stiche + bee|bees|wasp|wasps|hornet|abelha|abeja|abeille|biene|wespe|vespa|"
    "avispa|guepe",
    # touched a rail or a line and was thrown back: an electrical injury
    "environmental: thrown back|knocked back|blown back|thrown off + touched|wire|"
    "cable|railway|line|pylon|socket|fence|electric|spark",
]
