"""Everything the store knows about one customer, loaded once, unmasked.

The customer card (what staff see) and the playbook's facts (which touches fit now) are
both computed from a ``CustomerProfile``, so a lookup never loads the same rows twice.
Loading takes a fixed number of indexed queries whatever the size of the store or of the
household: one per kind of row, never one per vehicle or per visit.

Masking is not done here: a profile is internal. ``knowledge.card`` decides what a viewer
may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from knowledge.errors import InvalidInput
from knowledge.models import (
    ContactLog,
    ContactPoint,
    Customer,
    CustomerRelationship,
    DeclinedWork,
    Ownership,
    Preference,
    RecallCampaign,
    ServiceVisit,
    StaffMember,
    Survey,
    Vehicle,
    VehicleOption,
    VehicleRecall,
)
from knowledge.models.enums import (
    OPEN_VISIT_STATUSES,
    DeclinedStatus,
    OwnershipRole,
    PreferenceKind,
    RecallStatus,
    VisitStatus,
)

# How many past visits a profile carries: the card shows three, the playbook looks a little
# further back (e.g. "same concern as last time").
LAST_VISITS = 5
# Notes accumulate for years; the newest ones are what staff read.
MAX_NOTES = 20
# A fleet company can have hundreds of drivers; a card lists the closest links only.
MAX_HOUSEHOLD = 25

_ROLE_ORDER = {OwnershipRole.OWNER.value: 0, OwnershipRole.CO_OWNER.value: 1}
_OPEN_STATUSES = tuple(s.value for s in OPEN_VISIT_STATUSES)


@dataclass(frozen=True)
class ContactInfo:
    kind: str  # phone | email | address
    value: str
    normalized: str
    is_primary: bool
    source: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class HouseholdMember:
    customer_id: int
    name: str
    relation: str  # spouse | family | fleet_driver
    # The relationship row is stored once; ``inverse`` is True when it was recorded from
    # the member's side (member → this customer), which matters for one-way kinds such as
    # fleet_driver.
    inverse: bool
    since: dt.date | None


@dataclass(frozen=True)
class OpenRecall:
    campaign_code: str
    title: str
    make: str
    remedy: str | None
    remedy_minutes: int | None
    published_on: dt.date | None


@dataclass(frozen=True)
class VehicleHolder:
    customer_id: int
    name: str
    role: str  # owner | co_owner | main_driver
    since: dt.date


@dataclass(frozen=True)
class VehicleInfo:
    vehicle_id: int
    vin: str
    make: str
    model: str
    model_year: int | None
    trim: str | None
    colour: str | None
    plate: str | None
    odometer_km: int | None
    in_service_date: dt.date | None
    warranty_end: dt.date | None
    next_service_due: dt.date | None
    last_service_at: dt.datetime | None
    sold_by_dealer_id: int | None
    # Who holds it now (the customer and/or household members), owners first.
    holders: tuple[VehicleHolder, ...]
    # The profile customer's own role, or None when it is a household member's vehicle.
    own_role: str | None
    options: tuple[str, ...]
    open_recalls: tuple[OpenRecall, ...]

    @property
    def label(self) -> str:
        year = f"{self.model_year} " if self.model_year else ""
        return f"{year}{self.make} {self.model}"

    @property
    def is_own(self) -> bool:
        return self.own_role is not None

    def has_option(self, code: str) -> bool:
        return code.upper() in self.options


@dataclass(frozen=True)
class VisitInfo:
    visit_id: int
    ro_number: str
    dealer_id: int
    vehicle_id: int
    vehicle_label: str
    status: str
    wait_mode: str | None
    opened_at: dt.datetime
    arrived_at: dt.datetime | None
    promised_at: dt.datetime | None
    closed_at: dt.datetime | None
    odometer_km: int | None
    concerns: str | None
    work_done: str | None
    advisor_id: int | None
    advisor_name: str | None


@dataclass(frozen=True)
class DeclinedItem:
    declined_id: int
    visit_id: int
    vehicle_id: int
    description: str
    due_date: dt.date | None
    estimate_cents: int | None

    def is_due(self, today: dt.date) -> bool:
        return self.due_date is None or self.due_date <= today


@dataclass(frozen=True)
class PreferenceInfo:
    kind: str
    value: str
    recorded_at: dt.datetime
    recorded_by_id: int | None
    source: str


@dataclass(frozen=True)
class SurveyInfo:
    visit_id: int
    score: int
    comment: str | None
    surveyed_on: dt.date


@dataclass(frozen=True)
class ContactLogInfo:
    channel: str
    direction: str
    purpose: str
    at: dt.datetime
    note: str | None
    staff_id: int | None


@dataclass(frozen=True)
class CustomerProfile:
    customer_id: int
    kind: str
    given_name: str | None
    family_name: str | None
    company_name: str | None
    display_name: str
    preferred_name: str | None
    salutation: str | None
    pronunciation: str | None
    language: str | None
    birth_date: dt.date | None
    customer_since: dt.date | None
    home_dealer_id: int | None
    marketing_consent: bool
    do_not_contact: bool
    contacts: tuple[ContactInfo, ...]
    household: tuple[HouseholdMember, ...]
    # The customer's own vehicles first, then the household's; one entry per vehicle.
    vehicles: tuple[VehicleInfo, ...]
    current_visit: VisitInfo | None
    visit_count: int
    # Closed visits, newest first (at most LAST_VISITS).
    last_visits: tuple[VisitInfo, ...]
    # Open declined work on any profile vehicle, soonest due first.
    declined_work: tuple[DeclinedItem, ...]
    # The newest value of each single-valued kind (everything except notes).
    preferences: tuple[PreferenceInfo, ...]
    # Staff notes, newest first (at most MAX_NOTES).
    notes: tuple[PreferenceInfo, ...]
    last_survey: SurveyInfo | None
    last_contact: ContactLogInfo | None
    # The moment the profile describes (what "now", "open" and "due" were judged against).
    as_of: dt.datetime
    dealer_ids: tuple[int, ...] | None

    def preference(self, kind: str) -> str | None:
        for pref in self.preferences:
            if pref.kind == kind:
                return pref.value
        return None

    @property
    def own_vehicles(self) -> tuple[VehicleInfo, ...]:
        return tuple(v for v in self.vehicles if v.is_own)

    @property
    def household_vehicles(self) -> tuple[VehicleInfo, ...]:
        return tuple(v for v in self.vehicles if not v.is_own)

    @property
    def open_recalls(self) -> tuple[tuple[VehicleInfo, OpenRecall], ...]:
        return tuple((v, r) for v in self.vehicles for r in v.open_recalls)

    def contacts_of(self, kind: str) -> tuple[ContactInfo, ...]:
        return tuple(c for c in self.contacts if c.kind == kind)

    @property
    def city(self) -> str | None:
        addresses = self.contacts_of("address")
        return addresses[0].city if addresses else None


def load_profile(
    session: Session,
    customer_id: int,
    *,
    now: dt.datetime,
    dealer_ids: Collection[int] | None = None,
) -> CustomerProfile:
    """Everything known about ``customer_id`` at ``now``; visits limited to ``dealer_ids``.

    Vehicles, household, preferences and contacts belong to the person and are never
    limited by dealer; visits (and what hangs off them: the survey, the current visit)
    are, so a rooftop sees its own service history.
    """
    if now.tzinfo is None:
        raise InvalidInput("load_profile needs a time-zone-aware 'now'")
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise InvalidInput(f"no customer #{customer_id} in the store")
    today = now.date()
    scope = tuple(sorted(set(dealer_ids))) if dealer_ids is not None else None

    contacts = _contacts(session, customer_id)
    household = _household(session, customer_id)
    vehicles = _vehicles(session, customer_id, household, today)
    vehicle_ids = [v.vehicle_id for v in vehicles]
    visit_filter = _visit_scope(customer_id, scope)
    preferences, notes = _preferences(session, customer_id)

    return CustomerProfile(
        customer_id=customer.id,
        kind=customer.kind,
        given_name=customer.given_name,
        family_name=customer.family_name,
        company_name=customer.company_name,
        display_name=customer.display_name,
        preferred_name=customer.preferred_name,
        salutation=customer.salutation,
        pronunciation=customer.pronunciation,
        language=customer.language,
        birth_date=customer.birth_date,
        customer_since=customer.customer_since,
        home_dealer_id=customer.home_dealer_id,
        marketing_consent=bool(customer.marketing_consent),
        do_not_contact=bool(customer.do_not_contact),
        contacts=contacts,
        household=household,
        vehicles=vehicles,
        current_visit=_current_visit(session, visit_filter),
        visit_count=int(
            session.scalar(select(func.count()).select_from(ServiceVisit).where(visit_filter)) or 0
        ),
        last_visits=_last_visits(session, visit_filter),
        declined_work=_declined(session, vehicle_ids),
        preferences=preferences,
        notes=notes,
        last_survey=_last_survey(session, visit_filter),
        last_contact=_last_contact(session, customer_id),
        as_of=now,
        dealer_ids=scope,
    )


def _visit_scope(customer_id: int, scope: tuple[int, ...] | None) -> ColumnElement[bool]:
    condition = ServiceVisit.customer_id == customer_id
    if scope is not None:
        condition = and_(condition, ServiceVisit.dealer_id.in_(scope))
    return condition


def _contacts(session: Session, customer_id: int) -> tuple[ContactInfo, ...]:
    rows = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.customer_id == customer_id)
        .order_by(ContactPoint.kind, ContactPoint.is_primary.desc(), ContactPoint.id)
    )
    return tuple(
        ContactInfo(
            kind=c.kind,
            value=c.value,
            normalized=c.normalized,
            is_primary=bool(c.is_primary),
            source=c.source,
            street=c.street,
            postcode=c.postcode,
            city=c.city,
            country=c.country,
        )
        for c in rows
    )


def _household(session: Session, customer_id: int) -> tuple[HouseholdMember, ...]:
    other = aliased(Customer)
    rows = session.execute(
        select(CustomerRelationship, other)
        .join(
            other,
            or_(
                and_(
                    CustomerRelationship.customer_id == customer_id,
                    other.id == CustomerRelationship.related_customer_id,
                ),
                and_(
                    CustomerRelationship.related_customer_id == customer_id,
                    other.id == CustomerRelationship.customer_id,
                ),
            ),
        )
        .where(
            or_(
                CustomerRelationship.customer_id == customer_id,
                CustomerRelationship.related_customer_id == customer_id,
            )
        )
        .order_by(CustomerRelationship.id)
        .limit(MAX_HOUSEHOLD * 2)
    ).all()
    members: dict[int, HouseholdMember] = {}
    for rel, person in rows:
        if person.id in members or person.id == customer_id:
            continue
        members[person.id] = HouseholdMember(
            customer_id=person.id,
            name=person.display_name,
            relation=rel.kind,
            inverse=rel.related_customer_id == customer_id,
            since=rel.since,
        )
    return tuple(members.values())[:MAX_HOUSEHOLD]


def _vehicles(
    session: Session,
    customer_id: int,
    household: Sequence[HouseholdMember],
    today: dt.date,
) -> tuple[VehicleInfo, ...]:
    people = [customer_id, *(m.customer_id for m in household)]
    holder = aliased(Customer)
    rows = session.execute(
        select(Ownership, Vehicle, holder)
        .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
        .join(holder, holder.id == Ownership.customer_id)
        .where(
            Ownership.customer_id.in_(people),
            Ownership.since <= today,
            or_(Ownership.until.is_(None), Ownership.until >= today),
        )
    ).all()
    if not rows:
        return ()
    by_vehicle: dict[int, Vehicle] = {}
    holders: dict[int, list[VehicleHolder]] = defaultdict(list)
    for own, vehicle, person in rows:
        by_vehicle[vehicle.id] = vehicle
        holders[vehicle.id].append(
            VehicleHolder(
                customer_id=person.id, name=person.display_name, role=own.role, since=own.since
            )
        )
    ids = list(by_vehicle)

    options: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
        select(VehicleOption.vehicle_id, VehicleOption.code)
        .where(VehicleOption.vehicle_id.in_(ids))
        .order_by(VehicleOption.vehicle_id, VehicleOption.code)
    ):
        options[vid].append(code.upper())

    recalls: dict[int, list[OpenRecall]] = defaultdict(list)
    for vid, campaign in session.execute(
        select(VehicleRecall.vehicle_id, RecallCampaign)
        .join(RecallCampaign, RecallCampaign.id == VehicleRecall.campaign_id)
        .where(
            VehicleRecall.vehicle_id.in_(ids),
            VehicleRecall.status == RecallStatus.OPEN.value,
        )
        .order_by(RecallCampaign.published_on, RecallCampaign.code)
    ):
        recalls[vid].append(
            OpenRecall(
                campaign_code=campaign.code,
                title=campaign.title,
                make=campaign.make,
                remedy=campaign.remedy,
                remedy_minutes=campaign.remedy_minutes,
                published_on=campaign.published_on,
            )
        )

    last_service: dict[int, dt.datetime] = {}
    for vid, at in session.execute(
        select(ServiceVisit.vehicle_id, func.max(ServiceVisit.opened_at))
        .where(
            ServiceVisit.vehicle_id.in_(ids),
            ServiceVisit.status == VisitStatus.CLOSED.value,
        )
        .group_by(ServiceVisit.vehicle_id)
    ):
        if at is not None:
            last_service[vid] = _as_utc(at)

    infos: list[VehicleInfo] = []
    for vid, vehicle in by_vehicle.items():
        vh = sorted(
            holders[vid],
            key=lambda h: (h.customer_id != customer_id, _ROLE_ORDER.get(h.role, 2), h.name),
        )
        own_role = next((h.role for h in vh if h.customer_id == customer_id), None)
        infos.append(
            VehicleInfo(
                vehicle_id=vid,
                vin=vehicle.vin,
                make=vehicle.make,
                model=vehicle.model,
                model_year=vehicle.model_year,
                trim=vehicle.trim,
                colour=vehicle.colour,
                plate=vehicle.plate,
                odometer_km=vehicle.odometer_km,
                in_service_date=vehicle.in_service_date,
                warranty_end=vehicle.warranty_end,
                next_service_due=vehicle.next_service_due,
                last_service_at=last_service.get(vid),
                sold_by_dealer_id=vehicle.sold_by_dealer_id,
                holders=tuple(vh),
                own_role=own_role,
                options=tuple(options.get(vid, ())),
                open_recalls=tuple(recalls.get(vid, ())),
            )
        )
    infos.sort(
        key=lambda v: (
            not v.is_own,
            _ROLE_ORDER.get(v.own_role or "", 2),
            -(v.model_year or 0),
            v.vehicle_id,
        )
    )
    return tuple(infos)


def _as_utc(value: dt.datetime) -> dt.datetime:
    # Aggregates bypass the column type, so SQLite hands back naive UTC (or text).
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _visit_rows(session: Session, condition: ColumnElement[bool], limit: int) -> list[VisitInfo]:
    rows = session.execute(
        select(
            ServiceVisit, Vehicle.model_year, Vehicle.make, Vehicle.model, StaffMember.display_name
        )
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .outerjoin(StaffMember, StaffMember.id == ServiceVisit.advisor_id)
        .where(condition)
        .order_by(ServiceVisit.opened_at.desc(), ServiceVisit.id.desc())
        .limit(limit)
    ).all()
    out = []
    for visit, year, make, model, advisor in rows:
        out.append(
            VisitInfo(
                visit_id=visit.id,
                ro_number=visit.ro_number,
                dealer_id=visit.dealer_id,
                vehicle_id=visit.vehicle_id,
                vehicle_label=f"{year} {make} {model}" if year else f"{make} {model}",
                status=visit.status,
                wait_mode=visit.wait_mode,
                opened_at=visit.opened_at,
                arrived_at=visit.arrived_at,
                promised_at=visit.promised_at,
                closed_at=visit.closed_at,
                odometer_km=visit.odometer_km,
                concerns=visit.concerns,
                work_done=visit.work_done,
                advisor_id=visit.advisor_id,
                advisor_name=advisor,
            )
        )
    return out


def _current_visit(session: Session, scope: ColumnElement[bool]) -> VisitInfo | None:
    rows = _visit_rows(session, and_(scope, ServiceVisit.status.in_(_OPEN_STATUSES)), 1)
    return rows[0] if rows else None


def _last_visits(session: Session, scope: ColumnElement[bool]) -> tuple[VisitInfo, ...]:
    return tuple(
        _visit_rows(
            session, and_(scope, ServiceVisit.status == VisitStatus.CLOSED.value), LAST_VISITS
        )
    )


def _declined(session: Session, vehicle_ids: list[int]) -> tuple[DeclinedItem, ...]:
    if not vehicle_ids:
        return ()
    rows = session.scalars(
        select(DeclinedWork)
        .where(
            DeclinedWork.vehicle_id.in_(vehicle_ids),
            DeclinedWork.status == DeclinedStatus.OPEN.value,
        )
        .order_by(DeclinedWork.due_date, DeclinedWork.id)
    )
    items = [
        DeclinedItem(
            declined_id=d.id,
            visit_id=d.visit_id,
            vehicle_id=d.vehicle_id,
            description=d.description,
            due_date=d.due_date,
            estimate_cents=d.estimate_cents,
        )
        for d in rows
    ]
    # Undated items sort last on PostgreSQL and first on SQLite; make it the same everywhere.
    items.sort(key=lambda d: (d.due_date is None, d.due_date or dt.date.min, d.declined_id))
    return tuple(items)


def _preferences(
    session: Session, customer_id: int
) -> tuple[tuple[PreferenceInfo, ...], tuple[PreferenceInfo, ...]]:
    rows = session.scalars(
        select(Preference)
        .where(Preference.customer_id == customer_id)
        .order_by(Preference.recorded_at.desc(), Preference.id.desc())
        .limit(500)
    )
    latest: dict[str, PreferenceInfo] = {}
    notes: list[PreferenceInfo] = []
    for p in rows:
        info = PreferenceInfo(
            kind=p.kind,
            value=p.value,
            recorded_at=p.recorded_at,
            recorded_by_id=p.recorded_by_id,
            source=p.source,
        )
        if p.kind == PreferenceKind.NOTE.value:
            if len(notes) < MAX_NOTES:
                notes.append(info)
        elif p.kind not in latest:
            latest[p.kind] = info
    order = {k.value: i for i, k in enumerate(PreferenceKind)}
    return tuple(sorted(latest.values(), key=lambda p: order.get(p.kind, 99))), tuple(notes)


def _last_survey(session: Session, scope: ColumnElement[bool]) -> SurveyInfo | None:
    row = session.execute(
        select(Survey)
        .join(ServiceVisit, ServiceVisit.id == Survey.visit_id)
        .where(scope)
        .order_by(Survey.surveyed_on.desc(), Survey.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return SurveyInfo(
        visit_id=row.visit_id, score=row.score, comment=row.comment, surveyed_on=row.surveyed_on
    )


def _last_contact(session: Session, customer_id: int) -> ContactLogInfo | None:
    row = session.execute(
        select(ContactLog)
        .where(ContactLog.customer_id == customer_id)
        .order_by(ContactLog.at.desc(), ContactLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return ContactLogInfo(
        channel=row.channel,
        direction=row.direction,
        purpose=row.purpose,
        at=row.at,
        note=row.note,
        staff_id=row.staff_id,
    )
