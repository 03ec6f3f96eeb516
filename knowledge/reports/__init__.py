"""Trainers' reports: what was suggested, what was done, and how customers felt.

Front ends call ``report_for`` (access rule, period, figures, audit) and render the result
with ``to_json``, ``to_csv`` or ``to_html``; ``summary_lines`` gives a few plain sentences
for a chat message.
"""

from knowledge.reports.build import build_report, report_for
from knowledge.reports.figures import (
    Comparison,
    Counts,
    Mean,
    Ratings,
    Report,
    Satisfaction,
    StaffRow,
    TouchRow,
    VersionInfo,
    WeekRow,
)
from knowledge.reports.period import PERIOD_HELP, DateRange, Period, parse_period
from knowledge.reports.scope import Scope, may_review, resolve_scope

__all__ = [
    "PERIOD_HELP",
    "Comparison",
    "Counts",
    "DateRange",
    "Mean",
    "Period",
    "Ratings",
    "Report",
    "Satisfaction",
    "Scope",
    "StaffRow",
    "TouchRow",
    "VersionInfo",
    "WeekRow",
    "build_report",
    "may_review",
    "parse_period",
    "report_for",
    "resolve_scope",
]
