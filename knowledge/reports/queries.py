"""The report's SQL: every figure is aggregated in the database.

Millions of suggestions are counted without sorting them and without date arithmetic per
row: the weeks of the period and the (touch, playbook version) pairs that exist are two
small tables, and each cell of their product is a count over one range of the index
``ix_touch_suggestion_report`` (touch, version, outcome, shown_at, …) — SQLite's GROUP BY
would otherwise sort every row through a temporary B-tree, and a per-row week would parse
every timestamp. PostgreSQL runs the same statements as index-only scans. Satisfaction
works on surveyed visits (a fraction of the suggestions) with ordinary GROUP BYs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    true,
    values,
)
from sqlalchemy.orm import QueryableAttribute, Session

from knowledge.models import (
    Dealer,
    ServiceVisit,
    StaffMember,
    SuggestionRating,
    Survey,
    TouchOutcome,
    TouchSuggestion,
    UTCDateTime,
)
from knowledge.models.report import Rating
from knowledge.reports.figures import Counts, Mean, Satisfaction
from knowledge.reports.period import Period, week_monday, zone_named
from knowledge.reports.scope import Scope

TS = TouchSuggestion
OUTCOME_KEYS = (None, *(o.value for o in TouchOutcome))
DONE = TouchOutcome.DONE.value
# How many recent "not appropriate" comments are read back (the report shows a few per touch).
MAX_COMMENTS = 500


@dataclass(frozen=True)
class Week:
    index: int
    start: dt.datetime  # UTC, included
    end: dt.datetime  # UTC, excluded


def period_weeks(period: Period) -> list[Week]:
    """The period's ISO weeks in its zone, each clipped to the period, as UTC ranges."""
    zone = zone_named(period.timezone)
    out = []
    for index in period.weeks():
        monday = week_monday(index)
        start = dt.datetime.combine(monday, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), zone)
        out.append(Week(index, max(start, period.start), min(end.astimezone(dt.UTC), period.end)))
    return out


def _counts(by_outcome: dict[str | None, int]) -> Counts:
    return Counts(
        suggested=sum(by_outcome.values()),
        done=by_outcome.get(DONE, 0),
        skipped=by_outcome.get(TouchOutcome.SKIPPED.value, 0),
        not_applicable=by_outcome.get(TouchOutcome.NOT_APPLICABLE.value, 0),
    )


# --- scope filters -----------------------------------------------------------------------------


def scope_staff(session: Session, scope: Scope) -> list[int]:
    """The staff members whose suggestions belong to ``scope``."""
    if scope.kind == "advisor":
        return [scope.staff_id] if scope.staff_id is not None else []
    query = select(StaffMember.id).order_by(StaffMember.id)
    if scope.dealer_ids is not None:
        query = query.where(StaffMember.dealer_id.in_(scope.dealer_ids))
    return list(session.scalars(query))


def _nobody_here(scope: Scope) -> ColumnElement[bool]:
    """Suggestions shown to nobody in particular that belong to ``scope`` (by their visit)."""
    if scope.dealer_ids is None:
        return TS.staff_id.is_(None)
    return and_(
        TS.staff_id.is_(None),
        exists().where(
            ServiceVisit.id == TS.visit_id, ServiceVisit.dealer_id.in_(scope.dealer_ids)
        ),
    )


def suggestion_scope(session: Session, scope: Scope) -> ColumnElement[bool] | None:
    """Which suggestions belong to ``scope`` (see ``knowledge.reports.scope``)."""
    if scope.kind == "advisor":
        return TS.staff_id == scope.staff_id
    if scope.dealer_ids is None:
        return None
    return or_(TS.staff_id.in_(scope_staff(session, scope)), _nobody_here(scope))


def visit_scope(scope: Scope) -> ColumnElement[bool] | None:
    """Which visits' surveys belong to ``scope``: the advisor's visits, or the rooftops'."""
    if scope.kind == "advisor":
        return ServiceVisit.advisor_id == scope.staff_id
    if scope.dealer_ids is None:
        return None
    return ServiceVisit.dealer_id.in_(scope.dealer_ids)


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [c for c in conditions if c is not None]


