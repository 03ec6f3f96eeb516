"""`concierge db …` and `concierge demo-data` from a user's point of view: one clear line on
bad input, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from knowledge import db as store_db

runner = CliRunner()


def run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_malformed_database_url_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(monkeypatch, "sqlite//nope", "db", "upgrade")
    assert code == 2
    assert out.strip().splitlines() == [
        "error: DATABASE_URL is malformed: 'sqlite//nope' — expected e.g. "
        "sqlite:///var/concierge.sqlite or postgresql+psycopg://user@host:5432/dbname"
    ]


def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(
        monkeypatch, "postgresql+psycopg://ops:hunter2@127.0.0.1:1/concierge", "summary"
    )
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: cannot reach the database at postgresql+psycopg://ops:***@127.0.0.1:1/concierge:"
    )
    assert "hunter2" not in out


def test_newer_schema_is_refused_and_left_alone(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    engine = store_db.make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff0001'"))
    for args in (("db", "upgrade"), ("summary",), ("demo-data", "--customers", "5")):
        code, out = run(monkeypatch, store_url, *args)
        assert code == 2, args
        assert "schema revision ffff0001, which this Concierge does not know" in out
        assert len(out.strip().splitlines()) == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff0001"
        assert conn.execute(text("SELECT COUNT(*) FROM customer")).scalar() == 0
    engine.dispose()


def test_upgrade_twice_is_a_no_op(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    code, out = run(monkeypatch, url, "db", "upgrade")
    assert code == 0 and out.startswith("schema upgraded empty → ")
    code, out = run(monkeypatch, url, "db", "upgrade")
    assert code == 0 and out.startswith("schema already at ")
    assert out.strip().endswith("nothing to do")


def test_demo_data_if_missing_skips_finished_work(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    code, out = run(monkeypatch, store_url, "demo-data", "--customers", "40", "--if-missing")
    assert code == 0, out
    assert "loaded 40 demo customers (seed 42)" in out
    code, out = run(monkeypatch, store_url, "demo-data", "--customers", "40", "--if-missing")
    assert code == 0, out
    assert "demo data already loaded (40 customers, seed 42" in out
    assert "nothing to do" in out


def test_demo_data_rejects_a_bad_count_and_date(
    monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    code, out = run(monkeypatch, store_url, "demo-data", "--customers", "0")
    assert (code, out.strip()) == (2, "error: --customers must be between 1 and 5,000,000, got 0")
    code, out = run(monkeypatch, store_url, "demo-data", "--today", "23.11.2026")
    assert (code, out.strip()) == (
        2,
        "error: --today must be a date like 2026-11-23, got '23.11.2026'",
    )


def test_staff_add_and_refusals(monkeypatch: pytest.MonkeyPatch, store_url: str) -> None:
    code, out = run(
        monkeypatch,
        store_url,
        "dealer",
        "add",
        "--code",
        "ham1",
        "--name",
        "Nordlicht Hamburg",
        "--group",
        "Nordlicht",
        "--phone",
        "040 219870",
    )
    assert (code, out.strip()) == (0, "added dealer HAM1 — Nordlicht Hamburg")
    code, out = run(
        monkeypatch,
        store_url,
        "staff",
        "add",
        "--team",
        "T01",
        "--user",
        "U01",
        "--name",
        "Dana",
        "--role",
        "chef",
        "--dealer",
        "HAM1",
    )
    assert (code, out.strip()) == (
        2,
        "error: unknown role 'chef' — use one of: advisor, call_center, trainer, admin",
    )
    code, out = run(
        monkeypatch,
        store_url,
        "staff",
        "add",
        "--team",
        "T01",
        "--user",
        "U01",
        "--name",
        "Dana",
        "--role",
        "advisor",
        "--dealer",
        "XX9",
    )
    assert (code, out.strip()) == (2, "error: no dealer with code 'XX9' (known: HAM1)")
    code, out = run(
        monkeypatch,
        store_url,
        "staff",
        "add",
        "--team",
        "T01",
        "--user",
        "U01",
        "--name",
        "Dana",
        "--role",
        "advisor",
        "--dealer",
        "ham1",
    )
    assert (code, out.strip()) == (0, "Dana (T01/U01) may use Concierge as advisor at HAM1")
