"""What a customer said about a visit, recorded by an advisor in Slack (score 0–10 + comment).

The modal names the visit by its repair-order number; the score is written by
``knowledge.surveys.record_survey`` (one score per visit; the same entry again changes
nothing; the survey tool's own answer is never replaced by staff).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import Dealer, ServiceVisit, StaffMember
from knowledge.surveys import record_survey

SOURCE = "slack"
MAX_RO = 32


def visit_by_ro(session: Session, staff: StaffMember, ro_number: str) -> tuple[ServiceVisit, str]:
    """The visit with this repair-order number (the staff member's rooftop first) and its
    rooftop's time zone."""
    ro = " ".join((ro_number or "").split()).upper()
    if not ro or len(ro) > MAX_RO:
        raise InvalidInput(f"{ro_number!r} is not a repair-order number (e.g. RO-HAM1-204518)")
    rows = session.execute(
        select(ServiceVisit, Dealer.timezone)
        .join(Dealer, Dealer.id == ServiceVisit.dealer_id)
        .where(ServiceVisit.ro_number == ro)
        .order_by(ServiceVisit.id)
    ).all()
    if not rows:
        raise InvalidInput(f"no repair order {ro}")
    visit, zone = next(((v, z) for v, z in rows if v.dealer_id == staff.dealer_id), rows[0])
    return visit, zone or "UTC"


def local_day(now: dt.datetime, zone: str) -> dt.date:
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def save_feedback(
    session: Session,
    staff: StaffMember,
    *,
    ro_number: str,
    score: int,
    comment: str | None,
    now: dt.datetime,
) -> str:
    """Save the score with the visit; returns one line saying what was saved."""
    visit, zone = visit_by_ro(session, staff, ro_number)
    result = record_survey(
        session,
        visit_id=visit.id,
        score=score,
        comment=comment,
        on=local_day(now, zone),
        source=SOURCE,
        staff_id=staff.id,
    )
    text = result.message
    return text[:1].upper() + text[1:] + "."
