"""customer_arrived: booked visits checked in, walk-ins opened, wait mode, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions import customer_arrived
from actions.context import ConversationContext
from actions.results import CustomerCardResult, Question
from knowledge.db import Store
from knowledge.models import Customer, ServiceVisit, Vehicle
from tests.actions.cast import Cast, ent, turn_for
from tests.knowledge.lookup.world import NOW, World


def test_wait_mode_is_read_from_the_words_staff_use() -> None:
    assert customer_arrived.wait_mode("mrs gonzales is here, she's waiting") == "waiting"
    assert customer_arrived.wait_mode("Fatma checked in, she'll wait in the lounge") == "waiting"
    assert customer_arrived.wait_mode("tanaka arrived, drop-off") == "drop_off"
    assert customer_arrived.wait_mode("Zoltán dropped off the keys") == "drop_off"
    assert customer_arrived.wait_mode("needs a loaner") == "loaner"
    assert customer_arrived.wait_mode("mr okafor just arrived") is None


def test_a_booked_customer_is_checked_in_waiting_with_card_and_touches(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        # Maria and Carlos share the family name: without "mrs" it asks.
        text = "gonzales is here"
        turn = turn_for(s, cast.advisor, text, "customer_arrived", [ent("person", "gonzales")])
        [offer] = customer_arrived.handle(turn)
        assert offer.kind == "candidates"
    with store.sessions.begin() as s:
        text = "mrs gonzales is here, she's waiting"
        turn = turn_for(s, cast.advisor, text, "customer_arrived", [ent("person", "gonzales")])
        [card] = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult)
        check_in = card.check_in
        assert check_in is not None
        assert (check_in.ro_number, check_in.wait_mode, check_in.status) == (
            "RO-HAM1-100100",
            "waiting",
            "waiting",
        )
        assert check_in.changed and not check_in.created
        assert check_in.arrived_at == NOW
        assert check_in.vehicle_label == "2021 BMW X5"
        assert turn.wrote
        assert card.card.current_visit is not None
        assert card.touches is not None and card.touches.ro_number == "RO-HAM1-100100"
        titles = [t.title for t in card.touches.touches]
        assert "Ask what they would like to drink" in titles
        assert turn.context.customer_id == cast.maria
        assert turn.context.visit_id == cast.booking
    with store.sessions() as s:
        visit = s.get(ServiceVisit, cast.booking)
        assert visit is not None
        assert (visit.status, visit.wait_mode, visit.advisor_id) == (
            "waiting",
            "waiting",
            cast.advisor,
        )


def test_saying_it_again_changes_nothing(store: Store, cast: Cast) -> None:
    text = "maria gonzales is here, waiting"
    person = [ent("person", "maria gonzales")]
    with store.sessions.begin() as s:
        customer_arrived.handle(turn_for(s, cast.advisor, text, "customer_arrived", person))
    with store.sessions.begin() as s:
        turn = turn_for(s, cast.advisor, text, "customer_arrived", person)
        [card] = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult) and card.check_in is not None
        assert not card.check_in.changed
        assert not turn.wrote


def test_without_a_wait_mode_it_checks_in_and_asks_waiting_or_drop_off(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
        context.set_customer(cast.maria, "Maria Gonzales")
        turn = turn_for(s, cast.advisor, "she's here", "customer_arrived", context=context)
        card, question = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult) and card.check_in is not None
        assert (card.check_in.status, card.check_in.wait_mode) == ("arrived", "")
        assert isinstance(question, Question)
        assert question.text == "Is Mrs Gonzales waiting, or dropping the car off?"
        turn = turn_for(s, cast.advisor, "drop-off", "customer_arrived", context=context)
        [card] = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult) and card.check_in is not None
        assert (card.check_in.status, card.check_in.wait_mode) == ("arrived", "drop_off")


def test_a_walk_in_with_one_car_gets_a_new_repair_order(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        text = "kenji tanaka just came in, he'll wait"
        turn = turn_for(s, cast.advisor, text, "customer_arrived", [ent("person", "kenji tanaka")])
        [card] = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult) and card.check_in is not None
        assert card.check_in.created and card.check_in.changed
        # The next number after the rooftop's last repair order.
        assert card.check_in.ro_number == "RO-HAM1-100101"
        assert card.check_in.vehicle_label == "2018 Toyota Corolla"
    with store.sessions() as s:
        visit = s.scalars(select(ServiceVisit).where(ServiceVisit.customer_id == cast.kenji)).one()
        assert (visit.vehicle_id, visit.status, visit.wait_mode) == (
            cast.corolla,
            "waiting",
            "waiting",
        )
        assert visit.opened_at == NOW and visit.arrived_at == NOW


def test_a_walk_in_with_two_cars_is_asked_which_and_nothing_is_written(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        text = "priya patel is here"
        turn = turn_for(s, cast.advisor, text, "customer_arrived", [ent("person", "priya patel")])
        [question] = customer_arrived.handle(turn)
        assert isinstance(question, Question)
        assert question.text == "Which car is Priya Patel here with? Say the number."
        assert question.options == (
            "1. 2022 Porsche Macan (HH-PP 911)",
            "2. 2017 MINI Cooper S (HH-PP 17)",
        )
        assert turn.context.awaiting == "vehicle_choice"
        assert [v.id for v in turn.context.vehicles][:1] == [cast.macan]
        assert not turn.wrote
    with store.sessions() as s:
        hers = select(ServiceVisit).where(ServiceVisit.customer_id == cast.priya)
        assert s.scalars(hers).all() == []


def test_a_walk_in_naming_the_car_needs_no_question(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        text = "priya patel is here with the macan, drop off"
        entities = [ent("person", "priya patel"), ent("vehicle", "macan")]
        turn = turn_for(s, cast.advisor, text, "customer_arrived", entities)
        [card] = customer_arrived.handle(turn)
        assert isinstance(card, CustomerCardResult) and card.check_in is not None
        assert card.check_in.vehicle_label == "2022 Porsche Macan"
        assert card.check_in.wait_mode == "drop_off"


def test_next_repair_order_numbers_follow_the_rooftops_last(
    store: Store, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.sessions.begin() as s:
        w = World.existing(s)
        kenji = s.get(Customer, cast.kenji)
        corolla = s.get(Vehicle, cast.corolla)
        assert kenji is not None and corolla is not None
        opened = NOW - dt.timedelta(days=30)
        # Numbers of two widths: 100 sorts before 99 as text.
        w.visit(kenji, corolla, "RO-BER1-99", opened, dealer=w.berlin)
        w.visit(kenji, corolla, "RO-BER1-100", opened, dealer=w.berlin)
        w.visit(kenji, corolla, "RO-HAM1-9999999", opened)
        w.visit(kenji, corolla, "RO-HAM1-10000000", opened)
        turn = turn_for(s, cast.advisor, "x", "customer_arrived")
        assert customer_arrived.next_ro_number(turn, w.hamburg) == "RO-HAM1-10000001"
        assert customer_arrived.next_ro_number(turn, w.berlin) == "RO-BER1-101"
        # A rooftop without a visit among the newest ones: its widest, highest number.
        monkeypatch.setattr(customer_arrived, "RECENT_VISITS", 1)
        assert customer_arrived.next_ro_number(turn, w.berlin) == "RO-BER1-101"
        empty = w.dealer("KIE1", "Nordauto Kiel", "Kiel")
        assert customer_arrived.next_ro_number(turn, empty) == "RO-KIE1-100001"
