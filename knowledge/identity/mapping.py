"""Mapping files: how one source system's export maps onto the store's canonical fields.

A mapping (``knowledge/identity/sources/<name>.yml``, or any ``.yml`` path) names the file
format, the columns (or JSON paths) of each canonical field, the date formats, the default
phone country and how far the source is trusted. Everything is checked when the mapping is
loaded, so a wrong mapping fails with one clear line before anything is imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import InvalidInput

SOURCES_DIR = Path(__file__).parent / "sources"

ENTITY_FIELDS: dict[str, frozenset[str]] = {
    "customer": frozenset(
        [
            "source_id",
            "given_name",
            "family_name",
            "full_name",
            "company_name",
            "salutation",
            "language",
            "birth_date",
            "phone",
            "email",
            "street",
            "address_line2",
            "city",
            "postcode",
            "region",
            "country",
            "updated",
        ]
    ),
    "vehicle": frozenset(
        ["vin", "make", "model", "model_year", "plate", "colour", "in_service_date", "odometer_km"]
    ),
    "visit": frozenset(
        [
            "ro_number",
            "dealer_code",
            "opened_at",
            "closed_at",
            "status",
            "odometer_km",
            "concerns",
            "work_done",
        ]
    ),
    "recall": frozenset(
        [
            "campaign_code",
            "title",
            "description",
            "remedy",
            "remedy_minutes",
            "published_on",
            "status",
        ]
    ),
}
# Fields that may name several columns (all their values are kept).
MULTI_FIELDS = frozenset({"customer.phone", "customer.email"})
# What each entity needs to exist at all.
REQUIRED_FIELDS = {
    "customer": ("customer.source_id",),
    "vehicle": ("vehicle.vin",),
    "visit": ("visit.ro_number",),
    "recall": ("recall.campaign_code",),
}
ENTITY_NEEDS = {"visit": ("customer", "vehicle"), "recall": ("vehicle",)}
FORMATS = ("csv", "jsonl")


@dataclass(frozen=True)
class SourceMapping:
    name: str
    description: str
    format: str
    trust_rank: int
    entities: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    default_phone_country: str = "DE"
    default_country: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    datetime_formats: tuple[str, ...] = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M")
    timezone: str = "Europe/Berlin"
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    default_dealer: str | None = None
    full_name_order: str = "auto"
    path: Path | None = field(default=None, compare=False)

    def columns(self) -> set[str]:
        """Every source column the mapping reads (the top-level key for a JSON path)."""
        out: set[str] = set()
        for columns in self.fields.values():
            out.update(c.split(".")[0] if self.format == "jsonl" else c for c in columns)
        return out

    def has(self, canonical: str) -> bool:
        return canonical in self.fields


def _fail(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"mapping {where}: {message}")


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise _fail(where, f"{key} must name a column or a list of columns")


def parse_mapping(data: Any, where: str, path: Path | None = None) -> SourceMapping:
    """Validate a mapping's YAML data; every mistake is named with its key."""
    if not isinstance(data, dict):
        raise _fail(where, "expected a YAML mapping of keys (name, format, fields…)")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(where, "needs a 'name'")
    fmt = data.get("format", "csv")
    if fmt not in FORMATS:
        raise _fail(where, f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    trust = data.get("trust_rank", 100)
    if not isinstance(trust, int) or isinstance(trust, bool) or trust < 1:
        raise _fail(where, "trust_rank must be a whole number ≥ 1 (1 = most trusted)")
    entities_raw = data.get("entities", ["customer"])
    if not isinstance(entities_raw, list) or not entities_raw:
        raise _fail(where, "entities must be a list, e.g. [customer, vehicle]")
    entities = tuple(str(e) for e in entities_raw)
    unknown_entities = [e for e in entities if e not in ENTITY_FIELDS]
    if unknown_entities:
        raise _fail(
            where,
            f"unknown entity {unknown_entities[0]!r} (known: {', '.join(ENTITY_FIELDS)})",
        )
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise _fail(where, "needs 'fields': canonical field → source column")
    fields: dict[str, tuple[str, ...]] = {}
    for key, value in raw_fields.items():
        entity, _, fname = str(key).partition(".")
        if entity not in ENTITY_FIELDS or fname not in ENTITY_FIELDS[entity]:
            raise _fail(where, f"unknown canonical field {key!r}")
        if entity not in entities:
            raise _fail(where, f"field {key!r} belongs to entity {entity!r}, not in entities")
        columns = _strings(value, where, str(key))
        if len(columns) > 1 and key not in MULTI_FIELDS:
            raise _fail(where, f"{key} takes one column (only phone and email take several)")
        fields[str(key)] = columns
    for entity in entities:
        for required in REQUIRED_FIELDS[entity]:
            if required not in fields:
                raise _fail(where, f"entity {entity!r} needs the field {required!r}")
        for needed in ENTITY_NEEDS.get(entity, ()):
            if needed not in entities:
                raise _fail(where, f"entity {entity!r} needs entity {needed!r} in the same row")
    if "customer" in entities and not any(
        f in fields
        for f in (
            "customer.family_name",
            "customer.full_name",
            "customer.company_name",
            "customer.phone",
            "customer.email",
        )
    ):
        raise _fail(where, "a customer needs at least a name, a phone or an e-mail field")

    def formats(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return default
        out = _strings(value, where, key)
        for f in out:
            try:
                dt.datetime(2001, 2, 3, 4, 5, 6).strftime(f)
            except ValueError:
                raise _fail(where, f"{key}: {f!r} is not a date format") from None
        return out

    phone_country = str(data.get("default_phone_country", "DE")).upper()
    if len(phone_country) != 2 or not phone_country.isalpha():
        raise _fail(where, "default_phone_country must be a two-letter country code, e.g. DE")
    country = data.get("default_country")
    if country is not None and (not isinstance(country, str) or len(country) != 2):
        raise _fail(where, "default_country must be a two-letter country code, e.g. DE")
    order = data.get("full_name_order", "auto")
    if order not in ("auto", "given_first", "family_first"):
        raise _fail(where, "full_name_order must be auto, given_first or family_first")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(where, "delimiter must be one character")
    return SourceMapping(
        name=name.strip(),
        description=str(data.get("description", "")).strip(),
        format=fmt,
        trust_rank=trust,
        entities=entities,
        fields=fields,
        default_phone_country=phone_country,
        default_country=country.upper() if country else None,
        date_formats=formats("date_formats", ("%Y-%m-%d",)),
        datetime_formats=formats(
            "datetime_formats", ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M")
        ),
        timezone=str(data.get("timezone", "Europe/Berlin")),
        delimiter=delimiter,
        encoding=str(data.get("encoding", "utf-8-sig")),
        default_dealer=data.get("default_dealer"),
        full_name_order=order,
        path=path,
    )


def available_sources() -> list[str]:
    return sorted(p.stem for p in SOURCES_DIR.glob("*.yml"))


def load_mapping(source: str | Path) -> SourceMapping:
    """A built-in source by name (``generic-people``), or a mapping file by path."""
    text_source = str(source)
    if text_source.endswith((".yml", ".yaml")):
        path = Path(text_source)
        if not path.is_file():
            raise InvalidInput(f"mapping file {text_source} does not exist")
    else:
        path = SOURCES_DIR / f"{text_source}.yml"
        if not path.is_file():
            raise InvalidInput(
                f"unknown source {text_source!r} — built-in sources: "
                f"{', '.join(available_sources())} (or give a mapping .yml file)"
            )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidInput(f"mapping {path.name} is not valid YAML: {exc}") from None
    return parse_mapping(data, path.name, path)
