"""``touch_report``: touch adoption — this week unless a period is named.

Asked by an advisor, it is their own figures; trainers and admins see their dealer group,
or a colleague they name ("how is anna doing with touches"). The figures and the access
rule are the trainers' reports' (``knowledge.reports.report_for``, which also audits);
this action only picks the period and the person from the message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from actions.results import Result, TouchReport, TouchReportRow
from actions.turn import Turn
from knowledge.reports import report_for

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


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_text(value: str | None, today: dt.date) -> str:
    """The report period for the NLU's period value ("this_week" unless one was named)."""
    key = (value or "this_week").strip().lower().replace(" ", "_").replace("-", "_")
    if key == "this_quarter":
        return f"{_quarter_start(today).isoformat()}..{today.isoformat()}"
    if key == "last_quarter":
        end = _quarter_start(today) - dt.timedelta(days=1)
        return f"{_quarter_start(end).isoformat()}..{end.isoformat()}"
    return _PERIODS.get(key, key.replace("_", "-"))


def handle(turn: Turn) -> list[Result]:
    named = turn.values("person")
    report = report_for(
        turn.session,
        turn.viewer,
        since=period_text(turn.value("period"), turn.today),
        advisor=named[0] if named else None,
        playbook=turn.playbook,
        now=turn.now,
    )
    reasons: Counter[str] = Counter()
    for row in report.touches:
        for reason in row.skip_reasons:
            reasons[reason.text] += reason.count
    totals = report.totals
    return [
        TouchReport(
            staff_id=report.scope.staff_id,
            staff_name=report.scope.label,
            period_start=report.period.first,
            period_end=report.period.last,
            shown=totals.suggested,
            done=totals.done,
            skipped=totals.skipped,
            not_applicable=totals.not_applicable,
            rows=tuple(
                TouchReportRow(
                    touch_id=t.touch_id,
                    title=t.title,
                    shown=t.counts.suggested,
                    done=t.counts.done,
                    skipped=t.counts.skipped,
                    not_applicable=t.counts.not_applicable,
                )
                for t in report.touches
            ),
            skip_reasons=tuple(reasons.most_common(TOP_REASONS)),
        )
    ]
