"""Review and undo: merge two customers, split them back, split a wrong import merge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.identity import (
    customer_records,
    dismiss_review,
    import_file,
    list_reviews,
    merge_customers,
    merge_review,
    split_records,
    undo_merge,
)
from knowledge.models import (
    ContactPoint,
    Customer,
    MatchReview,
    MergeLogEntry,
    Ownership,
    Preference,
    ServiceVisit,
    SourceRecord,
)
from tests.knowledge.identity.conftest import TODAY, dms_row, person, write_dms, write_generic

Files = Callable[[str], Path]


def customer_of(store: Store, source_id: str) -> int:
    with store.sessions.begin() as session:
        found = session.execute(
            select(SourceRecord.customer_id).where(
                SourceRecord.source_id == source_id, SourceRecord.entity_type == "customer"
            )
        ).scalar_one()
        assert found is not None
        return found


def snapshot(store: Store, customer_id: int) -> dict[str, object]:
    with store.sessions.begin() as session:
        c = session.get(Customer, customer_id)
        assert c is not None
        return {
            "fields": (c.given_name, c.family_name, c.birth_date),
            "records": customer_records(session, customer_id),
            "contacts": sorted(
                session.execute(
                    select(ContactPoint.kind, ContactPoint.normalized).where(
                        ContactPoint.customer_id == customer_id
                    )
                ).all()
            ),
            "preferences": sorted(
                session.execute(
                    select(Preference.value).where(Preference.customer_id == customer_id)
                ).scalars()
            ),
        }


@pytest.fixture()
def two(store: Store, files: Files) -> tuple[int, int]:
    """Sabine Kock twice: her birth date was typed a day off in the second system."""
    rows = [
        person("1", given_name="Sabine", family_name="Kock", birth_date="1977-11-25",
               email="kock.sabine@icloud.com"),
        person("2", given_name="Sabine", family_name="Kock", birth_date="1977-11-26",
               street="Dorfstraße 67", postcode="23828", city="Wedel", phone="0171 2561034"),
    ]  # fmt: skip
    import_file(
        store, "generic-people", write_generic(files("p.csv"), rows), actor="t", today=TODAY
    )
    a, b = customer_of(store, "1"), customer_of(store, "2")
    with store.sessions.begin() as session:
        session.add(Preference(customer_id=b, kind="drink", value="espresso"))
    return a, b


def test_the_uncertain_pair_is_listed_for_review(store: Store, two: tuple[int, int]) -> None:
    with store.sessions.begin() as session:
        items = list_reviews(session)
    assert [(i.customer_id, i.other_customer_id, i.customer_name, i.status) for i in items] == [
        (two[0], two[1], "Sabine Kock", "open")
    ]
    assert "birth_date=near(+1.5)" in items[0].reason


def test_merge_and_split_round_trip(store: Store, two: tuple[int, int]) -> None:
    a, b = two
    before_a, before_b = snapshot(store, a), snapshot(store, b)
    with store.sessions.begin() as session:
        review_id = list_reviews(session)[0].id
        merged = merge_review(session, review_id, actor="cli:trainer", reason="same person, typo")
    assert (merged.kept_customer_id, merged.other_customer_id) == (a, b)
    after = snapshot(store, a)
    assert after["records"] == [("generic-people", "1"), ("generic-people", "2")]
    assert after["preferences"] == ["espresso"]
    with store.sessions.begin() as session:
        assert session.get(Customer, b) is None
        entry = session.get(MergeLogEntry, merged.log_id)
        assert entry is not None
        assert (entry.action, entry.actor, entry.reason) == (
            "merge",
            "cli:trainer",
            "same person, typo",
        )
        assert session.execute(select(MatchReview)).first() is None

    with store.sessions.begin() as session:
        split = undo_merge(
            session, merged.log_id, actor="cli:lead", reason="not the same after all"
        )
    assert (split.kept_customer_id, split.other_customer_id) == (a, b)
    assert snapshot(store, a) == before_a
    assert snapshot(store, b) == before_b
    with store.sessions.begin() as session:
        log = session.execute(select(MergeLogEntry).order_by(MergeLogEntry.id)).scalars().all()
        assert [(e.action, e.actor, e.undoes_id) for e in log] == [
            ("merge", "cli:trainer", None),
            ("split", "cli:lead", merged.log_id),
        ]
        review = session.execute(select(MatchReview)).scalar_one()
        assert (review.status, review.decided_by) == ("dismissed", "cli:lead")
        with pytest.raises(InvalidInput, match="already split"):
            undo_merge(session, merged.log_id, actor="x", reason="again")


def test_dismissing_a_review_keeps_both(store: Store, two: tuple[int, int]) -> None:
    with store.sessions.begin() as session:
        review_id = list_reviews(session)[0].id
        dismiss_review(session, review_id, actor="cli:x", reason="two people")
        assert list_reviews(session) == []
        assert [i.status for i in list_reviews(session, status="dismissed")] == ["dismissed"]
        with pytest.raises(InvalidInput, match="already dismissed"):
            merge_review(session, review_id, actor="x", reason="y")


def test_merge_needs_a_reason_and_two_customers(store: Store, two: tuple[int, int]) -> None:
    a, b = two
    with store.sessions.begin() as session:
        with pytest.raises(InvalidInput, match="say why"):
            merge_customers(session, a, b, actor="x", reason="  ")
        with pytest.raises(InvalidInput, match="cannot be merged with itself"):
            merge_customers(session, a, a, actor="x", reason="r")
        with pytest.raises(InvalidInput, match="there is no customer #999999"):
            merge_customers(session, a, 999999, actor="x", reason="r")


def test_split_a_wrong_import_merge(dealers: Store, files: Files) -> None:
    store = dealers
    # Two different Klaus Bauers, wrongly entered with one mobile in the DMS.
    rows = [
        dms_row("K1", "BAUER, Klaus", "R1", MOBILE="0171 9998887", BIRTH_DATE="01.02.1960"),
        dms_row("K2", "BAUER, Klaus", "R2", MOBILE="0171 9998887", VIN="WP1AB2A54NA700024",
                MAKE="Porsche", MODEL="Macan"),
    ]  # fmt: skip
    import_file(store, "dms-service", write_dms(files("d.csv"), rows), actor="t", today=TODAY)
    merged = customer_of(store, "K1")
    assert customer_of(store, "K2") == merged
    with store.sessions.begin() as session:
        result = split_records(
            session, merged, [("dms-service", "K2")], actor="cli:advisor", reason="son, not father"
        )
    new = result.other_customer_id
    assert customer_of(store, "K2") == new
    with store.sessions.begin() as session:
        assert customer_records(session, merged) == [("dms-service", "K1")]
        assert customer_records(session, new) == [("dms-service", "K2")]
        visits = dict(
            session.execute(select(ServiceVisit.ro_number, ServiceVisit.customer_id)).all()
        )
        assert visits == {"R1": merged, "R2": new}
        owned = sorted(session.execute(select(Ownership.customer_id)).scalars())
        assert owned == sorted([merged, new])
        kept = session.get(Customer, merged)
        assert kept is not None and str(kept.birth_date) == "1960-02-01"
        entry = session.get(MergeLogEntry, result.log_id)
        assert entry is not None
        assert (entry.action, entry.actor, entry.detail["records"]) == (
            "split", "cli:advisor", ["dms-service:K2"],
        )  # fmt: skip
        with pytest.raises(InvalidInput, match="nothing would remain"):
            split_records(session, merged, [("dms-service", "K1")], actor="x", reason="y")
        with pytest.raises(InvalidInput, match="belongs to customer"):
            split_records(session, merged, [("dms-service", "K2")], actor="x", reason="y")
