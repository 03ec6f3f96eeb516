"""Exact identifiers: phone, e-mail, VIN (whole or its tail), plate, repair-order number.

Each lookup is one or two index seeks and returns the customers it names with a score and
the words for what matched. Vehicles lead to the people who hold them now; a car that
changed hands leads to its last holder only when nobody holds it now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    String,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from knowledge.lookup.keys import PHONE, national_number
from knowledge.models import (
    ContactPoint,
    Customer,
    CustomerSearchKey,
    Dealer,
    Ownership,
    ServiceVisit,
    Vehicle,
)
from knowledge.models.enums import ContactKind
from knowledge.models.lookup import VIN_TAIL_START
from knowledge.normalize import VIN_LENGTH, normalize_phone, parse_phone, phone_digits

EXACT = 100.0
# The number matched only without its country code (typed without one, stored with a
# different one): almost surely the same line, but say so.
NATIONAL_ONLY = 96.0
# The car was theirs but changed hands, and nobody holds it now.
FORMER_HOLDER = 80.0
# A partial VIN is read as the VIN's last characters; the serial part starts at 12.
_TAIL = VIN_LENGTH - VIN_TAIL_START + 1
_ROLE_ORDER = {"owner": 0, "co_owner": 1, "main_driver": 2}
# A shared value (a household landline) can name several customers; more is a data problem.
MAX_HITS = 25


def many(name: str) -> BindParameter[Any]:
    """A parameter that takes a list (rendered as an IN list of the right length)."""
    return BindParameter(name, expanding=True)


def rows(session: Session, stmt: Any, **params: Any) -> Sequence[Any]:
    """Run a prebuilt Core statement on the session's connection.

    Lookups run a dozen small statements; building them once and skipping the ORM layer
    keeps each one at a few tens of microseconds.
    """
    conn: Connection = session.connection()
    return conn.execute(stmt, params).all()


@dataclass(frozen=True)
class Hit:
    customer_id: int
    score: float
    matched_on: str
    # Order among equal scores (e.g. the owner before the main driver).
    rank: int = 0


def in_scope(customer_id: Any, scope: Any) -> ColumnElement[bool]:
    """The customer belongs to one of these rooftops: home dealer, or ever served there."""
    served = exists().where(
        ServiceVisit.customer_id == customer_id, ServiceVisit.dealer_id.in_(scope)
    )
    # An alias, so the check correlates with the outer customer even when the outer query
    # reads the customer table itself.
    home_of = aliased(Customer)
    home = exists().where(home_of.id == customer_id, home_of.home_dealer_id.in_(scope))
    return or_(home, served)


# --- phone ---------------------------------------------------------------------------------

# One statement: the customers holding the number (as stored, or by its national part)
# and, if it is a rooftop's own switchboard, that rooftop's name.
_PHONE = union_all(
    select(
        ContactPoint.customer_id, literal(1).label("exact"), cast(null(), String).label("rooftop")
    ).where(
        ContactPoint.kind == ContactKind.PHONE.value,
        ContactPoint.normalized.in_(many("e164s")),
    ),
    select(CustomerSearchKey.customer_id, literal(0).label("exact"), cast(null(), String)).where(
        CustomerSearchKey.kind == PHONE, CustomerSearchKey.key.in_(many("nationals"))
    ),
    select(Dealer.id, literal(2).label("exact"), Dealer.name).where(
        Dealer.main_phone.in_(many("e164s"))
    ),
).limit(MAX_HITS * 2)


def phone_forms(raw: str, region: str) -> tuple[set[str], set[str]]:
    """E.164 forms and national numbers a typed phone may be stored as."""
    e164s: set[str] = set()
    nationals: set[str] = set()
    digits = phone_digits(raw)
    explicit = raw.strip().startswith("+") or digits.startswith("00")
    number = normalize_phone(raw, region)
    if number:
        e164s.add(number)
        nsn = national_number(number)
        if nsn:
            nationals.add(nsn)
    if not explicit:
        # Typed without a country code: the same national number under any country.
        stripped = digits.lstrip("0")
        if len(stripped) >= 6:
            nationals.add(stripped)
        # …or with the country code but without "+" / "00" (e.g. "4915123456789").
        as_international = parse_phone("+" + digits, region)
        if as_international is not None and len(digits) >= 10:
            e164 = phonenumbers.format_number(as_international, phonenumbers.PhoneNumberFormat.E164)
            e164s.add(e164)
    return e164s, nationals


def by_phone(session: Session, raw: str, region: str) -> tuple[list[Hit], str | None]:
    e164s, nationals = phone_forms(raw, region)
    if not e164s and not nationals:
        return [], None
    found = rows(session, _PHONE, e164s=sorted(e164s), nationals=sorted(nationals))
    rooftop = next((name for _id, exact, name in found if exact == 2), None)
    if rooftop:
        return [], f"{raw.strip()} is the number of {rooftop} itself, not a customer's"
    hits: dict[int, Hit] = {}
    for cid, exact, _name in found:
        hit = (
            Hit(cid, EXACT, "phone")
            if exact
            else Hit(cid, NATIONAL_ONLY, "phone (without country code)")
        )
        if cid not in hits or hit.score > hits[cid].score:
            hits[cid] = hit
    return list(hits.values())[:MAX_HITS], None


# --- e-mail --------------------------------------------------------------------------------

_EMAIL = (
    select(ContactPoint.customer_id)
    .where(
        ContactPoint.kind == ContactKind.EMAIL.value,
        ContactPoint.normalized == BindParameter("email"),
    )
    .limit(MAX_HITS)
)


def by_email(session: Session, email: str) -> list[Hit]:
    return [Hit(r[0], EXACT, "e-mail") for r in rows(session, _EMAIL, email=email)]


# --- vehicles ------------------------------------------------------------------------------


def _holders_of(condition: Any) -> Any:
    """Who held the vehicles matching ``condition``, newest holding first, in one statement."""
    return (
        select(
            Ownership.vehicle_id,
            Ownership.customer_id,
            Ownership.role,
            Ownership.until,
            Customer.kind,
            Vehicle.vin,
        )
        .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
        .join(Customer, Customer.id == Ownership.customer_id)
        .where(condition, Ownership.since <= BindParameter("today"))
        .order_by(Ownership.vehicle_id, Ownership.since.desc())
        .limit(MAX_HITS * 4)
    )


_BY_VIN = _holders_of(Vehicle.vin == BindParameter("vin"))
# The literal start position makes the expression identical to the index's, so both
# SQLite and PostgreSQL seek the expression index.
_BY_VIN_TAIL = _holders_of(
    func.substr(Vehicle.vin, literal_column(str(VIN_TAIL_START))) == BindParameter("tail")
)
_BY_PLATE = _holders_of(Vehicle.plate_normalized == BindParameter("plate"))


def _holders(found: Sequence[Any], today: dt.date, label: str) -> list[Hit]:
    hits: dict[int, Hit] = {}
    current_vehicles = {
        vid for vid, _c, _r, until, _k, _v in found if until is None or until >= today
    }
    for vid, cid, role, until, kind, _vin in found:
        current = until is None or until >= today
        # People before companies: a fleet car's driver is who is at the counter.
        rank = _ROLE_ORDER.get(role, 3) if kind == "person" else 5
        if current:
            hit = Hit(cid, EXACT, label, rank)
        elif vid not in current_vehicles:
            hit = Hit(cid, FORMER_HOLDER, f"{label} (former holder)", 9)
        else:
            continue
        old = hits.get(cid)
        if old is None or (hit.score, -hit.rank) > (old.score, -old.rank):
            hits[cid] = hit
    if any(h.score == EXACT for h in hits.values()):
        return [h for h in hits.values() if h.score == EXACT]
    # Nobody holds it now: only the most recent former holder(s).
    return list(hits.values())[:2]


def by_vin(session: Session, vin: str, today: dt.date) -> list[Hit]:
    return _holders(rows(session, _BY_VIN, vin=vin, today=today), today, "VIN")


def by_vin_tail(session: Session, fragment: str, today: dt.date) -> list[Hit]:
    """A VIN typed as its last 6–16 characters."""
    found = rows(session, _BY_VIN_TAIL, tail=fragment[-_TAIL:], today=today)
    matching = [r for r in found if r[5].endswith(fragment)]
    return _holders(matching, today, f"VIN (last {len(fragment)})")


def by_plate(session: Session, plate: str, today: dt.date) -> list[Hit]:
    return _holders(rows(session, _BY_PLATE, plate=plate, today=today), today, "plate")


# --- repair orders -------------------------------------------------------------------------


# The stored forms an RO number may have: as typed, bare, and "RO-<rooftop>-<number>" for
# every rooftop (or the one typed). One IN over a union, so both planners seek the RO index
# once per form (an OR with a subquery made PostgreSQL scan every visit).
def _ro_statement(any_rooftop: bool) -> Any:
    rooftop_forms = select(literal("RO-") + Dealer.code + literal("-") + BindParameter("digits"))
    if not any_rooftop:
        rooftop_forms = rooftop_forms.where(Dealer.code.in_(many("codes")))
    forms = union_all(
        rooftop_forms,
        select(BindParameter("typed", type_=String)),
        select(BindParameter("bare", type_=String)),
    )
    return (
        select(ServiceVisit.customer_id, ServiceVisit.ro_number)
        .where(ServiceVisit.ro_number.in_(forms))
        .limit(MAX_HITS)
    )


_RO = _ro_statement(any_rooftop=False)
_RO_ANY_ROOFTOP = _ro_statement(any_rooftop=True)


def by_ro(session: Session, digits: str, code: str | None, typed: str) -> list[Hit]:
    params = {"digits": digits, "typed": typed.strip().upper(), "bare": digits}
    if code:
        found = rows(session, _RO, codes=[code], **params)
    else:
        found = rows(session, _RO_ANY_ROOFTOP, **params)
    return [Hit(cid, EXACT, f"repair order {ro}") for cid, ro in found]
