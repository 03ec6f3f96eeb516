"""``concierge db …``: create, upgrade, downgrade and inspect the store's schema."""

from __future__ import annotations

import typer

from bot.cli.common import console, one_line_errors, settings
from knowledge import db as store_db

app = typer.Typer(help="Manage the store's schema (Alembic migrations).", no_args_is_help=True)


@app.command()
@one_line_errors
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Bring the database to the newest schema (creates it if empty)."""
    engine = store_db.make_engine(settings().effective_database_url)
    try:
        before = store_db.current_revision(engine)
        store_db.upgrade(engine, revision)
        after = store_db.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        console.print(f"schema already at {after} — nothing to do")
    else:
        console.print(f"schema upgraded {before or 'empty'} → {after}")


@app.command()
@one_line_errors
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Step the schema back (data in dropped tables is lost)."""
    engine = store_db.make_engine(settings().effective_database_url)
    try:
        store_db.downgrade(engine, revision)
        console.print(f"schema now at {store_db.current_revision(engine) or 'base'}")
    finally:
        engine.dispose()


@app.command()
@one_line_errors
def current() -> None:
    """Print the schema revision of the database and of this code."""
    engine = store_db.make_engine(settings().effective_database_url)
    try:
        rev = store_db.current_revision(engine)
    finally:
        engine.dispose()
    console.print(f"database: {rev or 'empty'}  code: {store_db.head_revision()}")


@app.command()
@one_line_errors
def ping(
    url: str | None = typer.Option(None, "--url", help="Database URL (default: DATABASE_URL)."),
) -> None:
    """Check that the database can be reached (prints one line either way)."""
    raw = url or settings().effective_database_url
    engine = store_db.make_engine(raw)
    try:
        store_db.ping(engine)
    finally:
        engine.dispose()
    console.print(f"reached {store_db.safe_url(raw)}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
