"""Blocking keys: each kind of error a record may carry still leaves a key its twin shares."""

from __future__ import annotations

from typing import Any

from knowledge.identity.keys import blocking_keys, index_keys
from knowledge.identity.records import MatchView, PersonRecord


def view(**fields: Any) -> MatchView:
    for key in ("phones", "emails"):
        if key in fields:
            fields[key] = tuple(fields[key])
    return PersonRecord(source="t", source_id="1", **fields).view()


def shared_kinds(a: MatchView, b: MatchView) -> set[str]:
    ka, kb = blocking_keys(a), blocking_keys(b)
    return {ka[k][0] for k in ka.keys() & kb.keys()}


def test_a_transposed_birth_date_and_a_nickname_still_meet() -> None:
    a = view(given_name="Robert", family_name="Meyer", birth_date="1975-06-01")
    b = view(given_name="Bob", family_name="Meier", birth_date="1975-01-06")
    assert shared_kinds(a, b) == {"fd", "gd", "n"}


def test_a_misspelt_family_name_meets_by_given_name_and_birth_date() -> None:
    a = view(given_name="Anke", family_name="Neumann", birth_date="2001-12-08")
    b = view(given_name="Anke", family_name="Xeumann", birth_date="2001-12-08")
    assert shared_kinds(a, b) == {"gd"}


def test_an_address_meets_by_postcode_and_by_town() -> None:
    full = view(family_name="Braun", street="Holstenstr. 90c", postcode="21640", city="Horneburg")
    same = view(family_name="Braun", street="Holstenstraße 90 c", postcode="21640")
    assert shared_kinds(full, same) == {"a"}
    # Without a postcode the record looks the house up by town, where the other is filed too.
    no_postcode = view(family_name="Braun", street="Holstenstraße 90c", city="Horneburg")
    lookup = blocking_keys(no_postcode)
    assert {lookup[k][0] for k in lookup.keys() & index_keys(full)} == {"ac"}
    # With a postcode the house is looked up by it alone: the town's blocks are larger.
    assert "ac" not in {kind for kind, _ in blocking_keys(full).values()}


def test_a_shared_value_is_no_key() -> None:
    pool = "fuhrpark@nordwind.de"
    a = view(family_name="Müller", emails=[pool], phones=["+4915111111111"])
    b = view(family_name="Schulz", emails=[pool], phones=["+4915111111111"])
    assert shared_kinds(a, b) == {"p", "e"}
    a.shared.add(pool)
    assert shared_kinds(a, b) == {"p"}
