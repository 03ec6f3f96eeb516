"""Names people go by and the names on their records: Bob ↔ Robert, Kate ↔ Katherine.

Both directions are used: a caller asking for "Bob Smith" finds Robert Smith, and one
asking for "Robert Smith" finds the customer recorded as "Bob Smith". All keys are folded
(lower case, no accents), as ``knowledge.normalize.fold`` makes them.
"""

from __future__ import annotations

from functools import cache

# Formal name → the short forms it goes by. Covers the English and German diminutives a
# dealer meets daily and the usual ones of the communities around it.
_FORMAL_TO_SHORT: dict[str, tuple[str, ...]] = {
    # English
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "william": ("bill", "billy", "will", "willy", "liam"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "lisa", "elsie", "libby"),
    "katherine": ("kate", "kathy", "katie", "kat", "kitty", "kay"),
    "catherine": ("cathy", "kate", "cat", "katie"),
    "kathleen": ("kathy", "kate"),
    "james": ("jim", "jimmy", "jamie"),
    "margaret": ("maggie", "peggy", "meg", "marge", "greta"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "jennifer": ("jen", "jenny"),
    "daniel": ("dan", "danny"),
    "christopher": ("chris", "kit", "topher"),
    "christine": ("chris", "chrissy", "tina"),
    "christina": ("chris", "tina"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("pat", "paddy"),
    "jonathan": ("jon", "jonny"),
    "john": ("jack", "johnny"),
    "victoria": ("vicky", "tori"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "alexander": ("alex", "sasha", "sandy", "xander", "sascha"),
    "alexandra": ("alex", "sandra", "sasha", "lexi"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sam", "sammy"),
    "anthony": ("tony",),
    "antonio": ("tony", "toni"),
    "michael": ("mike", "mikey", "mick", "micha"),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe", "joey"),
    "benjamin": ("ben", "benny"),
    "nicholas": ("nick", "nicky"),
    "matthew": ("matt",),
    "andrew": ("andy", "drew"),
    "stephen": ("steve",),
    "steven": ("steve",),
    "timothy": ("tim", "timmy"),
    "susan": ("sue", "susie"),
    "deborah": ("deb", "debbie"),
    "rebecca": ("becky", "becca"),
    "jessica": ("jess", "jessie"),
    "abigail": ("abby",),
    "charles": ("charlie", "chuck"),
    "charlotte": ("lotte", "charlie"),
    "frederick": ("fred", "freddie"),
    "theodore": ("theo", "ted"),
    "gregory": ("greg",),
    "jacob": ("jake",),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry",),
    "leonard": ("leo", "len"),
    "raymond": ("ray",),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donny"),
    "douglas": ("doug",),
    "gerald": ("gerry",),
    "dorothy": ("dot", "dottie"),
    "barbara": ("barb", "babs"),
    "sarah": ("sally",),
    "eleanor": ("ellie", "nora"),
    "dana": ("dee",),
    # German
    "katharina": ("kathi", "kati", "katja", "kathrin"),
    "maximilian": ("max", "maxi"),
    "matthias": ("matze", "matti", "hias"),
    "christian": ("chris", "christl"),
    "friedrich": ("fritz", "friedel"),
    "margarete": ("grete", "gretel", "margit"),
    "elisabeth": ("lisa", "sissi", "liesel", "elli", "betti", "lise"),
    "wolfgang": ("wolf", "wolfi"),
    "johannes": ("hannes", "jo", "johann", "hans"),
    "johann": ("hans",),
    "joachim": ("achim", "jochen"),
    "jurgen": ("jurg",),
    "stefan": ("steffen", "steffi"),
    "stephanie": ("steffi", "steph"),
    "sabine": ("bine",),
    "andreas": ("andi", "andy"),
    "alexandre": ("alex",),
    "heinrich": ("heinz", "heini", "henry"),
    "wilhelm": ("willi", "willy", "wim"),
    "gottfried": ("friedel",),
    "franziska": ("franzi",),
    "cornelia": ("conny",),
    "susanne": ("susi", "sanne"),
    "ursula": ("uschi", "ulla"),
    "gabriele": ("gabi",),
    "angelika": ("geli",),
    "claudia": ("claudi",),
    "julia": ("jule", "julie"),
    "lukas": ("luke",),
    "sophie": ("sofie",),
    "dietrich": ("dieter",),
    "bernhard": ("bernd",),
    "manfred": ("manni",),
    "reinhard": ("reini",),
    "norbert": ("nobby",),
    "ulrich": ("ulli", "uli"),
    "hildegard": ("hilde",),
    "rosemarie": ("rosi",),
    "walburga": ("burgi",),
    # Italian, Spanish, Greek, Slavic, Turkish, West African
    "alessandro": ("sandro", "alex"),
    "giuseppe": ("beppe", "peppe", "pino"),
    "francesca": ("franca", "checca"),
    "giovanni": ("gianni", "nino"),
    "jose": ("pepe", "chema"),
    "francisco": ("paco", "pancho", "curro"),
    "guadalupe": ("lupe", "lupita"),
    "alejandro": ("alex", "alejo"),
    "javier": ("javi",),
    "konstantinos": ("kostas", "dinos"),
    "georgios": ("giorgos", "yorgos"),
    "dimitrios": ("dimitris", "mitsos"),
    "dmitri": ("dima",),
    "dmitry": ("dima",),
    "svetlana": ("sveta",),
    "aleksandr": ("sasha", "sascha"),
    "natalia": ("natasha", "tasha"),
    "sergei": ("seryozha",),
    "krzysztof": ("krzys",),
    "malgorzata": ("gosia", "malgosia"),
    "katarzyna": ("kasia",),
    "agnieszka": ("aga",),
    "wojciech": ("wojtek",),
    "lukasz": ("lukas",),
    "joanna": ("asia",),
    "piotr": ("piotrek",),
    "oluwaseun": ("seun",),
    "chukwuemeka": ("emeka",),
    "mohammed": ("mo", "moe", "hamoudi"),
    "muhammad": ("mo", "moe"),
    "mehmet": ("memo",),
    "abdullah": ("abdi",),
}


@cache
def _table() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for formal, shorts in _FORMAL_TO_SHORT.items():
        for short in shorts:
            out.setdefault(formal, set()).add(short)
            out.setdefault(short, set()).add(formal)
    return {name: frozenset(related) for name, related in out.items()}


def related_names(token: str) -> frozenset[str]:
    """Formal names of a nickname and nicknames of a formal name (folded), never the token."""
    return _table().get(token, frozenset())


def are_related(a: str, b: str) -> bool:
    return b in related_names(a)
