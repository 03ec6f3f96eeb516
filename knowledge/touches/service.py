"""Touches for one customer, end to end: profile → facts → ranking → memory.

This is what the CLI, the chat and Slack call. The caller owns the session; with
``record`` the suggestions shown are written to the touches' memory in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import Dealer, ServiceVisit, StaffMember, Vehicle
from knowledge.normalize import fold
from knowledge.profile import CustomerProfile, VisitInfo, load_profile
from knowledge.touches.engine import DEFAULT_TOUCH_LIMIT, Held, rank_touches
from knowledge.touches.facts import (
    COUNTRY_LANGUAGE,
    DealerContext,
    FactValue,
    StaffContext,
    compute_facts,
)
from knowledge.touches.memory import load_history, occasion_key, record_shown
from knowledge.touches.schema import AUDIENCES, CATEGORIES, Playbook

MAX_LIMIT = 10


@dataclass(frozen=True)
class ShownTouch:
    rank: int
    id: str
    title: str
    category: str
    instruction: str
    reason: str
    priority: int
    needs_consent: bool
    # What an outcome refers to; None when the suggestion was not recorded.
    suggestion_id: int | None

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestion_id": self.suggestion_id,
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "category_label": CATEGORIES[self.category],
            "instruction": self.instruction,
            "reason": self.reason,
            "priority": self.priority,
            "needs_consent": self.needs_consent,
        }


@dataclass(frozen=True)
class TouchResult:
    customer_id: int
    customer_name: str
    visit_id: int | None
    ro_number: str | None
    occasion: str
    staff_id: int | None
    audience: str | None
    playbook_version: str
    playbook_label: str | None
    touches: tuple[ShownTouch, ...]
    held: tuple[Held, ...]
    facts: dict[str, FactValue]

    def to_dict(self, *, with_facts: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "visit": {"id": self.visit_id, "ro_number": self.ro_number} if self.visit_id else None,
            "staff_id": self.staff_id,
            "audience": self.audience,
            "playbook_version": self.playbook_version,
            "playbook_label": self.playbook_label,
            "touches": [t.to_dict() for t in self.touches],
            "held_back": [{"id": h.touch_id, "why": h.why} for h in self.held],
        }
        if with_facts:
            out["facts"] = {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.facts.items()
            }
        return out


def resolve_staff(session: Session, ref: str) -> StaffContext:
    """A staff member by id, Slack user id or display name — exactly one, or a clear error."""
    text = (ref or "").strip()
    if not text:
        raise InvalidInput("name the staff member: an id, a Slack user id or a display name")
    query = select(StaffMember)
    if text.isdigit():
        query = query.where(StaffMember.id == int(text))
    else:
        query = query.where(
            or_(
                StaffMember.slack_user_id == text.upper(),
                func.lower(StaffMember.display_name) == text.lower(),
            )
        )
    found = list(session.scalars(query.limit(5)))
    if not found and not text.isdigit():
        # Display names with accents: compare folded forms among active staff.
        wanted = fold(text)
        found = [
            s
            for s in session.scalars(select(StaffMember).where(StaffMember.active.is_(True)))
            if fold(s.display_name) == wanted
        ]
    if not found:
        raise InvalidInput(f"no staff member {text!r} (give an id, Slack user id or display name)")
    if len(found) > 1:
        listed = ", ".join(f"#{s.id} {s.display_name} ({s.slack_user_id})" for s in found[:5])
        raise InvalidInput(f"{text!r} names several staff members: {listed} — use the id")
    staff = found[0]
    return StaffContext(staff.id, staff.display_name, staff.role, staff.dealer_id)


def resolve_visit(session: Session, profile: CustomerProfile, ro: str) -> VisitInfo:
    """The customer's visit with repair-order number ``ro`` ('RO-HAM1-204518' or '204518')."""
    wanted = (ro or "").strip().upper()
    if not wanted or len(wanted) > 32:
        raise InvalidInput(f"{ro!r} is not a repair-order number")
    known = (profile.current_visit, *profile.last_visits)
    for info in known:
        if info is not None and info.ro_number.upper() == wanted:
            return info
    suffix = "-" + wanted.replace("%", "").replace("_", "")
    row = session.execute(
        select(ServiceVisit, Vehicle)
        .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
        .where(
            ServiceVisit.customer_id == profile.customer_id,
            or_(ServiceVisit.ro_number == wanted, ServiceVisit.ro_number.like(f"%{suffix}")),
        )
        .order_by(ServiceVisit.opened_at.desc())
        .limit(2)
    ).all()
    if len(row) > 1 and row[0][0].ro_number != wanted:
        listed = ", ".join(v.ro_number for v, _ in row)
        raise InvalidInput(f"repair order {ro!r} is ambiguous for this customer: {listed}")
    if not row:
        other = session.scalar(
            select(ServiceVisit.customer_id).where(ServiceVisit.ro_number == wanted)
        )
        if other is not None:
            raise InvalidInput(f"repair order {wanted} belongs to another customer (#{other})")
        raise InvalidInput(f"no repair order {ro!r} for {profile.display_name}")
    visit, vehicle = row[0]
    return VisitInfo(
        visit_id=visit.id,
        ro_number=visit.ro_number,
        dealer_id=visit.dealer_id,
        vehicle_id=visit.vehicle_id,
        vehicle_label=vehicle.label,
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
        advisor_name=None,
    )


