"""JSON, CSV, HTML and chat renderings carry exactly the figures of the report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from knowledge.access import viewer_for_slack_id
from knowledge.db import Store
from knowledge.reports import Report, report_for
from knowledge.reports.render import CSV_COLUMNS, summary_lines, to_csv, to_html, to_json
from knowledge.touches.schema import load_playbook
from tests.knowledge.reports.world import NOW, PERIOD, V1, V2, build_report_world


@pytest.fixture()
def report(store: Store) -> Report:
    with store.sessions.begin() as session:
        build_report_world(session)
        viewer = viewer_for_slack_id(session, "U300", channel="test")
        return report_for(
            session,
            viewer,
            since=PERIOD,
            now=NOW,
            playbook=load_playbook(),
            compare=(V1, V2),
            touch_satisfaction=True,
        )


def test_json(report: Report) -> None:
    body = json.loads(to_json(report))
    assert body["period"] == {
        "label": PERIOD,
        "first_day": "2026-11-02",
        "last_day": "2026-11-15",
        "timezone": "Europe/Berlin",
        "start": "2026-11-01T23:00:00+00:00",
        "end": "2026-11-15T23:00:00+00:00",
    }
    assert body["totals"] == {
        "suggested": 13,
        "done": 6,
        "skipped": 4,
        "not_applicable": 1,
        "open": 2,
        "done_rate": 6 / 13,
    }
    assert body["satisfaction"]["touches_done"] == {
        "visits": 3,
        "average": 9.0,
        "small_sample": True,
    }
    assert body["satisfaction"]["without_touches"]["visits"] == 3
    assert body["satisfaction"]["difference"] == 3.0
    drink = body["touches"][0]
    assert drink["touch_id"] == "drink_known" and drink["suggested"] == 6
    assert drink["top_skip_reasons"] == [{"reason": "customer in a hurry", "count": 1}]
    assert drink["ratings"]["good"] == 1 and drink["ratings"]["not_appropriate"] == 2
    assert [w["week"] for w in body["weeks"]] == ["2026-W45", "2026-W46"]
    assert body["touch_weeks"]["drink_known"][1]["done"] == 2
    assert body["comparison"]["a"]["version"] == V1
    assert body["comparison"]["b"]["touches"]["recall_household_today"]["done"] == 2
    assert "done_rate" in body["definitions"]


def test_csv(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    by: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by.setdefault(row["section"], []).append(row)
    assert by["totals"][0]["suggested"] == "13" and by["totals"][0]["done_rate"] == "0.4615"
    touch = {r["touch_id"]: r for r in by["touch"]}
    assert touch["status_update_waiting"]["top_skip_reasons"] == (
        "customer in a hurry (1); lounge full (1)"
    )
    assert touch["drink_known"]["rated_not_appropriate"] == "2"
    sat = {r["satisfaction_group"]: (r["visits"], r["average_score"]) for r in by["satisfaction"]}
    assert sat == {
        "touches_done": ("3", "9.0000"),
        "without_touches": ("3", "6.0000"),
        "suggested_none_done": ("2", "6.5000"),
        "nothing_suggested": ("1", "5.0000"),
    }
    assert [(r["week"], r["suggested"], r["done"]) for r in by["week"]] == [
        ("2026-W45", "6", "2"),
        ("2026-W46", "7", "4"),
    ]
    assert {(r["staff_name"], r["suggested"]) for r in by["staff"]} >= {("Jonas Berg", "6")}
    assert len(by["touch_week"]) == 8  # the touch × week cells with suggestions
    assert {r["version"] for r in by["compare_touch"]} == {
        f"2026.10 ({V1})",
        f"2026.11 ({V2})",
    }


def test_html_is_one_self_contained_file(report: Report) -> None:
    html = to_html(report)
    assert html.startswith("<!DOCTYPE html>")
    # Nothing to fetch: no script, no stylesheet or font link, no remote URL of any kind.
    for forbidden in ("<script", "<link", "@import", "url(", "src=", "href=", "http"):
        assert forbidden not in html, forbidden
    for chart in (
        "chart-done-rate",
        "chart-satisfaction",
        "chart-satisfaction-weekly",
        "chart-weekly",
        "chart-compare",
    ):
        assert f'<svg id="{chart}"' in html
    # One coloured cell per touch and week with suggestions (8), the rest marked empty (2).
    heat = html.split('<svg id="chart-done-rate"')[1].split("</svg>")[0]
    assert heat.count('class="cell"') == 8 and heat.count('class="empty"') == 2
    assert "Their usual drink, brought to them · 2026-W46: 2/3 done (67 %)" in heat
    sat = html.split('<svg id="chart-satisfaction"')[1].split("</svg>")[0]
    assert "9.00 (n = 3 · few)" in sat and "6.00 (n = 3 · few)" in sat
    # The numbers behind every chart are in tables too.
    for table in ("table-touch-weeks", "table-satisfaction", "table-touches", "table-weeks"):
        assert f'id="{table}"' in html
    assert "Visits with a touch done scored +3.00 points against visits without." in html


def test_html_escapes_what_staff_typed(store: Store) -> None:
    with store.sessions.begin() as session:
        world = build_report_world(session)
        from knowledge.models import TouchSuggestion

        row = session.get(TouchSuggestion, world.suggestions["S8"])
        assert row is not None
        row.outcome_reason = "<b>lounge</b> & full"
        viewer = viewer_for_slack_id(session, "U300", channel="test")
        report = report_for(session, viewer, since=PERIOD, now=NOW)
    html = to_html(report)
    assert "&lt;b&gt;lounge&lt;/b&gt; &amp; full (1)" in html and "<b>lounge" not in html


def test_summary_lines_for_a_chat_message(report: Report) -> None:
    lines = summary_lines(report, top=2)
    assert lines == [
        "dealer group Nordlicht, 2026-11-02..2026-11-15 (2026-11-02 – 2026-11-15, Europe/Berlin)",
        "13 touches suggested: 6 done, 4 skipped, 1 not applicable, 2 open — done rate 46 %",
        "satisfaction with touches done 9.0 (3 visits, few); without 6.0 (3 visits, few)",
        "Their usual drink, brought to them: 4/6 done (67 %); skipped mostly: customer in a hurry",
        "Open recall on another of their vehicles: 2/3 done (67 %)",
    ]


def test_satisfaction_per_touch_only_when_asked(store: Store, report: Report) -> None:
    body = json.loads(to_json(report))
    assert body["touches"][0]["satisfaction_when_done"] == {
        "visits": 3,
        "average": 9.0,
        "small_sample": True,
    }
    assert "score when done" in to_html(report)
    assert "touch_satisfaction," in to_csv(report)
    with store.sessions.begin() as session:
        viewer = viewer_for_slack_id(session, "U300", channel="test")
        plain = report_for(session, viewer, since=PERIOD, now=NOW)
    assert json.loads(to_json(plain))["touches"][0]["satisfaction_when_done"] is None
    assert "score when done" not in to_html(plain)
    assert "touch_satisfaction," not in to_csv(plain)
