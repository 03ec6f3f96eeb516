"""Source-system exports of a synthetic dealer, with the truth about who is who.

The people are generated first — households with a shared landline, spouses, adult twins
(same family name, address and birth date, different given names), many different people
with the most common names, people who moved or changed their phone. Then each source system
writes them its own way, with the disagreements real exports have:

- the marketing CRM (JSON Lines) — current e-mails and phones, names as typed on web forms
  (nicknames, typos), some contacts entered twice, fleet pool e-mails shared by many drivers;
- the DMS (semicolon CSV, one row per repair order) — "MÜLLER, Anna", German dates, older
  addresses and phones, the dealership's own number typed in when the customer had none;
- walk-in / web leads (the generic-people CSV) — sparse, often without a birth date;
- the manufacturer's recall file (CSV by VIN).

``truth.csv`` maps every person record (source, source_id) to the person it describes —
what the quality benchmark scores against. Everything is deterministic for a seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.demo import catalog
from knowledge.demo.generate import vin_for
from knowledge.models import Dealer, DealerGroup
from knowledge.normalize import fold

_EXTRA_GIVEN = {
    "f": [
        "Andrea",
        "Angelika",
        "Anja",
        "Anke",
        "Annette",
        "Barbara",
        "Beate",
        "Bettina",
        "Birgit",
        "Brigitte",
        "Carina",
        "Carmen",
        "Christiane",
        "Christina",
        "Dagmar",
        "Daniela",
        "Doris",
        "Edith",
        "Elke",
        "Erika",
        "Eva",
        "Franziska",
        "Gabriele",
        "Gisela",
        "Hannah",
        "Heike",
        "Helga",
        "Ines",
        "Ingrid",
        "Iris",
        "Jana",
        "Jessica",
        "Johanna",
        "Judith",
        "Karin",
        "Kathrin",
        "Katja",
        "Kerstin",
        "Klara",
        "Lara",
        "Laura",
        "Lea",
        "Lena",
        "Leonie",
        "Lisa",
        "Luisa",
        "Manuela",
        "Maren",
        "Maria",
        "Marion",
        "Martina",
        "Melanie",
        "Michaela",
        "Miriam",
        "Monika",
        "Nadine",
        "Nicole",
        "Nina",
        "Petra",
        "Regina",
        "Renate",
        "Sandra",
        "Sarah",
        "Silke",
        "Simone",
        "Sonja",
        "Susanne",
        "Svenja",
        "Tanja",
        "Ulrike",
        "Ute",
        "Vanessa",
        "Yvonne",
        "Paula",
        "Mia",
        "Emma",
        "Ida",
        "Frieda",
        "Greta",
        "Ronja",
        "Tabea",
        "Wiebke",
        "Insa",
        "Frauke",
        "Imke",
        "Okka",
        "Gesa",
        "Hilke",
    ],
    "m": [
        "Alexander",
        "Andreas",
        "Bernd",
        "Björn",
        "Christoph",
        "Daniel",
        "David",
        "Dennis",
        "Dieter",
        "Dirk",
        "Erik",
        "Felix",
        "Florian",
        "Frank",
        "Hans",
        "Harald",
        "Heiko",
        "Helmut",
        "Holger",
        "Horst",
        "Jan",
        "Jens",
        "Joachim",
        "Jonas",
        "Julian",
        "Kai",
        "Karl",
        "Klaus",
        "Lars",
        "Leon",
        "Malte",
        "Marc",
        "Marcel",
        "Mario",
        "Markus",
        "Martin",
        "Max",
        "Moritz",
        "Niklas",
        "Nils",
        "Olaf",
        "Oliver",
        "Patrick",
        "Paul",
        "Peter",
        "Philipp",
        "Rainer",
        "Ralf",
        "Reinhard",
        "Sebastian",
        "Simon",
        "Sven",
        "Tim",
        "Tobias",
        "Torsten",
        "Uwe",
        "Volker",
        "Werner",
        "Finn",
        "Hauke",
        "Arne",
        "Ole",
        "Jannik",
        "Fiete",
        "Henning",
        "Knut",
        "Detlef",
        "Gunnar",
        "Hinrich",
        "Momme",
        "Jasper",
        "Bent",
        "Enno",
    ],
}
_EXTRA_FAMILY = [
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Böhm",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Groß",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Thomas",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Petersen",
    "Jensen",
    "Hansen",
    "Carstensen",
    "Thomsen",
    "Paulsen",
    "Clausen",
    "Nissen",
    "Ketelsen",
    "Sievers",
    "Harms",
    "Brodersen",
    "Claussen",
    "Lorenzen",
    "Martens",
    "Hinrichsen",
    "Rohwer",
    "Reimers",
    "Tiedemann",
    "Timm",
    "Heitmann",
    "Stoltenberg",
    "Ehlers",
    "Bruhn",
    "Rathje",
    "Asmussen",
    "Jessen",
    "Detlefsen",
    "Hamann",
    "Witt",
    "Struve",
    "Kock",
    "Schlüter",
    "Lüdemann",
    "Behrens",
    "Voß",
    "Dreyer",
    "Wulf",
    "Steffens",
    "Gosch",
]
# Different people who are all called the same: the "John Smith" problem.
_COMMON_NAMES = (
    ("Thomas", "Müller", "m"),
    ("Michael", "Schmidt", "m"),
    ("Anna", "Schneider", "f"),
    ("John", "Smith", "m"),
    ("Sabine", "Fischer", "f"),
)
# Twins parents name alike — exactly the pairs a typo-tolerant matcher confuses.
_TWIN_PAIRS = (
    ("Jan", "m", "Jana", "f"),
    ("Anna", "f", "Anne", "f"),
    ("Lena", "f", "Lina", "f"),
    ("Paul", "m", "Paula", "f"),
    ("Mario", "m", "Maria", "f"),
    ("Tim", "m", "Tom", "m"),
    ("Lukas", "m", "Luisa", "f"),
    ("Finn", "m", "Fiete", "m"),
)
_NICKNAMES = {
    **catalog.NICKNAMES,
    "Johannes": ("Hans", "Hannes"),
    "Josef": ("Sepp",),
    "Stefanie": ("Steffi",),
    "Gabriele": ("Gabi",),
    "Susanne": ("Susi",),
    "Thomas": ("Tom",),
    "Michael": ("Micha", "Mike"),
    "Andreas": ("Andi",),
    "Sebastian": ("Basti",),
    "Florian": ("Flo",),
    "Monika": ("Moni",),
    "Magdalena": ("Lena",),
    "Nikolaus": ("Klaus",),
    "Benjamin": ("Ben",),
    "Tobias": ("Tobi",),
}
_MOBILE_PREFIXES = ("151", "152", "157", "160", "162", "170", "171", "172", "175", "176", "179")
_AREA_CODES = {
    "Hamburg": "40", "Norderstedt": "40", "Pinneberg": "4101", "Lübeck": "451", "Kiel": "431",
    "Ahrensburg": "4102", "Lüneburg": "4131", "Buxtehude": "4161", "Neumünster": "4321",
    "Elmshorn": "4121", "Bad Oldesloe": "4531",
}  # fmt: skip
_COMPANIES = (
    "nordwind-logistik",
    "elbe-pflegedienst",
    "hansa-bau",
    "kuestenservice",
    "stadtwerke-nord",
)
_WORK = (
    "Inspection", "Oil service", "Brake pads front", "Tyre change", "Main inspection (HU/AU)",
    "Wiper blades", "Battery replaced", "Air-conditioning service", "Brake fluid",
)  # fmt: skip


@dataclass(slots=True)
class Vehicle:
    vin: str
    make: str
    model: str
    year: int
    plate: str
    first_reg: dt.date


@dataclass(slots=True)
class Person:
    pid: int
    gender: str
    given: str
    family: str
    birth: dt.date
    street: str
    number: str
    postcode: str
    city: str
    mobile: str | None = None
    landline: str | None = None
    email: str | None = None
    pool_email: str | None = None
    old_mobile: str | None = None
    old_email: str | None = None
    old_address: tuple[str, str, str, str] | None = None
    language: str = "de"
    vehicles: list[Vehicle] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """How often each kind of disagreement happens (per record unless said otherwise)."""

    in_crm: float = 0.75
    in_dms: float = 0.55
    in_leads: float = 0.2
    crm_duplicate: float = 0.04
    dms_duplicate: float = 0.03
    moved: float = 0.15  # per person: the DMS still has the old address
    new_phone: float = 0.2  # per person: the DMS still has the old mobile
    new_email: float = 0.1
    nickname: float = 0.25
    name_typo: float = 0.04
    transliterated: float = 0.3  # Müller → Mueller, where there is an umlaut
    initial_only: float = 0.04
    dob_crm: float = 0.6
    dob_dms: float = 0.5
    dob_leads: float = 0.4
    dob_transposed: float = 0.03
    dob_typo: float = 0.02
    common_name: float = 0.03  # per person: one of the five most common names
    pool_email: float = 0.01  # per person: gives the employer's fleet pool address
    dealer_phone: float = 0.02  # DMS: the dealership's own number typed in
    placeholder_email: float = 0.03  # DMS: noemail@…
    # A record that happens to share no identifier (mobile, e-mail, birth date, address)
    # with the person's earlier records: mostly the counter asked again and typed the
    # current mobile (or e-mail); the rest stay records that only a name ties together.
    confirmed: float = 0.75


def _choice_weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class World:
    """People and their vehicles, deterministic for a seed."""

    def __init__(
        self,
        people: int,
        seed: int,
        today: dt.date,
        profile: Profile,
        *,
        used_emails: set[str] | None = None,
        first_pid: int = 1,
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.profile = profile
        self.people: list[Person] = []
        self.serial = seed * 1_000_003 % 900_000
        # An e-mail address belongs to one person: worlds generated in chunks share this.
        self.used_emails: set[str] = used_emails if used_emails is not None else set()
        self.first_pid = first_pid
        self._make(people)

    # --- names and contact data ---------------------------------------------------------

    def _name(self, culture: str) -> tuple[str, str, str]:
        rng = self.rng
        if culture == "de" and rng.random() < 0.6:
            gender = rng.choice("fm")
            pool = [(g, gender) for g in _EXTRA_GIVEN[gender]] + [
                n for n in catalog.GIVEN_NAMES["de"] if n[1] == gender
            ]
            given = rng.choice(pool)[0]
            family = rng.choice(_EXTRA_FAMILY + list(catalog.FAMILY_NAMES["de"]))
            return given, family, gender
        given, gender = rng.choice(catalog.GIVEN_NAMES[culture])
        return given, rng.choice(catalog.FAMILY_NAMES[culture]), gender

    def _address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        city, prefix, _, _ = rng.choice(catalog.CITIES)
        postcode = prefix + "".join(str(rng.randrange(10)) for _ in range(5 - len(prefix)))
        number = str(rng.randint(1, 140)) + (rng.choice("abc") if rng.random() < 0.08 else "")
        return rng.choice(catalog.STREETS), number, postcode, city

    def _mobile(self) -> str:
        rng = self.rng
        return "0" + rng.choice(_MOBILE_PREFIXES) + str(rng.randrange(1_000_000, 99_999_999))

    def _landline(self, city: str) -> str:
        return "0" + _AREA_CODES.get(city, "40") + str(self.rng.randrange(200_000, 9_999_999))

    def _email(self, given: str, family: str) -> str:
        rng = self.rng
        g, f = _ascii(given), _ascii(family)
        for attempt in range(50):
            local = rng.choice((f"{g}.{f}", f"{g[0]}.{f}", f"{g}{f}", f"{f}.{g}", f"{g}_{f}"))
            if attempt or rng.random() < 0.3:
                local += str(rng.randint(1, 99))
            email = f"{local}@{rng.choice(catalog.EMAIL_DOMAINS)}"
            if email not in self.used_emails:
                self.used_emails.add(email)
                return email
        raise AssertionError("no free e-mail address")

    def _birth(self, low_age: int = 18, high_age: int = 85) -> dt.date:
        days = self.rng.randint(low_age * 365, high_age * 365)
        return self.today - dt.timedelta(days=days)

    # --- people and households ----------------------------------------------------------

    def _person(self, culture: str, address: tuple[str, str, str, str], **over: Any) -> Person:
        rng, p = self.rng, self.profile
        given, family, gender = self._name(culture)
        if rng.random() < p.common_name:
            given, family, gender = rng.choice(_COMMON_NAMES)
        street, number, postcode, city = address
        person = Person(
            pid=self.first_pid + len(self.people),
            gender=gender,
            given=given,
            family=family,
            birth=self._birth(),
            street=street,
            number=number,
            postcode=postcode,
            city=city,
            language=catalog.CULTURE_LANGUAGE.get(culture, "de"),
        )
        for key, value in over.items():
            setattr(person, key, value)
        if rng.random() < p.moved:
            person.old_address = self._address()
        for _ in range(rng.choices((1, 2, 3), weights=(70, 24, 6))[0]):
            person.vehicles.append(self._vehicle())
        self.people.append(person)
        return person

    def _contacts(self, person: Person) -> None:
        """Phones and e-mails, once the name is final (e-mails are made from it)."""
        rng, p = self.rng, self.profile
        if rng.random() < 0.85:
            person.mobile = self._mobile()
            if rng.random() < p.new_phone:
                person.old_mobile = self._mobile()
        if rng.random() < 0.8:
            person.email = self._email(person.given, person.family)
            if rng.random() < p.new_email:
                person.old_email = self._email(person.given, person.family)
        if rng.random() < p.pool_email:
            person.pool_email = f"fuhrpark@{rng.choice(_COMPANIES)}.de"

    def _vehicle(self) -> Vehicle:
        rng = self.rng
        spec = rng.choices(catalog.MODELS, weights=[m.weight for m in catalog.MODELS])[0]
        year = rng.randint(*spec.years)
        self.serial += 1
        first_reg = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        if first_reg > self.today:
            first_reg = self.today
        _, _, district, _ = rng.choice(catalog.CITIES)
        letters = "".join(rng.choices("ABCDEFGHKLMNPRSTUVWXYZ", k=2))
        plate = f"{district}-{letters} {rng.randint(1, 9999)}"
        return Vehicle(
            vin_for(spec.vin_prefix, year, self.serial),
            spec.make,
            spec.model,
            year,
            plate,
            first_reg,
        )

    def _household(
        self, first: Person, culture: str, address: tuple[str, str, str, str], kind: float
    ) -> None:
        rng = self.rng
        start = len(self.people) - 1
        landline = self._landline(address[3])
        first.landline = landline
        if kind < 0.93:
            # A couple (most share the family name), sometimes an adult child too.
            partner = self._person(culture, address, landline=landline)
            if rng.random() < 0.7:
                partner.family = first.family
            if kind > 0.85:
                self._person(culture, address, family=first.family, landline=landline,
                             birth=self._birth(18, 30))  # fmt: skip
        else:
            # Adult twins: same family name, birth date and address.
            a, ga, b, gb = rng.choice(_TWIN_PAIRS)
            if rng.random() < 0.5:
                a, ga = self._name(culture)[0], first.gender
                b, gb = self._name(culture)[0], rng.choice("fm")
                while b == a:
                    b = self._name(culture)[0]
            first.given, first.gender = a, ga
            self._person(culture, address, family=first.family, birth=first.birth,
                         given=b, gender=gb, landline=landline)  # fmt: skip
        # Members of one household have different given names (parents rarely give a
        # child their own name here; a "junior" is not part of this world).
        taken: set[str] = set()
        for person in self.people[start:]:
            while person.given in taken:
                person.given = self._name(culture)[0]
            taken.add(person.given)

    def _make(self, count: int) -> None:
        rng = self.rng
        while len(self.people) < count:
            start = len(self.people)
            culture = _choice_weighted(rng, catalog.CULTURE_WEIGHTS)
            address = self._address()
            kind = rng.random()
            first = self._person(culture, address)
            if kind >= 0.5:
                self._household(first, culture, address, kind)
            for person in self.people[start:]:
                self._contacts(person)
        del self.people[count:]


def _ascii(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum()) or "x"


# --- how each source writes a person ----------------------------------------------------------

_TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_KEYBOARD = "qwertzuiopasdfghjklyxcvbnm"


class Renderer:
    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = random.Random(seed + 7)
        self.p = world.profile

    def typo(self, word: str) -> str:
        rng = self.rng
        if len(word) < 4:
            return word
        i = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:  # neighbouring letters swapped
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == 1:  # a letter dropped
            return word[:i] + word[i + 1 :]
        if kind == 2:  # a letter doubled
            return word[:i] + word[i] + word[i:]
        return word[:i] + rng.choice(_KEYBOARD) + word[i + 1 :]  # a wrong letter

    def given(self, person: Person, *, nickname: bool) -> str:
        rng, p = self.rng, self.p
        name = person.given
        if nickname and name in _NICKNAMES and rng.random() < p.nickname:
            name = rng.choice(_NICKNAMES[name])
        if rng.random() < p.name_typo:
            name = self.typo(name)
        return name

    def family(self, person: Person) -> str:
        rng, p = self.rng, self.p
        name = person.family
        if any(ch in name for ch in "äöüÄÖÜß") and rng.random() < p.transliterated:
            name = name.translate(_TRANSLIT)
        if rng.random() < p.name_typo:
            name = self.typo(name)
        return name

    def birth(self, person: Person, present: float) -> dt.date | None:
        rng, p = self.rng, self.p
        if rng.random() >= present:
            return None
        d = person.birth
        roll = rng.random()
        if roll < p.dob_transposed and d.day <= 12 and d.day != d.month:
            return d.replace(month=d.day, day=d.month)
        if roll < p.dob_transposed + p.dob_typo:
            try:
                return d.replace(day=(d.day % 28) + 1 if d.day < 28 else d.day - 1)
            except ValueError:
                return d
        return d

    def phone(self, national: str | None) -> str:
        if not national:
            return ""
        rng = self.rng
        style = rng.randrange(4)
        rest = national[1:]
        if style == 0:
            return national
        if style == 1:
            return f"+49 {rest[:3]} {rest[3:]}"
        if style == 2:
            return f"0049{rest}"
        return f"{national[:4]} {national[4:7]} {national[7:]}".strip()

    def street(self, street: str, number: str) -> str:
        if self.rng.random() < 0.3:
            street = street.replace("straße", "str.").replace("Straße", "Str.")
        return f"{street} {number}"


@dataclass
class Exports:
    crm: list[dict[str, Any]] = field(default_factory=list)
    dms: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    recalls: list[dict[str, Any]] = field(default_factory=list)
    truth: list[tuple[str, str, int]] = field(default_factory=list)
    owners: int = 0


_PLACEHOLDER_EMAIL = "noemail@autohaus.de"


@dataclass(slots=True)
class _Evidence:
    """What of a record could prove it is the person's: only one person's values."""

    birth: dt.date | None = None
    mobiles: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    address: tuple[str, str, str] | None = None

    def shares(self, other: _Evidence) -> bool:
        a, b = self.birth, other.birth
        same_birth = (
            a is not None and b is not None and (a == b or (a.day, a.month) == (b.month, b.day))
        )
        return bool(
            same_birth
            or self.mobiles & other.mobiles
            or self.emails & other.emails
            or (self.address is not None and self.address == other.address)
        )


def _needs_confirming(
    rng: random.Random, p: Profile, person: Person, new: _Evidence, earlier: list[_Evidence]
) -> str | None:
    """Which of the person's current values the counter confirms on a record that shares
    nothing with the earlier ones — one that an earlier record has: the mobile, else the
    e-mail, the birth date or the address."""
    if not earlier or any(new.shares(e) for e in earlier) or rng.random() >= p.confirmed:
        return None
    if person.mobile and any(person.mobile in e.mobiles for e in earlier):
        return "mobile"
    if person.email and any(person.email in e.emails for e in earlier):
        return "email"
    if any(e.birth == person.birth for e in earlier):
        return "birth"
    if any(e.address == (person.street, person.number, person.postcode) for e in earlier):
        return "address"
    return None


def render(world: World, seed: int) -> Exports:
    r = Renderer(world, seed)
    rng, p = r.rng, r.p
    out = Exports()
    dealer_phones = [d[3] for d in catalog.DEALERS]
    dealer_codes = [d[0] for d in catalog.DEALERS]
    ro_serial = 100000
    for person in world.people:
        sources = [rng.random() < p.in_crm, rng.random() < p.in_dms, rng.random() < p.in_leads]
        if not any(sources):
            sources[rng.randrange(3)] = True
        in_crm, in_dms, in_leads = sources
        earlier: list[_Evidence] = []
        for copy in range(2 if in_crm and rng.random() < p.crm_duplicate else 1 if in_crm else 0):
            cid = f"C-{len(out.crm) + 1:07d}"
            # Marketing lives on e-mail: the CRM has it for nearly everyone who has one.
            email = person.email if rng.random() < 0.97 else None
            if person.pool_email:
                email = person.pool_email
            if copy and email and rng.random() < 0.5:
                email = None
            birth = r.birth(person, p.dob_crm)
            out.crm.append(
                {
                    "contact_id": cid,
                    "salutation": {"f": "Frau", "m": "Herr"}[person.gender]
                    if rng.random() < 0.7
                    else None,
                    "first_name": r.given(person, nickname=True),
                    "last_name": r.family(person),
                    "birthday": birth.isoformat() if birth else None,
                    "language": person.language,
                    "email": {"private": email, "work": None},
                    "phone": {
                        "mobile": r.phone(person.mobile) if rng.random() < 0.8 else None,
                        "home": r.phone(person.landline) if rng.random() < 0.3 else None,
                    },
                    "address": {
                        "street": r.street(person.street, person.number),
                        "zip": person.postcode,
                        "city": person.city,
                        "country": rng.choice(("DE", "Deutschland", "")),
                    }
                    if rng.random() < 0.85
                    else None,
                    "consent": {"email": rng.random() < 0.6},
                    "modified_at": (
                        world.today - dt.timedelta(days=rng.randint(0, 400))
                    ).isoformat()
                    + "T09:30:00Z",
                }
            )
            crm = out.crm[-1]
            seen = _Evidence(
                birth,
                {person.mobile} if person.mobile and crm["phone"]["mobile"] else set(),
                {email} if email and email != person.pool_email else set(),
                (person.street, person.number, person.postcode) if crm["address"] else None,
            )
            fix = _needs_confirming(rng, p, person, seen, earlier)
            if fix == "mobile":
                crm["phone"]["mobile"] = r.phone(person.mobile)
            elif fix == "email":
                crm["email"]["private"] = person.email
            elif fix == "birth":
                crm["birthday"] = person.birth.isoformat()
            elif fix == "address":
                crm["address"] = {
                    "street": r.street(person.street, person.number),
                    "zip": person.postcode,
                    "city": person.city,
                    "country": "DE",
                }
            earlier.append(seen)
            out.truth.append(("crm-marketing", cid, person.pid))
        if in_dms:
            copies = 2 if rng.random() < p.dms_duplicate else 1
            for _ in range(copies):
                out.owners += 1
                owner = f"K{out.owners:07d}"
                out.truth.append(("dms-service", owner, person.pid))
                start = len(out.dms)
                seen = _dms_rows(out, r, person, owner, dealer_phones, dealer_codes, ro_serial)
                fix = _needs_confirming(rng, p, person, seen, earlier)
                confirmed: dict[str, str] = {}
                if fix == "mobile":
                    confirmed["MOBILE"] = r.phone(person.mobile)
                elif fix == "email":
                    confirmed["EMAIL"] = person.email or ""
                elif fix == "birth":
                    confirmed["BIRTH_DATE"] = person.birth.strftime("%d.%m.%Y")
                elif fix == "address":
                    confirmed["STREET"] = r.street(person.street, person.number)
                    confirmed["ZIP"], confirmed["CITY"] = person.postcode, person.city
                for row in out.dms[start:]:
                    row.update(confirmed)
                earlier.append(seen)
                ro_serial += 10
        if in_leads:
            lid = f"L{len(out.leads) + 1:06d}"
            birth = r.birth(person, p.dob_leads)
            out.leads.append(
                {
                    "source_id": lid,
                    "given_name": r.given(person, nickname=True),
                    "family_name": r.family(person),
                    "birth_date": birth.strftime(rng.choice(("%Y-%m-%d", "%Y%m%d")))
                    if birth
                    else "",
                    # A walk-in leaves a number to be called back on.
                    "phone": r.phone(person.mobile or person.landline)
                    if rng.random() < 0.95
                    else "",
                    "email": (person.email or "") if rng.random() < 0.6 else "",
                    "street": r.street(person.street, person.number) if rng.random() < 0.5 else "",
                    "address_line2": "",
                    "city": person.city if rng.random() < 0.6 else "",
                    "postcode": person.postcode if rng.random() < 0.5 else "",
                    "region": "",
                    "country": "DE" if rng.random() < 0.3 else "",
                }
            )
            lead = out.leads[-1]
            seen = _Evidence(
                birth,
                {person.mobile} if person.mobile and lead["phone"] else set(),
                {person.email} if person.email and lead["email"] else set(),
                (person.street, person.number, person.postcode)
                if lead["street"] and lead["postcode"]
                else None,
            )
            fix = _needs_confirming(rng, p, person, seen, earlier)
            if fix == "mobile":
                lead["phone"] = r.phone(person.mobile)
            elif fix == "email":
                lead["email"] = person.email or ""
            elif fix == "birth":
                lead["birth_date"] = person.birth.isoformat()
            elif fix == "address":
                lead["street"] = r.street(person.street, person.number)
                lead["postcode"], lead["city"] = person.postcode, person.city
            out.truth.append(("generic-people", lid, person.pid))
    # The recall file: every vehicle of an affected model and year.
    for person in world.people:
        for v in person.vehicles:
            for spec in catalog.RECALLS:
                if (
                    v.make == spec.make
                    and v.model in spec.models
                    and spec.years[0] <= v.year <= spec.years[1]
                ):
                    out.recalls.append(
                        {
                            "CAMPAIGN": spec.code,
                            "TITLE": spec.title,
                            "REMEDY": spec.remedy,
                            "REMEDY_MINUTES": spec.remedy_minutes,
                            "PUBLISHED": spec.published,
                            "STATUS": "done" if rng.random() < spec.done_share else "open",
                            "VIN": v.vin,
                            "MAKE": v.make,
                            "MODEL": v.model,
                            "MODEL_YEAR": v.year,
                        }
                    )
    return out


def _dms_rows(
    out: Exports,
    r: Renderer,
    person: Person,
    owner: str,
    dealer_phones: list[str],
    dealer_codes: list[str],
    ro_serial: int,
) -> _Evidence:
    """Append the owner's repair-order rows; returns what of the owner could prove who it is."""
    rng, p, today = r.rng, r.p, r.world.today
    address = person.old_address or (person.street, person.number, person.postcode, person.city)
    street, number, postcode, city = address
    mobile = person.old_mobile or person.mobile
    email = person.old_email or person.email
    if rng.random() < p.placeholder_email:
        email = _PLACEHOLDER_EMAIL
    elif rng.random() >= 0.35:
        email = None
    phone = (
        r.phone(person.landline) if person.landline and (not mobile or rng.random() < 0.4) else ""
    )
    if rng.random() < p.dealer_phone:
        phone = rng.choice(dealer_phones)
    given = r.given(person, nickname=False)
    if rng.random() < p.initial_only:
        given = given[0] + "."
    family = r.family(person)
    if rng.random() < 0.7:
        family = family.upper()
    birth = r.birth(person, p.dob_dms)
    owner_fields = {
        "OWNER_NO": owner,
        "OWNER_NAME": f"{family}, {given}",
        "BIRTH_DATE": birth.strftime("%d.%m.%Y") if birth else "",
        "PHONE": phone,
        # The workshop must reach the owner: the DMS has a phone for nearly every one
        # (the mobile it was given — perhaps an old one — or else the landline).
        "MOBILE": r.phone(mobile) if mobile and rng.random() < 0.95 else "",
        "EMAIL": email or "",
        "STREET": r.street(street, number),
        "ZIP": postcode,
        "CITY": city,
        "OWNER_CHANGED": (today - dt.timedelta(days=rng.randint(200, 2000))).strftime("%d.%m.%Y"),
    }
    for v in person.vehicles:
        dealer = rng.choice(dealer_codes)
        visits = rng.randint(1, 3)
        for k in range(visits):
            opened = v.first_reg + dt.timedelta(days=365 * (k + 1) + rng.randint(-30, 30))
            if opened >= today:
                opened = today - dt.timedelta(days=rng.randint(1, 30))
            ro_serial += 1
            out.dms.append(
                {
                    **owner_fields,
                    "VIN": v.vin,
                    "MAKE": v.make,
                    "MODEL": v.model,
                    "MODEL_YEAR": v.year,
                    "PLATE": v.plate,
                    "FIRST_REG": v.first_reg.strftime("%d.%m.%Y"),
                    "RO_NO": f"{owner[1:]}-{ro_serial}",
                    "DEALER": dealer,
                    "RO_OPENED": opened.strftime("%d.%m.%Y") + " 08:15",
                    "RO_CLOSED": opened.strftime("%d.%m.%Y") + " 16:40",
                    "MILEAGE": str(15000 * (k + 1) + rng.randint(0, 9000)),
                    "WORK": rng.choice(_WORK),
                }
            )
    return _Evidence(
        birth,
        {mobile} if mobile and owner_fields["MOBILE"] else set(),
        {email} if email and email != _PLACEHOLDER_EMAIL else set(),
        (street, number, postcode),
    )


