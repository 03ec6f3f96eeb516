"""A person as one source system describes them, in canonical form, and its comparable view.

``PersonRecord`` keeps what the source said (cleaned, original spelling) plus the source's
trust rank and the record's date; it round-trips through compact JSON (``identity_member``).
``MatchView`` is derived from it once: folded name tokens, birth date parts, address keys —
what comparisons and blocking keys read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers

from knowledge.normalize import fold, name_tokens

# Names, streets and postcodes repeat across a customer base: their comparable forms are
# computed once per process.
_CACHE = 200_000


@lru_cache(maxsize=_CACHE)
def tokens(text: str) -> tuple[str, ...]:
    return tuple(name_tokens(text))


@lru_cache(maxsize=_CACHE)
def tokens_de(text: str) -> tuple[str, ...]:
    return tuple(name_tokens(text.translate(_UMLAUTS)))


@lru_cache(maxsize=_CACHE)
def compact(text: str) -> str:
    """Folded, letters and digits only: postcodes, cities."""
    return _NOT_ALNUM.sub("", fold(text))


_HOUSE_NUMBER = re.compile(r"(\d+)\s*([a-z])?\b")
# Street-type words spelled many ways; reduced to one form so "Hauptstraße 5" and
# "Hauptstr. 5" compare equal.
_STREET_WORDS = (
    (re.compile(r"strasse\b|str\b\.?|straße\b"), "str"),
    (re.compile(r"\bstreet\b|\bst\b\.?"), "st"),
    (re.compile(r"\broad\b|\brd\b\.?"), "rd"),
    (re.compile(r"\bavenue\b|\bave\b\.?"), "ave"),
    (re.compile(r"\bplatz\b|\bpl\b\.?"), "pl"),
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@dataclass(slots=True)
class PersonRecord:
    source: str
    source_id: str
    trust: int = 100
    # ISO date the source last changed the record: the tie-breaker of survivorship.
    seen: str = ""
    given_name: str | None = None
    family_name: str | None = None
    company_name: str | None = None
    salutation: str | None = None
    language: str | None = None
    birth_date: str | None = None
    phones: tuple[str, ...] = ()
    # The phones as the source wrote them, parallel to ``phones`` (contact points keep them).
    phones_raw: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    street: str | None = None
    address_line2: str | None = None
    city: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"s": self.source, "i": self.source_id, "t": self.trust}
        for key, value in (
            ("d", self.seen),
            ("g", self.given_name),
            ("f", self.family_name),
            ("c", self.company_name),
            ("sa", self.salutation),
            ("l", self.language),
            ("b", self.birth_date),
            ("st", self.street),
            ("a2", self.address_line2),
            ("ci", self.city),
            ("pc", self.postcode),
            ("r", self.region),
            ("co", self.country),
        ):
            if value:
                data[key] = value
        if self.phones:
            data["p"] = list(self.phones)
            if self.phones_raw != self.phones:
                data["pr"] = list(self.phones_raw)
        if self.emails:
            data["e"] = list(self.emails)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PersonRecord:
        d = json.loads(text)
        return cls(
            source=d["s"],
            source_id=d["i"],
            trust=d.get("t", 100),
            seen=d.get("d", ""),
            given_name=d.get("g"),
            family_name=d.get("f"),
            company_name=d.get("c"),
            salutation=d.get("sa"),
            language=d.get("l"),
            birth_date=d.get("b"),
            phones=tuple(d.get("p", ())),
            phones_raw=tuple(d.get("pr", d.get("p", ()))),
            emails=tuple(d.get("e", ())),
            street=d.get("st"),
            address_line2=d.get("a2"),
            city=d.get("ci"),
            postcode=d.get("pc"),
            region=d.get("r"),
            country=d.get("co"),
        )

    @property
    def has_address(self) -> bool:
        return bool(self.street or self.postcode or self.city)

    def address_line(self) -> str:
        """One-line address as people write it: 'Hauptstr. 5, 20095 Hamburg, DE'."""
        place = " ".join(p for p in (self.postcode, self.city) if p)
        parts = (self.street, self.address_line2, place, self.region, self.country)
        return ", ".join(p for p in parts if p)

    def view(self) -> MatchView:
        return MatchView.of(self)


@lru_cache(maxsize=_CACHE)
def is_fixed_line(e164: str) -> bool:
    """A landline rings for the whole household; a mobile belongs to one person."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


@lru_cache(maxsize=_CACHE)
def street_key(street: str) -> tuple[str, str]:
    """(street name, house number) in comparable form: 'Hauptstraße 5 a' → ('hauptstr', '5a')."""
    text = fold(street)
    for pattern, short in _STREET_WORDS:
        text = pattern.sub(short, text)
    number = ""
    matches = list(_HOUSE_NUMBER.finditer(text))
    if matches:
        last = matches[-1]
        number = last.group(1) + (last.group(2) or "")
        text = text[: last.start()] + text[last.end() :]
    name = _NOT_ALNUM.sub("", text)
    return name, number


def normalized_address(record: PersonRecord) -> str:
    """The comparable one-line form stored in ``contact_point.normalized`` for an address."""
    name, number = street_key(record.street or "")
    postcode = compact(record.postcode or "")
    city = compact(record.city or "")
    line2 = compact(record.address_line2 or "")
    country = (record.country or "").upper()
    return "|".join((country, postcode, city, name, number, line2))


@dataclass(slots=True)
class MatchView:
    """The folded, split form of a record that comparisons work on."""

    record: PersonRecord
    given: tuple[str, ...]
    family: tuple[str, ...]
    # The same with umlauts written out ('Müller' → 'mueller'), as German records often are.
    given_de: tuple[str, ...]
    family_de: tuple[str, ...]
    dob: tuple[int, int, int] | None
    phones: frozenset[str]
    emails: frozenset[str]
    postcode: str
    street: str
    number: str
    city: str
    # Values of this record that identify nobody (junk or shared); filled by the resolver.
    shared: set[str] = field(default_factory=set)
    # Whether few other people are expected to share this full name, or many do
    # (see frequency.py).
    rare_name: bool = False
    common_name: bool = False

    @classmethod
    def of(cls, record: PersonRecord) -> MatchView:
        dob = None
        if record.birth_date:
            d = dt.date.fromisoformat(record.birth_date)
            dob = (d.year, d.month, d.day)
        street, number = street_key(record.street) if record.street else ("", "")
        given_raw = record.given_name or ""
        family_raw = record.family_name or record.company_name or ""
        return cls(
            record=record,
            given=tokens(given_raw),
            family=tokens(family_raw),
            given_de=tokens_de(given_raw),
            family_de=tokens_de(family_raw),
            dob=dob,
            phones=frozenset(record.phones),
            emails=frozenset(record.emails),
            postcode=compact(record.postcode or ""),
            street=street,
            number=number,
            city=compact(record.city or ""),
        )
