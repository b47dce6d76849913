"""Shared word lists and figures of speech for the chat's red flags (chat/safety_rules.py).

TERMS: word lists a rule names as `{name}` ("{chest} + {pain}"), so one list of, say, severity words serves
every rule; each is plain alternatives in the rule language of chat/safety.py ("|" between alternatives, a word
of 4+ letters is a stem). RED_FLAG_EXCEPTIONS: figures of speech removed from a message before the rules are
tried ("this heat is killing me", "gave me a heart attack lol"), most of them written as families (things that
"choke" or get "overdosed on" are no people; laughing so hard one "can't breathe").
"""
from __future__ import annotations

# Shared word lists (English, Spanish, French, German, Portuguese).
TERMS: dict[str, str] = {
    "chest": "chest|pecho|poitrine|thorax|thorac|brust|peito|breastbone|sternum",
    "pain": "pain|ache|hurt|pressure|tight|crush|squeez|heavy|discomfort|stabbing|dolor|duele|douleur|schmerz|"
            "weh|dor|doi|aperto|aprieta|druck|serre|oppress|pressao|presion|pression|mal|enge|engegefuhl|"
            "elephant|vice|band around|weight on|sitting on|standing on|killing",
    "severe": "severe|really bad|very bad|so bad|worst|agony|agonis|agoniz|excruciat|unbearable|terrible|"
              "horrible|awful|intense|violent|extreme|crushing|10 outoften|9 outoften|screaming|muy fuerte|fuerte|"
              "muito forte|forte|stark|starke|heftig|violente|insupportable|atroce|brutal|insoportable|"
              "insuportavel|tres mal|muy mal|duele mucho|doi muito|sehr weh",
    "sudden": "sudden|suddenly|all of a sudden|out of nowhere|came on|de repente|repentin|"
              "soudain|brusquement|plotzlich|subita|subito|d un coup|tout a coup|de golpe|auf einmal",
    "breathless": "breathless|short of breath|of breath|out of breath|can not breath|catch my breath|"
                  "catch his breath|catch her breath|get my breath|struggl|difficulty breath|"
                  "gasping|winded|falta de aire|essouffl|kurzatmig|atemnot|luftnot|falta de ar",
    "collapse": "collaps|passed out|pass out|passing out|fainted|blacked out|unconscious|unresponsive|"
                "not responding|will not wake|can not wake|blacking out|blacks out|desmay|desmai|evanoui|"
                "bewusstlos|ohnmacht|inconscien|repond plus|repond pas|no responde|reagiert nicht|reagiert kaum|"
                "nicht ansprechbar|mehr ansprechbar|kaum ansprechbar|nao responde",
    # confused, in five languages (narrower than "altered": no sleepiness)
    "confused": "importe quoi|reconnait plus|reconnait pas|me reconoce|no reconoce|erkennt mich|erkennt niemand|nao me reconhece|nao reconhece|dice tonterias|redet unsinn|fala coisas sem sentido|not recognis|not recogniz|confus|verwirrt|durcheinander|desorient|confundid|not making sense|gibberish|talking rubbish|"
                "talking nonsense|delirious|incoheren|not himself|not herself|like himself|like herself",
    # not themselves: confused, drowsy, talking nonsense, "acting drunk", dazed
    "altered": "importe quoi|reconnait plus|reconnait pas|me reconoce|no reconoce|erkennt mich|erkennt niemand|nao me reconhece|nao reconhece|dice tonterias|redet unsinn|fala coisas sem sentido|not recognis|not recogniz|dazed|acting strange|acting weird|acting odd|acting funny|acting drunk|gibberish|agitat|aggressiv|"
               "like himself|like herself|durcheinander|benommen|desorient|incoheren|"
               "confus|drowsy|sleepy|not making sense|talking rubbish|talking nonsense|mumbl|slurr|disorient|"
               "out of it|not himself|not herself|delirious|hallucin|verwirrt|confuso|confundid",
    "blue": "blue|bluish|blueish|bluey|grey|gray|purple|ashen|dusky|funny colour|weird colour|strange colour|odd colour|azul|morado|"
            "bleu|blau|roxo|roxa",
    "child": "baby|babies|infant|newborn|toddler|child|kid|son|daughter|boy|girl|bebe|nourrisson|enfant|hijo|"
             "hija|nino|nina|filho|filha|crianca|kind|sohn|tochter|saugling|little one|neugeboren|recien nacido|"
             "recem nascido|nouveau ne|fille|fils|garcon|grandson|granddaughter|grandchild|grandkid|nephew|niece",
    "took": "took|taken|take|taking|swallow|ate|eaten|drank|downed|necked|popped|tome|tomo|tomado|avale|pris|"
            "injected|shot up|jabbed|eingenommen|se bebio|inyecto|injete|injetou|gespritzt|"
            "genommen|geschluckt|tomei|tomou|engoli",
    "meds": "pill|tablet|tabs|capsul|meds|medication|medicine|paracetamol|acetaminophen|tylenol|ibuprofen|"
            "aspirin|codeine|codamol|tramadol|morphine|oxy|oxycod|oxycont|oxynorm|hydrocod|percocet|vicodin|tapentad|"
            "buprenorph|dihydrocod|fentanyl|diazepam|valium|xanax|benzo|sleeping|"
            "antidepress|sertraline|citalopram|fluoxetine|amitriptyline|lithium|propranolol|insulin|metformin|"
            "warfarin|digoxin|methotrexate|iron|pastilla|comprim|pilul|cachet|gelule|tablett|schlaftablett|"
            "eisentablett|schmerztablett|herztablett|blutdrucktablett|"
            "remedio|medicament|medikament|somnif|schlaftabl|sonifero|calmant|tranquil|"
            # brands and the medicines most often taken in excess, at home or by a child
            "doliprane|dafalgan|efferalgan|nurofen|calpol|panadol|advil|motrin|naproxen|zopiclone|zolpidem|"
            "quetiapine|olanzapine|mirtazapine|pregabalin|gabapentin|venlafaxine|bisoprolol|metoprolol|atenolol|"
            "amlodipine|verapamil|diltiazem|clonidine|gliclazide|lantus|novorapid|humalog|levemir|tresiba|fiasp|"
            "humulin|painkiller|pain killer|analgesic|analgesico|antidouleur|jarabe|syrup|sirop|sirup|xarope|"
            "ritalin|methylphenidate|adhd|concerta|elvanse|melatonin|antihistamin|clonazepam|lorazepam|"
            "alprazolam|rivotril|dipirona|schmerzmittel|ibuprofeno|heart pill|heart tablet",
    "too_much": "todas sus|todos sus|todas mis|todos mis|toutes ses|tous ses|toutes mes|tous mes|alle seine|"
                "alle ihre|alle meine|todos seus|todas suas|todos meus|todas minhas|too many|too much|handful|"
                "bunch of|load of|loads of|lots of|all my|all her|all his|all their|"
                "all the|the lot|boxes of|packets of|bottles of|strips of|a bottle of|s worth|"
                "days worth|"
                "weeks worth|toutes les|tous les|todas las|todos los|todas as|todos os|alle tabletten|"
                "alle pillen|"
                "at once|double dose|un monton|une plaquette|frasco|varios|varias|plusieurs|mehrere|muchas|muchos|"
                "beaucoup de|viele|muitas|demasiad|trop de|zu viele|muitos",
    # a whole container: "the whole bottle", "toute ma boite", "toda la caja", "die ganze Packung"
    "whole": "whole|entire|all|half|toute|tout|toda|todo|todas|ganze|ganzen|inteira|inteiro|entera|entero|une",
    "container": "bottle|pack|packet|box|strip|blister|tub|tube|boite|plaquette|flacon|caja|frasco|blister|"
                 "caixa|cartela|vidro|packung|schachtel|flasche",
    "poison": "screenwash|screen wash|washer fluid|windscreen|windshield|de icer|deicer|brake fluid|methanol|meths|"
              "methylated|rubbing alcohol|isopropyl|caustic|soda caustica|hand gel|lixivia|vape|e liquid|eliquid|nicotine|"
              "knopfbatter|knopfzell|spulmaschin|geschirrspul|lampenol|lampenoel|anzunder|feuerzeugbenzin|"
              "putzmittel|"
              "reinigungsmittel|abflussreiniger|entkalker|spiritus|bleach|antifreeze|washing tablet|deboucher|canalisation|"
              "destapacanos|desatascador|desentupidor|rohrreiniger|drain opener|drano|unblocking|unblocker|"
              "drain cleaner|"
              "washing capsul|washing powder|washing liquid|dishwasher tablet|laundry|"
              "liquitab|"
              "batter|magnet|detergent|pod|pods|dishwasher|washing up|"
              # slug pellets (metaldehyde) in five languages
              "slug pellet|slug bait|limace|matababosas|lesma|schneckenkorn|metaldehyd|"
              "fabric softener|cleaner|cleaning|disinfectant|chemical|drain|pesticide|rat poison|weed killer|"
              "slug pellet|fertilis|fertiliz|white spirit|turps|turpentine|paint thinner|lamp oil|paraffin|"
              "kerosene|petrol|gasoline|lighter fluid|nail polish|nail varnish|acetone|e liquid|vape juice|"
              "vape liquid|"
              "nicotine|essential oil|hand sanitiser|hand sanitizer|poison|lye|lejia|javel|bleich|lavandina|"
              "water bead|toadstool|wild mushroom|weedkiller|roundup|paraquat|frostschutz|anticongelante|antigel|"
              "refrigerante|lessive|"
              "waschmittel|detergente|sabao|limpiador|nettoyant|reiniger|agua sanitaria|candida|pila|pilas|pilha|"
              "pilhas|une pile|bateria|batterie|knopfzelle|iman|aimant|ima|rattengift|mort aux rats|raticida|"
              "veneno|gift|insecticid|insektizid|herbicid|glyphosat|iron tablet|iron pill|iron supplement|degreas|solvent|"
              "cellulose thinner|some thinner|the thinner|of thinner|thinners from|superglue|ammonia|descal|oven clean|engine oil|motor oil|coolant|chlorine|battery acid|"
              "sulphuric|sulfuric|hydrochloric|entfetter|desengras|dissolvant|disolvente|solvente|diluant",
    "swallowed": "swallow|drank|drunk some|drinking from|drinking the|drank from|ate|eaten|got into|lick|chew|mordu|mordeu|"
                 "mordio|mordid|gebissen|zerbissen|croque|gole|schluck|trago|"
                 "bit into|bitten into|sucking on|sucked|"
                 "ingest|bebio|bebeu|trank|getrunken|bu|avale|bois|"
                 "tomou|tomo|geschluckt|verschluckt|trag|engoli|comio|comeu|mange|gegessen",
    "bleed": "bleed|blood|bloody|sangr|saign|sang|blut|sangue|hemorr|haemorr",
    "heavy_bleed": "filling up|filling with|fills up|fills with|fill up|fill with|mouthful|pooling|puddle|"
    "keeps coming|"
                   "heavy|heavily|really bad|badly|a lot|lots|loads|tons|masses|enormement|muchisima|viel blut|"
                   "profuse|spurt|squirt|gush|pumping|pour|soak|will not stop|not stop|"
                   "can not stop|uncontrol|everywhere|so much|clots|pints|litre|mucha sangre|sangra mucho|"
                   "sangrando mucho|sangro mucho|no para|a chorros|jorr|"
                   "beaucoup|arrete pas|jaillit|stark|starke|hort nicht auf|spritzt|muito|nao para|durchnass|durchgeblutet|"
                   "empapad|encharcad|trempe|imbib|lauft raus",
    "head": "head|skull|cabeza|tete|kopf|cabeca|forehead|stirn|testa",
    # what a child or an adult falls from: a fall from a height or at speed, its head not always named
    "fall_from": "bike|bicycle|velo|bicicleta|fahrrad|horse|cheval|caballo|pferd|cavalo|stairs|escalier|escalera|"
                 "treppe|escada|ladder|echelle|escalera|leiter|trampoline|changing table|table|bed|bunk|sofa|"
                 "skateboard|scooter|wall|tree|roof|swing|slide|high chair|highchair|pram|buggy|climbing frame",
    "head_injury": "hit|hitting|banging|knocking|bumping|falling|bang|banged|bump|bumped|knock|injur|trauma|fell|"
    "fall|fallen|smack|whack|struck|knee to|elbow to|kick to|kicked|headbutt|clash|collided|collision|tackle|"
                   "punched|glassed|bottled|"
                   "rolled off|dropped|hard floor|"
                   "concuss|golpe|golpeo|cogne|gefallen|schlag|bateu|caiu|cayo|tombe|gesturzt|sturz|angeschlagen|"
                   "angestossen|gestossen|aufgeschlagen|bike crash|car crash|bati a|bati com",
    "head_danger": "vomit|throw|being sick|confus|drowsy|sleepy|unconscious|knocked out|seiz|fitting|pass out|"
                   "was out|out cold|went out|being weird|being strange|acting weird|acting strange|not acting right|"
                   "stay awake|keep awake|passed out|blacked out|blood thinner|thinners|warfarin|apixaban|rivaroxaban|anticoag|pupil|"
                   "oreille|oreja|orelha|aucun sens|sin sentido|sem sentido|keinen sinn|"
                   "sleepier|sintrom|marcumar|acenocumarol|xarelto|eliquis|pradaxa|dabigatran|edoxaban|coumadin|previscan|"
                   "fluid|slur|worse|same question|can not remember|not remember|forgetting|forget|memory|"
                   "been sick|was sick|"
                   "sick again|sick twice|"
                   "massive headache|"
                   "severe headache|terrible headache|awful headache|ear|nose|floppy|double vision|"
                   "vomi|vomio|vomito|vomitou|erbrochen|erbricht|voit double|ve doble|vision doble|visao dupla|"
                   "doppelt|soft swelling|boggy|very quiet|unusually quiet|not herself|not himself|seeing double|"
                   "see double|dent|dented|cosas raras|cosas sin sentido|choses bizarres|coisas estranhas|wirres zeug|"
                   "vomitando|verwirrt|erbrech|erbricht|bricht|ubergibt|vomi|confuso|sonolent|vendo dobrado|"
                   "vejo dobrado|ve dobrado|viendo doble|veo doble",
    "accident": "crash|accident|fell|fall|fallen|dive|dived|dove|diving|shallow|tackle|thrown|landed|trampoline|"
                "ladder|roof|"
                "horse|motorbike|motorcycle|collision|whiplash|hit by",
    "belly": "stomach|belly|abdom|tummy|barriga|ventre|bauch|vientre|abdomen",
    "eye": "eye|eyes|ojo|oeil|yeux|auge|augen|olho|vision|sight",
    "testis": "testic|testis|testes|scrot|hoden|testicul|ball|balls|my nuts|his nuts|the nuts|privates|groin|"
               "cojon|couille|bourses|escroto|sus partes|mis partes|partes intimas|parties intimes|partes baixas|un huevo|los huevos|mis huevos|el huevo|"
             "down there",
    "pregnant": "pregnan|embaraz|enceinte|schwanger|gravid|preggo",
    "postpartum": "accouchement|el parto|del parto|do parto|o parto|de parto|pos parto|posparto|geburt|entbindung|"
                  "gave birth|given birth|giving birth|"
                  "just delivered|after delivery|after birth|after the birth|since the birth|postpartum|"
                  "post partum|postnatal|post natal|after labour|after labor|c section|caesarean|cesarean",
    "fever": "fever|temp|temperature|fiebre|fieber|fievre|febre|febril|burning up|chills|shiver|rigor|hot to touch|"
             "37.8-42.9",
    "heat": "heat|heatwave|sun|beach|sunbath|hot day|hot car|festival|sauna|marathon|overheat|hot weather|desert|"
            "playa|praia|plage|strand|al sol|au soleil|in der sonne|ao sol|"
            "degrees|hike|hiking|hiker|sweltering|scorching|calor|chaleur|hitze|canicule|invernadero|gewachshaus|"
            "grados",
    "cold": "ice cold|freezing|frozen|hypotherm|cold water|icy|snow|through the ice|outside all night|very cold|"
            "so cold|really cold|freezing cold|ganz kalt|eiskalt|sehr kalt|unterkuhl|"
            "muy fria|muy frio|helad|glace|gelad|eisangeln|eiswasser|ins eis|eingebrochen",
    "water": "the water|pool|lake|sea|river|bath|bathtub|pond|canal|underwater|under water|deep end|shallow end|piscina|piscine|schwimmbad|pileta|"
             "alberca|banheira|banera|baignoire|badewanne|lago|riviere|fluss",
    "diabetic": "diabet|typeone|typetwo|insulin|hypo|sugar|sugars|glucose",
    # what comes with chest pain in a heart attack: breathlessness, sweat, spread, time, severity
    "chest_sign": "breath|winded|sweat|clammy|arm|jaw|back|neck|shoulder|faint|dizz|nause|sick|vomit|throw|{blue}|"
                  "pale|minute|min|mins|hour|hours|{severe}|respir|sudor|sudando|sueur|transpir|schwitz|atem|luft|"
                  "bras|brazo|braco|minutos|minuten|irradi|spread|radiat|going down|elephant|vice|gtn|spray|nitro|"
                  "not going|not go away|will not go|not ease|not easing|not settl|getting worse|constant|racing|"
                  "pounding|bad|badly|walk|steps|stairs|sit down|had to stop|die|dying|doom|heure|stunde|hora|"
                  "horas|blass|palido|palida|sitting on|standing on|weight on|band around|formig|hormigue|"
                  "fourmill|kribbel",
    # a child who got into medicines: how many, whose, where found
    "got_into": "some|several|few|handful|bunch|dozen|all|whole|lot|lots|pack|packet|bottle|box|strip|blister|"
                "three|four|five|six|seven|eight|nine|"
                "of my|in my|mum s|mom s|dad s|dads|mums|moms|grandma|grandmas|granny|nan|nans|grandad|grandpa|"
                "missing|empty|how many|got into|got hold|found|someone|help|vomit|sick|drowsy|sleepy|accident|"
                "by mistake|handbag|drawer|cupboard|floor|chewing|chewed|des|plusieurs|unos|unas|algunas|alguns|"
                "einige|mehrere|>=2",
    # stings, foods and medicines that cause anaphylaxis
    "allergen": "sting|stung|wasp|bee|hornet|peanut|nut|nuts|cashew|shellfish|shrimp|prawn|crab|lobster|egg|"
                "sesame|dye|contrast|antibiotic|penicillin|latex|satay|piqur|picadur|abeja|avispa|wespe|biene|"
                "abelha|vespa|cacahu|amendoim|camarao|erdnuss|guepe|abeille|amoxicillin|amoxil|augmentin|"
                "amoxiclav|cefalexin|ceftriaxone|septrin|trimethoprim|nitrofurantoin|new tablet|new medic|new pill",
    # what gets into or hits an eye, and sight that goes
    "eye_injury": "bleach|chemical|acid|alkali|cleaner|cleaning|detergent|disinfectant|sprayed|squirted|oven|lime|"
                  "chaux dans|chaux vive|branntkalk|cal viva|cal virgem|hydroxid|"
                  "abflussreiniger|entkalker|drain|lejia|javel|"
                  "cement|ammonia|caustic|pepper spray|superglue|reiniger|putzmittel|chemikal|saure|lauge|lejia|"
                  "limpiador|quimic|javel|nettoyant|produit|agua sanitaria|produto|splash|metal|grinder|glass|"
                  "shard|stabbed|poked|a stick|firework|pellet|punched|lost|losing|blind|curtain|shadow|halo|"
                  "double|can not see|{sudden}|no veo|perdu|sehe nichts|nichts mehr|white spot|severe|burning",
    # a burn that is large, deep, on the face, chemical or electrical
    "burn_severe": "boiling|oil|acid|chemical|electric|fire|whole|large|big|face|blister|white|charred|black|"
                   "chest|severe|badly|peeling|skin off|schwer|grave|toda|todo|hirviendo|quente|bigger|inhal|"
                   "smoke|breath|hoarse|drain|leathery|painless|does not hurt|most of|all over|visage|cara|rosto|"
                   "gesicht|huile|aceite|oleo|bouillant|fervendo|kochend|heiss|blase|blasen|ampolla|bolha|cloque|"
                   "grosse|grande",
    # high places and railways
    "high_place": "bridge|ledge|roof|rooftop|cliff|car park|multi storey|balcony|platform|tracks|railway|window|"
                  "top floor|overpass|brucke|dach|gleis|puente|azotea|tejado|pont|toit|falaise|ponte|telhado",
    # not breathing, or hardly, in five languages
    "cannot_breathe": "can not breath|unable to breath|not breathing|stopped breathing|stop breathing|"
                      "barely breathing|hardly breathing|barely breathe|hardly breathe|gasping|gasps|"
                      "choking|air hunger|turned blue|turning blue|went blue|going blue|gone blue|ahog|"
                      "atragantando|engasgando|etouff|keine luft|atemnot|kann nicht atmen|erstick|falta de ar|"
                      "sufoc|respire mal|respira mal|no respira|nao respira|atmet nicht|atmet kaum|not breathe|"
                      "kaum luft|wenig luft|schlecht luft|nicht genug luft|nach luft|kaum atmen|schwer atmen|"
                      "atmet schwer|nicht atmen",
    # a baby or child who is floppy, not feeding, not waking, with a high-pitched cry
    "baby_unwell": "floppy|limp|letharg|unrespons|not respond|hard to wake|not waking|will not wake|will not feed|"
                   "geint|teter|tout mou|toute molle|ne tete|"
                   "quer mamar|quiere mamar|quiere comer|pas boire|gemendo|gimiendo|geignement|quejido|"
                   "not feeding|refusing feeds|whimper|weak cry|mewing|cold to touch|cold to the touch|crying weakly|no wet|high pitch|bulging|grunt|schlapp|mole|not latch|"
                   "not latching|too sleepy|trinkt kaum|ne boit|no reacciona|green vomit|bile|bilious|not fade|"
                   "seeing things|hallucin|trinkt nicht|boit plus|sunken|mottled|fontanel|soft spot",
    # with a fever: confused, mottled, not passing urine, breathing fast, a rash that does not fade
    "sepsis_sign": "{confused}|bluish|blueish|atmet schnell|respira rapido|respire vite|mottled|racing|not peed|no urine|faint|"
                   "breathing fast|breathing really fast|fast breathing|can not think|dying|spreading|purple|"
                   "can not stop shaking|weird colour|strange colour|funny colour|odd colour|going grey|so ill|"
                   "this ill|>=40|chemo|neutropen|surgery|operation|violet|roxa|taches|manchas|flecken|uncontrol|"
                   "not fade|blotch|rast|herzrasen|schuttelfrost|escalofrio|frissons|calafrio|so schwach|"
                   "muy debil|tres faible|muito fraco|kaum aufstehen|barely stand|hardly stand|resp rate|"
                   "respiratory rate|feels cold|cold skin|skin cold",
    # late in pregnancy: flashing lights, blurred sight, swelling, heavy bleeding
    "pregnancy_warning": "flash|vision|swell|swollen|blur|bleed|every|sangr|saign|blut|sangue|heavy|forte|mucho|"
                         "stark|beaucoup|etoiles|estrellas|estrelas|sterne|sternchen|flimmer|blitze|verschwommen|"
                         "stars|spots|horrible|terrible|horrivel|schlimm|{severe}",
    # not responding or not waking, in five languages
    "unresponsive": "unconscious|unresponsive|collaps|pass out|passed out|passing out|blacked|blacking|fainted|"
                    "not respond|not responding|not answering|not answer|not moving|bewusstlos|ohnmacht|"
                    "inconscien|desmai|desmay|evanoui|sin respuesta|no responde|no reacciona|reagiert nicht|"
                    "nao responde|nao acorda|nao reage|knocked out|floppy|limp",
    # someone else's medicine: a grandparent's, a parent's
    "someone_elses": "grandmas|grandma s|grandpas|grandpa s|grandads|grandad s|grannys|granny s|nans|nan s|nanas|"
                     "nana s|someone else s|someone elses|da avo|do avo|la abuela|del abuelo|la grand mere|"
                     "du grand pere|von oma|von opa|mum s|mom s|dad s|parents",
    # to live, go on, wake up, in five languages
    "to_live": "live|living|alive|exist|here anymore|be around|vivir|viviendo|viver|vivre|leben|aufwachen|"
               "wake up tomorrow|wake up again|wake up anymore|ever wake|despertar|me reveiller|acordar|seguir|"
               "continuar|continuer|weiter|envie de vivre",
    # street drugs, and not knowing what was taken
    "drugs": "heroin|fentanyl|opiat|opioid|methadone|oxy|oxycod|oxycont|hydrocod|percocet|morphine|ketamine|ghb|mdma|spice|ecstasy|cocaine|crack|"
             "meth|amphetamine|took something|taken something|spiked",
    # face, lips, tongue and throat, in five languages
    "face_throat": "throat|tongue|lip|lips|face|mouth|garganta|lengua|labio|cara|gorge|langue|levre|visage|zunge|"
                   "lippe|hals|gesicht|rachen|lingua|rosto",
    # swelling, closing, tight, in five languages
    "swelling": "swell|swollen|closing|close|tight|puff|hincha|cerrada|cierra|gonfl|schwill|schwell|geschwoll|"
                "inch|fechando|huge|thick|blown up|blowing up|balloon|massive|puffing up|puffed up",
    # what gives off carbon monoxide indoors
    "fume_source": "boiler|gas fire|gas heater|heater|generator|stove|wood burner|log burner|bbq|barbecue|exhaust|"
                   "car running|engine running|engine on|charcoal|grill|"
                   "chimney|flue|chaudiere|heizung|aquecedor|calefon|gasofen|gasherd|gastherme|estufa|brasero|"
                   "calentador|poele",
    # an infection already known
    "infection": "chesty|uti|urine infection|water infection|kidney infection|chest infection|pneumonia|infection|"
                 "infected|cellulitis|wound|lungenentzund|neumonia|pneumonie|blasenentzund|harnwegsinfekt|nierenbecken|infeccion de orina|cistitis|"
                 "infection urinaire|cystite|infeccao urinaria|pyelo|infekt",
    # insulin and its brands
    "insulin": "insulin|lantus|novorapid|humalog|levemir|tresiba|fiasp|humulin|units",
    # a fit, in five languages (German compounds too)
    "fitting": "seiz|convuls|fitting|having a fit|tonic clonic|krampf|fieberkrampf|krampft|zuck|crise d epilepsie|"
               "epilep|convulsion",
    # a glucose meter or sensor and what it shows
    "meter": "meter|monitor|reading|reads|says|shows|libre|sensor|glucometer|messgerat|zeigt|glucometro|lecteur|"
             "affiche|lector|medidor|"
             "glicosimetro|lecteur",
    # what a stroke takes away: strength, feeling, sight, speech, balance
    "neuro_loss": "doppelt|doble|dobrad|gerade laufen|weak|numb|paraly|confus|vision|blind|see|speak|speech|talk|walk|balance|headache|dizz|double|"
                  "lost|word|words|drag|drool|droop|slur|clumsy|understand|floppy|sight|parl|faible|engourdi|"
                  "hablar|debil|entumec|sprechen|schwach|taub|falar|fraco|dormente",
    # mushrooms, berries and plants
    "wild_plant": "mushroom|berries|berry|plant|leaves|seeds|flower|bayas|baies|beeren|bagas|frutos|yew|tejo|"
                  "teixo|eibe|if|hojas|feuilles|blatter|folhas|setas|pilze|cogumelos|champignons",
    # what a fit looks like: eyes rolled back, foam, stiff, not responding, going on
    "fit_sign": "eyes roll|eyes rolled|rolled back|rolling back|foam|froth|unrespons|not respond|all over|"
                "whole body|rigid|stiff|on the floor|not stop|not stopping|will not stop|minutes|mins|min|blue|"
                "drool|lips|not breathing|limbs",
}