# --- files ---------------------------------------------------------------------------------

FILES = {
    "crm-marketing": "crm-marketing.jsonl",
    "dms-service": "dms-service.csv",
    "generic-people": "walk-ins.csv",
    "recall-campaigns": "recall-campaigns.csv",
    "truth": "truth.csv",
}
_DMS_COLUMNS = [
    "OWNER_NO",
    "OWNER_NAME",
    "BIRTH_DATE",
    "PHONE",
    "MOBILE",
    "EMAIL",
    "STREET",
    "ZIP",
    "CITY",
    "OWNER_CHANGED",
    "VIN",
    "MAKE",
    "MODEL",
    "MODEL_YEAR",
    "PLATE",
    "FIRST_REG",
    "RO_NO",
    "DEALER",
    "RO_OPENED",
    "RO_CLOSED",
    "MILEAGE",
    "WORK",
]
_GENERIC_COLUMNS = [
    "source_id",
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "email",
    "street",
    "address_line2",
    "city",
    "postcode",
    "region",
    "country",
]
_RECALL_COLUMNS = [
    "CAMPAIGN",
    "TITLE",
    "REMEDY",
    "REMEDY_MINUTES",
    "PUBLISHED",
    "STATUS",
    "VIN",
    "MAKE",
    "MODEL",
    "MODEL_YEAR",
]


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_exports(out_dir: Path, exports: Exports) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / filename for name, filename in FILES.items()}
    with paths["crm-marketing"].open("w", encoding="utf-8") as fh:
        for record in exports.crm:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    _write_csv(paths["dms-service"], _DMS_COLUMNS, exports.dms, ";")
    _write_csv(paths["generic-people"], _GENERIC_COLUMNS, exports.leads, ",")
    _write_csv(paths["recall-campaigns"], _RECALL_COLUMNS, exports.recalls, ",")
    with paths["truth"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("source", "source_id", "person"))
        writer.writerows(exports.truth)
    return paths


