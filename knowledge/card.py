"""The customer card: the person first, then everything they and their household drive.

A card is structured data built from the ``CustomerProfile`` for one viewer: front ends
(Slack blocks, the terminal) only lay it out. Contact details are shown, partly masked or
hidden according to ``knowledge.access``; nothing else on the card is personal contact data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import BindParameter, select
from sqlalchemy.orm import Session

from knowledge.access import Viewer
from knowledge.audit import record_lookup
from knowledge.models import Dealer, StaffMember
from knowledge.models.enums import PreferenceKind
from knowledge.profile import (
    ContactInfo,
    CustomerProfile,
    DeclinedItem,
    VehicleInfo,
    VisitInfo,
    load_profile,
)

LAST_VISITS_SHOWN = 3
NOTES_SHOWN = 3
# Declined work due within this many days (or overdue, or undated) is "due".
DECLINED_DUE_WITHIN = dt.timedelta(days=60)
# A service due within this many days is flagged on the vehicle.
SERVICE_DUE_WITHIN = dt.timedelta(days=30)
# A recall remedy this short can be offered "while you wait".
QUICK_REMEDY_MINUTES = 60


@dataclass(frozen=True)
class CardContact:
    kind: str
    value: str | None
    primary: bool
    city: str | None = None


@dataclass(frozen=True)
class CardRecall:
    campaign_code: str
    title: str
    remedy_minutes: int | None
    while_you_wait: bool


@dataclass(frozen=True)
class CardVehicle:
    vehicle_id: int
    label: str
    make: str
    model: str
    model_year: int | None
    plate: str | None
    vin: str
    colour: str | None
    odometer_km: int | None
    warranty_end: dt.date | None
    under_warranty: bool
    last_service: dt.date | None
    next_service_due: dt.date | None
    service_due_soon: bool
    # "own" (the customer holds it) or "household" (a household member does).
    whose: str
    role: str | None
    holders: tuple[str, ...]
    open_recalls: tuple[CardRecall, ...]


@dataclass(frozen=True)
class CardVisit:
    ro_number: str
    dealer: str | None
    vehicle: str
    status: str
    wait_mode: str | None
    opened_at: dt.datetime
    arrived_at: dt.datetime | None
    promised_at: dt.datetime | None
    closed_at: dt.datetime | None
    waiting_minutes: int | None
    concerns: str | None
    work_done: str | None
    advisor: str | None


@dataclass(frozen=True)
class CardDeclined:
    description: str
    vehicle: str
    due_date: dt.date | None
    overdue: bool
    estimate_cents: int | None


@dataclass(frozen=True)
class CardNote:
    text: str
    recorded_at: dt.datetime
    recorded_by: str | None


@dataclass(frozen=True)
class CardSurvey:
    score: int
    comment: str | None
    surveyed_on: dt.date


@dataclass(frozen=True)
class CustomerCard:
    customer_id: int
    kind: str
    name: str
    preferred_name: str | None
    salutation: str | None
    # How to greet them: the name they go by, or the salutation and family name.
    greeting: str
    pronunciation: str | None
    language: str | None
    customer_since: dt.date | None
    visit_count: int
    preferred_channel: str | None
    do_not_contact: bool
    # "none" (full), "partial" (recognisable, not usable) or "hidden" (public channel).
    masking: str
    contacts: tuple[CardContact, ...]
    birth_date: dt.date | None
    household: tuple[dict[str, Any], ...]
    vehicles: tuple[CardVehicle, ...]
    open_recall_count: int
    current_visit: CardVisit | None
    last_visits: tuple[CardVisit, ...]
    declined_due: tuple[CardDeclined, ...]
    preferences: tuple[tuple[str, str], ...]
    notes: tuple[CardNote, ...]
    last_survey: CardSurvey | None
    last_contact: dict[str, Any] | None
    as_of: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO strings, tuples as lists."""
        data = _jsonable(asdict(self))
        data["preferences"] = dict(self.preferences)
        assert isinstance(data, dict)
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


