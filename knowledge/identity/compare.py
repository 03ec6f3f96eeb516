"""Field comparisons and the match weight of a pair of person records.

Each field comparison gives a level ("exact", "nickname", "transposed", "differs"…) and a
weight: a rough log-odds that two records agreeing at that level are one person. The sum is
the pair's match weight; every field's level and weight is kept as the reason.

Names and birth dates are what a person keeps for life, so they alone can *conflict*: two
clearly different given names, family names or birth dates block a merge whatever else
agrees (twins share everything else). Phones, e-mails and addresses change and are shared
in households, so disagreeing on them costs nothing, and a shared value earns nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from knowledge.identity.names import (
    gender_variant,
    is_known_given_name,
    nickname_forms,
    same_by_nickname,
    spellings_of,
)
from knowledge.identity.records import MatchView, is_fixed_line

# Decision thresholds on the summed weight (the product's defaults, not tuned per data set).
MERGE_THRESHOLD = 14.0
REVIEW_THRESHOLD = 11.0
# Similarity from which a name that is not a known different name counts as a typo.
NAME_TYPO_SIMILARITY = 0.92
FAMILY_TYPO_SIMILARITY = 0.90

# Weights are rough log2 likelihood ratios: how much likelier the agreement is between two
# records of one person than between two different people of a dealer's customer base.
W_FAMILY = {"exact": 5.0, "partial": 3.5, "typo": 3.5, "near": 1.0, "differs": -6.0}
W_GIVEN = {
    "exact": 5.0,
    "nickname": 4.5,
    "variant": 4.5,
    "typo": 3.5,
    "short": 3.0,
    "partial": 2.5,
    "initial": 2.0,
    "differs": -8.0,
}
W_BIRTH = {"exact": 8.0, "transposed": 6.5, "near": 1.5, "differs": -8.0}
# A value a few people of one household share (the landline, a family e-mail) tells the
# household as surely as its address does, and weighs the same.
W_PHONE = {"exact": 7.0, "household": 5.0, "shared": 0.0, "differs": 0.0}
W_EMAIL = {"exact": 7.5, "household": 5.0, "shared": 0.0, "differs": 0.0}
# An exact full name that few others carry (frequency.py decides): evidence by itself.
W_RARE_NAME = 4.5
W_ADDRESS = {"exact": 5.5, "house": 3.0, "street": 1.5, "postcode": 0.5, "differs": 0.0}

# Levels that are evidence beyond the name: merging needs at least one of them.
_IDENTIFIER_LEVELS = {
    "name": ("rare",),
    "birth_date": ("exact", "transposed"),
    "phone": ("exact",),
    "email": ("exact",),
}
# What tells the household, not the person: its address, or a phone or e-mail its members
# share. Any of them is one identifier (with the full name: the person of that household
# with that name — a relative with the same name differs in birth date), all of them still
# one, for they say the same thing.
_HOUSEHOLD_LEVELS = {"address": ("exact",), "phone": ("household",), "email": ("household",)}

_SPELLING = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"c(?=[aou]|k|$)"), "k"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"y"), "i"),
    (re.compile(r"ie"), "i"),
    (re.compile(r"ae"), "a"),
    (re.compile(r"oe"), "o"),
    (re.compile(r"ue"), "u"),
    (re.compile(r"dt\b"), "t"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@lru_cache(maxsize=200_000)
def spelling_key(token: str) -> str:
    """One spelling for names people write several ways: Stephan/Stefan, Meyer/Meier, Marc/Mark."""
    for pattern, repl in _SPELLING:
        token = pattern.sub(repl, token)
    return token


@dataclass(slots=True)
class Comparison:
    """How two records compare: total weight, per-field (level, weight), and any conflicts."""

    weight: float = 0.0
    fields: dict[str, tuple[str, float]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    # Many people carry this full name: name and birth date alone prove nothing.
    common_name: bool = False

    def add(self, name: str, level: str, weight: float) -> None:
        self.fields[name] = (level, weight)
        self.weight += weight

    def reweigh(self, name: str, weight: float) -> None:
        """Give a field another weight: what it is worth depends on another field."""
        level, old = self.fields[name]
        self.fields[name] = (level, weight)
        self.weight += weight - old

    def level(self, name: str) -> str:
        return self.fields.get(name, ("missing", 0.0))[0]

    @property
    def identifiers(self) -> int:
        """How many fields beyond the name agree as only one person's would."""
        own = sum(1 for f, levels in _IDENTIFIER_LEVELS.items() if self.level(f) in levels)
        return own + int(self.household)

    @property
    def household(self) -> bool:
        """Whether the two agree on what tells a household (address, shared phone or e-mail)."""
        return any(self.level(f) in levels for f, levels in _HOUSEHOLD_LEVELS.items())

    @property
    def hard_identifiers(self) -> int:
        """Identifiers that are data, not the rarity of a name."""
        return self.identifiers - (self.level("name") == "rare")

    def can_merge(self, threshold: float = MERGE_THRESHOLD) -> bool:
        """Enough evidence to merge without a human — a stricter test than being linked."""
        if self.conflicts or self.weight < threshold:
            return False
        family = self.level("family")
        if family not in ("exact", "partial", "typo", "near"):
            return False
        given = self.level("given")
        personal = self.level("phone") == "exact" or self.level("email") == "exact"
        if family == "near" and not (personal or self.identifiers >= 2):
            return False  # the family name is in doubt: the rest must prove the person
        if given in ("exact", "nickname", "variant", "typo", "short", "partial"):
            if self.common_name:
                # Many carry the name, so one of them may share a birth date by chance;
                # a namesake in the same household is a relative, told by birth date.
                return personal or self.household or self.identifiers >= 2
            return self.identifiers >= 1
        # Only an initial, or no given name: a parent or a twin could be meant (both share
        # the address and the landline), so it takes what only this person has — their own
        # mobile or e-mail — or their birth date in their household, which no parent
        # shares. A twin does; the twin the store knows is as strong a candidate, and two
        # such go to a human (cluster.decide). Without any given name, one more.
        if given == "initial":
            return personal or (
                self.level("birth_date") in ("exact", "transposed") and self.household
            )
        return given == "missing" and personal and self.identifiers >= 2

    def reason(self) -> str:
        parts = [f"{name}={level}({weight:+g})" for name, (level, weight) in self.fields.items()]
        if self.conflicts:
            parts.append("conflict: " + "; ".join(self.conflicts))
        return " ".join(parts)


