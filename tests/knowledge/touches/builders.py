"""Customer profiles built in memory, so facts and touches are tested without a database.

Defaults describe an ordinary customer: one BMW of their own, no visit today, nothing
noted. Each test says only what differs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from knowledge.profile import (
    ContactLogInfo,
    CustomerProfile,
    DeclinedItem,
    HouseholdMember,
    OpenRecall,
    PreferenceInfo,
    SurveyInfo,
    VehicleHolder,
    VehicleInfo,
    VisitInfo,
)
from knowledge.touches.facts import (
    DealerContext,
    FactValue,
    StaffContext,
    TouchHistory,
    compute_facts,
)
from knowledge.touches.schema import Playbook, load_playbook

# Monday 23 November 2026, 11:00 in Hamburg.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
HAMBURG = DealerContext(timezone="Europe/Berlin", language="de")
CUSTOMER_ID = 100
SPOUSE_ID = 101

_PLAYBOOK: list[Playbook] = []


def playbook() -> Playbook:
    """The built-in playbook, loaded once per test session."""
    if not _PLAYBOOK:
        _PLAYBOOK.append(load_playbook())
    return _PLAYBOOK[0]


def recall(
    code: str = "0061",
    title: str = "Front passenger airbag inflator may rupture",
    minutes: int | None = 90,
) -> OpenRecall:
    return OpenRecall(
        code, title, "BMW", "Replace passenger airbag module", minutes, dt.date(2024, 3, 12)
    )


def vehicle(
    vehicle_id: int = 1,
    *,
    make: str = "BMW",
    model: str = "X5 xDrive40i",
    year: int = 2020,
    plate: str | None = "HH-AB 1234",
    owner_id: int = CUSTOMER_ID,
    owner_name: str = "Dana Okafor",
    since: dt.date = dt.date(2020, 3, 1),
    options: Sequence[str] = (),
    recalls: Sequence[OpenRecall] = (),
    next_service_due: dt.date | None = None,
    warranty_end: dt.date | None = None,
    sold_by_dealer_id: int | None = 1,
) -> VehicleInfo:
    own = owner_id == CUSTOMER_ID
    return VehicleInfo(
        vehicle_id=vehicle_id,
        vin=f"WBA00000000{vehicle_id:06d}",
        make=make,
        model=model,
        model_year=year,
        trim=None,
        colour=None,
        plate=plate,
        odometer_km=40_000,
        in_service_date=since,
        warranty_end=warranty_end,
        next_service_due=next_service_due,
        last_service_at=None,
        sold_by_dealer_id=sold_by_dealer_id,
        holders=(VehicleHolder(owner_id, owner_name, "owner", since),),
        own_role="owner" if own else None,
        options=tuple(o.upper() for o in options),
        open_recalls=tuple(recalls),
    )


def visit(
    visit_id: int = 500,
    *,
    vehicle_id: int = 1,
    status: str = "waiting",
    wait_mode: str | None = "waiting",
    arrived_minutes_ago: int = 10,
    promised_in_minutes: int | None = 120,
    closed_days_ago: int | None = None,
    advisor_id: int | None = 7,
    ro_number: str = "RO-HAM1-200500",
) -> VisitInfo:
    arrived = NOW - dt.timedelta(minutes=arrived_minutes_ago)
    return VisitInfo(
        visit_id=visit_id,
        ro_number=ro_number,
        dealer_id=1,
        vehicle_id=vehicle_id,
        vehicle_label="2020 BMW X5 xDrive40i",
        status=status,
        wait_mode=wait_mode,
        opened_at=arrived,
        arrived_at=arrived,
        promised_at=(
            NOW + dt.timedelta(minutes=promised_in_minutes)
            if promised_in_minutes is not None
            else None
        ),
        closed_at=NOW - dt.timedelta(days=closed_days_ago) if closed_days_ago is not None else None,
        odometer_km=40_000,
        concerns="Annual inspection due",
        work_done=None,
        advisor_id=advisor_id,
        advisor_name="Jonas Berg",
    )


def prefs(**values: str) -> tuple[PreferenceInfo, ...]:
    """Preferences by kind: prefs(drink="oat flat white", contact_channel="sms")."""
    return tuple(
        PreferenceInfo(kind, value, NOW - dt.timedelta(days=30), 7, "staff")
        for kind, value in values.items()
    )


def survey(score: int, comment: str | None = None, days_ago: int = 40) -> SurveyInfo:
    return SurveyInfo(400, score, comment, TODAY - dt.timedelta(days=days_ago))


def contact(days_ago: float, purpose: str = "service") -> ContactLogInfo:
    return ContactLogInfo("phone", "outbound", purpose, NOW - dt.timedelta(days=days_ago), None, 7)


def declined(
    due_in_days: int | None, vehicle_id: int = 1, cents: int | None = 29000
) -> DeclinedItem:
    due = TODAY + dt.timedelta(days=due_in_days) if due_in_days is not None else None
    return DeclinedItem(900, 400, vehicle_id, "Rear brake pads at 3 mm", due, cents)


SPOUSE = HouseholdMember(SPOUSE_ID, "Mark Okafor", "spouse", False, dt.date(2010, 5, 1))


def profile(**changes: Any) -> CustomerProfile:
    base = CustomerProfile(
        customer_id=CUSTOMER_ID,
        kind="person",
        given_name="Dana",
        family_name="Okafor",
        company_name=None,
        display_name="Dana Okafor",
        preferred_name=None,
        salutation="Ms.",
        pronunciation=None,
        language=None,
        birth_date=dt.date(1984, 5, 14),
        customer_since=dt.date(2019, 6, 1),
        home_dealer_id=1,
        marketing_consent=False,
        do_not_contact=False,
        contacts=(),
        household=(),
        vehicles=(vehicle(),),
        current_visit=None,
        visit_count=6,
        last_visits=(),
        declined_work=(),
        preferences=(),
        notes=(),
        last_survey=None,
        last_contact=None,
        as_of=NOW,
        dealer_ids=None,
    )
    return dataclasses.replace(base, **changes)


def with_visit(p: CustomerProfile, v: VisitInfo | None = None) -> CustomerProfile:
    return dataclasses.replace(p, current_visit=v or visit())


def facts_for(
    p: CustomerProfile,
    *,
    now: dt.datetime = NOW,
    staff: StaffContext | None = None,
    history: TouchHistory | None = None,
    dealer: DealerContext = HAMBURG,
) -> dict[str, FactValue]:
    return compute_facts(
        p,
        visit=p.current_visit,
        staff=staff,
        now=now,
        history=history or TouchHistory(),
        offers=playbook().offers,
        dealer=dealer,
    )


ADVISOR = StaffContext(7, "Jonas Berg", "advisor", 1)
CALL_CENTER = StaffContext(8, "Lea Sommer", "call_center", 1)


def closed_visit_profile(days_ago: int) -> CustomerProfile:
    """No visit today; the last one closed ``days_ago`` days ago, nobody called since."""
    last = visit(status="closed", closed_days_ago=days_ago, promised_in_minutes=None)
    return profile(last_visits=(last,))
