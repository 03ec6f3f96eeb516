"""record_preference: each kind to its place, confirmed, written once."""

from __future__ import annotations

from sqlalchemy import select

from actions import record_preference
from actions.context import ConversationContext
from actions.results import Confirmation, Question
from knowledge.db import Store
from knowledge.models import Preference
from tests.actions.cast import Cast, ent, turn_for
from tests.knowledge.lookup.world import NOW


def _about_maria(cast: Cast) -> ConversationContext:
    context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
    context.set_customer(cast.maria, "Maria Gonzales")
    return context


def _preferences(store: Store, customer_id: int) -> list[tuple[str, str, int | None]]:
    with store.sessions() as s:
        rows = s.scalars(
            select(Preference).where(Preference.customer_id == customer_id).order_by(Preference.id)
        )
        return [(p.kind, p.value, p.recorded_by_id) for p in rows]


def test_a_drink_is_written_and_confirmed(store: Store, cast: Cast) -> None:
    text = "she takes her coffee black, oat milk"
    entities = [
        ent("drink", "black coffee", start=14, end=26),
        ent("drink", "oat milk"),
    ]
    with store.sessions.begin() as s:
        context = _about_maria(cast)
        turn = turn_for(s, cast.advisor, text, "record_preference", entities, context=context)
        [done] = record_preference.handle(turn)
        assert isinstance(done, Confirmation)
        assert done.text == "Noted for Maria Gonzales — drink: black coffee, oat milk."
        assert done.written == (("drink", "black coffee, oat milk"),)
        assert done.changed and turn.wrote
    assert _preferences(store, cast.maria) == [("drink", "black coffee, oat milk", cast.advisor)]
    with store.sessions() as s:
        recorded = s.scalars(select(Preference)).one()
        assert recorded.recorded_at == NOW and recorded.source == "staff"


def test_the_same_preference_twice_is_written_once(store: Store, cast: Cast) -> None:
    for _ in range(2):
        with store.sessions.begin() as s:
            person = [ent("person", "kenji tanaka")]
            turn = turn_for(
                s,
                cast.advisor,
                "kenji tanaka drinks espresso",
                "record_preference",
                [*person, ent("drink", "espresso")],
            )
            [done] = record_preference.handle(turn)
    assert isinstance(done, Confirmation)
    assert not done.changed and not turn.wrote
    assert done.text == "Already on record for Kenji Tanaka — drink: espresso. Nothing changed."
    assert _preferences(store, cast.kenji) == [("drink", "espresso", cast.advisor)]


def test_channel_language_pronunciation_hours_access_and_notes(store: Store, cast: Cast) -> None:
    cases = [
        ("please only whatsapp her", [ent("channel", "whatsapp")], ("contact_channel", "whatsapp")),
        ("she speaks turkish", [], ("language", "tr")),
        ("it's pronounced gon-SAH-les", [], ("name_pronunciation", "gon-SAH-les")),
        ("don't call her before 10", [], ("contact_hours", "don't call her before 10")),
        (
            "she needs a wheelchair accessible entrance",
            [],
            ("accessibility", "she needs a wheelchair accessible entrance"),
        ),
        (
            "note: prefers to wait in the quiet lounge",
            [],
            ("note", "prefers to wait in the quiet lounge"),
        ),
    ]
    for text, entities, _ in cases:
        with store.sessions.begin() as s:
            turn = turn_for(
                s, cast.advisor, text, "record_preference", entities, context=_about_maria(cast)
            )
            [done] = record_preference.handle(turn)
            assert isinstance(done, Confirmation), text
            assert done.changed, text
    assert [(k, v) for k, v, _ in _preferences(store, cast.maria)] == [c[2] for c in cases]


def test_without_a_customer_it_asks_and_writes_nothing(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        tea = [ent("drink", "tea")]
        turn = turn_for(s, cast.advisor, "she drinks tea", "record_preference", tea)
        [question] = record_preference.handle(turn)
        assert isinstance(question, Question) and question.expects == "customer"
        assert turn.context.pending is not None
        assert turn.context.pending.intent == "record_preference"
        assert not turn.wrote
    with store.sessions() as s:
        assert s.scalars(select(Preference)).all() == []
