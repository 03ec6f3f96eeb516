"""Trainers review suggestions: a visit's suggestions with the facts behind each, and a
rating per suggestion (good / not appropriate, with a comment) that the report counts per
touch.

Reviews are for trainers and admins, within their dealer group (the operator at the
command line sees every group). Opening a visit's suggestions shows customer data, so it
is audited like a lookup.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from knowledge.access import Viewer
from knowledge.audit import record_lookup
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import (
    Customer,
    Dealer,
    Rating,
    ServiceVisit,
    StaffMember,
    SuggestionRating,
    Survey,
    TouchSuggestion,
    Vehicle,
)
from knowledge.normalize import clean_text
from knowledge.reports.scope import may_review
from knowledge.touches.schema import Playbook, describe_conditions

RATINGS = tuple(r.value for r in Rating)
MAX_COMMENT = 1000


def condition_facts(conditions: Mapping[str, Any]) -> set[str]:
    """The facts a touch's conditions test (``all`` / ``any`` / ``not`` looked into)."""
    found: set[str] = set()
    for key, value in conditions.items():
        if key in ("all", "any") and isinstance(value, list):
            for block in value:
                if isinstance(block, Mapping):
                    found |= condition_facts(block)
        elif key == "not" and isinstance(value, Mapping):
            found |= condition_facts(value)
        else:
            found.add(key)
    return found


@dataclass(frozen=True)
class FactShown:
    name: str
    value: Any
    # True for a fact the touch's conditions test; False for one only its wording uses.
    tested: bool


@dataclass(frozen=True)
class RatingShown:
    staff_id: int
    by: str
    rating: str
    comment: str | None
    at: dt.datetime


@dataclass(frozen=True)
class SuggestionShown:
    suggestion_id: int
    touch_id: str
    title: str
    category: str
    rank: int
    shown_at: dt.datetime
    shown_count: int
    shown_to: str | None
    playbook_version: str
    playbook_label: str | None
    instruction: str
    reason: str
    outcome: str | None
    outcome_reason: str | None
    outcome_at: dt.datetime | None
    outcome_by: str | None
    facts: tuple[FactShown, ...]
    # The touch's conditions, and whether they are the ones it was suggested under.
    conditions: str | None
    conditions_note: str | None
    ratings: tuple[RatingShown, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestion_id": self.suggestion_id,
            "touch_id": self.touch_id,
            "title": self.title,
            "category": self.category,
            "rank": self.rank,
            "shown_at": self.shown_at.isoformat(),
            "shown_count": self.shown_count,
            "shown_to": self.shown_to,
            "playbook_version": self.playbook_version,
            "playbook_label": self.playbook_label,
            "instruction": self.instruction,
            "reason": self.reason,
            "outcome": self.outcome,
            "outcome_reason": self.outcome_reason,
            "outcome_at": self.outcome_at.isoformat() if self.outcome_at else None,
            "outcome_by": self.outcome_by,
            "facts": [{"name": f.name, "value": f.value, "tested": f.tested} for f in self.facts],
            "conditions": self.conditions,
            "conditions_note": self.conditions_note,
            "ratings": [
                {
                    "staff_id": r.staff_id,
                    "by": r.by,
                    "rating": r.rating,
                    "comment": r.comment,
                    "at": r.at.isoformat(),
                }
                for r in self.ratings
            ],
        }