_DEALER = select(Dealer.timezone, Dealer.country).where(Dealer.id == bindparam("id"))


def dealer_context(session: Session, dealer_id: int | None) -> DealerContext:
    row = (
        session.connection().execute(_DEALER, {"id": dealer_id}).first()
        if dealer_id is not None
        else None
    )
    if row is None:
        return DealerContext()
    timezone, country = row
    return DealerContext(
        timezone=timezone or "UTC", language=COUNTRY_LANGUAGE.get((country or "").upper())
    )


def suggest_touches(
    session: Session,
    playbook: Playbook,
    customer_id: int,
    *,
    now: dt.datetime,
    actor: str,
    staff: StaffContext | None = None,
    visit_ro: str | None = None,
    limit: int | None = None,
    record: bool = True,
    dealer_ids: Collection[int] | None = None,
    profile: CustomerProfile | None = None,
) -> TouchResult:
    """The touches to do now for ``customer_id``, recorded as shown when ``record``.

    Pass ``profile`` when the caller has loaded it already (the customer card does), so
    nothing is read twice.
    """
    if now.tzinfo is None:
        raise InvalidInput("suggest_touches needs a time-zone-aware 'now'")
    limit = DEFAULT_TOUCH_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"the touch limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if profile is None:
        profile = load_profile(session, customer_id, now=now, dealer_ids=dealer_ids)
    elif profile.customer_id != customer_id:
        raise InvalidInput(
            f"the profile given is of customer #{profile.customer_id}, not #{customer_id}"
        )
    visit = resolve_visit(session, profile, visit_ro) if visit_ro else profile.current_visit
    dealer_id = visit.dealer_id if visit else staff.dealer_id if staff else profile.home_dealer_id
    dealer = dealer_context(session, dealer_id)
    local_day = now.astimezone(dealer.zone).date()
    occasion = occasion_key(visit.visit_id if visit else None, local_day)
    history = load_history(
        session,
        customer_id,
        occasion=occasion,
        now=now,
        horizon_days=playbook.max_cooldown_days,
    )
    facts = compute_facts(
        profile,
        visit=visit,
        staff=staff,
        now=now,
        history=history,
        offers=playbook.offers,
        dealer=dealer,
    )
    audience = staff.role if staff and staff.role in AUDIENCES else None
    ranking = rank_touches(playbook, facts, history, now=now, limit=limit, audience=audience)
    ids: dict[str, int] = {}
    if record and ranking.suggestions:
        shown = record_shown(
            session,
            ranking.suggestions,
            playbook=playbook,
            customer_id=customer_id,
            visit_id=visit.visit_id if visit else None,
            occasion=occasion,
            staff_id=staff.staff_id if staff else None,
            actor=actor,
            now=now,
        )
        ids = {s.suggestion.touch.id: s.suggestion_id for s in shown}
    return TouchResult(
        customer_id=customer_id,
        customer_name=profile.display_name,
        visit_id=visit.visit_id if visit else None,
        ro_number=visit.ro_number if visit else None,
        occasion=occasion,
        staff_id=staff.staff_id if staff else None,
        audience=audience,
        playbook_version=playbook.version,
        playbook_label=playbook.label,
        touches=tuple(
            ShownTouch(
                rank=s.rank,
                id=s.touch.id,
                title=s.touch.title,
                category=s.touch.category,
                instruction=s.instruction,
                reason=s.reason,
                priority=s.touch.priority,
                needs_consent=s.touch.needs_consent,
                suggestion_id=ids.get(s.touch.id),
            )
            for s in ranking.suggestions
        ),
        held=ranking.held,
        facts=facts,
    )