# Figures of speech removed before matching ("this heat is killing me", "gave me a heart attack lol").
RED_FLAG_EXCEPTIONS: list[str] = [
    # an inhaler named by its colour is no blue face
    "blue one", "blue inhaler", "blue pump", "blue puffer", "brown one", "brown inhaler", "purple inhaler",
    # the organ is no wish to live
    "liver",
    # a French "crise" of nerves, panic, madness, tears or laughter is no fit
    "crise de nerfs", "crise de panique", "crise d angoisse", "crise de folie", "crise de larmes", "crise de rire",
    "crise de colere",
    # "I'm having a heart attack watching this match": a figure of speech
    *[f"{having} a heart attack {at}" for having in ("having", "have", "had", "gonna have", "going to have")
      for at in ("watching", "reading", "looking at", "seeing")],
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
    # a scare that turned out to be nothing, a plural in a day's work, an inhaler's colour, a sporting collapse
    "had me gasping", "left me gasping", "seizure scare", "stroke scare", "heart scare", "heart attack scare", "overdoses", "blue inhaler", "blue pump",
    "blue puffer", "brown inhaler", "purple inhaler", "choked in the final", "choked in the match",
    "choked in the game", "choked in the shootout", "choked in the penalty", "choked under pressure", "choked on stage",
    "choked in the interview", "choked in the exam", "choked at the final", "choking on how", "choked on how",
    "choking on the price", "choking on the cost", "choked on the price", "choked on the cost",
    # "j'ai cru faire une crise cardiaque en voyant la facture": a shock, not the condition
    "cru faire une crise cardiaque", "failli faire une crise cardiaque", "casi me da un infarto",
    "casi me dio un infarto",
    "quase tive um infarto", "quase tive um ataque", "fast einen herzinfarkt bekommen", "fast einen herzinfarkt",
    # hay fever is no fever, an earthquake's "secousse" no fit, walking with a limp no limp body
    "hay fever", "hayfever", "secousse sismique", "secousses sismiques", "limping", "limped", "with a limp",
    "a slight limp",
    # a diagnosis someone has, or a named drug class, is no fit happening
    "has epilepsy", "have epilepsy", "had epilepsy", "with epilepsy", "got epilepsy", "tiene epilepsia",
    "tem epilepsia", "hat epilepsie", "anti seizure", "antiseizure", "anti epileptic", "anti convulsant",
    # screaming till purple in the face, a hangover's "worst", a sleeper who "doesn't stop breathing", a dose one
    # does not want to exceed
    "purple in the face", "red in the face", "blue in the face", "worst hangover", "not stop breathing",
    "never stops breathing", "not want to give", "not to give too much", "not giving too much",
    # a protocol's name is no patient's state; fainting at the sight of blood is the sight, not a collapse
    "the sepsis six", "sepsis six bundle",
    *[f"{faint} at the sight of" for faint in ("faint", "faints", "fainted", "fainting", "pass out", "passes out",
                                               "passed out", "passing out")],
    # "ich krieg gleich nen Herzinfarkt": German for being exasperated; a heart that "literally stopped" at a fright
    "krieg gleich nen herzinfarkt", "krieg gleich einen herzinfarkt", "kriege gleich einen herzinfarkt",
    "heart literally stopped", "burnt toast", "burned toast", "burnt the toast", "burned the toast",
    # a headache from a chore, being sick of something: figures of speech
    *[f"{give} me a headache" for give in ("giving", "gives", "gave", "given", "give")], "sick of", "activated charcoal",
]
# things that are "literally killing me": a figure of speech
RED_FLAG_EXCEPTIONS += [f"{thing} {be} {how}killing me" for thing in (
    "deadline", "deadlines", "exam", "exams", "job", "boss", "commute", "traffic", "homework", "revision", "this week",
    "uni", "studying", "assignment", "kids", "humidity", "this", "it") for be in ("is", "are")
    for how in ("", "literally ")] + ["literally killing me"]