def compare_family(
    a: tuple[str, ...],
    b: tuple[str, ...],
    a_de: tuple[str, ...] = (),
    b_de: tuple[str, ...] = (),
) -> str:
    """``*_de`` are the names with umlauts written out (Müller → mueller), so Müller,
    Muller and Mueller all agree exactly."""
    if not a or not b:
        return "missing"
    if a == b or "".join(a) == "".join(b) or a_de in (b, b_de) or b_de == a:
        return "exact"
    if set(a) & set(b):
        return "partial"  # a double-barrelled name and one of its parts
    for ja, jb in (("".join(a), "".join(b)), ("".join(a_de or a), "".join(b_de or b))):
        ka, kb = spelling_key(ja), spelling_key(jb)
        if ka == kb or _one_slip(ja, jb, 3) or _one_slip(ka, kb):
            return "typo"
        if JaroWinkler.similarity(ja, jb, processor=None, score_cutoff=FAMILY_TYPO_SIMILARITY):
            return "typo"
    # Two slips (Frnke/Franpe, both Franke): maybe one name misspelt twice, maybe two names
    # (Hansen/Jensen). Not a conflict, and not the name's evidence either.
    ja, jb = "".join(a), "".join(b)
    if (
        min(len(ja), len(jb)) >= 5
        and DamerauLevenshtein.distance(ja, jb, processor=None, score_cutoff=2) <= 2
    ):
        return "near"
    return "differs"


def _one_slip(a: str, b: str, shortest: int = 4) -> bool:
    """One letter dropped, added, wrong or two swapped, in a name long enough to tell."""
    if min(len(a), len(b)) < shortest:
        return False
    return bool(DamerauLevenshtein.distance(a, b, processor=None, score_cutoff=1) <= 1)


