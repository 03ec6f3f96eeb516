"""One record against the store: who would it be, and writing it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.identity import (
    import_file,
    index_unindexed_customers,
    match_person,
    person_from_fields,
    resolve_person,
)
from knowledge.identity.frequency import COMMON_NAME_HOLDERS
from knowledge.models import ContactPoint, Customer, SourceRecord
from tests.knowledge.identity.conftest import TODAY, person, write_generic

Files = Callable[[str], Path]


@pytest.fixture()
def imported(store: Store, files: Files) -> Store:
    rows = [
        person("1", given_name="Anna", family_name="Müller", birth_date="1980-03-14",
               phone="0151 2345 6789", street="Hauptstraße 5", postcode="20095", city="Hamburg"),
        person("2", given_name="Sabine", family_name="Kock", birth_date="1977-11-25"),
    ]  # fmt: skip
    import_file(
        store, "generic-people", write_generic(files("p.csv"), rows), actor="t", today=TODAY
    )
    return store


def cid(store: Store, source_id: str) -> int:
    with store.sessions.begin() as session:
        found = session.execute(
            select(SourceRecord.customer_id).where(SourceRecord.source_id == source_id)
        ).scalar_one()
        assert found is not None
        return found


def test_a_walk_in_is_recognised_by_phone(imported: Store) -> None:
    walk_in = person_from_fields(
        {"given_name": "Anna", "family_name": "Mueller", "phone": "+49 151 23456789"}
    )
    with imported.sessions.begin() as session:
        result = match_person(session, walk_in)
    assert (result.decision, result.customer_id) == ("merge", cid(imported, "1"))
    assert result.reason.startswith("family=exact(+5) given=exact(+5) phone=exact(+7)")


def test_a_near_miss_asks_for_review_and_a_stranger_is_new(imported: Store) -> None:
    with imported.sessions.begin() as session:
        near = match_person(session, person_from_fields(
            {"given_name": "Sabine", "family_name": "Kock", "birth_date": "1977-11-26",
             "street": "Dorfstraße 67", "postcode": "23828"}))  # fmt: skip
        stranger = match_person(
            session, person_from_fields({"given_name": "Zoe", "family_name": "Quast"})
        )
    assert (near.decision, near.customer_id) == ("review", cid(imported, "2"))
    assert (stranger.decision, stranger.customer_id) == ("new", None)


def test_match_writes_nothing_resolve_writes_like_an_import(imported: Store) -> None:
    walk_in = person_from_fields(
        {"given_name": "Anna", "family_name": "Müller", "phone": "0151 2345 6789",
         "email": "anna.m@web.de"}, source="walk-in")  # fmt: skip
    walk_in.source_id = "W-1"
    with imported.sessions.begin() as session:
        outcome = resolve_person(session, walk_in)
    assert (outcome.action, outcome.customer_id) == ("merged", cid(imported, "1"))
    with imported.sessions.begin() as session:
        emails = session.execute(
            select(ContactPoint.normalized, ContactPoint.source).where(ContactPoint.kind == "email")
        ).all()
    assert [tuple(e) for e in emails] == [("anna.m@web.de", "walk-in")]


def test_a_record_written_needs_its_own_source_id(imported: Store) -> None:
    with imported.sessions.begin() as session, pytest.raises(InvalidInput, match="own source id"):
        resolve_person(session, person_from_fields({"family_name": "Quast"}))


def test_bad_fields_are_one_clear_error() -> None:
    with pytest.raises(InvalidInput, match=r"birth_date '14\.03\.1980' is not a date"):
        person_from_fields({"family_name": "Müller", "birth_date": "14.03.1980"})


def test_customers_the_store_made_itself_are_indexed_and_found(store: Store) -> None:
    with store.sessions.begin() as session:
        staff_made = Customer(given_name="Jörg", family_name="Brodersen")
        session.add(staff_made)
        session.flush()
        session.add(ContactPoint(customer_id=staff_made.id, kind="phone", value="0171 1234567",
                                 normalized="+491711234567", source="staff"))  # fmt: skip
        made_id = staff_made.id
    assert index_unindexed_customers(store) == 1
    assert index_unindexed_customers(store) == 0
    with store.sessions.begin() as session:
        walk_in = person_from_fields(
            {"given_name": "Joerg", "family_name": "Brodersen", "phone": "+49 171 1234567"}
        )
        result = match_person(session, walk_in)
    assert (result.decision, result.customer_id) == ("merge", made_id)


def _sabines(store: Store, files: Files, count: int) -> None:
    """``count`` different women called Sabine Fischer, each with her own birth date."""
    rows = [
        person(f"S{n}", given_name="Sabine", family_name="Fischer",
               birth_date=f"19{50 + n // 12}-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
               phone=f"0151 4000 {n:04d}")
        for n in range(count)
    ]  # fmt: skip
    import_file(
        store, "generic-people", write_generic(files("s.csv"), rows), actor="t", today=TODAY
    )


@pytest.mark.parametrize(("carriers", "decision"), [(5, "merge"), (COMMON_NAME_HOLDERS, "review")])
def test_a_misspelt_common_name_needs_more_than_a_birth_date(
    store: Store, files: Files, carriers: int, decision: str
) -> None:
    """'Sabine Fircher' born on the day one Sabine Fischer was: enough when few carry the
    name; when many do, one of them shares the day by chance, and the stored record's own
    common name counts though the walk-in misspells it."""
    _sabines(store, files, carriers)
    walk_in = person_from_fields(
        {"given_name": "Sabine", "family_name": "Fircher", "birth_date": "1950-01-01"}
    )
    with store.sessions.begin() as session:
        result = match_person(session, walk_in)
    assert (result.decision, result.customer_id) == (decision, cid(store, "S0"))