# The same figures in families: things that choke, bleed or get overdosed on are not people; laughing so hard
# one can't breathe.
_THINGS = "laptop computer pc phone wifi internet server network system app browser engine".split()
RED_FLAG_EXCEPTIONS += [f"{verb} {whose} {thing}" for verb in ("choking", "chokes", "choked")
                        for whose in ("my", "the") for thing in _THINGS]
RED_FLAG_EXCEPTIONS += [f"bleeding {what}" for what in
                        "memory money cash customers users subscribers fans points".split()]
# things one "overdoses" on that are no medicine or drug
_TREATS = ("netflix tv television youtube tiktok instagram memes anime music films movies podcasts games gaming "
           "chocolate candy sweets sugar cake cookies biscuits pizza carbs snacks coffee caffeine christmas work "
           "revision studying exercise cardio gym sun sunshine love drama gossip shopping cuteness nostalgia").split()
_TREATS += ["social media", "true crime", "junk food", "energy drinks", "red bull", "easter eggs", "ice cream", "crisps",
            "halloween candy", "doughnuts", "donuts"]
RED_FLAG_EXCEPTIONS += [f"{verb} on {what}" for verb in ("overdosed", "overdosing", "overdose", "od d", "oded", "ods")
                        for what in _TREATS]
# someone or something that "gave me a heart attack", "me va a dar un infarto", "vai me matar", "me tue"
RED_FLAG_EXCEPTIONS += [f"{give} {whom} a {what}" for give in ("give", "gives", "gave", "giving", "nearly gave",
                                                               "almost gave", "going to give", "gonna give")
                        for whom in ("me", "her", "him", "us", "them", "you", "everyone")
                        for what in ("heart attack", "stroke", "seizure", "coronary", "aneurysm", "hernia")]
