"""Search keys are derived from names and phones, refreshed per customer, rebuilt in bulk."""

from __future__ import annotations

from sqlalchemy import select

from knowledge.db import Store
from knowledge.lookup.keys import (
    customer_keys,
    national_number,
    rebuild_search_keys,
    refresh_search_keys,
)
from knowledge.models import CustomerSearchKey, SearchTerm, SearchTermVariant
from tests.knowledge.lookup.world import World


def test_national_number_strips_any_country_code() -> None:
    assert national_number("+4915123456789") == "15123456789"
    assert national_number("+14155550123") == "4155550123"
    assert national_number("+436641234567") == "6641234567"
    assert national_number("015123456789") is None
    assert national_number("+") is None


def test_customer_keys_tokens_pairs_and_phones() -> None:
    keys = customer_keys("Anna-Lena", "Müller", "Anni", None, ["+4915123456789"])
    assert keys == {
        ("n1", "anna"),
        ("n1", "lena"),
        ("n1", "annalena"),
        ("n1", "muller"),
        ("n1", "anni"),
        ("n2", "anna lena"),
        ("n2", "anna annalena"),
        ("n2", "anna muller"),
        ("n2", "anna anni"),
        ("n2", "annalena lena"),
        ("n2", "lena muller"),
        ("n2", "anni lena"),
        ("n2", "annalena muller"),
        ("n2", "annalena anni"),
        ("n2", "anni muller"),
        ("p", "15123456789"),
    }
    assert customer_keys(None, None, None, "Weber Bau GmbH", []) == {
        ("n1", "weber"),
        ("n1", "bau"),
        ("n2", "bau weber"),
    }


def _keys(store: Store) -> set[tuple[int, str, str]]:
    with store.sessions() as s:
        return {(k.customer_id, k.kind, k.key) for k in s.scalars(select(CustomerSearchKey))}


def _terms(store: Store) -> dict[str, int]:
    with store.sessions() as s:
        return {t.term: t.freq for t in s.scalars(select(SearchTerm))}


def test_refresh_then_rebuild_give_the_same_keys(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        a = w.customer("Anna", "Müller", phone="0151 2345 6789")
        b = w.customer("Thomas", "Müller")
        ids = [a.id, b.id]
        refresh_search_keys(s, ids)
    refreshed, refreshed_terms = _keys(store), _terms(store)
    assert (ids[0], "p", "15123456789") in refreshed
    assert refreshed_terms == {"anna": 1, "muller": 2, "thomas": 1}
    assert rebuild_search_keys(store) == 2
    assert _keys(store) == refreshed
    assert _terms(store) == refreshed_terms
    with store.sessions() as s:
        variants = set(
            s.scalars(select(SearchTermVariant.variant).where(SearchTermVariant.term == "muller"))
        )
    assert variants == {"muller", "uller", "mller", "muler", "mulle", "mullr"}


def test_refresh_after_rename_moves_terms(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        a = w.customer("Anna", "Müller")
        refresh_search_keys(s, [a.id])
        a.family_name = "Schmidt"
        refresh_search_keys(s, [a.id])
        aid = a.id
    assert _terms(store) == {"anna": 1, "schmidt": 1}
    assert {k for _c, kind, k in _keys(store) if kind == "n2"} == {"anna schmidt"}
    with store.sessions() as s:
        assert (
            s.scalar(select(SearchTermVariant.term).where(SearchTermVariant.term == "muller"))
            is None
        )
    with store.sessions.begin() as s:
        from knowledge.models import Customer

        s.delete(s.get(Customer, aid))
        s.flush()
        refresh_search_keys(s, [aid])
    assert _keys(store) == set() and _terms(store) == {}


def test_typo_nets_stay_bounded() -> None:
    from knowledge.lookup.text import deletion2_variants, deletion_variants

    assert len(deletion_variants("x" * 64)) == 2
    assert len(deletion_variants("abcdefghij")) == 11
    assert len(deletion2_variants("abcdefghijklmnop")) == 120
    assert deletion2_variants("abcdefghijklmnopq") == set()


def test_refresh_moves_shared_counts_by_the_change_only(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        people = [w.customer(g, "Müller") for g in ("Anna", "Bernd", "Clara")]
        refresh_search_keys(s, [c.id for c in people])
        people[0].family_name = "Schmidt"
        refresh_search_keys(s, [people[0].id])
        refresh_search_keys(s, [people[1].id])  # unchanged: counts stay
    assert _terms(store) == {"anna": 1, "bernd": 1, "clara": 1, "muller": 2, "schmidt": 1}
    assert rebuild_search_keys(store) == 3
    assert _terms(store) == {"anna": 1, "bernd": 1, "clara": 1, "muller": 2, "schmidt": 1}