def _in_period(col: QueryableAttribute[dt.datetime], period: Period) -> ColumnElement[bool]:
    return and_(col >= period.start, col < period.end)


def week_of(col: QueryableAttribute[dt.datetime], weeks: Sequence[Week]) -> ColumnElement[int]:
    """The week (index) a moment within the period falls in: a balanced tree of comparisons
    with the weeks' starts, a handful per row on either database."""
    if len(weeks) == 1:
        return literal(weeks[0].index, Integer)
    mid = len(weeks) // 2
    return case(
        (col < weeks[mid].start, week_of(col, weeks[:mid])),
        else_=week_of(col, weeks[mid:]),
    )


# --- suggestions: touch × version × week × outcome ------------------------------------------


@dataclass(frozen=True)
class Pair:
    touch_id: str
    version: str
    label: str | None


# A loose index scan: from each touch straight to the next along the report index, then
# from each (touch, version) to the touch's next version — one seek per pair, however many
# suggestions there are.
_PAIRS = text(
    """
WITH RECURSIVE touches(t) AS (
  SELECT (SELECT x.touch_id FROM touch_suggestion x ORDER BY x.touch_id LIMIT 1)
  UNION ALL
  SELECT (SELECT x.touch_id FROM touch_suggestion x WHERE x.touch_id > touches.t
          ORDER BY x.touch_id LIMIT 1)
  FROM touches WHERE touches.t IS NOT NULL
),
pairs(t, v) AS (
  SELECT touches.t,
    (SELECT x.playbook_version FROM touch_suggestion x WHERE x.touch_id = touches.t
     ORDER BY x.playbook_version LIMIT 1)
  FROM touches WHERE touches.t IS NOT NULL
  UNION ALL
  SELECT pairs.t,
    (SELECT x.playbook_version FROM touch_suggestion x
     WHERE x.touch_id = pairs.t AND x.playbook_version > pairs.v
     ORDER BY x.playbook_version LIMIT 1)
  FROM pairs WHERE pairs.v IS NOT NULL
)
SELECT pairs.t, pairs.v,
  (SELECT x.playbook_label FROM touch_suggestion x
   WHERE x.touch_id = pairs.t AND x.playbook_version = pairs.v LIMIT 1)
FROM pairs WHERE pairs.v IS NOT NULL
ORDER BY pairs.t, pairs.v
"""
)


def touch_version_pairs(session: Session) -> list[Pair]:
    """Every (touch, playbook version) ever suggested."""
    return [Pair(t, v, label) for t, v, label in session.execute(_PAIRS)]


def _weeks_cte(weeks: Sequence[Week]) -> CTE:
    return (
        values(
            column("wk", Integer),
            column("ws", UTCDateTime),
            column("we", UTCDateTime),
            name="weeks",
        )
        .data([(w.index, w.start, w.end) for w in weeks])
        .cte("weeks")
    )


@dataclass(frozen=True)
class Cell:
    touch_id: str
    version: str
    week: int
    counts: Counts


def touch_week_cells(
    session: Session,
    period: Period,
    scope: Scope,
    pairs: Sequence[Pair],
    *,
    strategy: str | None = None,
) -> list[Cell]:
    """Counts per touch, playbook version and week (cells with no suggestion left out).

    A whole group is counted as index range counts ("grid"); a rooftop or an advisor — a
    small share of the suggestions — with one GROUP BY over their staff's index ranges
    ("staff"). ``strategy`` forces one (the tests check both agree).
    """
    weeks = period_weeks(period)
    if not weeks:
        return []
    chosen = strategy or ("staff" if scope.kind in ("dealer", "advisor") else "grid")
    if chosen == "grid":
        return _grid_cells(session, period, scope, pairs, weeks)
    return _staff_cells(session, period, scope, weeks)


