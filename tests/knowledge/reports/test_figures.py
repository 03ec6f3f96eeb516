"""Every figure of the report against the hand-counted fixture (see ``world.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from knowledge.access import operator, viewer_for_slack_id
from knowledge.db import Store
from knowledge.models import AuditEntry
from knowledge.reports import Counts, Mean, Report, Satisfaction, queries, report_for
from knowledge.reports.period import parse_period
from knowledge.reports.scope import resolve_scope
from knowledge.touches.schema import load_playbook
from tests.knowledge.reports.world import NOW, PERIOD, V1, V2, ReportWorld, build_report_world


@pytest.fixture()
def world(store: Store) -> ReportWorld:
    with store.sessions.begin() as session:
        return build_report_world(session)


def run(store: Store, who: str | None, **options: object) -> Report:
    with store.sessions.begin() as session:
        viewer = viewer_for_slack_id(session, who, channel="test") if who else operator("cli:test")
        return report_for(
            session,
            viewer,
            since=str(options.pop("since", PERIOD)),
            now=NOW,
            playbook=load_playbook(),
            **options,  # type: ignore[arg-type]
        )


def counts(report: Report) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        t.touch_id: (
            t.counts.suggested,
            t.counts.done,
            t.counts.skipped,
            t.counts.not_applicable,
            t.counts.open,
        )
        for t in report.touches
    }


def test_per_touch_for_the_trainers_group(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    assert report.scope.kind == "group" and report.scope.label == "dealer group Nordlicht"
    assert report.period.first == dt.date(2026, 11, 2)
    assert report.period.last == dt.date(2026, 11, 15)
    assert counts(report) == {
        "drink_known": (6, 4, 1, 0, 1),
        "recall_household_today": (3, 2, 0, 1, 0),
        "status_update_waiting": (2, 0, 2, 0, 0),
        "drink_ask": (1, 0, 0, 0, 1),
        "winter_check": (1, 0, 1, 0, 0),
    }
    # Most suggested first; titles come from the playbook.
    assert [t.touch_id for t in report.touches][:2] == ["drink_known", "recall_household_today"]
    drink = report.touch("drink_known")
    assert drink is not None
    assert drink.title == "Their usual drink, brought to them"
    assert drink.counts.done_rate == pytest.approx(4 / 6)
    assert report.totals == Counts(suggested=13, done=6, skipped=4, not_applicable=1)
    assert report.totals.open == 2


def test_top_skip_reasons(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    reasons = {t.touch_id: [(r.text, r.count) for r in t.skip_reasons] for t in report.touches}
    assert reasons == {
        "drink_known": [("customer in a hurry", 1)],
        "recall_household_today": [],
        "status_update_waiting": [("customer in a hurry", 1), ("lounge full", 1)],
        "drink_ask": [],
        "winter_check": [("customer in a hurry", 1)],
    }


def test_trainer_ratings_per_touch(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    drink = report.touch("drink_known")
    assert drink is not None
    assert (drink.ratings.good, drink.ratings.not_appropriate) == (1, 2)
    assert [(c.text, c.by, c.suggestion_id) for c in drink.ratings.comments] == [
        ("customer was on the phone", "Tom Richter", world.suggestions["S3"]),
        ("too early in the visit", "Ada Lind", world.suggestions["S1"]),
    ]
    other = report.touch("recall_household_today")
    assert other is not None and (other.ratings.good, other.ratings.not_appropriate) == (0, 0)


def test_per_staff_member(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    rows = {
        (s.name, s.role, s.dealer_code): (s.counts.suggested, s.counts.done, s.counts.skipped)
        for s in report.staff
    }
    assert rows == {
        ("Jonas Berg", "advisor", "HAM1"): (6, 2, 3),
        ("Mia Hansen", "advisor", "HAM1"): (4, 2, 1),
        ("Kai Petersen", "advisor", "KI1"): (1, 1, 0),
        ("Lea Sommer", "call_center", "HAM1"): (1, 1, 0),
        ("(no staff member recorded)", None, None): (1, 0, 0),
    }
    jonas = report.staff[0]
    assert jonas.name == "Jonas Berg" and jonas.counts.not_applicable == 1


def test_weeks_are_local_iso_weeks(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    assert [w.label for w in report.weeks] == ["2026-W45", "2026-W46"]
    assert [w.monday for w in report.weeks] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    assert [w.counts for w in report.weeks] == [
        Counts(suggested=6, done=2, skipped=2, not_applicable=1),
        # S11 (Monday 00:30 in Hamburg, still Sunday in UTC) and S15 (the period's last
        # minute) count in W46; S16 (half a minute after the period) nowhere.
        Counts(suggested=7, done=4, skipped=2, not_applicable=0),
    ]
    assert {k: [c.suggested for c in v] for k, v in report.touch_weeks.items()} == {
        "drink_known": [3, 3],
        "recall_household_today": [1, 2],
        "status_update_waiting": [1, 1],
        "drink_ask": [1, 0],
        "winter_check": [0, 1],
    }
    assert [c.done for c in report.touch_weeks["drink_known"]] == [2, 2]
    assert [c.done for c in report.touch_weeks["recall_household_today"]] == [0, 2]


def test_satisfaction_with_and_without_touches(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300")
    s = report.satisfaction
    assert s == Satisfaction(
        touches_done=Mean(3, 27),  # V1 9, V3 10, V6 8
        suggested_none_done=Mean(2, 13),  # V2 6, V4 7
        nothing_suggested=Mean(1, 5),  # V7
    )
    assert s.touches_done.average == 9.0
    assert s.without_touches == Mean(3, 18) and s.without_touches.average == 6.0
    assert s.difference == 3.0
    assert s.touches_done.small  # three visits: flagged, nobody should over-read it
    assert [w.satisfaction for w in report.weeks] == [
        Satisfaction(touches_done=Mean(2, 17), suggested_none_done=Mean(1, 6)),
        Satisfaction(
            touches_done=Mean(1, 10), suggested_none_done=Mean(1, 7), nothing_suggested=Mean(1, 5)
        ),
    ]


def test_satisfaction_per_touch(store: Store, world: ReportWorld) -> None:
    assert all(t.when_done is None for t in run(store, "U300").touches)  # asked for only
    report = run(store, "U300", touch_satisfaction=True)
    assert report.touch_satisfaction
    per_touch = {t.touch_id: (t.when_done, t.when_not_done) for t in report.touches}
    assert per_touch == {
        "drink_known": (Mean(3, 27), Mean(2, 13)),
        "recall_household_today": (Mean(1, 10), Mean(1, 6)),
        "status_update_waiting": (Mean(), Mean(2, 16)),
        "drink_ask": (Mean(), Mean(1, 6)),
        "winter_check": (Mean(), Mean()),
    }


def test_versions_and_their_comparison(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300", compare=("2026.10", V2[:6]))
    assert [(v.version, v.label, v.counts) for v in report.versions] == [
        (V2, "2026.11", Counts(suggested=7, done=4, skipped=2)),
        (V1, "2026.10", Counts(suggested=6, done=2, skipped=2, not_applicable=1)),
    ]
    comp = report.comparison
    assert comp is not None
    assert comp.a.info.version == V1 and comp.b.info.version == V2
    assert comp.a.touches == {
        "drink_known": Counts(suggested=3, done=2, skipped=1),
        "status_update_waiting": Counts(suggested=1, skipped=1),
        "recall_household_today": Counts(suggested=1, not_applicable=1),
        "drink_ask": Counts(suggested=1),
    }
    assert comp.b.touches == {
        "drink_known": Counts(suggested=3, done=2),
        "status_update_waiting": Counts(suggested=1, skipped=1),
        "recall_household_today": Counts(suggested=2, done=2),
        "winter_check": Counts(suggested=1, skipped=1),
    }
    assert comp.a.satisfaction == Satisfaction(
        touches_done=Mean(2, 17), suggested_none_done=Mean(1, 6)
    )
    assert comp.b.satisfaction == Satisfaction(
        touches_done=Mean(1, 10), suggested_none_done=Mean(1, 7)
    )


def test_one_rooftop(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300", dealer="ham1")
    assert report.scope.kind == "dealer" and report.scope.label == "HAM1 — Nordlicht HAM1"
    # Kai's suggestion (KI1) is out; the one shown to nobody counts by its visit (HAM1).
    assert report.totals == Counts(suggested=12, done=5, skipped=4, not_applicable=1)
    assert counts(report)["drink_known"] == (5, 3, 1, 0, 1)
    assert report.satisfaction == Satisfaction(
        touches_done=Mean(2, 19), suggested_none_done=Mean(2, 13), nothing_suggested=Mean(1, 5)
    )
    assert {s.name for s in report.staff} == {
        "Jonas Berg",
        "Mia Hansen",
        "Lea Sommer",
        "(no staff member recorded)",
    }


def test_an_advisor_sees_their_own_figures(store: Store, world: ReportWorld) -> None:
    report = run(store, "U100")
    assert report.scope.kind == "advisor" and report.scope.staff_id == world.staff["jonas"]
    assert report.totals == Counts(suggested=6, done=2, skipped=3, not_applicable=1)
    assert counts(report) == {
        "drink_known": (3, 2, 1, 0, 0),
        "status_update_waiting": (1, 0, 1, 0, 0),
        "recall_household_today": (1, 0, 0, 1, 0),
        "winter_check": (1, 0, 1, 0, 0),
    }
    assert [(s.name, s.counts.suggested) for s in report.staff] == [("Jonas Berg", 6)]
    # Surveys of the visits he advised: V1 (done), V2 (none done), V7 (nothing suggested).
    assert report.satisfaction == Satisfaction(
        touches_done=Mean(1, 9), suggested_none_done=Mean(1, 6), nothing_suggested=Mean(1, 5)
    )


def test_the_other_group_and_the_operator(store: Store, world: ReportWorld) -> None:
    sud = run(store, "U600")
    assert sud.scope.label == "dealer group Süd"
    assert sud.totals == Counts(suggested=1, done=1)
    assert sud.satisfaction == Satisfaction(touches_done=Mean(1, 3))
    everything = run(store, None)
    assert everything.scope.kind == "store"
    assert everything.totals == Counts(suggested=14, done=7, skipped=4, not_applicable=1)


def test_both_counting_strategies_agree(store: Store, world: ReportWorld) -> None:
    with store.sessions() as session:
        for who, options in (("U300", {}), ("U300", {"dealer": "HAM1"}), ("U100", {})):
            viewer = viewer_for_slack_id(session, who, channel="test")
            scope = resolve_scope(session, viewer, **options)
            period = parse_period(PERIOD, today=NOW.date()).in_zone(scope.timezone)
            pairs = queries.touch_version_pairs(session)
            grid = queries.touch_week_cells(session, period, scope, pairs, strategy="grid")
            staff = queries.touch_week_cells(session, period, scope, pairs, strategy="staff")
            key = sorted((c.touch_id, c.version, c.week, c.counts.done) for c in grid)
            assert key == sorted((c.touch_id, c.version, c.week, c.counts.done) for c in staff)
            assert sorted(c.counts.suggested for c in grid) == sorted(
                c.counts.suggested for c in staff
            )


def test_weeks_across_the_end_of_summer_time(store: Store, world: ReportWorld) -> None:
    # Summer time ends on 2026-10-25: W43 starts at 22:00 UTC, W44 at 23:00 UTC.
    with store.sessions() as session:
        scope = resolve_scope(session, operator("cli:test"))
        period = parse_period("2026-10-19..2026-11-01", today=NOW.date()).in_zone(scope.timezone)
        weeks = queries.period_weeks(period)
        assert [(w.index, w.start, w.end) for w in weeks] == [
            (
                weeks[0].index,
                dt.datetime(2026, 10, 18, 22, tzinfo=dt.UTC),
                dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC),
            ),
            (
                weeks[0].index + 1,
                dt.datetime(2026, 10, 25, 23, tzinfo=dt.UTC),
                dt.datetime(2026, 11, 1, 23, tzinfo=dt.UTC),
            ),
        ]
    # S13 (2026-10-30) is in that period: W44.
    report = run(store, None, since="2026-10-19..2026-11-01")
    assert [(w.label, w.counts.suggested) for w in report.weeks] == [
        ("2026-W43", 0),
        ("2026-W44", 1),
    ]
    assert report.satisfaction == Satisfaction(touches_done=Mean(1, 10))


def test_an_empty_period_says_so(store: Store, world: ReportWorld) -> None:
    report = run(store, "U300", since="2026-09-01..2026-09-07")
    assert report.totals == Counts() and report.touches == ()
    assert report.notes == ("no suggestions were shown in this period and scope",)
    assert report.satisfaction.touches_done.average is None


def test_a_report_is_audited(store: Store, world: ReportWorld) -> None:
    run(store, "U300", dealer="HAM1")
    with store.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report")).one()
    assert entry.actor == "slack:T1/U300" and entry.staff_id == world.staff["tom"]
    assert entry.how == "dealer" and entry.customer_id is None
    assert entry.detail == {
        "scope": "HAM1 — Nordlicht HAM1",
        "period": "2026-11-02..2026-11-15 (2026-11-02 – 2026-11-15, Europe/Berlin)",
        "compare": None,
    }
