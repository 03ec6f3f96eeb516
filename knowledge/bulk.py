"""Fast bulk loading of plain rows: COPY on PostgreSQL, executemany on SQLite.

Used where millions of rows are written at once (demo data, imports); everywhere else the
ORM is the way to write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Engine, Index, Table, text
from sqlalchemy.schema import CreateIndex, DropIndex

from knowledge.models import Base
from knowledge.models.base import UTCDateTime


@dataclass(frozen=True)
class Prepared:
    """Rows of one table converted for one database, ready to write (and cheap to pickle)."""

    table: str
    columns: list[str]
    values: list[tuple[Any, ...]]


def prepare(table: Table, rows: Sequence[dict[str, Any]], dialect: str) -> Prepared:
    """Convert dict rows to tuples the database driver takes as they are.

    SQLite gets values exactly as SQLAlchemy's own types would store them, so the ORM reads
    them back unchanged; PostgreSQL's COPY takes Python values, JSON as text. Conversion
    runs column by column through map(), which keeps the per-value cost low.
    """
    columns = list(rows[0]) if rows else []
    column_values = []
    for c in columns:
        raw = [row[c] for row in rows]
        convert = _value_converter(table.columns[c].type, dialect)
        column_values.append(raw if convert is None else list(map(convert, raw)))
    return Prepared(table.name, columns, list(zip(*column_values, strict=True)))


def write(conn: Connection, prepared: Prepared) -> None:
    """Insert prepared rows: COPY on PostgreSQL, the DB-API's executemany on SQLite."""
    if not prepared.values:
        return
    quoted = ", ".join(f'"{c}"' for c in prepared.columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f'COPY "{prepared.table}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in prepared.values:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in prepared.columns)
    conn.exec_driver_sql(
        f'INSERT INTO "{prepared.table}" ({quoted}) VALUES ({placeholders})', prepared.values
    )


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, explicit ids) into ``table``."""
    if rows:
        write(conn, prepare(table, rows, conn.dialect.name))


def secondary_indexes(tables: Iterable[Table]) -> list[Index]:
    """The tables' non-unique indexes: what a bulk load can build once at the end."""
    return [i for t in tables for i in sorted(t.indexes, key=lambda i: str(i.name)) if not i.unique]


@contextmanager
def indexes_deferred(engine: Engine, tables: Iterable[Table]) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load and build them again afterwards.

    Building an index once over sorted data is several times cheaper than keeping it up to
    date row by row. Unique indexes stay: they guard the data while it is loaded. The
    indexes are rebuilt however the load ends, so a failed load leaves a complete schema.
    """
    indexes = secondary_indexes(tables)
    with engine.begin() as conn:
        for index in indexes:
            conn.execute(DropIndex(index, if_exists=True))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for index in indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))


def reset_sequences(conn: Connection) -> None:
    """After loading explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def _utc_text(v: dt.datetime | None) -> str | None:
    if v is None:
        return None
    if v.tzinfo is not dt.UTC:
        v = v.astimezone(dt.UTC)
    # SQLAlchemy's SQLite format: naive "YYYY-MM-DD HH:MM:SS.ffffff" (the offset is cut off).
    return v.isoformat(" ", "microseconds")[:26]


def _json_text(v: Any) -> str | None:
    return None if v is None else json.dumps(v)


def _value_converter(column_type: object, dialect: str) -> Callable[[Any], Any] | None:
    if isinstance(column_type, JSON):
        return _json_text
    if dialect != "sqlite":
        return None
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else int(v)
    return None
