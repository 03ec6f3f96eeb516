"""Bulk reads and writes for identity resolution: chunked IN-lists and insert-or-ignore.

Per-row ORM work cannot import a million records in minutes; these helpers run one statement
per few thousand rows on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")

# Well under SQLite's bound-parameter limit, large enough to keep round trips few.
IN_CHUNK = 2000


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class (typed, for bulk statements)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def chunked(items: Sequence[T] | Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any that would break a unique constraint."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)


def insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in the order given."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # SQLite gives each new row of an INTEGER PRIMARY KEY table the largest id so far
        # plus one, in the order the rows are inserted: the ids, sorted, are the rows' ids
        # in order. (Asking SQLAlchemy to sort them sends one statement per row.)
        stmt = table.insert().returning(table.c.id)
        return sorted(session.execute(stmt, rows).scalars().all())
    stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(stmt, rows).scalars().all())


def bulk_insert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    ignore: bool = False,
) -> None:
    """Insert plain rows (numbers and text only) straight through the driver's executemany.

    For the tables written millions of times per import (blocking keys, members) the
    statement compilation and parameter processing of the ORM layer costs more than the
    insert itself.
    """
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        marks = ", ".join(["%s"] * len(columns))
        tail = " ON CONFLICT DO NOTHING" if ignore else ""
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}){tail}'
    else:
        marks = ", ".join(["?"] * len(columns))
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        sql = f'{verb} INTO "{table.name}" ({names}) VALUES ({marks})'
    connection.exec_driver_sql(sql, list(rows))


def driver_value(dialect: str, value: Any) -> Any:
    """A Python value as the store keeps it, for statements sent straight to the driver.

    On SQLite this is what SQLAlchemy's types write (naive-UTC text for datetimes, ISO
    dates, 0/1 for booleans, JSON as text), so the ORM reads the rows back unchanged.
    """
    if dialect == "sqlite":
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def bulk_insert_returning(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    json_columns: Sequence[str] = (),
) -> list[int]:
    """Insert rows through the driver and return their new ids in the order given.

    Values must be what the driver takes: convert dates, datetimes and JSON with
    ``driver_value`` (once per batch where they repeat).

    PostgreSQL: ids are drawn from the table's sequence first and inserted explicitly.
    SQLite: each new row of an INTEGER PRIMARY KEY table gets the largest id so far plus
    one, in insertion order, so the returned ids, sorted, are the rows' ids in order.
    """
    if not rows:
        return []
    connection = session.connection()
    dialect = connection.dialect.name
    converted = rows
    names = ", ".join(f'"{c}"' for c in columns)
    if dialect == "postgresql":
        ids = sorted(
            connection.exec_driver_sql(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                f"FROM generate_series(1, {len(rows)})"
            ).scalars()
        )
        marks = ", ".join(["%s"] + [("%s::jsonb" if c in json_columns else "%s") for c in columns])
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ("id", {names}) VALUES ({marks})',
            [(i, *row) for i, row in zip(ids, converted, strict=True)],
        )
        return [int(i) for i in ids]
    per_statement = max(1, min(500, 30000 // len(columns)))
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    out: list[int] = []
    for start in range(0, len(converted), per_statement):
        part = converted[start : start + per_statement]
        sql = (
            f'INSERT INTO "{table.name}" ({names}) VALUES '
            + ", ".join([one] * len(part))
            + " RETURNING id"
        )
        flat = [v for row in part for v in row]
        out.extend(sorted(int(i) for i in connection.exec_driver_sql(sql, tuple(flat)).scalars()))
    return out