RED_FLAG_EXCEPTIONS += [f"{give} {what}" for give in (
    "me va a dar un", "me vas a dar un", "me van a dar un", "me da un", "me dio un", "casi me da un",
    "casi me dio un", "vai me dar um", "vais me dar um", "vao me dar um", "me deu um", "quase me deu um", "me da um",
    "va me faire", "vas me faire", "vont me faire", "m a fait", "a failli me faire", "me fait", "va me filer",
    "treibt mich in den", "treibt mich noch in den", "kriege noch einen", "krieg noch einen", "bekomme noch einen")
                        for what in ("infarto", "ataque al corazon", "ataque cardiaco", "paro cardiaco",
                                     "ataque do coracao", "une crise cardiaque", "un infarctus", "une attaque",
                                     "faire une crise cardiaque", "herzinfarkt")]
RED_FLAG_EXCEPTIONS += ["vai me matar", "vao me matar", "quase me matou", "me mata", "me va a matar", "me vas a matar",
                        "me van a matar", "me tue", "va me tuer", "vont me tuer", "bringt mich um",
                        "bringt mich noch um", "will kill me", "is going to kill me", "gonna kill me",
                        "be the death of me", "nearly killed me",
                        "almost killed me", "me esta matando", "me estan matando", "esta me matando"]