def _slip_of(typed: str, name: str) -> bool:
    """``typed`` is ``name`` with one slip (Tnny/Tony), or one letter lost (Tbi/Tobi)."""
    return _one_slip(typed, name) or _lost_letter(typed, name)


def _lost_letter(typed: str, name: str) -> bool:
    """``typed`` is ``name`` with one letter left out. Only a lost letter: short names one
    letter apart otherwise are often two real names (Mei/Wei, Lena/Lana)."""
    return (
        len(typed) >= 3
        and len(typed) == len(name) - 1
        and any(name[:i] + name[i + 1 :] == typed for i in range(len(name)))
    )


def _misspelt_alike(a: str, b: str) -> bool:
    """Two names that are none are one name misspelt two ways: one slip each from it (or
    from it and its nickname: Avex/Albxander), or one slip from it and the other with a
    letter lost (Aşye/Aşe for Ayşe)."""
    meant_a, meant_b = spellings_of(a), spellings_of(b)
    if any(same_by_nickname(x, y) for x in meant_a for y in meant_b):
        return True
    return any(
        _lost_letter(typed, name) for typed, meant in ((b, meant_a), (a, meant_b)) for name in meant
    )


def _initial_fits(initial: str, name: str) -> bool:
    """'E.' fits Elisabeth, and Lisa too (Lisa is Elisabeth)."""
    return name.startswith(initial) or any(f.startswith(initial) for f in nickname_forms(name))


def compare_given_token(a: str, b: str, a_de: str = "", b_de: str = "") -> str:
    if a == b or (a_de and a_de in (b, b_de)) or (b_de and b_de == a):
        return "exact"
    if len(a) == 1 or len(b) == 1:
        initial, other = (a, b) if len(a) == 1 else (b, a)
        return "initial" if _initial_fits(initial, other) else "differs"
    if same_by_nickname(a, b):
        return "nickname"
    # A misspelt nickname or formal name (Firtz / Friedrich, Rob / Rbert): through another
    # form of an actual nickname, never by comparing the two spellings themselves.
    # The misspelt side is the one that is no real name (Anni is one slip from Anne, but
    # both are names: Anna's nickname says nothing about Anne).
    forms_a = [f for f in nickname_forms(a) if len(f) >= 4]
    forms_b = [f for f in nickname_forms(b) if len(f) >= 4]
    if (not is_known_given_name(a) and any(_slip_of(a, f) for f in forms_b)) or (
        not is_known_given_name(b) and any(_slip_of(b, f) for f in forms_a)
    ):
        return "nickname"
    if spelling_key(a) == spelling_key(b):
        return "variant"
    if gender_variant(a, b):
        return "differs"
    known_a, known_b = is_known_given_name(a), is_known_given_name(b)
    if known_a and known_b:
        return "differs"  # Anna/Anne, Jan/Jens: two real names, two people
    if not known_a and not known_b and _misspelt_alike(a, b):
        return "typo"  # one name misspelt twice, two ways: Dpitri/Dmiqri, Sergie/Segei
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if not is_known_given_name(short) and _lost_letter(short, long_):
        return "typo"  # a name with a letter lost: Lon/Leon, Fnn/Finn, Gsa/Gesa
    if len(short) >= 3 and not (known_a and known_b) and long_.startswith(short):
        return "short"  # Alex/Alexander, Fran/Franziska
    if len(short) >= 4 and long_.endswith(short) and not (is_known_given_name(short)):
        return "short"  # Seun/Oluwaseun, Sandro/Alessandro
    # Short names are too close to each other for a similarity measure (Luia could be
    # Lukas or Luisa): one slip at most; longer ones may differ a little more.
    if _one_slip(a, b) or (
        min(len(a), len(b)) >= 6
        and JaroWinkler.similarity(a, b, processor=None, score_cutoff=NAME_TYPO_SIMILARITY)
    ):
        return "typo"
    return "differs"


