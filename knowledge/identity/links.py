"""Links export: which golden customer every imported record became.

``source, source_id, customer_id`` per imported person record — what anyone checks the
result against (a truth file, another tool's output, last month's export).
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.identity.resolver import NATIVE_SOURCE
from knowledge.models import SourceRecord, SourceSystem
from knowledge.models.enums import EntityType

LINK_COLUMNS = ("source", "source_id", "customer_id")
FORMATS = ("csv", "jsonl")


def export_links(
    session: Session, out: TextIO, *, fmt: str = "csv", entity: str = "customer"
) -> int:
    """Write the links of every imported record of ``entity`` ('all' for every kind, which
    adds an ``entity_type`` column); returns how many were written."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
    kinds = [e.value for e in EntityType]
    if entity != "all" and entity not in kinds:
        raise InvalidInput(f"unknown entity {entity!r}: use {', '.join(kinds)} or all")
    columns = (*LINK_COLUMNS, "entity_type") if entity == "all" else LINK_COLUMNS
    stmt = (
        select(
            SourceSystem.name,
            SourceRecord.source_id,
            SourceRecord.customer_id,
            SourceRecord.entity_type,
        )
        .join(SourceSystem, SourceSystem.id == SourceRecord.source_system_id)
        .where(SourceSystem.name != NATIVE_SOURCE)
        .order_by(SourceRecord.source_system_id, SourceRecord.entity_type, SourceRecord.source_id)
        .execution_options(yield_per=10_000)
    )
    if entity != "all":
        stmt = stmt.where(SourceRecord.entity_type == entity)
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    count = 0
    for name, source_id, customer_id, entity_type in session.execute(stmt):
        values = (name, source_id, customer_id, entity_type)[: len(columns)]
        if writer:
            writer.writerow(["" if v is None else v for v in values])
        else:
            out.write(
                json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False) + "\n"
            )
        count += 1
    return count