def _grid_cells(
    session: Session, period: Period, scope: Scope, pairs: Sequence[Pair], weeks: list[Week]
) -> list[Cell]:
    if not pairs:
        return []
    wk = _weeks_cte(weeks)
    tp = (
        values(column("t", String), column("v", String), name="pairs")
        .data([(p.touch_id, p.version) for p in pairs])
        .cte("pairs")
    )
    in_scope = suggestion_scope(session, scope)

    def count(outcome: str | None) -> ColumnElement[int]:
        outcome_is = TS.outcome.is_(None) if outcome is None else TS.outcome == outcome
        return (
            select(func.count())
            .select_from(TS)
            .where(
                TS.touch_id == tp.c.t,
                TS.playbook_version == tp.c.v,
                outcome_is,
                TS.shown_at >= wk.c.ws,
                TS.shown_at < wk.c.we,
                *_where(in_scope),
            )
            .scalar_subquery()
        )

    stmt = select(tp.c.t, tp.c.v, wk.c.wk, *(count(o) for o in OUTCOME_KEYS)).select_from(
        tp.join(wk, true())
    )
    cells = []
    for touch_id, version, week, *numbers in session.execute(stmt):
        counts = _counts(dict(zip(OUTCOME_KEYS, (int(n) for n in numbers), strict=True)))
        if counts.suggested:
            cells.append(Cell(touch_id, version, int(week), counts))
    return cells


def _staff_cells(session: Session, period: Period, scope: Scope, weeks: list[Week]) -> list[Cell]:
    week = week_of(TS.shown_at, weeks).label("wk")
    # The week first: no index delivers that order, so the planner picks the index that
    # narrows the rows most (staff, outcome, period) instead of one that spares a sort.
    columns = (week, TS.touch_id, TS.playbook_version, TS.outcome)
    found: dict[tuple[str, str, int], dict[str | None, int]] = {}
    for where in _by_staff_and_outcome(session, period, scope):
        stmt = select(*columns, func.count()).where(*where).group_by(*columns)
        for wk, touch_id, version, outcome, n in session.execute(stmt):
            by_outcome = found.setdefault((touch_id, version, int(wk)), {})
            by_outcome[outcome] = by_outcome.get(outcome, 0) + int(n)
    return [Cell(t, v, w, _counts(by_outcome)) for (t, v, w), by_outcome in found.items()]


def _by_staff_and_outcome(
    session: Session, period: Period, scope: Scope
) -> list[list[ColumnElement[bool]]]:
    """The scope's suggestions as conditions that each seek ranges of the staff index
    (staff member, outcome, shown_at): one per kind of outcome, and those shown to nobody."""
    in_period = _in_period(TS.shown_at, period)
    staff = TS.staff_id.in_(scope_staff(session, scope))
    parts = [
        [staff, TS.outcome.in_([o.value for o in TouchOutcome]), in_period],
        [staff, TS.outcome.is_(None), in_period],
    ]
    if scope.kind != "advisor":
        parts.append([_nobody_here(scope), in_period])
    return parts


# --- per staff member ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffCounts:
    staff_id: int | None
    name: str | None
    role: str | None
    dealer_code: str | None
    counts: Counts


def staff_counts(session: Session, period: Period, scope: Scope) -> list[StaffCounts]:
    """Counts per staff member the suggestions were shown to (index range counts)."""
    found: dict[int | None, dict[str | None, int]] = {}
    for where in _by_staff_and_outcome(session, period, scope):
        stmt = (
            select(TS.staff_id, TS.outcome, func.count())
            .where(*where)
            .group_by(TS.staff_id, TS.outcome)
        )
        for staff_id, outcome, n in session.execute(stmt):
            by_outcome = found.setdefault(staff_id, {})
            by_outcome[outcome] = by_outcome.get(outcome, 0) + int(n)
    who = {
        sid: (name, role, code)
        for sid, name, role, code in session.execute(
            select(StaffMember.id, StaffMember.display_name, StaffMember.role, Dealer.code)
            .join(Dealer, Dealer.id == StaffMember.dealer_id)
            .where(StaffMember.id.in_([k for k in found if k is not None]))
        )
    }
    out = []
    for sid, by_outcome in found.items():
        name, role, code = who[sid] if sid is not None else (None, None, None)
        out.append(StaffCounts(sid, name, role, code, _counts(by_outcome)))
    return out