# asleep, not ill: "won't wake up to go to bed", "can't get him up for school"
RED_FLAG_EXCEPTIONS += [f"{wake} {purpose}" for wake in ("will not wake up", "will not get up", "can not get him up",
                                                         "can not get her up", "can not wake him up",
                                                         "can not wake her up")
                        for purpose in ("to go to bed", "for bed", "for school", "for work", "for breakfast",
                                        "in the morning", "in the mornings", "for his alarm", "for her alarm")]
RED_FLAG_EXCEPTIONS += [f"{lead} i {can} {breathe}" for lead in ("so funny", "laughing so hard", "laughed so hard",
                                                                  "laughing so much", "laughed so much")
                        for can in ("could not", "can not") for breathe in ("breathe", "breath")]
RED_FLAG_EXCEPTIONS += [f"so {what} i {can} {breathe}" for what in ("scary", "scared", "excited", "nervous", "cute",
                                                                 "beautiful", "good", "funny", "hard", "much")
                        for can in ("could not", "can not") for breathe in ("breathe", "breath")]
# plants, engines and traffic that "choke"
RED_FLAG_EXCEPTIONS += [f"{thing} {are} {choking}" for thing in ("plants", "weeds", "roots", "flowers", "garden",
                                                                  "engine", "car", "motor", "drain", "pipes",
                                                                  "traffic", "tomatoes", "lawn")
                        for are in ("are", "is", "keeps", "keep") for choking in ("choking", "choked")]
