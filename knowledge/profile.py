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
from typing import Any

from sqlalchemy import BindParameter, and_, func, or_, select
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
    found = _rows(session, _CUSTOMER, cid=customer_id)
    if not found:
        raise InvalidInput(f"no customer #{customer_id} in the store")
    (
        cid,
        kind,
        given,
        family,
        company,
        preferred,
        salutation,
        pronunciation,
        language,
        birth_date,
        since,
        home_dealer,
        consent,
        dnc,
    ) = found[0]
    today = now.date()
    scope = tuple(sorted(set(dealer_ids))) if dealer_ids is not None else None
    visits = _VISITS_SCOPED if scope is not None else _VISITS
    vp: dict[str, Any] = {"cid": customer_id}
    if scope is not None:
        vp["scope"] = list(scope)

    household = _household(session, customer_id)
    vehicles = _vehicles(session, customer_id, household, today)
    preferences, notes = _preferences(session, customer_id)
    count = _rows(session, visits.count, **vp)[0][0]

    return CustomerProfile(
        customer_id=cid,
        kind=kind,
        given_name=given,
        family_name=family,
        company_name=company,
        display_name=_display(cid, kind, given, family, company),
        preferred_name=preferred,
        salutation=salutation,
        pronunciation=pronunciation,
        language=language,
        birth_date=birth_date,
        customer_since=since,
        home_dealer_id=home_dealer,
        marketing_consent=bool(consent),
        do_not_contact=bool(dnc),
        contacts=_contacts(session, customer_id),
        household=household,
        vehicles=vehicles,
        current_visit=next(iter(_visits(session, visits.current, vp)), None),
        visit_count=int(count or 0),
        last_visits=tuple(_visits(session, visits.last, vp)),
        declined_work=_declined(session, [v.vehicle_id for v in vehicles]),
        preferences=preferences,
        notes=notes,
        last_survey=_last_survey(session, visits.survey, vp),
        last_contact=_last_contact(session, customer_id),
        as_of=now,
        dealer_ids=scope,
    )


# Statements are built once: a profile runs fourteen of them per card, and building and
# compiling each per call costs more than SQLite takes to answer it.


def _many(name: str) -> BindParameter[Any]:
    return BindParameter(name, expanding=True)


def _rows(session: Session, stmt: Any, **params: Any) -> list[Any]:
    return list(session.connection().execute(stmt, params).all())


def _display(
    cid: int, kind: str, given: str | None, family: str | None, company: str | None
) -> str:
    # Customer.display_name, for rows read without the ORM.
    if kind == "company" and company:
        return company
    return " ".join(p for p in (given, family) if p) or company or f"customer #{cid}"


_CUSTOMER = select(
    Customer.id,
    Customer.kind,
    Customer.given_name,
    Customer.family_name,
    Customer.company_name,
    Customer.preferred_name,
    Customer.salutation,
    Customer.pronunciation,
    Customer.language,
    Customer.birth_date,
    Customer.customer_since,
    Customer.home_dealer_id,
    Customer.marketing_consent,
    Customer.do_not_contact,
).where(Customer.id == BindParameter("cid"))

_CONTACTS = (
    select(
        ContactPoint.kind,
        ContactPoint.value,
        ContactPoint.normalized,
        ContactPoint.is_primary,
        ContactPoint.source,
        ContactPoint.street,
        ContactPoint.postcode,
        ContactPoint.city,
        ContactPoint.country,
    )
    .where(ContactPoint.customer_id == BindParameter("cid"))
    .order_by(ContactPoint.kind, ContactPoint.is_primary.desc(), ContactPoint.id)
)


def _contacts(session: Session, customer_id: int) -> tuple[ContactInfo, ...]:
    return tuple(
        ContactInfo(
            kind=kind,
            value=value,
            normalized=normalized,
            is_primary=bool(primary),
            source=source,
            street=street,
            postcode=postcode,
            city=city,
            country=country,
        )
        for kind, value, normalized, primary, source, street, postcode, city, country in _rows(
            session, _CONTACTS, cid=customer_id
        )
    )