_DEALERS = select(Dealer.id, Dealer.name)
_STAFF = select(StaffMember.id, StaffMember.display_name).where(
    StaffMember.id.in_(BindParameter("ids", expanding=True))
)


def build_card(
    session: Session,
    customer_id: int,
    *,
    viewer: Viewer,
    now: dt.datetime,
    dealer_ids: Collection[int] | None = None,
    profile: CustomerProfile | None = None,
    how: str = "card",
) -> CustomerCard:
    """The card of ``customer_id`` as ``viewer`` may see it; the view is audited.

    Pass ``profile`` when the caller has loaded it already (the playbook does), so nothing
    is read twice.
    """
    if profile is None:
        profile = load_profile(session, customer_id, now=now, dealer_ids=dealer_ids)
    conn = session.connection()
    dealers = {i: n for i, n in conn.execute(_DEALERS)}
    staff_ids = sorted({n.recorded_by_id for n in profile.notes[:NOTES_SHOWN] if n.recorded_by_id})
    staff = {i: n for i, n in conn.execute(_STAFF, {"ids": staff_ids})} if staff_ids else {}
    card = card_from_profile(profile, viewer=viewer, now=now, dealers=dealers, staff=staff)
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=profile.customer_id,
        channel=viewer.channel,
        how=how,
        detail={"masking": card.masking, "public": viewer.public, "role": viewer.role},
        action="card",
    )
    return card


def card_from_profile(
    profile: CustomerProfile,
    *,
    viewer: Viewer,
    now: dt.datetime,
    dealers: Mapping[int, str] | None = None,
    staff: Mapping[int, str] | None = None,
) -> CustomerCard:
    """The card, computed from a loaded profile without touching the store."""
    dealers = dealers or {}
    staff = staff or {}
    today = now.date()
    masking = viewer.masking
    labels = {v.vehicle_id: v.label for v in profile.vehicles}
    vehicles = tuple(_vehicle(v, today) for v in profile.vehicles)
    current = profile.current_visit
    return CustomerCard(
        customer_id=profile.customer_id,
        kind=profile.kind,
        name=profile.display_name,
        preferred_name=profile.preferred_name,
        salutation=profile.salutation,
        greeting=_greeting(profile),
        pronunciation=profile.pronunciation
        or profile.preference(PreferenceKind.NAME_PRONUNCIATION.value),
        language=profile.preference(PreferenceKind.LANGUAGE.value) or profile.language,
        customer_since=profile.customer_since,
        visit_count=profile.visit_count,
        preferred_channel=_preferred_channel(profile),
        do_not_contact=profile.do_not_contact,
        masking=masking,
        contacts=tuple(_contact(c, masking) for c in profile.contacts),
        birth_date=profile.birth_date if masking == "none" else None,
        household=tuple(
            {"customer_id": m.customer_id, "name": m.name, "relation": m.relation}
            for m in profile.household
        ),
        vehicles=vehicles,
        open_recall_count=sum(len(v.open_recalls) for v in vehicles),
        current_visit=_visit(current, dealers, now) if current else None,
        last_visits=tuple(_visit(v, dealers, now) for v in profile.last_visits[:LAST_VISITS_SHOWN]),
        declined_due=tuple(
            _declined(d, labels, today)
            for d in profile.declined_work
            if d.due_date is None or d.due_date <= today + DECLINED_DUE_WITHIN
        ),
        preferences=tuple(
            (p.kind, p.value)
            for p in profile.preferences
            if p.kind not in (PreferenceKind.NAME_PRONUNCIATION.value,)
        ),
        notes=tuple(
            CardNote(n.value, n.recorded_at, staff.get(n.recorded_by_id or 0))
            for n in profile.notes[:NOTES_SHOWN]
        ),
        last_survey=(
            CardSurvey(
                profile.last_survey.score,
                profile.last_survey.comment or None,
                profile.last_survey.surveyed_on,
            )
            if profile.last_survey
            else None
        ),
        last_contact=(
            {
                "channel": profile.last_contact.channel,
                "direction": profile.last_contact.direction,
                "at": profile.last_contact.at,
                "note": profile.last_contact.note,
            }
            if profile.last_contact
            else None
        ),
        as_of=now,
    )


