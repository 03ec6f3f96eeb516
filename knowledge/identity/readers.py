"""Read export files row by row, each row with the line number a person would look for.

CSV and JSON Lines. A row that cannot be read (wrong number of fields, broken JSON, bytes
that are not text in the file's encoding) is yielded as a ``RowProblem`` with its line, so it
lands in the rejects report; a file that cannot be read at all (missing, wrong header) raises
``InvalidInput`` before anything is imported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.errors import InvalidInput
from knowledge.identity.mapping import SourceMapping

# Long free-text fields (repair order notes) are legitimate; a megabyte in one cell is not.
csv.field_size_limit(1_000_000)


@dataclass(frozen=True, slots=True)
class RowProblem:
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    index: int  # 0-based position among the file's data rows (what a resumed run skips)
    data: dict[str, Any] | None
    problem: RowProblem | None = None


def _not_text(values: list[str]) -> bool:
    try:
        "\x1f".join(values).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_file(path: Path) -> None:
    if not path.exists():
        raise InvalidInput(f"file {path} does not exist")
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise InvalidInput(f"file {path} is empty")


def csv_header(path: Path, mapping: SourceMapping) -> list[str]:
    """The header of a CSV file, checked against the columns the mapping needs."""
    check_file(path)
    with path.open(encoding=mapping.encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=mapping.delimiter)
        header = next(reader, None)
    if not header:
        raise InvalidInput(f"file {path.name} has no header line")
    header = [h.strip() for h in header]
    missing = sorted(mapping.columns() - set(header))
    if missing:
        if len(header) == 1 and mapping.delimiter not in header[0]:
            raise InvalidInput(
                f"file {path.name} does not look like {mapping.name!r} data: its header has "
                f"no {mapping.delimiter!r} separators (expected columns "
                f"{', '.join(sorted(mapping.columns()))})"
            )
        raise InvalidInput(
            f"file {path.name} lacks the column(s) {', '.join(missing)} that source "
            f"{mapping.name!r} needs"
        )
    return header


def read_rows(path: Path, mapping: SourceMapping) -> Iterator[Row]:
    if mapping.format == "jsonl":
        yield from _read_jsonl(path, mapping)
    else:
        yield from _read_csv(path, mapping)


def _read_csv(path: Path, mapping: SourceMapping) -> Iterator[Row]:
    header = csv_header(path, mapping)
    width = len(header)
    with path.open(encoding=mapping.encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=mapping.delimiter)
        next(reader)
        index = 0
        last_line = reader.line_num
        for values in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # blank line
            if _not_text(values):
                raw = mapping.delimiter.join(values).encode("utf-8", "surrogateescape")
                yield Row(
                    line,
                    index,
                    None,
                    RowProblem(
                        f"not valid {mapping.encoding} text",
                        raw.decode("utf-8", "replace"),
                    ),
                )
            elif len(values) != width:
                yield Row(
                    line,
                    index,
                    None,
                    RowProblem(
                        f"row has {len(values)} fields, the header has {width}",
                        mapping.delimiter.join(values),
                    ),
                )
            else:
                yield Row(line, index, dict(zip(header, values, strict=True)))
            index += 1


def _read_jsonl(path: Path, mapping: SourceMapping) -> Iterator[Row]:
    check_file(path)
    with path.open("rb") as fh:
        index = 0
        for line_no, raw_bytes in enumerate(fh, start=1):
            if not raw_bytes.strip():
                continue
            try:
                text = raw_bytes.decode(mapping.encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                yield Row(
                    line_no,
                    index,
                    None,
                    RowProblem(
                        f"not valid {mapping.encoding} text",
                        raw_bytes.decode("utf-8", "replace").rstrip("\n"),
                    ),
                )
                index += 1
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(
                    line_no,
                    index,
                    None,
                    RowProblem(f"not valid JSON ({exc.msg} at column {exc.colno})", text.rstrip()),
                )
                index += 1
                continue
            if not isinstance(data, dict):
                yield Row(
                    line_no,
                    index,
                    None,
                    RowProblem("a line must hold one JSON object", text.rstrip()),
                )
            else:
                yield Row(line_no, index, data)
            index += 1


def lookup(data: dict[str, Any], path: str, *, dotted: bool) -> Any:
    """The value at a column name, or at a dotted JSON path ('address.zip')."""
    if not dotted or "." not in path:
        return data.get(path)
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