def compare_given(
    a: tuple[str, ...],
    b: tuple[str, ...],
    a_de: tuple[str, ...] = (),
    b_de: tuple[str, ...] = (),
) -> str:
    if not a or not b:
        return "missing"
    level = compare_given_token(a[0], b[0], a_de[0] if a_de else "", b_de[0] if b_de else "")
    if level == "differs":
        # A double first name and its second part ("Anna Maria" / "Maria").
        if set(a) & set(b) and min(len(a), len(b)) < max(len(a), len(b)):
            return "partial"
        return "differs"
    # Hans-Peter and Hans-Jürgen are two people.
    if (
        level in ("exact", "nickname", "variant")
        and len(a) > 1
        and len(b) > 1
        and compare_given_token(a[1], b[1]) == "differs"
    ):
        return "differs"
    return level


def compare_birth(a: tuple[int, int, int] | None, b: tuple[int, int, int] | None) -> str:
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    if a[0] == b[0] and a[1] == b[2] and a[2] == b[1]:
        return "transposed"
    sa, sb = f"{a[0]:04d}{a[1]:02d}{a[2]:02d}", f"{b[0]:04d}{b[1]:02d}{b[2]:02d}"
    diffs = [i for i in range(8) if sa[i] != sb[i]]
    if len(diffs) == 1:
        return "near"  # one mistyped digit
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and sa[diffs[0]] == sb[diffs[1]]:
        return "near"  # two neighbouring digits swapped
    if a[:2] == b[:2] and abs(a[2] - b[2]) == 1:
        return "near"  # the day before or after (a slip, or a birth around midnight)
    return "differs"


def _compare_values(
    a: frozenset[str], b: frozenset[str], shared: set[str], household: set[str]
) -> str:
    if not a or not b:
        return "missing"
    common = a & b
    if not common:
        return "differs"
    real = common - shared
    if not real:
        return "shared"
    if real - household:
        return "exact"
    return "household"


def compare_address(a: MatchView, b: MatchView) -> str:
    if not a.postcode or not b.postcode:
        if a.street and b.street and a.street == b.street and a.number and a.number == b.number:
            # Without a postcode the town names the place: the same house in the same town
            # is the address, the same house number in an unknown town may be another.
            return "exact" if a.city and a.city == b.city else "house"
        return "missing"
    if a.postcode != b.postcode:
        return "differs"
    if a.street and b.street and a.street == b.street:
        if a.number and b.number:
            return "exact" if a.number == b.number else "street"
        return "house"
    return "postcode"


def compare(
    a: MatchView, b: MatchView, household: set[str] | frozenset[str] = frozenset()
) -> Comparison:
    """Compare two records field by field. ``household`` lists values that a few customers
    share (a family's landline): they still count, but weakly and not as an identifier."""
    result = Comparison(common_name=a.common_name or b.common_name)
    shared = a.shared | b.shared
    hh = set(household)

    family = compare_family(a.family, b.family, a.family_de, b.family_de)
    given = compare_given(a.given, b.given, a.given_de, b.given_de)
    birth = compare_birth(a.dob, b.dob)
    if family != "missing":
        result.add("family", family, W_FAMILY[family])
    if given != "missing":
        result.add("given", given, W_GIVEN[given])
    if birth != "missing":
        result.add("birth_date", birth, W_BIRTH[birth])
    if (a.rare_name or b.rare_name) and family == "exact" and given in ("exact", "variant"):
        result.add("name", "rare", W_RARE_NAME)
    # A landline is a household's by nature: it counts, but like a shared family number.
    phone_hh = hh | {p for p in a.phones & b.phones if is_fixed_line(p)}
    phone = _compare_values(a.phones, b.phones, shared, phone_hh)
    if phone != "missing":
        result.add("phone", phone, W_PHONE[phone])
    email = _compare_values(a.emails, b.emails, shared, hh)
    if email != "missing":
        result.add("email", email, W_EMAIL[email])
    address = compare_address(a, b)
    if address != "missing":
        result.add("address", address, W_ADDRESS[address])
    if family == "typo" and result.household:
        # The people of one household carry its family name exactly or another one
        # altogether: in the household a name one slip from it is that name misspelt, as
        # sure as the name written right.
        result.reweigh("family", W_FAMILY["exact"])

    if family == "differs":
        result.conflicts.append("family names differ")
    if given == "differs":
        result.conflicts.append("given names differ")
    if birth == "differs":
        result.conflicts.append("birth dates differ")
    return result
