"""``concierge import``, ``review …`` and ``links export`` as an operator runs them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import app
from knowledge.db import Store
from knowledge.models import Customer, MergeLogEntry
from tests.knowledge.identity.conftest import person, write_generic

ROWS = [
    person(
        "1",
        given_name="Sabine",
        family_name="Kock",
        birth_date="1977-11-25",
        email="kock.sabine@icloud.com",
    ),
    person(
        "2",
        given_name="Sabine",
        family_name="Kock",
        birth_date="1977-11-26",
        street="Dorfstraße 67",
        postcode="23828",
        phone="0171 2561034",
    ),
    person(
        "3", given_name="Bob", family_name="Smith", birth_date="1975-06-01", email="bob@smith.co.uk"
    ),
    person(
        "4",
        given_name="Robert",
        family_name="Smith",
        birth_date="1975-01-06",
        email="bob@smith.co.uk",
    ),
    person("5", given_name="Hans", family_name="Meier", birth_date="31.02.1980"),
]


def run(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, list(args), env={"DATABASE_URL": store_url, "CONCIERGE_VAR_DIR": "var"}
    )


def test_import_prints_a_summary_and_writes_the_rejects(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    path = write_generic(tmp_path / "people.csv", ROWS)
    rejects = tmp_path / "rejects.csv"
    result = run(
        store_url,
        "import",
        "--source",
        "generic-people",
        str(path),
        "--rejects",
        str(rejects),
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "import of people.csv as generic-people (run #" in result.output
    assert f"rejects report: {rejects} (1 rows)" in result.output
    assert "uncertain matches wait for a decision: concierge review list" in result.output
    with rejects.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["line", "reason", "raw"]
    assert rows[1][:2] == ["6", "birth_date '31.02.1980' is not a date (YYYY-MM-DD or YYYYMMDD)"]
    with store.sessions.begin() as session:
        assert len(session.execute(select(Customer.id)).all()) == 3

    again = run(store_url, "import", "-s", "generic-people", str(path), "-q")
    assert again.exit_code == 0
    assert re.search(r"│\s+5 │\s+0 │\s+0 │\s+0 │\s+4 │", again.output), again.output


def test_import_errors_are_one_line(store_url: str, tmp_path: Path) -> None:
    path = write_generic(tmp_path / "people.csv", ROWS)
    result = run(store_url, "import", "--source", "nope", str(path))
    assert result.exit_code == 2
    assert "error: unknown source 'nope' — built-in sources: crm-marketing" in result.output
    assert "Traceback" not in result.output
    missing = run(store_url, "import", "--source", "generic-people", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output


def test_review_merge_split_and_dismiss(store: Store, store_url: str, tmp_path: Path) -> None:
    run(
        store_url,
        "import",
        "-s",
        "generic-people",
        str(write_generic(tmp_path / "p.csv", ROWS)),
        "-q",
    )
    listed = run(store_url, "review", "list")
    assert listed.exit_code == 0
    review_id = re.search(r"│\s+(\d+) │ #\d+ Sabine Kock", listed.output)
    assert review_id, listed.output

    no_reason = run(store_url, "review", "merge", review_id.group(1))
    assert no_reason.exit_code == 2
    merged = run(
        store_url, "review", "merge", review_id.group(1), "--reason", "same birth day, typo"
    )
    assert merged.exit_code == 0, merged.output
    merge_id = re.search(r"merge #(\d+); undo with", merged.output)
    assert merge_id, merged.output
    with store.sessions.begin() as session:
        entry = session.get(MergeLogEntry, int(merge_id.group(1)))
        assert (
            entry is not None
            and entry.actor.startswith("cli:")
            and entry.reason == "same birth day, typo"
        )

    split = run(store_url, "review", "split", merge_id.group(1), "--reason", "two people after all")
    assert split.exit_code == 0, split.output
    assert f"split merge #{merge_id.group(1)}: customer #" in split.output

    assert "no open reviews" in run(store_url, "review", "list").output
    dismissed = run(store_url, "review", "list", "--status", "dismissed")
    assert "Sabine Kock" in dismissed.output


def test_split_records_names_what_can_be_split(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    run(
        store_url,
        "import",
        "-s",
        "generic-people",
        str(write_generic(tmp_path / "p.csv", ROWS)),
        "-q",
    )
    with store.sessions.begin() as session:
        bob = session.execute(
            select(Customer.id).where(Customer.family_name == "Smith")
        ).scalar_one()
    hint = run(store_url, "review", "split", "--customer", str(bob), "--reason", "x")
    assert hint.exit_code == 2
    assert f"customer #{bob} has: generic-people:3, generic-people:4" in hint.output
    done = run(store_url, "review", "split", "--customer", str(bob), "--record", "generic-people:4",
               "--reason", "father and son")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"split 1 record(s) off customer #{bob} into new customer #" in done.output
    records = run(store_url, "review", "records", str(bob))
    assert records.output.split() == ["generic-people:3"]


def test_links_export(store_url: str, tmp_path: Path) -> None:
    run(
        store_url,
        "import",
        "-s",
        "generic-people",
        str(write_generic(tmp_path / "p.csv", ROWS)),
        "-q",
    )
    out = tmp_path / "links.csv"
    result = run(store_url, "links", "export", "--out", str(out))
    assert result.exit_code == 0
    assert "4 links written to" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source,source_id,customer_id"
    assert [line.split(",")[1] for line in lines[1:]] == ["1", "2", "3", "4"]
    stdout = run(store_url, "links", "export", "--format", "jsonl")
    assert stdout.output.splitlines()[0].startswith('{"source": "generic-people", "source_id": "1"')
    bad = run(store_url, "links", "export", "--format", "xml")
    assert bad.exit_code == 2 and "unknown format 'xml'" in bad.output
