"""Engines, sessions and the schema's revision — the only place that opens a database.

The caller owns the session: one ``with factory.begin() as session:`` per Slack event,
action call or CLI command. Nothing here runs at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.errors import ConfigError, SchemaMismatch, StoreUnavailable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def parse_url(raw: str) -> URL:
    """Parse a database URL, or explain in one line what is wrong with it."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL is malformed: {raw!r} — expected e.g. sqlite:///var/concierge.sqlite "
            "or postgresql+psycopg://user@host:5432/dbname"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL names an unsupported database {url.get_backend_name()!r}: "
            "use sqlite or postgresql"
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # Plain "postgresql://" would pick psycopg2, which is not installed; psycopg 3 is.
        url = url.set(drivername="postgresql+psycopg")
    return url


def safe_url(url: URL | str) -> str:
    """The URL as text without its password, fit for messages and logs."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<malformed url>"
    return url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # A 64 MB page cache per connection keeps hot index pages in memory without holding
    # the store itself there.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_engine(raw_url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, create the file's folder first."""
    url = parse_url(raw_url)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args["check_same_thread"] = False
    else:
        connect_args["connect_timeout"] = 5
    try:
        engine = create_engine(url, connect_args=connect_args, **kwargs)
    except NoSuchModuleError:
        raise ConfigError(
            f"DATABASE_URL names a driver that is not installed: {url.drivername}"
        ) from None
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with connect(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def connect(engine: Engine) -> Any:
    """Open a connection, turning 'cannot connect' into one clear line."""
    try:
        return engine.connect()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreUnavailable(
            f"cannot reach the database at {safe_url(engine.url)}: {reason}"
        ) from None


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not exactly this code's head."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatch(
            f"the database at {safe_url(engine.url)} has no Concierge schema yet — "
            "run `concierge db upgrade`"
        )
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    if _known(script, current):
        raise SchemaMismatch(
            f"the database is at schema revision {current}, older than this Concierge ({head}) "
            "— run `concierge db upgrade`"
        )
    raise SchemaMismatch(
        f"the database is at schema revision {current}, which this Concierge does not know "
        f"(its newest is {head}): it was upgraded by a newer Concierge — upgrade Concierge, "
        "nothing was changed"
    )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:
        return False


def upgrade(engine: Engine, revision: str = "head") -> None:
    current = current_revision(engine)
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    if current is not None and not _known(script, current):
        check_schema(engine)  # raises the "newer revision" message, changing nothing
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def ping(engine: Engine) -> None:
    with connect(engine) as conn:
        conn.execute(text("SELECT 1"))


class Store:
    """An engine and its session factory: what every command and front end works with."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(raw_url: str, *, check: bool = True, **engine_kwargs: Any) -> Store:
    """Open the store at ``raw_url``; with ``check``, refuse a schema that is not this code's."""
    engine = make_engine(raw_url, **engine_kwargs)
    if check:
        check_schema(engine)
    return Store(engine)
