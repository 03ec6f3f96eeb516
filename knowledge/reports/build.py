"""Assemble a trainers' report: who may see what, the period, and every figure.

``report_for`` is what front ends call (the CLI, Slack's ``/concierge report`` and the
trainer's App Home): it checks the access rule, parses the period as staff type it, builds
the figures and writes an audit entry, all in the caller's session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from knowledge.access import Viewer
from knowledge.audit import record_lookup
from knowledge.errors import InvalidInput
from knowledge.reports import queries
from knowledge.reports.figures import (
    TOP_COMMENTS,
    TOP_REASONS,
    Comparison,
    Counts,
    Mean,
    RatingComment,
    Ratings,
    Reason,
    Report,
    Satisfaction,
    StaffRow,
    TouchRow,
    VersionInfo,
    VersionSide,
    WeekRow,
    total,
)
from knowledge.reports.period import Period, parse_period, zone_named
from knowledge.reports.scope import Scope, resolve_scope
from knowledge.touches.schema import Playbook


def _pick_version(asked: str, versions: Sequence[VersionInfo]) -> VersionInfo:
    """A playbook version by its hash, a unique prefix of it, or its label."""
    text = asked.strip()
    exact = [v for v in versions if text in (v.version, v.label)]
    found = exact or [v for v in versions if len(text) >= 4 and v.version.startswith(text)]
    if len(found) == 1:
        return found[0]
    seen = ", ".join(v.display for v in versions) or "none"
    if not found:
        raise InvalidInput(
            f"no suggestions of playbook version {asked!r} in this period (seen: {seen})"
        )
    listed = ", ".join(v.display for v in found)
    raise InvalidInput(f"{asked!r} names several playbook versions ({listed}): give the hash")


def build_report(
    session: Session,
    *,
    period: Period,
    scope: Scope,
    now: dt.datetime,
    playbook: Playbook | None = None,
    compare: tuple[str, str] | None = None,
    touch_satisfaction: bool = False,
) -> Report:
    """Every figure for ``scope`` over ``period``. ``playbook`` supplies touch titles;
    ``compare`` two playbook versions (hash, prefix or label) to set side by side;
    ``touch_satisfaction`` adds, per touch, the satisfaction of surveyed visits where it was
    done and where it was not (it reads every suggestion of every surveyed visit: the
    costliest figure, so it is asked for)."""
    if session.get_bind().dialect.name == "postgresql":
        # Thousands of small index range counts and per-visit subplans: compiling them with
        # JIT costs PostgreSQL more time than it saves (seconds on a year of suggestions).
        # SET LOCAL ends with the caller's transaction.
        session.execute(text("SET LOCAL jit = off"))
    pairs = queries.touch_version_pairs(session)
    cells = queries.touch_week_cells(session, period, scope, pairs)
    labels = {p.version: p.label for p in pairs}
    weeks = [w.index for w in queries.period_weeks(period)]
    position = {w: i for i, w in enumerate(weeks)}

    per_touch_week: dict[str, list[Counts]] = {}
    per_version: dict[str, Counts] = {}
    per_version_touch: dict[str, dict[str, Counts]] = {}
    for cell in cells:
        row = per_touch_week.setdefault(cell.touch_id, [Counts()] * len(weeks))
        row[position[cell.week]] = row[position[cell.week]] + cell.counts
        per_version[cell.version] = per_version.get(cell.version, Counts()) + cell.counts
        by_touch = per_version_touch.setdefault(cell.version, {})
        by_touch[cell.touch_id] = by_touch.get(cell.touch_id, Counts()) + cell.counts

    reasons = queries.skip_reasons(session, period, scope)
    ratings = queries.rating_counts(session, period, scope)
    comments: dict[str, list[RatingComment]] = {}
    for comment in queries.rating_comments(session, period, scope):
        listed = comments.setdefault(comment.touch_id, [])
        if len(listed) < TOP_COMMENTS:
            listed.append(
                RatingComment(comment.suggestion_id, comment.by, comment.at, comment.text)
            )
    by_touch_sat = (
        queries.satisfaction_by_touch(session, period, scope) if touch_satisfaction else None
    )

    touches = []
    for touch_id, cells_of_touch in per_touch_week.items():
        counts = total(cells_of_touch)
        known = playbook.touch(touch_id) if playbook else None
        rated = ratings.get(touch_id, {})
        when_done: Mean | None = None
        when_not: Mean | None = None
        if by_touch_sat is not None:
            when_done, when_not = by_touch_sat.get(touch_id, (Mean(), Mean()))
        touches.append(
            TouchRow(
                touch_id=touch_id,
                title=known.title if known else touch_id,
                category=known.category if known else None,
                counts=counts,
                skip_reasons=tuple(
                    Reason(t, n) for t, n in reasons.get(touch_id, [])[:TOP_REASONS]
                ),
                ratings=Ratings(
                    good=rated.get("good", 0),
                    not_appropriate=rated.get("not_appropriate", 0),
                    comments=tuple(comments.get(touch_id, [])),
                ),
                when_done=when_done,
                when_not_done=when_not,
            )
        )
    touches.sort(key=lambda t: (-t.counts.suggested, t.touch_id))

    staff = [
        StaffRow(
            s.staff_id,
            s.name if s.name is not None else "(no staff member recorded)",
            s.role,
            s.dealer_code,
            s.counts,
        )
        for s in queries.staff_counts(session, period, scope)
    ]
    staff.sort(key=lambda s: (-s.counts.suggested, s.name))

    week_sat = queries.satisfaction_by_week(session, period, scope)
    week_rows = []
    for i, w in enumerate(weeks):
        counts = Counts()
        for row in per_touch_week.values():
            counts = counts + row[i]
        week_rows.append(WeekRow(w, counts, week_sat.get(w, Satisfaction())))
    satisfaction = Satisfaction()
    for s in week_sat.values():
        satisfaction = satisfaction + s

    versions = tuple(
        sorted(
            (VersionInfo(v, labels.get(v), c) for v, c in per_version.items()),
            key=lambda v: (-v.counts.suggested, v.version),
        )
    )
    comparison = None
    if compare is not None:
        a, b = (_pick_version(x, versions) for x in compare)
        if a.version == b.version:
            raise InvalidInput(f"{compare[0]!r} and {compare[1]!r} are the same version")
        sat = queries.satisfaction_by_version(session, period, scope, [a.version, b.version])
        comparison = Comparison(
            *(
                VersionSide(
                    v, per_version_touch.get(v.version, {}), sat.get(v.version, Satisfaction())
                )
                for v in (a, b)
            )
        )

    totals = Counts()
    for t in touches:
        totals = totals + t.counts
    notes = []
    if not totals.suggested:
        notes.append("no suggestions were shown in this period and scope")
    return Report(
        generated_at=now,
        period=period,
        scope=scope,
        totals=totals,
        touches=tuple(touches),
        staff=tuple(staff),
        weeks=tuple(week_rows),
        touch_weeks={t.touch_id: tuple(per_touch_week[t.touch_id]) for t in touches},
        satisfaction=satisfaction,
        versions=versions,
        comparison=comparison,
        notes=tuple(notes),
        touch_satisfaction=touch_satisfaction,
    )


def report_for(
    session: Session,
    viewer: Viewer,
    *,
    since: str = "30d",
    until: str | None = None,
    dealer: str | None = None,
    advisor: str | None = None,
    compare: tuple[str, str] | None = None,
    playbook: Playbook | None = None,
    touch_satisfaction: bool = False,
    now: dt.datetime,
) -> Report:
    """The report ``viewer`` asked for — refused (``AccessDenied``) when the access rule
    forbids it, ``InvalidInput`` for a bad period or name — and an audit entry."""
    if now.tzinfo is None:
        raise InvalidInput("report_for needs a time-zone-aware 'now'")
    scope = resolve_scope(session, viewer, dealer=dealer, advisor=advisor)
    today = now.astimezone(zone_named(scope.timezone)).date()
    period = parse_period(since, until=until, today=today).in_zone(scope.timezone)
    report = build_report(
        session,
        period=period,
        scope=scope,
        now=now,
        playbook=playbook,
        compare=compare,
        touch_satisfaction=touch_satisfaction,
    )
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=None,
        channel=viewer.channel,
        how=scope.kind,
        action="report",
        detail={
            "scope": scope.label,
            "period": period.text,
            "compare": list(compare) if compare else None,
        },
    )
    return report
