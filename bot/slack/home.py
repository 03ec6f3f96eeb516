"""The App Home tab's data: who is waiting at the advisor's dealer now, and the trainer's week.

Advisors and call-center agents see the customers on site at their rooftop (open visits of
customers who wait), longest waiting first, each with the touches to do now (recorded as
shown, so the buttons work); every customer shown is audited. Trainers see this week's
touch adoption; admins see both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from actions.cards import touch_list
from bot.slack.blocks.home import (
    WaitingCustomer,
    build_advisor_home,
    build_refused_home,
    build_trainer_home,
    combine_homes,
)
from bot.slack.deps import SlackDeps
from bot.slack.reports import week_report
from bot.slack.service import actor_of, identify, refusal_text
from knowledge.audit import record_lookup
from knowledge.models import (
    Customer,
    Dealer,
    Ownership,
    ServiceVisit,
    StaffMember,
    Vehicle,
    VehicleRecall,
)
from knowledge.models.enums import OPEN_VISIT_STATUSES, Role, WaitMode
from knowledge.touches import StaffContext, suggest_touches

WAITING_SHOWN = 8
HOME_CHANNEL = "slack:app_home"


def _greeting(c: Customer) -> str:
    if c.preferred_name:
        return c.preferred_name
    if c.salutation and c.family_name:
        return f"{c.salutation} {c.family_name}"
    return c.display_name


def waiting_customers(
    deps: SlackDeps, session: Session, staff: StaffMember, *, now: dt.datetime
) -> tuple[list[WaitingCustomer], int]:
    """The customers waiting on site at ``staff``'s dealer (audited), and how many more."""
    advisor = aliased(StaffMember)
    rows = session.execute(
        select(ServiceVisit, Customer, Vehicle, advisor.display_name)
        .join(Customer, Customer.id == ServiceVisit.customer_id)
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .outerjoin(advisor, advisor.id == ServiceVisit.advisor_id)
        .where(
            ServiceVisit.dealer_id == staff.dealer_id,
            ServiceVisit.status.in_([s.value for s in OPEN_VISIT_STATUSES]),
            ServiceVisit.wait_mode == WaitMode.WAITING.value,
            ServiceVisit.closed_at.is_(None),
            ServiceVisit.arrived_at.is_not(None),
            ServiceVisit.arrived_at <= now,
        )
        .order_by(ServiceVisit.arrived_at, ServiceVisit.id)
        .limit(WAITING_SHOWN + 50)
    ).all()
    # One customer can have two open visits (two cars): show them once, earliest first.
    seen: set[int] = set()
    unique = []
    for row in rows:
        if row[1].id not in seen:
            seen.add(row[1].id)
            unique.append(row)
    shown, more = unique[:WAITING_SHOWN], max(len(unique) - WAITING_SHOWN, 0)
    recalls = _open_recalls(session, [c.id for _, c, _, _ in shown])
    context = StaffContext(staff.id, staff.display_name, staff.role, staff.dealer_id)
    actor = actor_of(staff.slack_team_id, staff.slack_user_id)
    out = []
    for visit, customer, vehicle, advisor_name in shown:
        touches = suggest_touches(
            session,
            deps.playbook.current,
            customer.id,
            now=now,
            actor=actor,
            staff=context,
            limit=deps.settings.touch_limit,
            record=True,
        )
        record_lookup(
            session,
            actor=actor,
            staff_id=staff.id,
            customer_id=customer.id,
            channel=HOME_CHANNEL,
            how="app_home",
            detail={"ro_number": visit.ro_number, "shown": "waiting list"},
            action="lookup",
        )
        arrived = visit.arrived_at
        out.append(
            WaitingCustomer(
                customer_id=customer.id,
                name=customer.display_name,
                greeting=_greeting(customer),
                vehicle=vehicle.label,
                ro_number=visit.ro_number,
                status=visit.status,
                waiting_minutes=int((now - arrived).total_seconds() // 60) if arrived else None,
                promised_at=visit.promised_at,
                advisor=advisor_name,
                mine=visit.advisor_id == staff.id,
                open_recalls=recalls.get(customer.id, 0),
                touches=touch_list(touches),
            )
        )
    return out, more


def _open_recalls(session: Session, customer_ids: list[int]) -> dict[int, int]:
    if not customer_ids:
        return {}
    counts: dict[int, int] = {}
    for customer_id, _ in session.execute(
        select(Ownership.customer_id, VehicleRecall.id)
        .join(VehicleRecall, VehicleRecall.vehicle_id == Ownership.vehicle_id)
        .where(
            Ownership.customer_id.in_(customer_ids),
            Ownership.until.is_(None),
            VehicleRecall.status == "open",
        )
    ):
        counts[customer_id] = counts.get(customer_id, 0) + 1
    return counts


def home_view(deps: SlackDeps, session: Session, *, team_id: str, user_id: str) -> dict[str, Any]:
    """The Home tab of this Slack user, as a ``views.publish`` view."""
    now = deps.now()
    staff = identify(session, team_id=team_id, user_id=user_id, where=HOME_CHANNEL, how="app_home")
    if staff is None:
        return build_refused_home(refusal_text(team_id, user_id))
    views = []
    if staff.role in (Role.ADVISOR.value, Role.CALL_CENTER.value, Role.ADMIN.value):
        dealer = session.get(Dealer, staff.dealer_id)
        waiting, more = waiting_customers(deps, session, staff, now=now)
        views.append(
            build_advisor_home(
                staff_name=staff.display_name,
                dealer_name=dealer.name if dealer else "your dealer",
                waiting=waiting,
                now=now,
                more=more,
            )
        )
    if staff.role in (Role.TRAINER.value, Role.ADMIN.value):
        report = week_report(session, staff, now=now, playbook=deps.playbook.current)
        views.append(build_trainer_home(staff_name=staff.display_name, report=report, now=now))
    return combine_homes(*views) if len(views) > 1 else views[0]


def publish_home(deps: SlackDeps, client: Any, *, team_id: str, user_id: str) -> None:
    with deps.transaction() as session:
        view = home_view(deps, session, team_id=team_id, user_id=user_id)
    client.views_publish(user_id=user_id, view=view)