_OTHER = aliased(Customer)
_HOUSEHOLD = (
    select(
        CustomerRelationship.kind,
        CustomerRelationship.related_customer_id,
        CustomerRelationship.since,
        _OTHER.id,
        _OTHER.kind,
        _OTHER.given_name,
        _OTHER.family_name,
        _OTHER.company_name,
    )
    .join(
        _OTHER,
        or_(
            and_(
                CustomerRelationship.customer_id == BindParameter("cid"),
                _OTHER.id == CustomerRelationship.related_customer_id,
            ),
            and_(
                CustomerRelationship.related_customer_id == BindParameter("cid"),
                _OTHER.id == CustomerRelationship.customer_id,
            ),
        ),
    )
    .where(
        or_(
            CustomerRelationship.customer_id == BindParameter("cid"),
            CustomerRelationship.related_customer_id == BindParameter("cid"),
        )
    )
    .order_by(CustomerRelationship.id)
    .limit(MAX_HOUSEHOLD * 2)
)


def _household(session: Session, customer_id: int) -> tuple[HouseholdMember, ...]:
    members: dict[int, HouseholdMember] = {}
    for rel_kind, related, since, oid, okind, given, family, company in _rows(
        session, _HOUSEHOLD, cid=customer_id
    ):
        if oid in members or oid == customer_id:
            continue
        members[oid] = HouseholdMember(
            customer_id=oid,
            name=_display(oid, okind, given, family, company),
            relation=rel_kind,
            inverse=related == customer_id,
            since=since,
        )
    return tuple(members.values())[:MAX_HOUSEHOLD]


_HOLDER = aliased(Customer)
_VEHICLES = (
    select(
        Ownership.role,
        Ownership.since,
        Vehicle.id,
        Vehicle.vin,
        Vehicle.make,
        Vehicle.model,
        Vehicle.model_year,
        Vehicle.trim,
        Vehicle.colour,
        Vehicle.plate,
        Vehicle.odometer_km,
        Vehicle.in_service_date,
        Vehicle.warranty_end,
        Vehicle.next_service_due,
        Vehicle.sold_by_dealer_id,
        _HOLDER.id,
        _HOLDER.kind,
        _HOLDER.given_name,
        _HOLDER.family_name,
        _HOLDER.company_name,
    )
    .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
    .join(_HOLDER, _HOLDER.id == Ownership.customer_id)
    .where(
        Ownership.customer_id.in_(_many("people")),
        Ownership.since <= BindParameter("today"),
        or_(Ownership.until.is_(None), Ownership.until >= BindParameter("today")),
    )
)
_OPTIONS = (
    select(VehicleOption.vehicle_id, VehicleOption.code)
    .where(VehicleOption.vehicle_id.in_(_many("ids")))
    .order_by(VehicleOption.vehicle_id, VehicleOption.code)
)
_RECALLS = (
    select(
        VehicleRecall.vehicle_id,
        RecallCampaign.code,
        RecallCampaign.title,
        RecallCampaign.make,
        RecallCampaign.remedy,
        RecallCampaign.remedy_minutes,
        RecallCampaign.published_on,
    )
    .join(RecallCampaign, RecallCampaign.id == VehicleRecall.campaign_id)
    .where(
        VehicleRecall.vehicle_id.in_(_many("ids")),
        VehicleRecall.status == RecallStatus.OPEN.value,
    )
    .order_by(RecallCampaign.published_on, RecallCampaign.code)
)
_LAST_SERVICE = (
    select(ServiceVisit.vehicle_id, func.max(ServiceVisit.opened_at))
    .where(
        ServiceVisit.vehicle_id.in_(_many("ids")),
        ServiceVisit.status == VisitStatus.CLOSED.value,
    )
    .group_by(ServiceVisit.vehicle_id)
)


