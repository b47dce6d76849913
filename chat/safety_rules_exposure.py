"""The red flags of the world outside: heat and cold, water, electricity, venom and dives.

Part of the chat's rule book (chat/safety_rules.py, whose docstring gives the pattern language and the rules
for writing one): these rules close RULES, in the same order as before they moved here (the book passed 500
lines again in issue 27's tenth round). People name what happened rather than the condition: "lay in the
garden all night and is ice cold", "touched the fence and was thrown back", "came up too fast from a dive".
"""
from __future__ import annotations

EXPOSURE_RULES: list[str] = [
    "environmental: heat stroke|heatstroke|sunstroke",
    "environmental: {heat} + confus|collaps|stopped sweating|not sweating|dry skin|seiz|fitting|unconscious|"
    "unresponsive|talking rubbish|not making sense|39.5-45.0",
    "environmental: hot car|locked in + car|vehicle|van",
    "environmental: {cold} + {altered}|collaps|stopped shivering|not shivering|unconscious|floor|not respond|"
    "slow breathing|barely moving|barely respond|barely talk|talking slow|speaking slow|slurr|"
    "frostbit",
    "environmental: shiver|shivering + {altered}|stumbl|clumsy",
    "environmental: cold|wet|soaked|soaking|freezing|snow|rain + stumbl|mumbl + stumbl|mumbl|confus|undress|"
    "jacket off|coat off|clothes off|says he is warm|says she is warm",
    "environmental: {cold} + zittert nicht|ya no tiembla|ne tremble plus|parou de tremer|dejo de temblar|"
    "antwortet kaum|antwortet nicht|no contesta|ne repond|nao responde|barely answer|barely respond",
    "environmental: drown|nearly drowned|pulled out of the water|pulled from the water|went under|face down + "
    "cough|sleepy|drowsy|breath|{blue}|vomit|confus|unconscious|minute|seconds|froth|chest",
    "environmental: {water} + pulled out|pulled from|face down|went under|under|underwater|unconscious|"
    "not breathing|{blue}|cough|minute|minuto|minuten|embaixo|debajo|sous l eau|unter wasser|submerg|"
    "sonolent|somnolent",
    "environmental: raio|rayo|foudre|blitz + caiu|cayo|struck|atingi|alcanz|einschlag|eingeschlagen|getroffen|"
    "frappe|tombe",
    "environmental: electrocut|electric shock|live cable|shock from the mains|from the mains|live wire|high voltage|"
    "power line|lightning|into a socket|electric fence|stromschlag|decharge electrique|"
    "une decharge|descarga electrica|choque electrico|choque eletrico|elektrischen schlag|stromschlag",
    # metal in a socket: "stuck a fork in the socket", "put a key in the plug socket"
    "environmental: socket|outlet|power point|steckdose|enchufe|tomada + fork|knife|key|hairpin|pin|paperclip|"
    "finger|fingers|scissors|screwdriver|shock|zap|burn|dazed|{altered}",
    "environmental: shock + electric|cooker|socket|plug|mains|wire|cable|appliance|fence + numb|pound|racing|"
    "chest|"
    "burn|breath|faint|palpitat|tingl|heart|{altered}",
    # a dive, then joint pain, tingling, a rash or breathlessness (decompression sickness)
    "environmental: dive|diving|dived|scuba|tauch|plongee|buceo|mergulh + pins and needles|tingl|joint|shoulders|"
    "elbows|rash|numb|weak|breathless|short of breath|chest|confus|dizz|paralys",
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
