"""lookup_customer, list_vehicles, service_history and check_recalls, called directly."""

from __future__ import annotations

from sqlalchemy import select

from actions import check_recalls, list_vehicles, lookup_customer, service_history
from actions.context import ConversationContext
from actions.results import (
    CandidateList,
    CustomerCardResult,
    NoMatch,
    Question,
    RecallList,
    ServiceHistory,
    VehicleList,
)
from knowledge.db import Store
from knowledge.models import AuditEntry
from tests.actions.cast import Cast, ent, turn_for


def test_lookup_by_phone_shows_the_card_with_touches_and_audits(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        turn = turn_for(
            s, cast.agent, "0151 23456789", "lookup_customer", [ent("phone", "0151 23456789")]
        )
        [card] = lookup_customer.handle(turn)
        assert isinstance(card, CustomerCardResult)
        assert card.customer_id == cast.maria
        assert card.card.name == "Maria Gonzales"
        assert "phone" in card.matched_on
        assert card.touches is not None
        assert [t.number for t in card.touches.touches] == list(
            range(1, len(card.touches.touches) + 1)
        )
        assert all(t.suggestion_id for t in card.touches.touches)
        assert turn.context.customer_id == cast.maria
        assert [t.id for t in turn.context.touches] == [
            t.suggestion_id for t in card.touches.touches
        ]
        assert not turn.wrote
    with store.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.customer_id == cast.maria)).one()
        assert (entry.action, entry.how, entry.staff_id) == ("card", "phone", cast.agent)