RED_FLAG_EXCEPTIONS += [f"{choking} {what}" for choking in ("choking the", "choked by", "choking out the")
                        for what in ("plants", "weeds", "garden", "roots", "flowers", "engine", "drain", "lawn")]
# sleep apnoea: "snores and sometimes stops breathing for a second"
RED_FLAG_EXCEPTIONS += [f"{often} {stops} breathing" for often in ("sometimes", "occasionally")
                        for stops in ("stops", "stop")]
RED_FLAG_EXCEPTIONS += ["wakes up gasping", "wake up gasping", "waking up gasping"]
# wanting a break: "disappear for a while and go travelling"
RED_FLAG_EXCEPTIONS += [f"disappear {where}" for where in ("for a while", "for a bit", "for a few days",
                                                           "for the weekend", "on holiday", "on a trip", "to the beach",
                                                           "to the mountains")]
RED_FLAG_EXCEPTIONS += [f"{tired} i could sleep forever" for tired in ("so tired", "tired", "exhausted", "knackered")]
RED_FLAG_EXCEPTIONS += [f"{die} of {what}" for die in ("die", "died", "dying") for what in
                        "embarrassment shame boredom laughter laughing cringe".split()]
RED_FLAG_EXCEPTIONS += [f"{kill} myself laughing" for kill in ("kill", "killing", "killed")]
# "faint" as pale, not as fainting: "faint red lines", "a faint rash", "a faint line on the test"
RED_FLAG_EXCEPTIONS += [f"faint {what}" for what in ("red", "pink", "mark", "marks", "scar", "scars",
                                                     "smell", "taste", "sound", "outline")]
