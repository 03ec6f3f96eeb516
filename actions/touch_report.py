"""``touch_report``: the asking staff member's touch adoption — this week unless a period is
named. Shown, done, skipped (with the reasons given), not applicable, still open; per touch.

Trainers and admins may name a colleague ("how is anna doing with touches"). Computed from
the touches' memory in two grouped queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import case, func, select

from actions.results import Result, TouchReport, TouchReportRow
from actions.turn import Turn
from knowledge.errors import AccessDenied
from knowledge.models import Dealer, StaffMember, TouchSuggestion
from knowledge.reports.period import DateRange, parse_period, zone_named
from knowledge.touches.service import resolve_staff

INTENT = "touch_report"
TOP_REASONS = 5
# The NLU's period values, as the report periods spell them.
_PERIODS = {
    "today": "today",
    "yesterday": "yesterday",
    "this_week": "this-week",
    "last_week": "last-week",
    "this_month": "this-month",
    "last_month": "last-month",
    "last_30_days": "30d",
    "year_to_date": "this-year",
}
_REVIEWERS = frozenset({"trainer", "admin"})


def period_of(value: str | None, today: dt.date) -> DateRange:
    key = (value or "this_week").strip().lower().replace(" ", "_").replace("-", "_")
    if key in ("this_quarter", "last_quarter"):
        start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if key == "this_quarter":
            return DateRange(start, today, "this quarter")
        end = start - dt.timedelta(days=1)
        return DateRange(dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end, "last quarter")
    return parse_period(_PERIODS.get(key, key.replace("_", "-")), today=today)


def _who(turn: Turn) -> StaffMember:
    named = turn.values("person")
    if not named:
        return turn.staff
    if turn.staff.role not in _REVIEWERS:
        raise AccessDenied("only trainers and admins see a colleague's touch report")
    found = resolve_staff(turn.session, named[0])
    member = turn.session.get(StaffMember, found.staff_id)
    assert member is not None
    return member


def handle(turn: Turn) -> list[Result]:
    staff = _who(turn)
    dealer = turn.session.get(Dealer, staff.dealer_id)
    zone = (dealer.timezone if dealer else None) or "UTC"
    local_today = turn.now.astimezone(zone_named(zone)).date()
    period = period_of(turn.value("period"), local_today).in_zone(zone)
    done = func.sum(case((TouchSuggestion.outcome == "done", 1), else_=0))
    skipped = func.sum(case((TouchSuggestion.outcome == "skipped", 1), else_=0))
    not_applicable = func.sum(case((TouchSuggestion.outcome == "not_applicable", 1), else_=0))
    in_period = (
        TouchSuggestion.staff_id == staff.id,
        TouchSuggestion.shown_at >= period.start,
        TouchSuggestion.shown_at < period.end,
    )
    rows = turn.session.execute(
        select(TouchSuggestion.touch_id, func.count(), done, skipped, not_applicable)
        .where(*in_period)
        .group_by(TouchSuggestion.touch_id)
    ).all()
    reasons = Counter(
        {
            str(reason): int(count)
            for reason, count in turn.session.execute(
                select(TouchSuggestion.outcome_reason, func.count())
                .where(*in_period, TouchSuggestion.outcome == "skipped")
                .group_by(TouchSuggestion.outcome_reason)
            )
            if reason
        }
    )
    titles = {t.id: t.title for t in turn.playbook.touches}
    report_rows = sorted(
        (
            TouchReportRow(
                touch_id=touch_id,
                title=titles.get(touch_id, touch_id),
                shown=int(shown),
                done=int(d or 0),
                skipped=int(s or 0),
                not_applicable=int(n or 0),
            )
            for touch_id, shown, d, s, n in rows
        ),
        key=lambda r: (-r.shown, r.touch_id),
    )
    turn.audit(None, how="touch_report", detail={"staff_id": staff.id}, action="report")
    return [
        TouchReport(
            staff_id=staff.id,
            staff_name=staff.display_name,
            period_start=period.first,
            period_end=period.last,
            shown=sum(r.shown for r in report_rows),
            done=sum(r.done for r in report_rows),
            skipped=sum(r.skipped for r in report_rows),
            not_applicable=sum(r.not_applicable for r in report_rows),
            rows=tuple(report_rows),
            skip_reasons=tuple(reasons.most_common(TOP_REASONS)),
        )
    ]
