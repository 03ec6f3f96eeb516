"""``concierge report``, ``surveys import`` and ``suggestions show|rate`` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import app
from knowledge.db import Store
from knowledge.models import SuggestionRating, Survey
from tests.knowledge.reports.world import PERIOD, ReportWorld, build_report_world


@pytest.fixture()
def world(store: Store) -> ReportWorld:
    with store.sessions.begin() as session:
        return build_report_world(session)


def cli(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, list(args), env={"DATABASE_URL": store_url, "CONCIERGE_VAR_DIR": "var"}
    )


def ok(store_url: str, *args: str) -> Result:
    result = cli(store_url, *args)
    assert result.exit_code == 0, result.output
    return result


def test_report_on_screen(store_url: str, world: ReportWorld) -> None:
    out = ok(store_url, "report", "--since", PERIOD, "--as", "U300").stdout
    assert "dealer group Nordlicht, 2026-11-02..2026-11-15" in out
    assert "13 touches suggested: 6 done, 4 skipped, 1 not applicable, 2 open" in out
    assert "— done rate 46 %" in out
    assert "satisfaction with touches done 9.0 (3 visits, few); without 6.0 (3 visits, few)" in out
    assert "Jonas Berg: 2/6 done (33 %)" in out


def test_report_as_json_and_csv(store_url: str, world: ReportWorld) -> None:
    body = json.loads(
        ok(store_url, "report", "--since", PERIOD, "--format", "json", "--as", "U300").stdout
    )
    assert body["totals"]["suggested"] == 13 and body["scope"]["kind"] == "group"
    rows = list(
        csv.DictReader(
            io.StringIO(
                ok(
                    store_url, "report", "--since", PERIOD, "--format", "csv", "--dealer", "KI1"
                ).stdout
            )
        )
    )
    assert rows[0]["section"] == "totals" and rows[0]["suggested"] == "1"


def test_report_to_files(store_url: str, world: ReportWorld, tmp_path: Path) -> None:
    html = tmp_path / "out" / "report.html"
    result = ok(
        store_url,
        "report",
        "--since",
        "2026-11-02",
        "--until",
        "2026-11-15",
        "--out",
        str(html),
        "--as",
        "U400",
    )
    assert result.stdout.startswith(f"wrote {html} (html, ")
    assert "— 13 suggested, 6 done" in result.stdout
    page = html.read_text()
    assert '<svg id="chart-done-rate"' in page and '<svg id="chart-satisfaction"' in page
    data = tmp_path / "report.data"
    ok(store_url, "report", "--since", PERIOD, "--format", "json", "--out", str(data))
    assert json.loads(data.read_text())["scope"]["kind"] == "store"


def test_report_comparing_two_versions(store_url: str, world: ReportWorld) -> None:
    body = json.loads(
        ok(
            store_url,
            "report",
            "--since",
            PERIOD,
            "--format",
            "json",
            "--compare-versions",
            "2026.10",
            "2026.11",
            "--as",
            "U300",
        ).stdout
    )
    comparison = body["comparison"]
    assert comparison["a"]["label"] == "2026.10" and comparison["a"]["suggested"] == 6
    assert comparison["b"]["label"] == "2026.11" and comparison["b"]["done"] == 4


def test_an_advisor_gets_their_own_figures(store_url: str, world: ReportWorld) -> None:
    body = json.loads(
        ok(store_url, "report", "--since", PERIOD, "--format", "json", "--as", "U100").stdout
    )
    assert body["scope"]["label"] == "Jonas Berg (HAM1)" and body["totals"]["suggested"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", "U200"), "error: reports are for trainers and admins; call-center agents"),
        (("--as", "U100", "--dealer", "HAM1"), "error: advisors see only their own figures"),
        (("--as", "U300", "--dealer", "MUC1"), "error: MUC1 belongs to another dealer group"),
        (("--as", "U999"), "error: no staff member has the Slack id 'U999'"),
        (("--since", "fortnight"), "error: 'fortnight' is not a period: use 30d"),
        (("--format", "pdf"), "error: unknown format 'pdf': use html, csv or json"),
        (("--out", "report.txt"), "error: say which format to write to report.txt"),
        (("--compare-versions", "2026.10", "9.9"), "error: no suggestions of playbook version"),
    ],
)
def test_report_refusals_are_one_line(
    store_url: str, world: ReportWorld, args: tuple[str, ...], message: str
) -> None:
    result = cli(store_url, "report", "--since", PERIOD, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1


def test_surveys_import(store_url: str, world: ReportWorld, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tool-export.csv"
    path.write_text(
        "ro_number,score,comment,date\n"
        "RO-HAM1-V5,8,Quick and friendly,2026-11-13\n"
        "RO-HAM1-V99,7,,2026-11-13\n"
        "RO-HAM1-V5,9,,2026-11-14\n"
    )
    rejects = tmp_path / "rejects.csv"
    result = cli(
        store_url, "surveys", "import", str(path), "--rejects", str(rejects), "--as", "U300"
    )
    assert result.exit_code == 1, result.output
    assert result.stdout.strip() == (
        "tool-export.csv: 3 rows: 1 new, 0 updated, 0 unchanged, 2 rejected"
    )
    assert result.stderr.splitlines() == [
        "  line 3 RO-HAM1-V99: unknown repair order",
        "  line 4 RO-HAM1-V5: a different answer for this visit is already on line 2",
    ]
    assert rejects.read_text().splitlines()[1] == "3,RO-HAM1-V99,unknown repair order"
    with store.sessions() as session:
        survey = session.scalars(select(Survey).where(Survey.visit_id == world.visits["V5"])).one()
    assert (survey.score, survey.comment, survey.source) == (8, "Quick and friendly", "survey")
    path.write_text("ro_number,score,comment,date\nRO-HAM1-V5,8,Quick and friendly,2026-11-13\n")
    again = ok(store_url, "surveys", "import", str(path))
    assert again.stdout.startswith("tool-export.csv: 1 row: 0 new, 0 updated, 1 unchanged")


def test_surveys_import_refusals(store_url: str, world: ReportWorld, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("ro_number,score,date\nRO-HAM1-V5,8,2026-11-13\nRO-X,1,2026-11-13\n")
    denied = cli(store_url, "surveys", "import", str(path), "--as", "U100")
    assert denied.exit_code == 2
    assert denied.stderr.strip() == "error: survey imports are for trainers and admins"
    strict = cli(store_url, "surveys", "import", str(path), "--strict")
    assert strict.exit_code == 1
    assert "nothing was written (--strict and rows were rejected)" in strict.stdout
    missing = cli(store_url, "surveys", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and missing.stderr.startswith("error: cannot read")


def test_suggestions_show(store_url: str, world: ReportWorld) -> None:
    out = ok(store_url, "suggestions", "show", "RO-HAM1-V2", "--as", "U300").stdout
    assert "RO-HAM1-V2 at HAM1 · Dana Okafor" in out and "survey 6/10" in out
    s3 = world.suggestions["S3"]
    assert f"#{s3} Their usual drink, brought to them" in out
    assert "skipped (customer in a hurry) by Jonas Berg" in out
    assert "• is_waiting = true" in out and '• preferred_drink = "oat flat white"' in out
    assert "rated not appropriate by Tom Richter: customer was on the phone" in out
    body = json.loads(ok(store_url, "suggestions", "show", "V2", "--json", "--as", "U300").stdout)
    assert body["suggestions"][0]["suggestion_id"] == s3
    denied = cli(store_url, "suggestions", "show", "RO-HAM1-V2", "--as", "U100")
    assert denied.exit_code == 2
    assert denied.stderr.strip() == "error: reviews are for trainers and admins"


def test_suggestions_rate(store_url: str, world: ReportWorld, store: Store) -> None:
    s7 = str(world.suggestions["S7"])
    result = ok(
        store_url,
        "suggestions",
        "rate",
        s7,
        "not_appropriate",
        "--comment",
        "she had left already",
        "--as",
        "U300",
    )
    assert result.stdout.strip() == (
        f"suggestion #{s7} ('drink_known') rated not appropriate (she had left already)"
    )
    with store.sessions() as session:
        rating = session.scalars(
            select(SuggestionRating).where(SuggestionRating.suggestion_id == int(s7))
        ).one()
    assert (rating.rating, rating.staff_id) == ("not_appropriate", world.staff["tom"])
    needs_who = cli(store_url, "suggestions", "rate", s7, "good")
    assert needs_who.exit_code == 2 and "Missing option '--as'" in needs_who.output
    no_reason = cli(store_url, "suggestions", "rate", s7, "not_appropriate", "--as", "U400")
    assert no_reason.exit_code == 2
    assert no_reason.stderr.strip() == "error: say why it was not appropriate (--comment …)"