# burnt food and hot food: "burned the toast", "my mouth is on fire after that curry"
_FOOD = ("toast roast dinner lunch breakfast food rice pan pot cake bread pizza sauce onions chicken steak turkey "
         "sausages bacon chips cookies biscuits potatoes veg garlic popcorn").split()
RED_FLAG_EXCEPTIONS += [f"{burnt} {whose} {food}" for burnt in ("burned", "burnt", "burning", "burn")
                        for whose in ("the", "my", "our", "his", "her") for food in _FOOD]
RED_FLAG_EXCEPTIONS += [f"{part} {is_} on fire" for part in ("mouth", "tongue", "lips", "throat")
                        for is_ in ("", "is", "was", "still", "is still", "s", "s still", "are", "were")]
RED_FLAG_EXCEPTIONS = [e.replace("  ", " ") for e in RED_FLAG_EXCEPTIONS]
RED_FLAG_EXCEPTIONS += [f"{burnt} my face off" for burnt in ("burned", "burnt", "burn", "burning")]
# someone's usual medicines: "she takes a lot of tablets", "he takes loads of pills for his heart"
RED_FLAG_EXCEPTIONS += [f"{who}takes {amount}" for who in ("", "she ", "he ", "mum ", "dad ")
                        for amount in ("a lot of", "lots of", "loads of", "so many", "many", "a bunch of", "several")]
