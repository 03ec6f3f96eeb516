"""What the matcher knows about given names: nicknames, and which names are distinct names.

Two facts decide most hard cases. "Bob" and "Robert" are one name (a nickname), so they must
not count as a conflict. "Anna" and "Anne", "Jan" and "Jana", "Maria" and "Mario" look alike
to an edit-distance measure but are different names — twins and siblings carry exactly such
pairs — so when both spellings are known given names they are a conflict, never a typo.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Each group is one name and its common short forms (folded, lower-case). A short form may sit
# in several groups ("chris" → Christopher, Christian, Christine, Christina).
_NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("robert", "rob", "bob", "bobby", "robbie", "bert"),
    ("william", "will", "bill", "billy", "willy", "liam"),
    ("wilhelm", "willi", "willy", "wim"),
    ("james", "jim", "jimmy", "jamie"),
    ("michael", "mike", "micha", "mikey", "mick"),
    ("david", "dave", "davey"),
    ("thomas", "tom", "tommy", "thom"),
    ("joseph", "joe", "joey", "josef", "sepp", "jupp", "beppo"),
    ("christopher", "chris", "topher", "kit"),
    ("christian", "chris", "christl"),
    ("christina", "chris", "tina", "christine", "kristina"),
    ("christine", "chris", "tine", "christina"),
    ("katherine", "kate", "kathy", "katie", "kat", "catherine", "kathryn", "cathy"),
    ("katharina", "kathi", "kati", "katja", "kathrin", "katrin", "catharina", "katarina"),
    ("elizabeth", "liz", "beth", "betty", "lisa", "eliza", "elisabeth", "lizzy", "elise"),
    ("elisabeth", "lisa", "liesel", "lies", "sissi", "elsbeth", "betti", "elise"),
    ("susan", "sue", "susie", "suzy", "susanne", "susanna"),
    ("susanne", "susi", "sanne", "susanna"),
    ("alexander", "alex", "sasha", "sascha", "xander", "alec"),
    ("alexandra", "alex", "sandra", "sasha", "alexa"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("daniel", "dan", "danny", "dani"),
    ("matthew", "matt", "matty"),
    ("matthias", "matze", "matthes", "mathias", "hias"),
    ("nicholas", "nick", "nicky", "nico", "nikolaus", "klaus", "niklas"),
    ("anthony", "tony", "anton", "toni"),
    ("antonia", "toni", "tonia"),
    ("stephen", "steve", "steven", "stevie", "stefan", "stephan"),
    ("stefanie", "steffi", "stephanie", "steph"),
    ("andrew", "andy", "drew", "andreas", "andi", "andre"),
    ("patrick", "pat", "paddy"),
    ("patricia", "pat", "patty", "tricia", "trish"),
    ("jennifer", "jenny", "jen", "jenni"),
    ("margaret", "maggie", "meg", "peggy", "margarete", "grete", "gretel", "marga", "margit"),
    ("richard", "rick", "rich", "dick", "ricky", "richie"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned", "eduard"),
    ("charles", "charlie", "chuck", "karl", "carl"),
    ("henry", "harry", "hank", "heinrich", "heinz", "hinnerk", "henri"),
    ("john", "jack", "johnny", "jon", "johannes", "johann", "hans", "hannes", "jo"),
    ("johanna", "hanna", "hanne", "jo", "joanna"),
    ("franz", "franziskus", "francis", "frank", "franky"),
    ("franziska", "franzi", "fanny"),
    ("friedrich", "fritz", "fred", "frederick", "freddy", "friedel"),
    ("konrad", "kurt", "conrad", "conny"),
    ("cornelia", "conny", "nele", "cornelius"),
    ("ulrich", "uli", "ulli", "ulf"),
    ("wolfgang", "wolf", "wolfi"),
    ("gerhard", "gerd", "gert", "gerry"),
    ("bernhard", "bernd", "bernie", "bernard"),
    ("magdalena", "lena", "leni", "magda", "madeleine"),
    ("helena", "lena", "leni", "helene", "ellen"),
    ("gabriele", "gabi", "gaby", "gabriela", "gabrielle"),
    ("monika", "moni", "monica"),
    ("barbara", "babsi", "barb", "babs", "barbie"),
    ("theresa", "resi", "tessa", "therese", "teresa", "terry"),
    ("rudolf", "rudi", "rudy", "rolf"),
    ("manfred", "manni", "fred"),
    ("sebastian", "basti", "seb", "bastian"),
    ("florian", "flo"),
    ("maximilian", "max", "maxi"),
    ("benjamin", "ben", "benny", "benni"),
    ("jonathan", "jon", "jonny", "nathan"),
    ("nathaniel", "nathan", "nate", "nat"),
    ("timothy", "tim", "timmy"),
    ("tobias", "tobi", "toby"),
    ("dominik", "dom", "dominic", "dominique"),
    ("jakob", "jacob", "jake", "kobi"),
    ("philipp", "phil", "philip", "pip", "fips"),
    ("lukas", "luke", "luca", "lucas"),
    ("martin", "marty", "tino"),
    ("peter", "pete", "piet"),
    ("georg", "george", "schorsch", "jorg", "jurgen", "jurg"),
    ("juergen", "jurgen", "jorg"),
    ("walter", "walt", "wally"),
    ("gregor", "greg", "gregory"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("kenneth", "ken", "kenny"),
    ("gottfried", "friedel", "fried"),
    ("ferdinand", "ferdi", "nando"),
    ("leopold", "leo", "poldi"),
    ("leonhard", "leo", "leon", "lenny", "leonard"),
    ("valentin", "valle", "vali"),
    ("jessica", "jess", "jessie"),
    ("rebecca", "becky", "becca", "rebekka"),
    ("deborah", "deb", "debbie", "debby"),
    ("victoria", "vicky", "tori", "viktoria"),
    ("veronika", "vroni", "veronica"),
    ("dorothea", "dora", "doro", "thea", "dorothy", "dot"),
    ("annemarie", "anne", "annemie"),
    ("anna", "anni", "anja", "annika", "nina"),
    ("hannelore", "hanne", "lore"),
    ("ingeborg", "inge"),
    ("mechthild", "mechtild", "hilde"),
    ("angelika", "angela", "angie", "geli"),
    ("emma", "emmy", "emmi"),
    ("sophie", "sofia", "sophia", "sofie", "sophie"),
    ("julia", "julie", "jule", "juli"),
    ("amelie", "amelia", "millie", "amy"),
    ("mehmet", "memo", "mehmed", "muhammed", "mohammed", "mohammad", "muhammad"),
    ("mustafa", "musti"),
    ("fatima", "fatma", "fatime"),  # the Arabic name and its Turkish and Albanian forms
    ("ayse", "aise", "aisha", "aysha"),
    ("aleksandr", "alexander", "sasha", "sascha"),
    ("krzysztof", "krzys", "christopher"),
    ("malgorzata", "gosia", "margaret"),
    ("wojciech", "wojtek"),
    ("giuseppe", "peppe", "beppe", "joseph"),
    ("francesco", "franco", "frank", "cesco"),
    ("guillermo", "memo", "william"),
    ("jose", "pepe", "joseph"),
    ("oluwaseun", "seun"),
    ("chukwuemeka", "emeka"),
    ("konstantinos", "kostas", "dinos"),
    ("georgios", "giorgos", "george"),
    ("dmitri", "dima", "dmitry"),
    ("svetlana", "sveta"),
    ("guadalupe", "lupe"),
    ("alessandro", "sandro"),
    ("krzysztof", "krzys"),
    ("malgorzata", "gosia"),
    ("ekaterina", "katya", "katja"),
    ("anastasia", "nastya", "nastja"),
    ("vladimir", "vova", "volodya"),
    ("mikhail", "misha"),
)

# Common given names (folded). A spelling in this list is somebody's real name, so two
# different listed names are two people, however similar the letters.
_KNOWN_GIVEN_NAMES = _words(
    """
    aaron adam adrian agnes ahmet aisha alan albert alberto alexander alexandra alfred ali
    alice alicia alina alma amelie amy ana andrea andreas andrew angela angelika anja anke
    ann anna anne annette anton antonia arne arthur astrid ayse axel barbara beate ben
    benedikt benjamin bernd bernhard bettina birgit bjorn bodo boris brigitte bruno burak
    can carina carl carla carlo carmen carol carola caroline carsten charlotte chiara chris
    christa christian christiane christina christine christoph christopher clara claudia
    claus conrad cornelia dagmar daniel daniela david deniz denise dennis diana diane dieter
    dirk dominik doris dorothea edith edward elena elias elif elisabeth elke ella ellen elias
    emil emily emine emma eric erik erika ernst esther eva fabian fatma felix finn florian
    frank franz franziska frederik frieda friedrich gabriele georg gerd gerda gerhard gisela
    greta gudrun gunter gustav hakan hanna hannah hannelore hans harald hasan heidi heike
    heiko heinrich heinz helena helene helga helmut henning henry herbert hermann hilde holger
    horst hugo hussein ida ilse ina ines inga inge ingrid irene iris isabel isabella jakob jan
    jana janina jannik jasmin jens jessica joachim johann johanna johannes john jonas jonathan
    jorg josef joseph julia julian juliane julius jurgen justin kai karin karl karla karsten
    katharina kathrin katja kemal kerstin kevin klara klaus konrad kristina kurt lara lars laura
    lea lena leo leon leonie lina linda lisa lotte louis louisa luca lucas luisa luise lukas
    luca maja malte manfred manuel manuela marc marco marcel marcus maren margarete maria
    marian marianne mario marion mark marko markus marlene martha martin martina mathias
    matthias max maximilian mehmet melanie merve mia michael michaela michelle mila milan
    mina mirko miriam monika moritz murat nadine nadja natalie nicole niklas nico nikolaus
    nils nina noah nora norbert ole olga oliver otto pascal patricia patrick paul paula
    peter petra philipp pia rainer ralf ralph rebecca regina reinhard renate rene richard
    rita robert robin roland rolf roman ronja rosa rosemarie rudolf ruth sabine sabrina sandra
    sara sarah sascha sebastian selin simon simone sofia sonja sophia sophie stefan stefanie
    stephan steffen susanne svea sven svenja sylvia tanja theo theresa thomas thorsten tim
    timo tina tobias tom torsten ulrich ulrike ursula uta ute uwe valentina valerie vanessa
    vera veronika viktor viktoria vincent walter werner wilhelm willi wolfgang yasemin yusuf
    zeynep jan jana jean jeanne jo joe joan joanna jack jacob james jane janet jason jeffrey
    jennifer jeremy jill jim jimmy joan joel johnny jordan joshua joyce judith judy julie
    justin karen kate katherine kathleen kathryn keith kelly kenneth kim kimberly larry
    laurence lawrence leonard lewis lily lisa lori louise lucy luke margaret marie marilyn
    martha mary matthew megan melissa michelle mildred nancy nathan nicholas norma pamela
    pat patrick philip phillip phyllis rachel ralph randy raymond rebecca richard rick roger
    ronald rose roy russell ruth ryan samantha samuel scott sean sharon shirley stephanie
    steven susan teresa terry timothy tyler victoria vincent virginia wayne william
    andre andrea andreas anja anneliese annegret elfriede erna frida gertrud hedwig irmgard
    lieselotte lore margot marta mechthild waltraud wilma yvonne zoe
    dana dan dean donna dora dina diana dania daniela lina linh minh anh thao lan mai hoa
    hung tuan duc long nam trang huong fatima aisha amina khadija leila layla yasmin omar
    ahmed ahmad hassan hussein youssef yusuf karim samir tariq nour rania adaeze ngozi
    chioma emeka chukwuemeka oluwaseun seun tunde ade ayo kemi funmi bola sade wei li ming
    xiaoling jing hui yan lei jun priya anjali rahul raj arjun deepak sunita ravi vijay
    amit neha pooja aditya kiran meera olga irina natalia svetlana tatiana dmitri sergei
    andrei ivan nikolai igor agnieszka katarzyna malgorzata joanna magdalena krzysztof piotr
    tomasz pawel wojciech lukasz marek kasia gosia giuseppe giovanni francesco alessandro
    marco luca matteo lorenzo giulia francesca chiara sofia elena alessia carmen lucia
    pilar dolores rosa alejandro javier carlos miguel pablo jorge diego sergio antonio
    manuel jose juan pedro luis guadalupe georgios giorgos konstantinos dimitrios nikos
    eleni maria dimitra katerina sophia vasiliki ioanna mehmet mustafa ahmet emre burak
    murat kemal hakan cem can ayse fatma emine zeynep elif merve ozlem gulsen caglar
    etienne benoit pierre jean jacques francois sophie camille chloe manon julie
    """
)

# Endings that turn one name into another of the other sex: Jan/Jana, Paul/Paula,
# Christian/Christiane, Daniel/Daniela, Mario/Maria. A typo rarely looks like this.
_GENDER_ENDINGS = ("a", "e", "ine", "ina", "o")


@lru_cache(maxsize=4096)
def nickname_groups(name: str) -> frozenset[int]:
    """Indexes of the nickname groups a folded given name belongs to (empty when none)."""
    return frozenset(i for i, group in enumerate(_NICKNAME_GROUPS) if name in group)


@lru_cache(maxsize=4096)
def nickname_forms(name: str) -> frozenset[str]:
    """Every other form of the name: its formal name and the formal name's other nicknames."""
    forms: set[str] = set()
    for index in nickname_groups(name):
        forms.update(_NICKNAME_GROUPS[index])
    forms.discard(name)
    return frozenset(forms)


