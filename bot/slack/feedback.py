"""What a customer said about a visit, recorded by an advisor in Slack (score 0–10 + comment).

Linked to the visit by its repair-order number; one score per visit (a second entry
replaces the first, and the same entry again changes nothing).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import ServiceVisit, StaffMember, Survey
from knowledge.normalize import clean_text

SOURCE = "slack"
MAX_COMMENT = 1000


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
    ro = (ro_number or "").strip().upper()
    if not ro or len(ro) > 32:
        raise InvalidInput(f"{ro_number!r} is not a repair-order number")
    if not 0 <= score <= 10:
        raise InvalidInput(f"a score is 0–10, got {score}")
    visits = list(
        session.scalars(
            select(ServiceVisit)
            .where(ServiceVisit.ro_number == ro)
            .order_by(ServiceVisit.dealer_id == staff.dealer_id, ServiceVisit.id)
        )
    )
    if not visits:
        raise InvalidInput(f"no repair order {ro}")
    visit = next((v for v in visits if v.dealer_id == staff.dealer_id), visits[0])
    text = clean_text(comment)[:MAX_COMMENT] if comment else None
    survey = session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    if survey is None:
        session.add(
            Survey(
                visit_id=visit.id,
                score=score,
                comment=text,
                surveyed_on=now.date(),
                source=SOURCE,
            )
        )
    else:
        survey.score, survey.comment, survey.source = score, text, SOURCE
    session.flush()
    return f"Saved {score}/10 for {visit.ro_number}" + (f": “{text}”" if text else "") + "."