@dataclass(frozen=True)
class VisitReview:
    visit_id: int
    ro_number: str
    dealer_code: str
    customer_id: int
    customer_name: str
    vehicle: str
    opened_at: dt.datetime
    status: str
    advisor: str | None
    survey_score: int | None
    survey_comment: str | None
    suggestions: tuple[SuggestionShown, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "visit_id": self.visit_id,
            "ro_number": self.ro_number,
            "dealer": self.dealer_code,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "vehicle": self.vehicle,
            "opened_at": self.opened_at.isoformat(),
            "status": self.status,
            "advisor": self.advisor,
            "survey": (
                {"score": self.survey_score, "comment": self.survey_comment}
                if self.survey_score is not None
                else None
            ),
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


def _require_reviewer(viewer: Viewer) -> None:
    if not may_review(viewer):
        raise AccessDenied("reviews are for trainers and admins")


def _group_of_viewer(session: Session, viewer: Viewer) -> int | None:
    if viewer.staff_id is None:
        return None  # the operator: every group
    staff = session.get(StaffMember, viewer.staff_id)
    if staff is None or not staff.active:
        raise AccessDenied(f"{viewer.actor} is not an active staff member")
    group = session.scalar(select(Dealer.group_id).where(Dealer.id == staff.dealer_id))
    if group is None:
        raise AccessDenied(f"{viewer.actor} belongs to no dealer group")
    return group


def _find_visit(
    session: Session, ro_number: str, dealer_code: str | None, group_id: int | None
) -> tuple[ServiceVisit, Dealer]:
    wanted = (ro_number or "").strip().upper()
    if not wanted or len(wanted) > 32:
        raise InvalidInput(f"{ro_number!r} is not a repair-order number")
    suffix = "-" + wanted.replace("%", "").replace("_", "")
    query = (
        select(ServiceVisit, Dealer)
        .join(Dealer, Dealer.id == ServiceVisit.dealer_id)
        .where(or_(ServiceVisit.ro_number == wanted, ServiceVisit.ro_number.like(f"%{suffix}")))
        .order_by(ServiceVisit.ro_number != wanted, Dealer.code)
        .limit(20)
    )
    if dealer_code:
        query = query.where(Dealer.code == dealer_code.strip().upper())
    rows = session.execute(query).all()
    exact = [(v, d) for v, d in rows if v.ro_number == wanted]
    found = exact or rows
    if not found:
        at = f" at {dealer_code.strip().upper()}" if dealer_code else ""
        raise InvalidInput(f"no repair order {wanted}{at}")
    mine = [(v, d) for v, d in found if group_id is None or d.group_id == group_id]
    if not mine:
        raise AccessDenied(f"repair order {wanted} is a visit of another dealer group")
    if len(mine) > 1:
        listed = ", ".join(f"{v.ro_number} at {d.code}" for v, d in mine[:5])
        raise InvalidInput(f"{wanted!r} names several visits ({listed}): give the dealer")
    visit, dealer = mine[0]
    return visit, dealer


def _json_value(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def visit_suggestions(
    session: Session,
    viewer: Viewer,
    ro_number: str,
    *,
    dealer_code: str | None = None,
    playbook: Playbook | None = None,
) -> VisitReview:
    """A visit's suggestions, oldest first, each with the facts it was suggested on, what
    became of it and the trainers' ratings. Audited."""
    _require_reviewer(viewer)
    group_id = _group_of_viewer(session, viewer)
    visit, dealer = _find_visit(session, ro_number, dealer_code, group_id)
    customer = session.get(Customer, visit.customer_id)
    vehicle = session.get(Vehicle, visit.vehicle_id)
    advisor = session.get(StaffMember, visit.advisor_id) if visit.advisor_id else None
    survey = session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    rows = list(
        session.scalars(
            select(TouchSuggestion)
            .where(TouchSuggestion.visit_id == visit.id)
            .order_by(TouchSuggestion.shown_at, TouchSuggestion.rank, TouchSuggestion.id)
        )
    )
    names = _staff_names(
        session,
        {s.staff_id for s in rows} | {s.outcome_staff_id for s in rows},
    )
    ratings: dict[int, list[RatingShown]] = {}
    if rows:
        for rating, name in session.execute(
            select(SuggestionRating, StaffMember.display_name)
            .join(StaffMember, StaffMember.id == SuggestionRating.staff_id)
            .where(SuggestionRating.suggestion_id.in_([s.id for s in rows]))
            .order_by(SuggestionRating.rated_at, SuggestionRating.id)
        ):
            ratings.setdefault(rating.suggestion_id, []).append(
                RatingShown(rating.staff_id, name, rating.rating, rating.comment, rating.rated_at)
            )
    shown = tuple(_shown(s, playbook, names, ratings.get(s.id, [])) for s in rows)
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=visit.customer_id,
        channel=viewer.channel,
        how="ro",
        action="review",
        detail={"ro_number": visit.ro_number, "suggestions": len(shown)},
    )
    return VisitReview(
        visit_id=visit.id,
        ro_number=visit.ro_number,
        dealer_code=dealer.code,
        customer_id=visit.customer_id,
        customer_name=customer.display_name if customer else "(customer removed)",
        vehicle=vehicle.label if vehicle else "",
        opened_at=visit.opened_at,
        status=visit.status,
        advisor=advisor.display_name if advisor else None,
        survey_score=survey.score if survey else None,
        survey_comment=survey.comment if survey else None,
        suggestions=shown,
    )


def _staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(StaffMember.id, StaffMember.display_name).where(StaffMember.id.in_(wanted))
        ).all()
    )


