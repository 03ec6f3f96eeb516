"""Survivorship: the golden customer's fields and contact points from the records behind it.

Per field, the value of the most trusted source wins (lowest trust rank), and among equally
trusted records the most recent one. Contact points are never chosen between: every phone,
e-mail and address of every record is kept, each with the source it came from (the most
trusted source that gave it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from knowledge.identity.records import PersonRecord, normalized_address
from knowledge.models.enums import ContactKind, CustomerKind

GOLDEN_FIELDS = (
    "given_name",
    "family_name",
    "company_name",
    "salutation",
    "language",
    "birth_date",
)


def survivor_order(members: list[PersonRecord]) -> list[PersonRecord]:
    """Most trusted first; among equals the most recent, then the lowest source id (stable)."""
    by_recency = sorted(members, key=lambda r: (r.source, r.source_id))
    by_recency.sort(key=lambda r: r.seen, reverse=True)
    by_recency.sort(key=lambda r: r.trust)
    return by_recency


def golden_fields(members: list[PersonRecord]) -> dict[str, Any]:
    """Customer column values the records agree on under survivorship."""
    ordered = survivor_order(members)
    out: dict[str, Any] = {}
    for name in GOLDEN_FIELDS:
        value = next((getattr(r, name) for r in ordered if getattr(r, name)), None)
        if name == "birth_date" and value is not None:
            value = dt.date.fromisoformat(value)
        out[name] = value
    has_person = out["given_name"] or out["family_name"]
    out["kind"] = (
        CustomerKind.COMPANY.value
        if out["company_name"] and not has_person
        else CustomerKind.PERSON.value
    )
    return out


@dataclass(frozen=True, slots=True)
class ContactValue:
    kind: str
    value: str
    normalized: str
    source: str
    street: str | None = None
    address_line2: str | None = None
    city: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None

    def row(self, customer_id: int, *, primary: bool) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "kind": self.kind,
            "value": self.value[:300],
            "normalized": self.normalized[:300],
            "street": self.street,
            "address_line2": self.address_line2,
            "city": self.city,
            "postcode": self.postcode,
            "region": self.region,
            "country": self.country,
            "source": self.source,
            "is_primary": primary,
        }


def contact_values(members: list[PersonRecord]) -> list[ContactValue]:
    """Every distinct phone, e-mail and address of the records, most trusted source first."""
    out: list[ContactValue] = []
    seen: set[tuple[str, str]] = set()

    def put(cv: ContactValue) -> None:
        if (cv.kind, cv.normalized) not in seen:
            seen.add((cv.kind, cv.normalized))
            out.append(cv)

    for r in survivor_order(members):
        raws = r.phones_raw if len(r.phones_raw) == len(r.phones) else r.phones
        for e164, raw in zip(r.phones, raws, strict=True):
            put(ContactValue(ContactKind.PHONE.value, raw, e164, r.source))
        for email in r.emails:
            put(ContactValue(ContactKind.EMAIL.value, email, email, r.source))
        if r.has_address:
            put(
                ContactValue(
                    ContactKind.ADDRESS.value,
                    r.address_line(),
                    normalized_address(r),
                    r.source,
                    street=r.street,
                    address_line2=r.address_line2,
                    city=r.city,
                    postcode=r.postcode,
                    region=r.region,
                    country=r.country,
                )
            )
    return out