def write_demo_sources(
    out_dir: Path,
    *,
    customers: int,
    seed: int,
    today: dt.date,
    profile: Profile | None = None,
) -> dict[str, Path]:
    """Write the demo as source-system exports (CRM, DMS, walk-ins, recalls) plus truth.csv.

    Import them with ``concierge import --source <name> <file>``; the DMS rows name the
    demo rooftops' dealer codes, which must exist in the store (``ensure_demo_dealers``).
    """
    world = World(customers, seed, today, profile or Profile())
    return write_exports(out_dir, render(world, seed))


def ensure_demo_dealers(session: Session) -> int:
    """Create the demo dealer group and rooftops if the store has none of them."""
    known = set(session.execute(select(Dealer.code)).scalars())
    missing = [d for d in catalog.DEALERS if d[0] not in known]
    if not missing:
        return 0
    group = session.execute(
        select(DealerGroup).where(DealerGroup.name == catalog.GROUP_NAME)
    ).scalar_one_or_none()
    if group is None:
        group = DealerGroup(name=catalog.GROUP_NAME)
        session.add(group)
        session.flush()
    for code, name, city, phone, brands in missing:
        session.add(
            Dealer(
                group_id=group.id, code=code, name=name, city=city, main_phone=phone, brands=brands
            )
        )
    session.flush()
    return len(missing)


def iter_truth(path: Path) -> Iterator[tuple[str, str, int]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for source, source_id, person in reader:
            yield source, source_id, int(person)
