"""Small export files and a store with the demo rooftops, for identity-resolution tests."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from knowledge.db import Store
from knowledge.identity.demo_sources import ensure_demo_dealers
from knowledge.models import Base

TODAY = dt.date(2026, 11, 23)
GENERIC_COLUMNS = [
    "source_id",
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "email",
    "street",
    "address_line2",
    "city",
    "postcode",
    "region",
    "country",
]
DMS_COLUMNS = [
    "OWNER_NO",
    "OWNER_NAME",
    "BIRTH_DATE",
    "PHONE",
    "MOBILE",
    "EMAIL",
    "STREET",
    "ZIP",
    "CITY",
    "OWNER_CHANGED",
    "VIN",
    "MAKE",
    "MODEL",
    "MODEL_YEAR",
    "PLATE",
    "FIRST_REG",
    "RO_NO",
    "DEALER",
    "RO_OPENED",
    "RO_CLOSED",
    "MILEAGE",
    "WORK",
]
# Valid VINs (check digit correct).
VIN_A = "WBA8E9109KA000001"
VIN_B = "WP1AB2A54NA700024"


def person(source_id: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(GENERIC_COLUMNS, "")
    row["source_id"] = source_id
    row.update(fields)
    return row


def write_generic(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=GENERIC_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def dms_row(owner: str, name: str, ro: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(DMS_COLUMNS, "")
    row.update(
        OWNER_NO=owner, OWNER_NAME=name, RO_NO=ro, DEALER="HAM1", VIN=VIN_A, MAKE="BMW",
        MODEL="320d", MODEL_YEAR="2019", RO_OPENED="02.03.2024 08:15",
        RO_CLOSED="02.03.2024 16:40", FIRST_REG="15.05.2019",
    )  # fmt: skip
    row.update(fields)
    return row


def write_dms(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=DMS_COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def crm(contact_id: str, first: str, last: str, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "contact_id": contact_id,
        "first_name": first,
        "last_name": last,
        "birthday": None,
        "email": {"private": None, "work": None},
        "phone": {"mobile": None, "home": None},
        "address": None,
        "modified_at": "2026-10-01T09:00:00Z",
    }
    record.update(extra)
    return record


def table_counts(store: Store) -> dict[str, int]:
    """Rows per table: two equal snapshots mean nothing changed."""
    with store.sessions.begin() as session:
        return {
            t.name: int(session.execute(select(func.count()).select_from(t)).scalar_one())
            for t in Base.metadata.sorted_tables
            if t.name not in ("import_run", "import_reject")
        }


@pytest.fixture()
def dealers(store: Store) -> Store:
    with store.sessions.begin() as session:
        ensure_demo_dealers(session)
    return store


@pytest.fixture()
def files(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: tmp_path / name
