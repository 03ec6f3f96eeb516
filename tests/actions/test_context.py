"""The conversation's memory in the store: round trip, expiry, forgetting, bad keys."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.context import (
    ConversationContext,
    Offered,
    Pending,
    forget,
    load_context,
    purge_idle,
    save_context,
)
from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.models import Conversation, Customer
from tests.actions.cast import Cast
from tests.knowledge.lookup.world import NOW


def _load(
    store: Store, key: str, now: dt.datetime, staff_id: int | None = None
) -> ConversationContext:
    with store.sessions.begin() as s:
        return load_context(s, key, channel="terminal", staff_id=staff_id, now=now, idle_minutes=30)


def test_everything_a_next_message_may_refer_to_round_trips(store: Store, cast: Cast) -> None:
    context = ConversationContext(key="slack:T1:C1:1.2", channel="slack:C1", staff_id=cast.advisor)
    context.set_customer(cast.maria, "Maria Gonzales", cast.booking)
    context.show_touches(
        cast.maria, [Offered(1, 41, "Ask what they would like to drink", ["drink_ask"])]
    )
    context.offer_candidates(
        "schmidt",
        [
            Offered(1, cast.anna_hamburg, "Anna Schmidt", ["Hamburg"]),
            Offered(2, cast.anna_kiel, "Anna Schmidt", ["Kiel"]),
        ],
        Pending(
            "list_vehicles", [{"entity": "person", "value": "schmidt"}], "what does schmidt drive"
        ),
    )
    context.last_intent = "list_vehicles"
    context.turns = 3
    with store.sessions.begin() as s:
        save_context(s, context, now=NOW)
    loaded = _load(store, "slack:T1:C1:1.2", NOW + dt.timedelta(minutes=5), cast.advisor)
    assert not loaded.is_new and not loaded.expired
    assert (loaded.customer_id, loaded.customer_name, loaded.visit_id) == (
        cast.maria,
        "Maria Gonzales",
        cast.booking,
    )
    assert loaded.touches == context.touches and loaded.touches_customer_id == cast.maria
    assert loaded.candidates == context.candidates
    assert loaded.awaiting == "customer_choice"
    assert loaded.pending == context.pending
    assert (loaded.last_intent, loaded.turns) == ("list_vehicles", 3)


def test_an_idle_conversation_starts_afresh(store: Store, cast: Cast) -> None:
    context = ConversationContext(key="terminal:a", channel="terminal", staff_id=cast.advisor)
    context.set_customer(cast.kenji, "Kenji Tanaka")
    with store.sessions.begin() as s:
        save_context(s, context, now=NOW)
    assert _load(store, "terminal:a", NOW + dt.timedelta(minutes=30)).customer_id == cast.kenji
    later = _load(store, "terminal:a", NOW + dt.timedelta(minutes=31))
    assert later.expired and later.customer_id is None and later.touches == []


def test_a_deleted_customer_is_forgotten_by_the_conversation(store: Store, cast: Cast) -> None:
    context = ConversationContext(key="terminal:b", channel="terminal", staff_id=cast.advisor)
    context.set_customer(cast.kenji, "Kenji Tanaka")
    with store.sessions.begin() as s:
        save_context(s, context, now=NOW)
    with store.sessions.begin() as s:
        kenji = s.get(Customer, cast.kenji)
        assert kenji is not None
        s.delete(kenji)
    loaded = _load(store, "terminal:b", NOW)
    assert loaded.customer_id is None and loaded.customer_name is None


def test_forget_and_purge(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        for key, at in (("terminal:old", NOW - dt.timedelta(hours=2)), ("terminal:new", NOW)):
            save_context(s, ConversationContext(key=key, channel="terminal", staff_id=None), now=at)
    with store.sessions.begin() as s:
        assert purge_idle(s, now=NOW, idle_minutes=30) == 1
        assert forget(s, "terminal:new") is True
        assert forget(s, "terminal:new") is False
    with store.sessions() as s:
        assert s.scalars(select(Conversation)).all() == []


@pytest.mark.parametrize("key", ["", "   ", "x" * 201])
def test_bad_keys_are_refused(store: Store, key: str) -> None:
    with store.sessions.begin() as s, pytest.raises(InvalidInput, match="conversation key"):
        load_context(s, key, channel="terminal", staff_id=None, now=NOW, idle_minutes=30)


def test_saving_twice_updates_the_one_row(store: Store, cast: Cast) -> None:
    context = ConversationContext(key="terminal:c", channel="terminal", staff_id=cast.advisor)
    with store.sessions.begin() as s:
        save_context(s, context, now=NOW)
    context = _load(store, "terminal:c", NOW + dt.timedelta(minutes=1))
    context.turns = 7
    with store.sessions.begin() as s:
        save_context(s, context, now=NOW + dt.timedelta(minutes=1))
    with store.sessions() as s:
        row = s.scalars(select(Conversation)).one()
        assert row.turns == 7 and row.started_at == NOW
        assert row.last_active_at == NOW + dt.timedelta(minutes=1)


def test_a_conversation_created_meanwhile_by_another_process_is_updated(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        context = load_context(
            s,
            "slack:T1:C9:1.1",
            channel="slack:C9",
            staff_id=cast.advisor,
            now=NOW,
            idle_minutes=30,
        )
        assert context.is_new
        # Another bot process handles a message of the same thread and saves first.
        with store.sessions.begin() as other:
            theirs = ConversationContext(key="slack:T1:C9:1.1", channel="slack:C9", staff_id=None)
            theirs.turns = 1
            save_context(other, theirs, now=NOW)
        context.set_customer(cast.priya, "Priya Patel")
        context.turns = 2
        save_context(s, context, now=NOW)
    with store.sessions() as s:
        row = s.scalars(select(Conversation)).one()
        assert (row.customer_id, row.turns) == (cast.priya, 2)