def test_lookup_of_a_shared_name_offers_candidates_that_tell_them_apart(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        turn = turn_for(
            s, cast.advisor, "anna schmidt", "lookup_customer", [ent("person", "anna schmidt")]
        )
        [offer] = lookup_customer.handle(turn)
        assert isinstance(offer, CandidateList)
        assert {c.customer_id for c in offer.candidates} == {cast.anna_hamburg, cast.anna_kiel}
        assert [c.number for c in offer.candidates] == [1, 2]
        places = {c.customer_id: c.distinguishing for c in offer.candidates}
        assert "Hamburg" in places[cast.anna_hamburg] and "2019 Audi A4" in " ".join(
            places[cast.anna_hamburg]
        )
        assert "Kiel" in places[cast.anna_kiel]
        assert offer.question == "2 customers fit 'anna schmidt' — which one? Say the number."
        assert turn.context.awaiting == "customer_choice"
        assert turn.context.pending is not None and turn.context.pending.intent == "lookup_customer"
        assert turn.context.customer_id is None
    with store.sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
        assert entry.customer_id is None and entry.detail is not None
        assert sorted(entry.detail["candidates"]) == sorted([cast.anna_hamburg, cast.anna_kiel])


def test_lookup_of_nobody_says_so(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        turn = turn_for(
            s, cast.advisor, "who is zyxwvut", "lookup_customer", [ent("person", "zyxwvut")]
        )
        [none] = lookup_customer.handle(turn)
        assert isinstance(none, NoMatch)
        assert none.query == "zyxwvut"
        assert turn.context.customer_id is None


def test_lookup_without_anyone_named_asks_who(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        turn = turn_for(s, cast.advisor, "show me her card", "lookup_customer")
        [question] = lookup_customer.handle(turn)
        assert isinstance(question, Question)
        assert question.expects == "customer"
        assert question.text.startswith("Who is it about?")
        assert turn.context.awaiting == "customer"


def test_two_names_in_one_message_are_refused(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        text = "kenji tanaka and priya patel"
        turn = turn_for(
            s,
            cast.advisor,
            text,
            "lookup_customer",
            [ent("person", "kenji tanaka"), ent("person", "priya patel")],
        )
        [apology] = lookup_customer.handle(turn)
        assert apology.kind == "apology" and apology.reason == "several_customers"
        assert "'kenji tanaka' and 'priya patel'" in apology.text


def test_a_phone_of_one_customer_with_the_name_of_another_is_refused(
    store: Store, cast: Cast
) -> None:
    with store.sessions.begin() as s:
        text = "tanaka 0151 23456789"
        turn = turn_for(
            s,
            cast.advisor,
            text,
            "lookup_customer",
            [ent("person", "tanaka"), ent("phone", "0151 23456789")],
        )
        [apology] = lookup_customer.handle(turn)
        assert apology.kind == "apology" and apology.reason == "several_customers"
        assert turn.context.customer_id is None


def _context_about(cast: Cast, customer_id: int, name: str) -> ConversationContext:
    context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
    context.set_customer(customer_id, name)
    return context


def test_list_vehicles_includes_the_household_and_any_make(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        context = _context_about(cast, cast.maria, "Maria Gonzales")
        turn = turn_for(s, cast.advisor, "what does she drive?", "list_vehicles", context=context)
        [listed] = list_vehicles.handle(turn)
        assert isinstance(listed, VehicleList)
        labels = [(v.number, v.label, v.own_role, v.held_by) for v in listed.vehicles]
        assert labels == [
            (1, "2021 BMW X5", "owner", ("Maria Gonzales",)),
            (2, "2015 Volkswagen Golf", None, ("Carlos Gonzales",)),
        ]
        assert [v.open_recalls for v in listed.vehicles] == [0, 1]
        assert listed.vehicles[0].sold_here and not listed.vehicles[1].sold_here
        assert listed.in_service_now is None


def test_list_vehicles_by_name_sets_the_conversation_customer(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        turn = turn_for(
            s,
            cast.advisor,
            "what does priya patel drive",
            "list_vehicles",
            [ent("person", "priya patel")],
        )
        [listed] = list_vehicles.handle(turn)
        assert isinstance(listed, VehicleList)
        assert [v.label for v in listed.vehicles] == ["2022 Porsche Macan", "2017 MINI Cooper S"]
        assert turn.context.customer_id == cast.priya
        assert turn.context.customer_name == "Priya Patel"


def test_service_history_lists_visits_and_narrows_to_a_vehicle(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        context = _context_about(cast, cast.maria, "Maria Gonzales")
        turn = turn_for(
            s, cast.advisor, "what did we do last time?", "service_history", context=context
        )
        [history] = service_history.handle(turn)
        assert isinstance(history, ServiceHistory)
        assert [(v.ro_number, v.work_done) for v in history.visits] == [
            ("RO-HAM1-100050", "Oil service, brake fluid")
        ]
        assert history.current_visit is None  # booked, not yet arrived
        assert history.vehicle_label is None
        turn = turn_for(
            s,
            cast.advisor,
            "history of the golf",
            "service_history",
            [ent("vehicle", "golf")],
            context=context,
        )
        [golf] = service_history.handle(turn)
        assert isinstance(golf, ServiceHistory)
        assert golf.visits == () and golf.vehicle_label == "2015 Volkswagen Golf"


def test_check_recalls_finds_the_recall_on_the_husbands_vw(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        context = _context_about(cast, cast.maria, "Maria Gonzales")
        turn = turn_for(s, cast.advisor, "any open recalls?", "check_recalls", context=context)
        [recalls] = check_recalls.handle(turn)
        assert isinstance(recalls, RecallList)
        assert recalls.vehicles_checked == 2
        assert [(r.vehicle_label, r.campaign_code, r.household) for r in recalls.recalls] == [
            ("2015 Volkswagen Golf", "0061940300", True)
        ]
        turn = turn_for(
            s,
            cast.advisor,
            "recalls on the x5?",
            "check_recalls",
            [ent("vehicle", "x5")],
            context=context,
        )
        [x5] = check_recalls.handle(turn)
        assert isinstance(x5, RecallList)
        assert x5.recalls == () and x5.vehicles_checked == 1