def same_by_nickname(a: str, b: str) -> bool:
    """'bob' and 'robert', 'sepp' and 'josef': one name written two ways."""
    if a == b:
        return True
    return bool(nickname_groups(a) & nickname_groups(b))


def canonical_given(name: str) -> str:
    """The formal name of a nickname when it has exactly one ('bob' → 'robert'), else itself.

    Blocking keys use this so 'Bob Smith' and 'Robert Smith' land in the same block.
    """
    groups = nickname_groups(name)
    if len(groups) == 1:
        (index,) = groups
        return _NICKNAME_GROUPS[index][0]
    return name


def is_known_given_name(name: str) -> bool:
    return name in _KNOWN_GIVEN_NAMES


# What a misspelt name may have been meant as: every known name and every nickname form.
_SPELLABLE = sorted(_KNOWN_GIVEN_NAMES | {name for group in _NICKNAME_GROUPS for name in group})


@lru_cache(maxsize=65_536)
def spellings_of(typed: str) -> frozenset[str]:
    """The known given names one slip away from a name that is none (a letter lost, added,
    wrong or two swapped): what 'Dpitri' or 'Sergie' was meant to be. Short ones have too
    many neighbours to tell."""
    if len(typed) < 4 or typed in _KNOWN_GIVEN_NAMES:
        return frozenset()
    found = process.extract(
        typed,
        _SPELLABLE,
        scorer=DamerauLevenshtein.distance,
        score_cutoff=1,
        limit=None,
    )
    return frozenset(name for name, _distance, _index in found)


def gender_variant(a: str, b: str) -> bool:
    """'jan'/'jana', 'christian'/'christiane', 'mario'/'maria': one name, two sexes."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    for ending in _GENDER_ENDINGS:
        if long_ == short + ending:
            return True
    # Mario/Maria, Carlo/Carla: same stem, different final vowel.
    return (
        len(a) == len(b) >= 4
        and a[:-1] == b[:-1]
        and a[-1] in "aeio"
        and b[-1] in "aeio"
        and a[-1] != b[-1]
    )
