"""What a lookup needs to know about each candidate, in one statement.

Names (to score), city, last visit and whether they are in the lounge (to rank and to tell
candidates apart) and whether they belong to the rooftops searched — one row per customer,
read once per query whether the candidate came from a name or an identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, literal, select
from sqlalchemy.orm import Session

from knowledge.lookup.identifiers import in_scope, many, rows
from knowledge.models import ContactPoint, Customer, ServiceVisit
from knowledge.models.enums import OPEN_VISIT_STATUSES, ContactKind

_OPEN = tuple(s.value for s in OPEN_VISIT_STATUSES)


@dataclass(frozen=True)
class Person:
    customer_id: int
    kind: str
    given: str | None
    family: str | None
    company: str | None
    preferred: str | None
    salutation: str | None
    city: str | None
    last_visit: dt.datetime | None
    in_lounge: bool
    in_scope: bool

    @property
    def name(self) -> str:
        if self.kind == "company" and self.company:
            return self.company
        parts = " ".join(p for p in (self.given, self.family) if p)
        return parts or self.company or f"customer #{self.customer_id}"


def _statement(scoped: bool) -> Any:
    city = (
        select(ContactPoint.city)
        .where(
            ContactPoint.customer_id == Customer.id,
            ContactPoint.kind == ContactKind.ADDRESS.value,
            ContactPoint.city.is_not(None),
        )
        .order_by(ContactPoint.is_primary.desc(), ContactPoint.id)
        .limit(1)
        .scalar_subquery()
    )
    last_visit = (
        select(func.max(ServiceVisit.opened_at))
        .where(ServiceVisit.customer_id == Customer.id)
        .scalar_subquery()
    )
    lounge = exists().where(ServiceVisit.customer_id == Customer.id, ServiceVisit.status.in_(_OPEN))
    scope = in_scope(Customer.id, many("scope")) if scoped else literal(True)
    return select(
        Customer.id,
        Customer.kind,
        Customer.given_name,
        Customer.family_name,
        Customer.company_name,
        Customer.preferred_name,
        Customer.salutation,
        city,
        last_visit,
        case((lounge, 1), else_=0),
        case((scope, 1), else_=0),
    ).where(Customer.id.in_(many("ids")))


_PEOPLE = _statement(scoped=False)
_PEOPLE_IN_SCOPE = _statement(scoped=True)


def load_people(
    session: Session, customer_ids: Collection[int], scope: Collection[int] | None
) -> dict[int, Person]:
    if not customer_ids:
        return {}
    ids = sorted(customer_ids)
    if scope is None:
        found = rows(session, _PEOPLE, ids=ids)
    else:
        found = rows(session, _PEOPLE_IN_SCOPE, ids=ids, scope=list(scope))
    out = {}
    for (
        cid,
        kind,
        given,
        family,
        company,
        preferred,
        salutation,
        city,
        last,
        lounge,
        scoped,
    ) in found:
        out[cid] = Person(
            customer_id=cid,
            kind=kind,
            given=given,
            family=family,
            company=company,
            preferred=preferred,
            salutation=salutation,
            city=city,
            last_visit=_aware(last) if last is not None else None,
            in_lounge=bool(lounge),
            in_scope=bool(scoped),
        )
    return out


def _aware(value: Any) -> dt.datetime:
    # An aggregate's value may come back as text or naive UTC on SQLite.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