def _shown(
    row: TouchSuggestion,
    playbook: Playbook | None,
    names: dict[int, str],
    ratings: list[RatingShown],
) -> SuggestionShown:
    touch = playbook.touch(row.touch_id) if playbook else None
    tested = condition_facts(touch.conditions) if touch else set()
    conditions = describe_conditions(touch.conditions) if touch else None
    note = None
    if playbook is not None and touch is None:
        note = f"'{row.touch_id}' is no longer in the playbook ({playbook.display_version})"
    elif playbook is not None and playbook.version != row.playbook_version:
        made = (
            f"{row.playbook_label} ({row.playbook_version})"
            if row.playbook_label
            else row.playbook_version
        )
        note = (
            f"conditions of the current playbook {playbook.display_version}; this suggestion "
            f"was made under {made}"
        )
    # The facts its conditions test first, then those only its wording uses.
    ordered = sorted((row.facts or {}).items(), key=lambda kv: (kv[0] not in tested, kv[0]))
    facts = tuple(FactShown(name, _json_value(value), name in tested) for name, value in ordered)
    return SuggestionShown(
        suggestion_id=row.id,
        touch_id=row.touch_id,
        title=touch.title if touch else row.touch_id,
        category=row.category,
        rank=row.rank,
        shown_at=row.shown_at,
        shown_count=row.shown_count,
        shown_to=names.get(row.staff_id) if row.staff_id else None,
        playbook_version=row.playbook_version,
        playbook_label=row.playbook_label,
        instruction=row.instruction,
        reason=row.reason,
        outcome=row.outcome,
        outcome_reason=row.outcome_reason,
        outcome_at=row.outcome_at,
        outcome_by=names.get(row.outcome_staff_id) if row.outcome_staff_id else None,
        facts=facts,
        conditions=conditions,
        conditions_note=note,
        ratings=tuple(ratings),
    )


@dataclass(frozen=True)
class RatingResult:
    suggestion_id: int
    touch_id: str
    rating: str
    comment: str | None
    # "created", "updated" or "unchanged"
    change: str
    previous: str | None = None

    @property
    def message(self) -> str:
        said = self.rating.replace("_", " ")
        why = f" ({self.comment})" if self.comment else ""
        if self.change == "unchanged":
            return f"suggestion #{self.suggestion_id} ('{self.touch_id}') was already rated {said}"
        was = f", was {self.previous.replace('_', ' ')}" if self.previous else ""
        return f"suggestion #{self.suggestion_id} ('{self.touch_id}') rated {said}{why}{was}"


def parse_rating(value: str) -> str:
    wanted = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if wanted not in RATINGS:
        raise InvalidInput(f"unknown rating {value!r}: use good or not_appropriate")
    return wanted


def rate_suggestion(
    session: Session,
    viewer: Viewer,
    suggestion_id: int,
    rating: str,
    *,
    comment: str | None = None,
    now: dt.datetime,
) -> RatingResult:
    """A trainer's rating of one suggestion; rating it again replaces their rating, the same
    rating again changes nothing. "not appropriate" needs a comment saying why."""
    if now.tzinfo is None:
        raise InvalidInput("rate_suggestion needs a time-zone-aware 'now'")
    _require_reviewer(viewer)
    if viewer.staff_id is None:
        raise InvalidInput("a rating is a trainer's: say who rates (--as a trainer or admin)")
    group_id = _group_of_viewer(session, viewer)
    verdict = parse_rating(rating)
    text = clean_text(comment)[:MAX_COMMENT] if comment else None
    if verdict == Rating.NOT_APPROPRIATE.value and not text:
        raise InvalidInput("say why it was not appropriate (--comment …)")
    row = session.get(TouchSuggestion, suggestion_id)
    if row is None:
        raise InvalidInput(f"no suggestion #{suggestion_id}")
    if group_id is not None and _suggestion_group(session, row) not in (group_id, None):
        raise AccessDenied(f"suggestion #{suggestion_id} belongs to another dealer group")
    existing = session.scalar(
        select(SuggestionRating).where(
            SuggestionRating.suggestion_id == row.id,
            SuggestionRating.staff_id == viewer.staff_id,
        )
    )
    if existing is None:
        session.add(
            SuggestionRating(
                suggestion_id=row.id,
                staff_id=viewer.staff_id,
                rating=verdict,
                comment=text,
                rated_at=now,
            )
        )
        session.flush()
        return RatingResult(row.id, row.touch_id, verdict, text, "created")
    if (existing.rating, existing.comment) == (verdict, text):
        return RatingResult(row.id, row.touch_id, verdict, text, "unchanged", existing.rating)
    previous = existing.rating
    existing.rating, existing.comment, existing.rated_at = verdict, text, now
    session.flush()
    return RatingResult(row.id, row.touch_id, verdict, text, "updated", previous)


def _suggestion_group(session: Session, row: TouchSuggestion) -> int | None:
    """The dealer group a suggestion belongs to: its staff member's, else its visit's."""
    if row.staff_id is not None:
        return session.scalar(
            select(Dealer.group_id)
            .join(StaffMember, StaffMember.dealer_id == Dealer.id)
            .where(StaffMember.id == row.staff_id)
        )
    if row.visit_id is not None:
        return session.scalar(
            select(Dealer.group_id)
            .join(ServiceVisit, ServiceVisit.dealer_id == Dealer.id)
            .where(ServiceVisit.id == row.visit_id)
        )
    return None
