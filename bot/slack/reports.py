"""Touch adoption and satisfaction for Slack: ``/concierge report [period]`` and the trainer's
Home tab.

Trainers and admins see their dealer group; advisors (and call-center agents) see their own
figures only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.blocks.common import Block, context, esc, header
from bot.slack.blocks.home import Adoption, AdoptionRow, adoption_blocks
from knowledge.models import Dealer, DealerGroup, ServiceVisit, StaffMember, Survey, TouchSuggestion
from knowledge.models.enums import Role
from knowledge.reports.period import DateRange, parse_period

DEFAULT_PERIOD = "30d"
TRAINER_ROLES = frozenset({Role.TRAINER.value, Role.ADMIN.value})


def _scope(session: Session, staff: StaffMember) -> tuple[str, list[int] | None, int | None]:
    """(label, dealer ids or None for own figures, staff id for own figures)."""
    dealer = session.get(Dealer, staff.dealer_id)
    if staff.role in TRAINER_ROLES and dealer is not None:
        group = session.get(DealerGroup, dealer.group_id)
        ids = list(session.scalars(select(Dealer.id).where(Dealer.group_id == dealer.group_id)))
        return (group.name if group else dealer.name), ids, None
    return f"{staff.display_name} (your own figures)", None, staff.id


def _zone(session: Session, staff: StaffMember) -> str:
    dealer = session.get(Dealer, staff.dealer_id)
    return dealer.timezone if dealer and dealer.timezone else "UTC"


def adoption(session: Session, staff: StaffMember, period: DateRange) -> Adoption:
    label, dealer_ids, own = _scope(session, staff)
    window = period.in_zone(_zone(session, staff))
    query = select(
        TouchSuggestion.touch_id,
        TouchSuggestion.outcome,
        TouchSuggestion.outcome_reason,
        TouchSuggestion.visit_id,
    ).where(TouchSuggestion.shown_at >= window.start, TouchSuggestion.shown_at < window.end)
    if own is not None:
        query = query.where(TouchSuggestion.staff_id == own)
    elif dealer_ids is not None:
        query = query.join(StaffMember, StaffMember.id == TouchSuggestion.staff_id).where(
            StaffMember.dealer_id.in_(dealer_ids)
        )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    visits_done: set[int] = set()
    visits_seen: set[int] = set()
    for touch_id, outcome, reason, visit_id in session.execute(query):
        counts[touch_id]["suggested"] += 1
        if outcome:
            counts[touch_id][outcome] += 1
        if outcome == "skipped" and reason:
            reasons[touch_id][reason] += 1
        if visit_id is not None:
            visits_seen.add(visit_id)
            if outcome == "done":
                visits_done.add(visit_id)
    scores = (
        dict(
            session.execute(
                select(Survey.visit_id, Survey.score)
                .join(ServiceVisit, ServiceVisit.id == Survey.visit_id)
                .where(Survey.visit_id.in_(sorted(visits_seen)))
            ).all()
        )
        if visits_seen
        else {}
    )
    with_done = [s for v, s in scores.items() if v in visits_done]
    without = [s for v, s in scores.items() if v not in visits_done]
    rows = tuple(
        sorted(
            (
                AdoptionRow(
                    title=touch_id.replace("_", " "),
                    suggested=c["suggested"],
                    done=c["done"],
                    skipped=c["skipped"],
                    not_applicable=c["not_applicable"],
                    top_skip_reasons=tuple(r for r, _ in reasons[touch_id].most_common(3)),
                )
                for touch_id, c in counts.items()
            ),
            key=lambda r: (-r.suggested, r.title),
        )
    )
    return Adoption(
        scope=label,
        period=f"{period.label} ({period.first.isoformat()} – {period.last.isoformat()})",
        suggested=sum(r.suggested for r in rows),
        done=sum(r.done for r in rows),
        skipped=sum(r.skipped for r in rows),
        not_applicable=sum(r.not_applicable for r in rows),
        rows=rows,
        score_with=sum(with_done) / len(with_done) if with_done else None,
        visits_with=len(with_done),
        score_without=sum(without) / len(without) if without else None,
        visits_without=len(without),
    )


def week_adoption(session: Session, staff: StaffMember, *, now: dt.datetime) -> Adoption:
    return adoption(session, staff, parse_period("this-week", today=now.date()))


def report_blocks(
    session: Session, staff: StaffMember, *, period: str | None, now: dt.datetime
) -> tuple[str, list[Any]]:
    """``/concierge report [period]``: the figures as blocks (raises InvalidInput on a bad
    period)."""
    chosen = parse_period(period or DEFAULT_PERIOD, today=now.date())
    figures = adoption(session, staff, chosen)
    blocks: list[Block] = [
        header("Touch report"),
        *adoption_blocks(figures),
        context(
            "Per touch, per advisor, per week and as HTML: "
            f"`concierge report --since {esc(period or DEFAULT_PERIOD)} --format html`"
        ),
    ]
    text = f"Touch report — {figures.scope}, {figures.period}"
    return text, blocks
