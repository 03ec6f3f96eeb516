"""Real stores for tests: SQLite always, PostgreSQL when ``--postgres-url`` names one.

``make test`` passes the PostgreSQL URL; when it is given and cannot be reached, the run
fails — it never silently skips. Each test session migrates its own private PostgreSQL
schema (so concurrent runs never collide) and each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from knowledge import db as store_db
from knowledge.db import Store
from knowledge.models import Base


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres-url",
        default=os.environ.get("CONCIERGE_TEST_POSTGRES_URL", ""),
        help="PostgreSQL URL for the store tests (they run on SQLite as well).",
    )


def _backends(config: pytest.Config) -> list[str]:
    return ["sqlite", "postgresql"] if config.getoption("--postgres-url") else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _backends(metafunc.config), scope="session")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite"
    engine = store_db.make_engine(f"sqlite:///{path}")
    store_db.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A private schema in the given PostgreSQL database, migrated to head, dropped at the end."""
    raw = request.config.getoption("--postgres-url")
    if not raw:
        pytest.skip("no --postgres-url given")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = store_db.make_engine(raw)
    try:
        with store_db.connect(admin) as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            conn.commit()
    except Exception as exc:  # the URL was given: an unreachable server fails the run
        pytest.fail(f"PostgreSQL at {store_db.safe_url(raw)} cannot be used: {exc}", pytrace=False)
    url = make_url(raw).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    engine = store_db.make_engine(url_text)
    store_db.upgrade(engine)
    engine.dispose()
    try:
        yield url_text
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.commit()
        admin.dispose()


def _truncate_all(store: Store) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _reset_postgres(url: str) -> None:
    """Empty tables at the schema head, whatever the previous test left behind (some tests
    downgrade the schema or stamp a foreign revision on purpose)."""
    opened = store_db.open_store(url, check=False)
    try:
        if store_db.current_revision(opened.engine) != store_db.head_revision():
            with opened.engine.begin() as conn:
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            store_db.upgrade(opened.engine)
        _truncate_all(opened)
    finally:
        opened.dispose()


@pytest.fixture()
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store at the schema head, on the parametrized backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "store.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


@pytest.fixture()
def store(store_url: str) -> Iterator[Store]:
    """An empty, migrated store (SQLite and PostgreSQL)."""
    opened = store_db.open_store(store_url)
    try:
        yield opened
    finally:
        opened.dispose()
