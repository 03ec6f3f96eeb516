"""``/concierge report [period]`` and the trainer's Home tab, on the trainers' reports
(``knowledge.reports.report_for``: the access rule, the figures and the audit entry).

Trainers and admins see their dealer group; advisors see their own figures; anyone else is
told reports are not for their role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from bot.slack.blocks.common import Block, context, esc, header
from bot.slack.blocks.report import build_report_blocks
from knowledge.access import staff_viewer
from knowledge.models import StaffMember
from knowledge.reports import Report, report_for
from knowledge.touches import Playbook

DEFAULT_PERIOD = "30d"
HOME_PERIOD = "this-week"


def report_of(
    session: Session,
    staff: StaffMember,
    *,
    since: str,
    channel: str,
    now: dt.datetime,
    playbook: Playbook | None = None,
) -> Report:
    viewer = staff_viewer(staff, channel=channel)
    return report_for(session, viewer, since=since, playbook=playbook, now=now)


def report_blocks(
    session: Session,
    staff: StaffMember,
    *,
    period: str | None,
    channel: str,
    now: dt.datetime,
    playbook: Playbook | None = None,
) -> tuple[str, list[Any]]:
    """The answer to ``/concierge report [period]`` (AccessDenied / InvalidInput when refused)."""
    since = period or DEFAULT_PERIOD
    report = report_of(session, staff, since=since, channel=channel, now=now, playbook=playbook)
    blocks: list[Block] = [
        header("Touch report"),
        *build_report_blocks(report),
        context(
            "Per week and as a file with charts: "
            f"`concierge report --since {esc(since)} --format html --out report.html`"
        ),
    ]
    return f"Touch report — {report.scope.label}, {report.period.text}", blocks


def week_report(
    session: Session, staff: StaffMember, *, now: dt.datetime, playbook: Playbook | None = None
) -> Report:
    """This week's figures for the trainer's Home tab."""
    return report_of(
        session, staff, since=HOME_PERIOD, channel="slack:app_home", now=now, playbook=playbook
    )
