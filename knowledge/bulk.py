"""Fast bulk loading of plain rows: COPY on PostgreSQL, executemany on SQLite.

Used where millions of rows are written at once (demo data, imports); everywhere else the
ORM is the way to write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Table, text

from knowledge.models import Base
from knowledge.models.base import UTCDateTime


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, explicit ids) into ``table``."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, rows)
        return
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ in ("JSON", "JSONB")}
    driver = conn.connection.driver_connection
    assert driver is not None
    quoted = ", ".join(f'"{c}"' for c in columns)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(
                tuple(
                    json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                )
            )


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


def _sqlite_value(column_type: object) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would store a Python value of this column type in SQLite."""
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else int(v)
    if isinstance(column_type, JSON):
        return lambda v: None if v is None else json.dumps(v)
    return None


def _sqlite_insert(
    conn: Connection, table: Table, columns: list[str], rows: Sequence[dict[str, Any]]
) -> None:
    # The DB-API's executemany with tuples is several times faster than Core's insert with
    # dicts, which matters at tens of millions of rows; values are converted exactly as
    # SQLAlchemy's own types would store them, so the ORM reads them back unchanged.
    # Conversion runs column by column through map(), which keeps the per-value cost low.
    column_values = []
    for c in columns:
        raw = [row[c] for row in rows]
        convert = _sqlite_value(table.columns[c].type)
        column_values.append(raw if convert is None else list(map(convert, raw)))
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})',
        list(zip(*column_values, strict=True)),
    )
