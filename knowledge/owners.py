"""Who holds the vehicles that need attention: a recall, a software update, an offer.

"Owners of 2019–2021 X5 with campaign 0061 open": vehicles filtered by make, model,
model-year range, option code and open recall campaign; one row per vehicle and each
customer holding it today (owner, co-owner or main driver), never a do-not-contact
customer, with the channel they prefer. Paginated for screens, streamed for CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from knowledge.access import Viewer
from knowledge.audit import record_lookup
from knowledge.card import mask_email, mask_phone
from knowledge.errors import InvalidInput
from knowledge.lookup.identifiers import in_scope
from knowledge.models import (
    ContactPoint,
    Customer,
    Ownership,
    Preference,
    RecallCampaign,
    Vehicle,
    VehicleOption,
    VehicleRecall,
)
from knowledge.models.enums import ContactKind, PreferenceKind, RecallStatus

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Rows fetched per round trip when exporting.
EXPORT_CHUNK = 1_000
# What people type for a make, and how the store spells it.
MAKE_ALIASES = {
    "vw": "Volkswagen",
    "mercedes": "Mercedes-Benz",
    "merc": "Mercedes-Benz",
    "mb": "Mercedes-Benz",
    "benz": "Mercedes-Benz",
}
CSV_COLUMNS = (
    "customer_id",
    "name",
    "preferred_channel",
    "contact",
    "phone",
    "email",
    "city",
    "role",
    "vehicle_id",
    "vin",
    "make",
    "model",
    "model_year",
    "plate",
    "campaign",
)
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–—]|\.\.|to)?\s*(\d{4})?\s*$")


@dataclass(frozen=True)
class OwnersQuery:
    recall: str | None = None
    make: str | None = None
    model: str | None = None
    years: tuple[int, int] | None = None
    option: str | None = None
    dealer_ids: tuple[int, ...] | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "recall": self.recall,
            "make": self.make,
            "model": self.model,
            "years": list(self.years) if self.years else None,
            "option": self.option,
            "dealer_ids": list(self.dealer_ids) if self.dealer_ids is not None else None,
        }


@dataclass(frozen=True)
class OwnerRow:
    customer_id: int
    name: str
    preferred_channel: str | None
    # The value to reach them on their preferred channel (masked for the viewer).
    contact: str | None
    phone: str | None
    email: str | None
    city: str | None
    role: str
    vehicle_id: int
    vin: str
    make: str
    model: str
    model_year: int | None
    plate: str | None
    campaign: str | None

    def as_csv(self) -> list[Any]:
        return [getattr(self, c) for c in CSV_COLUMNS]

    def to_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in CSV_COLUMNS}


@dataclass(frozen=True)
class OwnersPage:
    query: OwnersQuery
    rows: tuple[OwnerRow, ...]
    page: int
    page_size: int
    total: int
    # Holders left out because they asked not to be contacted.
    excluded_do_not_contact: int
    masking: str
    campaign_title: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.describe(),
            "campaign_title": self.campaign_title,
            "page": self.page,
            "pages": self.pages,
            "page_size": self.page_size,
            "total": self.total,
            "excluded_do_not_contact": self.excluded_do_not_contact,
            "masking": self.masking,
            "rows": [r.to_dict() for r in self.rows],
        }


def parse_years(text: str) -> tuple[int, int]:
    """'2019-2021', '2019–2021', '2019..2021' or '2020' → (first, last)."""
    match = _YEARS.match(text or "")
    if not match:
        raise InvalidInput(f"model years {text!r} not understood — write e.g. 2019-2021 or 2020")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not 1950 <= first <= 2100 or not 1950 <= last <= 2100:
        raise InvalidInput(f"model years {text!r} are out of range (1950–2100)")
    if first > last:
        raise InvalidInput(f"model years {text!r} run backwards — write {last}-{first}")
    return first, last


def make_forms(make: str) -> list[str]:
    """Spellings of a typed make as stores keep them ('bmw' → 'BMW', 'vw' → 'Volkswagen')."""
    typed = make.strip()
    forms = {typed, typed.upper(), typed.title(), typed.capitalize()}
    alias = MAKE_ALIASES.get(typed.lower())
    if alias:
        forms.add(alias)
    return sorted(forms)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Resolved:
    query: OwnersQuery
    campaign_id: int | None
    campaign_code: str | None
    campaign_title: str | None


def _resolve(session: Session, query: OwnersQuery) -> _Resolved:
    if not any((query.recall, query.make, query.model, query.option)):
        raise InvalidInput(
            "say which vehicles: give a recall campaign, a make, a model or an option code"
        )
    for name, value in (("make", query.make), ("model", query.model), ("option", query.option)):
        if value is not None and not value.strip():
            raise InvalidInput(f"the {name} is empty")
        if value is not None and len(value) > 60:
            raise InvalidInput(f"the {name} {value[:20]!r}… is too long")
    if query.recall is None:
        return _Resolved(query, None, None, None)
    code = query.recall.strip().upper()
    campaign = session.execute(
        select(RecallCampaign.id, RecallCampaign.code, RecallCampaign.title).where(
            func.upper(RecallCampaign.code) == code
        )
    ).first()
    if campaign is None:
        known = session.scalars(
            select(RecallCampaign.code).order_by(RecallCampaign.code).limit(12)
        ).all()
        listing = ", ".join(known) if known else "none in the store"
        raise InvalidInput(f"no recall campaign {query.recall!r} — known campaigns: {listing}")
    return _Resolved(query, campaign[0], campaign[1], campaign[2])


def _conditions(r: _Resolved, today: dt.date) -> list[Any]:
    q = r.query
    conditions: list[Any] = [
        Ownership.since <= today,
        or_(Ownership.until.is_(None), Ownership.until >= today),
    ]
    # The campaign itself is a join (see _joined): it drives the query.
    if q.make:
        conditions.append(Vehicle.make.in_(make_forms(q.make)))
    if q.model:
        model = q.model.strip().lower()
        # "X5" is the X5 line ("X5 xDrive40i"), not an "X50".
        conditions.append(
            or_(
                func.lower(Vehicle.model) == model,
                func.lower(Vehicle.model).like(_like_escape(model) + " %", escape="\\"),
            )
        )
    if q.years:
        conditions.append(Vehicle.model_year.between(*q.years))
    if q.option:
        conditions.append(
            exists().where(
                VehicleOption.vehicle_id == Ownership.vehicle_id,
                VehicleOption.code == q.option.strip().upper(),
            )
        )
    if q.dealer_ids is not None:
        conditions.append(in_scope(Ownership.customer_id, list(q.dealer_ids)))
    return conditions


def _joined(stmt: Any, r: _Resolved, *, vehicle: bool = True) -> Any:
    stmt = stmt.select_from(Ownership)
    if r.campaign_id is not None:
        # Drive from the campaign's open recalls: a few thousand rows, not every vehicle.
        stmt = stmt.join(
            VehicleRecall,
            and_(
                VehicleRecall.vehicle_id == Ownership.vehicle_id,
                VehicleRecall.campaign_id == r.campaign_id,
                VehicleRecall.status == RecallStatus.OPEN.value,
            ),
        )
    if vehicle or _filters_vehicle(r.query):
        stmt = stmt.join(Vehicle, Vehicle.id == Ownership.vehicle_id)
    return stmt.join(Customer, Customer.id == Ownership.customer_id)


def _filters_vehicle(q: OwnersQuery) -> bool:
    return bool(q.make or q.model or q.years)


def _counts(session: Session, r: _Resolved, today: dt.date) -> tuple[int, int]:
    """(holders who may be contacted, do-not-contact holders) in one pass."""
    dnc = func.coalesce(func.sum(case((Customer.do_not_contact.is_(True), 1), else_=0)), 0)
    stmt = _joined(select(func.count(), dnc), r, vehicle=False).where(*_conditions(r, today))
    everyone, excluded = session.execute(stmt).one()
    return int(everyone) - int(excluded), int(excluded)


def _order(r: _Resolved) -> tuple[Any, ...]:
    # The order of the index that drives the query (a campaign's open recalls are read in
    # vehicle order), so a page stops after its rows instead of sorting every match.
    if r.campaign_id is not None:
        return (VehicleRecall.vehicle_id, Ownership.customer_id)
    return (Ownership.vehicle_id, Ownership.customer_id)


def _latest_channel() -> Any:
    return (
        select(Preference.value)
        .where(
            Preference.customer_id == Customer.id,
            Preference.kind == PreferenceKind.CONTACT_CHANNEL.value,
        )
        .order_by(Preference.recorded_at.desc(), Preference.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _first_contact(kind: str, column: Any) -> Any:
    return (
        select(column)
        .where(ContactPoint.customer_id == Customer.id, ContactPoint.kind == kind)
        .order_by(ContactPoint.is_primary.desc(), ContactPoint.id)
        .limit(1)
        .scalar_subquery()
    )


def _rows_stmt(r: _Resolved, today: dt.date) -> Any:
    stmt = select(
        Customer.id,
        Customer.kind,
        Customer.given_name,
        Customer.family_name,
        Customer.company_name,
        _latest_channel(),
        _first_contact(ContactKind.PHONE.value, ContactPoint.normalized),
        _first_contact(ContactKind.EMAIL.value, ContactPoint.normalized),
        _first_contact(ContactKind.ADDRESS.value, ContactPoint.city),
        Ownership.role,
        Vehicle.id,
        Vehicle.vin,
        Vehicle.make,
        Vehicle.model,
        Vehicle.model_year,
        Vehicle.plate,
    )
    return _joined(stmt, r).where(*_conditions(r, today), Customer.do_not_contact.is_(False))


def _row(raw: Any, masking: str, campaign: str | None) -> OwnerRow:
    (
        cid,
        kind,
        given,
        family,
        company,
        channel,
        phone,
        email,
        city,
        role,
        vid,
        vin,
        make,
        model,
        year,
        plate,
    ) = raw
    if kind == "company" and company:
        name = company
    else:
        name = " ".join(p for p in (given, family) if p) or company or f"customer #{cid}"
    if masking == "partial":
        phone = mask_phone(phone) if phone else None
        email = mask_email(email) if email else None
    elif masking == "hidden":
        phone = email = None
    preferred = channel or ("phone" if phone else "email" if email else None)
    contact = {
        "phone": phone,
        "sms": phone,
        "whatsapp": phone,
        "email": email,
        "post": city if masking != "hidden" else None,
    }.get(preferred or "")
    return OwnerRow(
        customer_id=cid,
        name=name,
        preferred_channel=preferred,
        contact=contact,
        phone=phone,
        email=email,
        city=city if masking != "hidden" else None,
        role=role,
        vehicle_id=vid,
        vin=vin,
        make=make,
        model=model,
        model_year=year,
        plate=plate,
        campaign=campaign,
    )


def owners_page(
    session: Session,
    query: OwnersQuery,
    *,
    viewer: Viewer,
    today: dt.date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> OwnersPage:
    """One page of owners (1-based), with the total and how many were left out; audited."""
    if page < 1:
        raise InvalidInput(f"page numbers start at 1, got {page}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page size must be 1–{MAX_PAGE_SIZE}, got {page_size}")
    r = _resolve(session, query)
    total, excluded = _counts(session, r, today)
    stmt = _rows_stmt(r, today).order_by(*_order(r)).limit(page_size).offset((page - 1) * page_size)
    rows = tuple(_row(raw, viewer.masking, r.campaign_code) for raw in session.execute(stmt))
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=None,
        channel=viewer.channel,
        how="owners",
        detail={**query.describe(), "page": page, "total": total, "shown": len(rows)},
        action="owners",
    )
    notes: tuple[str, ...] = ()
    if total and (page - 1) * page_size >= total:
        notes = (f"page {page} is past the last page ({-(-total // page_size)})",)
    return OwnersPage(
        query=query,
        rows=rows,
        page=page,
        page_size=page_size,
        total=total,
        excluded_do_not_contact=excluded,
        masking=viewer.masking,
        campaign_title=r.campaign_title,
        notes=notes,
    )


def iter_owners(
    session: Session, query: OwnersQuery, *, viewer: Viewer, today: dt.date
) -> Iterator[OwnerRow]:
    """Every matching row, in vehicle order, streamed (one pass, never all in memory)."""
    r = _resolve(session, query)
    stmt = _rows_stmt(r, today).order_by(*_order(r)).execution_options(yield_per=EXPORT_CHUNK)
    for raw in session.execute(stmt):
        yield _row(raw, viewer.masking, r.campaign_code)


def export_owners_csv(
    session: Session,
    query: OwnersQuery,
    target: Path | IO[str],
    *,
    viewer: Viewer,
    today: dt.date,
) -> int:
    """Write every matching row as CSV (header first); returns the rows written. Audited.

    The query is checked before the file is opened, so bad input leaves no file behind.
    """
    _resolve(session, query)
    if isinstance(target, Path):
        if target.exists() and target.is_dir():
            raise InvalidInput(f"{target} is a folder — give a file name for the CSV")
        if not target.parent.exists():
            raise InvalidInput(f"the folder {target.parent} does not exist")
        with target.open("w", newline="", encoding="utf-8") as fh:
            return export_owners_csv(session, query, fh, viewer=viewer, today=today)
    writer = csv.writer(target)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in iter_owners(session, query, viewer=viewer, today=today):
        writer.writerow(row.as_csv())
        count += 1
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=None,
        channel=viewer.channel,
        how="owners",
        detail={**query.describe(), "rows": count, "masking": viewer.masking},
        action="export",
    )
    return count


def scope_query(query: OwnersQuery, dealer_ids: Collection[int] | None) -> OwnersQuery:
    if dealer_ids is None:
        return query
    return OwnersQuery(
        query.recall,
        query.make,
        query.model,
        query.years,
        query.option,
        tuple(sorted(set(dealer_ids))),
    )