def _greeting(p: CustomerProfile) -> str:
    if p.kind == "company":
        return p.display_name
    if p.preferred_name:
        return p.preferred_name
    if p.salutation and p.family_name:
        return f"{p.salutation} {p.family_name}"
    return p.given_name or p.display_name


def _preferred_channel(p: CustomerProfile) -> str | None:
    chosen = p.preference(PreferenceKind.CONTACT_CHANNEL.value)
    if chosen:
        return chosen
    for kind in ("phone", "email"):
        if p.contacts_of(kind):
            return kind
    return None


def mask_phone(e164: str) -> str:
    """'+4915123456789' → '+49 ••• •••• •89': recognisable to the customer, not dialable."""
    digits = e164.lstrip("+")
    return f"+{digits[:2]} ••• •••• •{digits[-2:]}" if len(digits) > 6 else "•••"


def mask_email(email: str) -> str:
    """'anna.mueller@example.de' → 'a•••@example.de'."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def _contact(c: ContactInfo, masking: str) -> CardContact:
    if masking == "none":
        value: str | None = c.value
    elif masking == "partial":
        if c.kind == "phone":
            value = mask_phone(c.normalized)
        elif c.kind == "email":
            value = mask_email(c.normalized)
        else:
            value = c.city
    else:
        value = None
    city = c.city if c.kind == "address" and masking != "hidden" else None
    return CardContact(kind=c.kind, value=value, primary=c.is_primary, city=city)


def _vehicle(v: VehicleInfo, today: dt.date) -> CardVehicle:
    return CardVehicle(
        vehicle_id=v.vehicle_id,
        label=v.label,
        make=v.make,
        model=v.model,
        model_year=v.model_year,
        plate=v.plate,
        vin=v.vin,
        colour=v.colour,
        odometer_km=v.odometer_km,
        warranty_end=v.warranty_end,
        under_warranty=v.warranty_end is not None and v.warranty_end >= today,
        last_service=v.last_service_at.date() if v.last_service_at else None,
        next_service_due=v.next_service_due,
        service_due_soon=v.next_service_due is not None
        and v.next_service_due <= today + SERVICE_DUE_WITHIN,
        whose="own" if v.is_own else "household",
        role=v.own_role,
        holders=tuple(h.name for h in v.holders),
        open_recalls=tuple(
            CardRecall(
                r.campaign_code,
                r.title,
                r.remedy_minutes,
                r.remedy_minutes is not None and r.remedy_minutes <= QUICK_REMEDY_MINUTES,
            )
            for r in v.open_recalls
        ),
    )


def _visit(v: VisitInfo, dealers: Mapping[int, str], now: dt.datetime) -> CardVisit:
    waiting = None
    if v.closed_at is None and v.arrived_at is not None and v.arrived_at <= now:
        waiting = int((now - v.arrived_at).total_seconds() // 60)
    return CardVisit(
        ro_number=v.ro_number,
        dealer=dealers.get(v.dealer_id),
        vehicle=v.vehicle_label,
        status=v.status,
        wait_mode=v.wait_mode,
        opened_at=v.opened_at,
        arrived_at=v.arrived_at,
        promised_at=v.promised_at,
        closed_at=v.closed_at,
        waiting_minutes=waiting,
        concerns=v.concerns,
        work_done=v.work_done,
        advisor=v.advisor_name,
    )


def _declined(d: DeclinedItem, labels: Mapping[int, str], today: dt.date) -> CardDeclined:
    return CardDeclined(
        description=d.description,
        vehicle=labels.get(d.vehicle_id, "a former vehicle"),
        due_date=d.due_date,
        overdue=d.due_date is not None and d.due_date < today,
        estimate_cents=d.estimate_cents,
    )