# --- skip reasons and ratings ------------------------------------------------------------------


def skip_reasons(
    session: Session, period: Period, scope: Scope
) -> dict[str, list[tuple[str, int]]]:
    """Every skip reason per touch with its count, the most frequent first."""
    stmt = (
        select(TS.touch_id, TS.outcome_reason, func.count())
        .where(
            TS.outcome == TouchOutcome.SKIPPED.value,
            _in_period(TS.shown_at, period),
            *_where(suggestion_scope(session, scope)),
        )
        .group_by(TS.touch_id, TS.outcome_reason)
    )
    out: dict[str, list[tuple[str, int]]] = {}
    for touch_id, reason, n in session.execute(stmt):
        out.setdefault(touch_id, []).append((reason or "(no reason given)", int(n)))
    for reasons in out.values():
        reasons.sort(key=lambda r: (-r[1], r[0]))
    return out


def _rated_touch(session: Session, period: Period, scope: Scope) -> ColumnElement[str]:
    """The touch of a rated suggestion when it was shown in the period and scope, else NULL.

    Ratings are few: reading them first and each suggestion by its key keeps this cheap
    however many suggestions there are.
    """
    return (
        select(TS.touch_id)
        .where(
            TS.id == SuggestionRating.suggestion_id,
            _in_period(TS.shown_at, period),
            *_where(suggestion_scope(session, scope)),
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class CommentRow:
    touch_id: str
    suggestion_id: int
    by: str
    at: dt.datetime
    text: str


def rating_counts(session: Session, period: Period, scope: Scope) -> dict[str, dict[str, int]]:
    """Ratings per touch of the suggestions shown in the period: {touch: {rating: n}}."""
    rated = (
        select(_rated_touch(session, period, scope).label("touch_id"), SuggestionRating.rating)
        .select_from(SuggestionRating)
        .subquery()
    )
    stmt = (
        select(rated.c.touch_id, rated.c.rating, func.count())
        .where(rated.c.touch_id.is_not(None))
        .group_by(rated.c.touch_id, rated.c.rating)
    )
    out: dict[str, dict[str, int]] = {}
    for touch_id, rating, n in session.execute(stmt):
        out.setdefault(touch_id, {})[rating] = int(n)
    return out


def rating_comments(session: Session, period: Period, scope: Scope) -> list[CommentRow]:
    """The latest "not appropriate" comments (newest first)."""
    rated = (
        select(
            _rated_touch(session, period, scope).label("touch_id"),
            SuggestionRating.id,
            SuggestionRating.suggestion_id,
            SuggestionRating.staff_id,
            SuggestionRating.rated_at,
            SuggestionRating.comment,
        )
        .where(
            SuggestionRating.rating == Rating.NOT_APPROPRIATE.value,
            SuggestionRating.comment.is_not(None),
        )
        .subquery()
    )
    stmt = (
        select(
            rated.c.touch_id,
            rated.c.suggestion_id,
            StaffMember.display_name,
            rated.c.rated_at,
            rated.c.comment,
        )
        .join(StaffMember, StaffMember.id == rated.c.staff_id)
        .where(rated.c.touch_id.is_not(None))
        .order_by(rated.c.rated_at.desc(), rated.c.id.desc())
        .limit(MAX_COMMENTS)
    )
    return [
        CommentRow(t, sid, by, at, comment or "")
        for t, sid, by, at, comment in session.execute(stmt)
    ]


# --- satisfaction -----------------------------------------------------------------------------
#
# Surveyed visits are read from the survey side: a survey is never dated before its visit,
# so the surveys since the period's first day (an index range) hold every surveyed visit
# opened in the period — a fraction of the visits, most of which have no survey.


def _surveyed_visits(period: Period, scope: Scope) -> list[ColumnElement[bool]]:
    return [
        Survey.surveyed_on >= period.first - dt.timedelta(days=1),
        _in_period(ServiceVisit.opened_at, period),
        *_where(visit_scope(scope)),
    ]


def satisfaction_by_week(session: Session, period: Period, scope: Scope) -> dict[int, Satisfaction]:
    """Surveyed visits opened in each week: a touch done / touches suggested, none done /
    nothing suggested — two index seeks per surveyed visit, one key to group by."""
    weeks = period_weeks(period)
    if not weeks:
        return {}
    done = exists().where(TS.visit_id == ServiceVisit.id, TS.outcome == DONE)
    suggested = exists().where(TS.visit_id == ServiceVisit.id)
    # week × 4 + (2 done, 1 suggested, 0 nothing): one key, evaluated once per visit.
    key = week_of(ServiceVisit.opened_at, weeks) * 4 + case((done, 2), (suggested, 1), else_=0)
    stmt = (
        select(key, func.count(), func.sum(Survey.score))
        .select_from(Survey)
        .join(ServiceVisit, ServiceVisit.id == Survey.visit_id)
        .where(*_surveyed_visits(period, scope))
        .group_by(key)
    )
    out: dict[int, Satisfaction] = {}
    for value, n, score_sum in session.execute(stmt):
        week, best = divmod(int(value), 4)
        mean = Mean(int(n), int(score_sum or 0))
        if best == 2:
            part = Satisfaction(touches_done=mean)
        elif best == 1:
            part = Satisfaction(suggested_none_done=mean)
        else:
            part = Satisfaction(nothing_suggested=mean)
        out[week] = out.get(week, Satisfaction()) + part
    return out


def _visit_level(
    period: Period,
    scope: Scope,
    key: QueryableAttribute[str],
    extra: Sequence[ColumnElement[bool]] = (),
) -> Select[str, int, int, int]:
    """Surveyed visits in scope × ``key`` (touch or version) with whether it was done there,
    each visit counted once per key; grouped into (key, done, visits, score sum)."""
    done = func.max(case((TS.outcome == DONE, 1), else_=0))
    per_visit = (
        select(key.label("k"), done.label("done"), func.max(Survey.score).label("score"))
        .select_from(Survey)
        .join(ServiceVisit, ServiceVisit.id == Survey.visit_id)
        .join(TS, TS.visit_id == Survey.visit_id)
        .where(*_surveyed_visits(period, scope), *extra)
        .group_by(Survey.visit_id, key)
        .subquery()
    )
    # Grouped by (done, key) rather than (key, done): grouping by the key first would make a
    # plan that walks every suggestion in key order attractive, probing surveys millions of
    # times instead of reading the surveyed visits' suggestions.
    return select(
        per_visit.c.k, per_visit.c.done, func.count(), func.sum(per_visit.c.score)
    ).group_by(per_visit.c.done, per_visit.c.k)


def satisfaction_by_touch(
    session: Session, period: Period, scope: Scope
) -> dict[str, tuple[Mean, Mean]]:
    """Per touch: surveyed visits where it was done, and where suggested but not done."""
    out: dict[str, tuple[Mean, Mean]] = {}
    for touch_id, done, n, score_sum in session.execute(_visit_level(period, scope, TS.touch_id)):
        when_done, not_done = out.get(touch_id, (Mean(), Mean()))
        mean = Mean(int(n), int(score_sum or 0))
        out[touch_id] = (when_done + mean, not_done) if done else (when_done, not_done + mean)
    return out


def satisfaction_by_version(
    session: Session, period: Period, scope: Scope, versions: Sequence[str]
) -> dict[str, Satisfaction]:
    """Per playbook version: surveyed visits where a touch of it was done, or none was."""
    out: dict[str, Satisfaction] = {}
    stmt = _visit_level(period, scope, TS.playbook_version, [TS.playbook_version.in_(versions)])
    for version, done, n, score_sum in session.execute(stmt):
        mean = Mean(int(n), int(score_sum or 0))
        part = Satisfaction(touches_done=mean) if done else Satisfaction(suggested_none_done=mean)
        out[version] = out.get(version, Satisfaction()) + part
    return out
