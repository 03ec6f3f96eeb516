"""Mapping files: the built-in sources load; a wrong mapping fails with one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from knowledge.errors import InvalidInput
from knowledge.identity.mapping import available_sources, load_mapping, parse_mapping


def test_built_in_sources() -> None:
    assert available_sources() == [
        "crm-marketing",
        "dms-service",
        "generic-people",
        "recall-campaigns",
    ]
    generic = load_mapping("generic-people")
    assert sorted(generic.columns()) == sorted(
        [
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
    )
    assert generic.date_formats == ("%Y-%m-%d", "%Y%m%d")
    dms = load_mapping("dms-service")
    assert (dms.format, dms.delimiter, dms.trust_rank, dms.entities) == (
        "csv", ";", 20, ("customer", "vehicle", "visit"),
    )  # fmt: skip
    assert load_mapping("crm-marketing").fields["customer.email"] == ("email.private", "email.work")


def mapping(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "x",
        "format": "csv",
        "entities": ["customer"],
        "fields": {"customer.source_id": "id", "customer.family_name": "name"},
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"format": "xml"}, "format 'xml' is not one of csv, jsonl"),
        ({"trust_rank": 0}, "trust_rank must be a whole number ≥ 1"),
        ({"entities": ["people"]}, "unknown entity 'people'"),
        ({"fields": {"customer.source_id": "id", "customer.shoe_size": "s"}},
         "unknown canonical field 'customer.shoe_size'"),
        ({"fields": {"customer.family_name": "n"}}, "needs the field 'customer.source_id'"),
        ({"fields": {"customer.source_id": "id", "customer.given_name": ["a", "b"]}},
         "customer.given_name takes one column"),
        ({"entities": ["customer", "visit"],
          "fields": {"customer.source_id": "id", "visit.ro_number": "r"}},
         "entity 'visit' needs entity 'vehicle'"),
        ({"date_formats": "%Q"}, None),
        ({"default_phone_country": "Germany"}, "two-letter country code"),
        ({"delimiter": ";;"}, "delimiter must be one character"),
    ],
)  # fmt: skip
def test_mapping_mistakes_are_named(over: dict[str, Any], message: str | None) -> None:
    if message is None:
        parse_mapping(mapping(**over), "x.yml")  # strftime accepts unknown directives
        return
    with pytest.raises(InvalidInput, match=message):
        parse_mapping(mapping(**over), "x.yml")


def test_a_mapping_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yml"
    path.write_text(
        "name: my-crm\nformat: csv\ntrust_rank: 40\nfields:\n  customer.source_id: ID\n"
        "  customer.full_name: NAME\n",
        encoding="utf-8",
    )
    assert load_mapping(path).name == "my-crm"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is not valid YAML"):
        load_mapping(path)
    with pytest.raises(
        InvalidInput, match="unknown source 'nope' — built-in sources: crm-marketing"
    ):
        load_mapping("nope")