# almost had one: "ich hätte fast einen Herzinfarkt bekommen", "j'ai failli faire une crise cardiaque"
RED_FLAG_EXCEPTIONS += [f"{almost} {what}" for almost in ("fast einen", "fast nen", "beinahe einen", "fast ein",
                                                           "j ai failli faire une", "j ai failli avoir une",
                                                           "j ai failli faire un", "j ai failli avoir un",
                                                           "quase tive um", "quase tive uma", "casi me dio un",
                                                           "nearly had a", "almost had a")
                        for what in ("herzinfarkt", "schlaganfall", "herzstillstand", "anfall", "crise cardiaque",
                                     "infarctus", "avc", "infarto", "ataque cardiaco", "ataque do coracao", "stroke",
                                     "seizure", "panic attack")]
RED_FLAG_EXCEPTIONS += [f"{give} {what}" for give in ("m a donne", "m a presque donne", "me donne", "va me donner",
                                                      "m a file", "a failli me donner")
                        for what in ("une crise cardiaque", "un infarctus", "une attaque", "un avc")]
# markets, machines and teams that "have a seizure" or "choke": "the stock market basically had a seizure",
# "my team choked in the second half", "mi equipo se ahogó"
_NON_PERSONS = _THINGS + ["market", "stock market", "stocks", "economy", "printer", "car", "crypto", "bitcoin",
                          "website", "site", "spreadsheet", "excel", "tv", "router", "game"]
RED_FLAG_EXCEPTIONS += [f"{thing} {adverb}{verb} a {what}" for thing in _NON_PERSONS
                        for adverb in ("", "basically ", "literally ", "just ", "totally ", "practically ")
                        for verb in ("had", "has", "is having", "having", "s having")
                        for what in ("seizure", "stroke", "heart attack", "meltdown", "fit")]
RED_FLAG_EXCEPTIONS += [f"{team} {choked}" for team in ("team", "equipo", "equipe", "mannschaft", "time", "side",
                                                        "squad", "defence", "defense", "seleccion", "selecao")
                        for choked in ("choked", "choke", "chokes", "choking", "se ahogo", "se ahogaron",
                                       "se ahoga", "se afogou", "s est noye", "s est noyee")]
# free of fits, "practically had a seizure" about the sales figures
RED_FLAG_EXCEPTIONS += ["seizure free", "seizures free", "fit free", "anfallsfrei", "sin crisis", "sans crise",
                        "livre de crises", "sem crises"]
RED_FLAG_EXCEPTIONS += [f"practically {verb} a {what}" for verb in ("had", "having", "has")
                        for what in ("seizure", "stroke", "heart attack", "fit", "meltdown", "breakdown")]
# future hyperbole, figures about machines and dance floors, burns while cooking said to be small
RED_FLAG_EXCEPTIONS += [f"{fut} have a {what} when" for fut in ("going to", "gonna", "will", "ll", "is going to")
                        for what in ("heart attack", "stroke", "seizure", "fit", "meltdown", "cow")]
RED_FLAG_EXCEPTIONS += ["cardiac arrest of", "heart attack of", "dance floor was on fire", "the crowd was on fire",
                        "the party was on fire", "team was on fire", "beim kochen", "while cooking", "al cocinar",
                        "en cuisinant"]
RED_FLAG_EXCEPTIONS += [f"se mueve {how}" for how in ("mucho", "bastante", "normal", "bien", "todo el rato")]
