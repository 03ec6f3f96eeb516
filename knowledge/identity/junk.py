"""Values that identify nobody: placeholders, the dealership's own numbers, and shared values.

Two kinds are told apart. *Junk* (``0000000000``, ``noemail@…``, the dealer's switchboard)
is not contact data at all: it is dropped. *Shared* values are real (a fleet's pool
address, a family's landline) but belong to many people: they are kept as contact points,
yet never count as evidence that two records are one person, and never serve as a blocking
key. Shared values are detected from the data — in the file being imported and in the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.identity.records import MatchView
from knowledge.models import Dealer, SharedValue
from knowledge.normalize import normalize_phone, phone_digits

# More different people than a household holds: from this many on, a phone or e-mail is
# treated as shared (a company pool, a dealer's placeholder, a call-centre number).
SHARED_MIN_PEOPLE = 5


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_JUNK_LOCAL_PARTS = _words(
    """
    noemail no-email no_email no.email nomail no-mail no_mail none no nein keine kein
    keinemail keine-email keine.email kein.mail test testing invalid unknown unbekannt na
    n.a n/a nobody noreply no-reply donotreply do-not-reply dummy fake x xx xxx xyz abc
    asdf qwe qwertz qwerty email mail e-mail kunde customer null nil void leer empty
    """
)
_JUNK_DOMAINS = _words(
    """
    example.com example.org example.net example.de test.com test.de invalid.com noemail.com
    noemail.de nomail.com nomail.de none.com none.de keine.de unknown.com dummy.com fake.com
    mailinator.com
    """
)
_SEQUENCES = ("0123456789", "1234567890", "9876543210")


def junk_email_reason(email: str) -> str | None:
    """Why a well-formed e-mail is a placeholder, or None for a real-looking address."""
    local, _, domain = email.partition("@")
    if local in _JUNK_LOCAL_PARTS:
        return f"placeholder e-mail {email!r}"
    if domain in _JUNK_DOMAINS or domain.endswith((".invalid", ".example", ".test")):
        return f"placeholder e-mail domain {domain!r}"
    letters = local.replace(".", "")
    if len(letters) >= 3 and len(set(letters)) == 1:  # aaa@, xxxx@
        return f"placeholder e-mail {email!r}"
    return None


def junk_phone_reason(raw: str) -> str | None:
    """Why a phone as typed is a placeholder ('0000000000', '123456789'), or None."""
    digits = phone_digits(raw).lstrip("0")
    if not digits:
        return f"placeholder phone {raw!r}"
    if len(digits) >= 6 and len(set(digits)) <= 2:
        return f"placeholder phone {raw!r}"
    # The whole number counting up or down ('123456789', '+49 123456789'): typed to get
    # past a mandatory field. A real number merely containing such a run is left alone.
    international = raw.lstrip().startswith(("+", "00"))
    candidates = (digits, digits[1:], digits[2:], digits[3:]) if international else (digits,)
    for candidate in candidates:
        if len(candidate) >= 6 and any(candidate in seq for seq in _SEQUENCES):
            return f"placeholder phone {raw!r}"
    return None


@dataclass
class SharedValues:
    """What must never identify a customer, as known when a run starts plus what it learns."""

    phones: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    # Values detected during this run and not yet written to the store.
    pending: list[tuple[str, str, int, str]] = field(default_factory=list)

    def reason(self, kind: str, value: str) -> str | None:
        return (self.phones if kind == "phone" else self.emails).get(value)

    def is_shared(self, kind: str, value: str) -> bool:
        return value in (self.phones if kind == "phone" else self.emails)

    def mark(self, view: MatchView) -> None:
        """Note on the record which of its phones and e-mails identify nobody."""
        view.shared.update(p for p in view.phones if p in self.phones)
        view.shared.update(e for e in view.emails if e in self.emails)

    def add(self, kind: str, value: str, people: int, reason: str) -> None:
        table = self.phones if kind == "phone" else self.emails
        if value not in table:
            table[value] = reason
            self.pending.append((kind, value, people, reason))

    @classmethod
    def load(cls, session: Session) -> SharedValues:
        """Shared values recorded in the store, plus every rooftop's own phone numbers."""
        values = cls()
        for kind, value, reason in session.execute(
            select(SharedValue.kind, SharedValue.value, SharedValue.reason)
        ):
            (values.phones if kind == "phone" else values.emails)[value] = reason
        for code, phone, country in session.execute(
            select(Dealer.code, Dealer.main_phone, Dealer.country).where(
                Dealer.main_phone.is_not(None)
            )
        ):
            if phone:
                e164 = normalize_phone(phone, country or "DE") or phone
                values.phones.setdefault(e164, f"the dealership's own number ({code})")
        return values

    def flush(self, session: Session) -> None:
        """Write newly detected shared values (idempotent: a known value is left alone)."""
        if not self.pending:
            return
        known: set[tuple[str, str]] = set(
            (kind, value)
            for kind, value in session.execute(
                select(SharedValue.kind, SharedValue.value).where(
                    SharedValue.value.in_([v for _, v, _, _ in self.pending])
                )
            )
        )
        for kind, value, people, reason in self.pending:
            if (kind, value) not in known:
                session.add(SharedValue(kind=kind, value=value, people=people, reason=reason))
                known.add((kind, value))
        self.pending.clear()


def person_key(given: str | None, family: str | None, birth_date: str | None) -> int:
    """A rough "who is this" for counting how many different people use one value."""
    # Lower case is enough here: it runs once per row of a whole file, before parsing.
    return hash(((given or "")[:1].lower(), (family or "").strip().lower(), birth_date or ""))


def rough_e164(raw: str, country_code: str) -> str | None:
    """E.164 without the phone library, for a fast first pass over a whole file.

    It agrees with the library for numbers written nationally ('0151 …'), with a prefix
    ('0049 …') or with '+'; the pass only counts how many people give a number, so the rare
    number it spells differently is merely not counted.
    """
    digits = phone_digits(raw)
    if len(digits) < 6:
        return None
    if raw.lstrip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+" + country_code + digits[1:]
    return "+" + country_code + digits


class SharedValueCounter:
    """Counts distinct people per phone and e-mail over a whole file, in little memory.

    Counting people (not rows) keeps one person's many repair orders, or a duplicated CRM
    contact, from making their own number look shared. Each value costs one small dict
    entry until a second person gives it.
    """

    def __init__(self) -> None:
        self._first: dict[int, int] = {}
        self._many: dict[int, set[int]] = {}
        self._values: dict[int, tuple[str, str]] = {}

    def add(self, person: int, kind: str, value: str) -> None:
        key = hash((kind, value))
        first = self._first.get(key)
        if first is None:
            self._first[key] = person
            return
        if first == person:
            return
        people = self._many.get(key)
        if people is None:
            people = self._many[key] = {first}
            self._values[key] = (kind, value)
        if len(people) < SHARED_MIN_PEOPLE:
            people.add(person)

    def finish(self, shared: SharedValues) -> int:
        """Mark every value given by many different people as shared; returns how many."""
        found = 0
        for key, people in self._many.items():
            if len(people) >= SHARED_MIN_PEOPLE:
                kind, value = self._values[key]
                if not shared.is_shared(kind, value):
                    shared.add(
                        kind,
                        value,
                        len(people),
                        f"given by {SHARED_MIN_PEOPLE} or more different people in one file",
                    )
                    found += 1
        self._first.clear()
        self._many.clear()
        self._values.clear()
        return found