def _vehicles(
    session: Session,
    customer_id: int,
    household: Sequence[HouseholdMember],
    today: dt.date,
) -> tuple[VehicleInfo, ...]:
    people = [customer_id, *(m.customer_id for m in household)]
    rows = _rows(session, _VEHICLES, people=people, today=today)
    if not rows:
        return ()
    by_vehicle: dict[int, Any] = {}
    holders: dict[int, list[VehicleHolder]] = defaultdict(list)
    for row in rows:
        role, since, vid = row[0], row[1], row[2]
        hid, hkind, given, family, company = row[15:20]
        by_vehicle[vid] = row
        holders[vid].append(
            VehicleHolder(
                customer_id=hid,
                name=_display(hid, hkind, given, family, company),
                role=role,
                since=since,
            )
        )
    ids = list(by_vehicle)

    options: dict[int, list[str]] = defaultdict(list)
    for vid, code in _rows(session, _OPTIONS, ids=ids):
        options[vid].append(code.upper())

    recalls: dict[int, list[OpenRecall]] = defaultdict(list)
    for vid, code, title, make, remedy, minutes, published in _rows(session, _RECALLS, ids=ids):
        recalls[vid].append(
            OpenRecall(
                campaign_code=code,
                title=title,
                make=make,
                remedy=remedy,
                remedy_minutes=minutes,
                published_on=published,
            )
        )

    last_service = {
        vid: _as_utc(at) for vid, at in _rows(session, _LAST_SERVICE, ids=ids) if at is not None
    }

    infos: list[VehicleInfo] = []
    for vid, row in by_vehicle.items():
        (
            _role,
            _since,
            _vid,
            vin,
            make,
            model,
            year,
            trim,
            colour,
            plate,
            odometer,
            in_service,
            warranty_end,
            next_due,
            sold_by,
        ) = row[:15]
        vh = sorted(
            holders[vid],
            key=lambda h: (h.customer_id != customer_id, _ROLE_ORDER.get(h.role, 2), h.name),
        )
        own_role = next((h.role for h in vh if h.customer_id == customer_id), None)
        infos.append(
            VehicleInfo(
                vehicle_id=vid,
                vin=vin,
                make=make,
                model=model,
                model_year=year,
                trim=trim,
                colour=colour,
                plate=plate,
                odometer_km=odometer,
                in_service_date=in_service,
                warranty_end=warranty_end,
                next_service_due=next_due,
                last_service_at=last_service.get(vid),
                sold_by_dealer_id=sold_by,
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


def _as_utc(value: dt.datetime | str) -> dt.datetime:
    # Aggregates bypass the column type, so SQLite hands back naive UTC (or text).
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class _VisitQueries:
    """The visit statements, built once for "all rooftops" and once for a dealer scope."""

    def __init__(self, scoped: bool) -> None:
        condition = ServiceVisit.customer_id == BindParameter("cid")
        if scoped:
            condition = and_(condition, ServiceVisit.dealer_id.in_(_many("scope")))
        self.count = select(func.count()).select_from(ServiceVisit).where(condition)
        self.current = _visit_select(and_(condition, ServiceVisit.status.in_(_OPEN_STATUSES)), 1)
        self.last = _visit_select(
            and_(condition, ServiceVisit.status == VisitStatus.CLOSED.value), LAST_VISITS
        )
        self.survey = (
            select(Survey.visit_id, Survey.score, Survey.comment, Survey.surveyed_on)
            .join(ServiceVisit, ServiceVisit.id == Survey.visit_id)
            .where(condition)
            .order_by(Survey.surveyed_on.desc(), Survey.id.desc())
            .limit(1)
        )


def _visit_select(condition: Any, limit: int) -> Any:
    return (
        select(
            ServiceVisit.id,
            ServiceVisit.ro_number,
            ServiceVisit.dealer_id,
            ServiceVisit.vehicle_id,
            ServiceVisit.status,
            ServiceVisit.wait_mode,
            ServiceVisit.opened_at,
            ServiceVisit.arrived_at,
            ServiceVisit.promised_at,
            ServiceVisit.closed_at,
            ServiceVisit.odometer_km,
            ServiceVisit.concerns,
            ServiceVisit.work_done,
            ServiceVisit.advisor_id,
            Vehicle.model_year,
            Vehicle.make,
            Vehicle.model,
            StaffMember.display_name,
        )
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .outerjoin(StaffMember, StaffMember.id == ServiceVisit.advisor_id)
        .where(condition)
        .order_by(ServiceVisit.opened_at.desc(), ServiceVisit.id.desc())
        .limit(limit)
    )


_VISITS = _VisitQueries(scoped=False)
_VISITS_SCOPED = _VisitQueries(scoped=True)


def _visits(session: Session, stmt: Any, params: dict[str, Any]) -> list[VisitInfo]:
    out = []
    for (
        vid,
        ro,
        dealer,
        vehicle,
        status,
        wait_mode,
        opened,
        arrived,
        promised,
        closed,
        odometer,
        concerns,
        work_done,
        advisor_id,
        year,
        make,
        model,
        advisor,
    ) in _rows(session, stmt, **params):
        out.append(
            VisitInfo(
                visit_id=vid,
                ro_number=ro,
                dealer_id=dealer,
                vehicle_id=vehicle,
                vehicle_label=f"{year} {make} {model}" if year else f"{make} {model}",
                status=status,
                wait_mode=wait_mode,
                opened_at=opened,
                arrived_at=arrived,
                promised_at=promised,
                closed_at=closed,
                odometer_km=odometer,
                concerns=concerns,
                work_done=work_done,
                advisor_id=advisor_id,
                advisor_name=advisor,
            )
        )
    return out


_DECLINED = (
    select(
        DeclinedWork.id,
        DeclinedWork.visit_id,
        DeclinedWork.vehicle_id,
        DeclinedWork.description,
        DeclinedWork.due_date,
        DeclinedWork.estimate_cents,
    )
    .where(
        DeclinedWork.vehicle_id.in_(_many("ids")),
        DeclinedWork.status == DeclinedStatus.OPEN.value,
    )
    .order_by(DeclinedWork.due_date, DeclinedWork.id)
)


def _declined(session: Session, vehicle_ids: list[int]) -> tuple[DeclinedItem, ...]:
    if not vehicle_ids:
        return ()
    items = [
        DeclinedItem(
            declined_id=did,
            visit_id=visit,
            vehicle_id=vehicle,
            description=description,
            due_date=due,
            estimate_cents=estimate,
        )
        for did, visit, vehicle, description, due, estimate in _rows(
            session, _DECLINED, ids=vehicle_ids
        )
    ]
    # Undated items sort last on PostgreSQL and first on SQLite; make it the same everywhere.
    items.sort(key=lambda d: (d.due_date is None, d.due_date or dt.date.min, d.declined_id))
    return tuple(items)


_PREFERENCES = (
    select(
        Preference.kind,
        Preference.value,
        Preference.recorded_at,
        Preference.recorded_by_id,
        Preference.source,
    )
    .where(Preference.customer_id == BindParameter("cid"))
    .order_by(Preference.recorded_at.desc(), Preference.id.desc())
    .limit(500)
)
_PREFERENCE_ORDER = {k.value: i for i, k in enumerate(PreferenceKind)}


def _preferences(
    session: Session, customer_id: int
) -> tuple[tuple[PreferenceInfo, ...], tuple[PreferenceInfo, ...]]:
    latest: dict[str, PreferenceInfo] = {}
    notes: list[PreferenceInfo] = []
    for kind, value, at, by, source in _rows(session, _PREFERENCES, cid=customer_id):
        info = PreferenceInfo(
            kind=kind, value=value, recorded_at=at, recorded_by_id=by, source=source
        )
        if kind == PreferenceKind.NOTE.value:
            if len(notes) < MAX_NOTES:
                notes.append(info)
        elif kind not in latest:
            latest[kind] = info
    ordered = sorted(latest.values(), key=lambda p: _PREFERENCE_ORDER.get(p.kind, 99))
    return tuple(ordered), tuple(notes)


def _last_survey(session: Session, stmt: Any, params: dict[str, Any]) -> SurveyInfo | None:
    rows = _rows(session, stmt, **params)
    if not rows:
        return None
    visit, score, comment, on = rows[0]
    return SurveyInfo(visit_id=visit, score=score, comment=comment, surveyed_on=on)


_LAST_CONTACT = (
    select(
        ContactLog.channel,
        ContactLog.direction,
        ContactLog.purpose,
        ContactLog.at,
        ContactLog.note,
        ContactLog.staff_id,
    )
    .where(ContactLog.customer_id == BindParameter("cid"))
    .order_by(ContactLog.at.desc(), ContactLog.id.desc())
    .limit(1)
)


def _last_contact(session: Session, customer_id: int) -> ContactLogInfo | None:
    rows = _rows(session, _LAST_CONTACT, cid=customer_id)
    if not rows:
        return None
    channel, direction, purpose, at, note, staff = rows[0]
    return ContactLogInfo(
        channel=channel, direction=direction, purpose=purpose, at=at, note=note, staff_id=staff
    )
