"""Multi-turn conversations through ``Dialogue.handle`` with a fake NLU and a real store.

Each message is its own transaction, as the Slack app and the terminal chat run it, so the
context really goes through the store between messages.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions import router
from actions.results import (
    Apology,
    CandidateList,
    Confirmation,
    CustomerCardResult,
    Message,
    Question,
    RecallList,
    Result,
    VehicleList,
)
from actions.turn import Turn
from actions.understanding import FakeNLU, NLUClient
from bot.nlu_server import free_port
from knowledge import db as store_db
from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.models import Preference, ServiceVisit, TouchSuggestion, Vehicle
from tests.actions.cast import Cast, Chat, audits, conversation, counts, ent

ARRIVAL = "mrs gonzales is here, she's waiting"


def nlu() -> FakeNLU:
    return FakeNLU(
        {
            ARRIVAL: {"intent": "customer_arrived", "entities": [ent("person", "gonzales")]},
            "what else does she drive?": "list_vehicles",
            "what does she drive?": "list_vehicles",
            "any open recalls?": "check_recalls",
            "she takes her coffee black": {
                "intent": "record_preference",
                "entities": [ent("drink", "black coffee", start=14, end=26)],
            },
            "what does anna schmidt drive?": {
                "intent": "list_vehicles",
                "entities": [ent("person", "anna schmidt")],
            },
            "the second one": {
                "intent": "choose_option",
                "entities": [ent("ordinal", "2", start=4, end=10)],
            },
            "kenji": {"intent": "lookup_customer", "entities": [ent("person", "kenji")]},
            "priya patel": {
                "intent": "lookup_customer",
                "entities": [ent("person", "priya patel")],
            },
            "priya patel is here": {
                "intent": "customer_arrived",
                "entities": [ent("person", "priya patel")],
            },
            "yes that's him": "affirm",
            "yes": "affirm",
            "no": "deny",
            "maybe she likes tea": {
                "intent": "record_preference",
                "confidence": 0.45,
                "entities": [ent("drink", "tea")],
            },
            "hello": "greet",
            "kenji tanaka and priya patel are here": {
                "intent": "customer_arrived",
                "entities": [ent("person", "kenji tanaka"), ent("person", "priya patel")],
            },
        }
    )


def test_arrival_then_follow_ups_about_her(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    arrived = chat.say(ARRIVAL)
    [card] = arrived.results
    assert isinstance(card, CustomerCardResult)
    assert card.customer_id == cast.maria
    assert card.check_in is not None and card.check_in.wait_mode == "waiting"
    assert card.touches is not None and card.touches.touches
    assert arrived.wrote and arrived.customer_id == cast.maria
    assert arrived.intent == "customer_arrived"

    vehicles = chat.say("what else does she drive?")
    [listed] = vehicles.results
    assert isinstance(listed, VehicleList)
    assert [v.label for v in listed.vehicles] == ["2015 Volkswagen Golf", "2021 BMW X5"]
    assert listed.in_service_now == "2021 BMW X5"
    assert not vehicles.wrote

    [recalls] = chat.say("any open recalls?").results
    assert isinstance(recalls, RecallList)
    assert [r.campaign_code for r in recalls.recalls] == ["0061940300"]

    noted = chat.say("she takes her coffee black")
    [confirmation] = noted.results
    assert isinstance(confirmation, Confirmation)
    assert confirmation.text == "Noted for Maria Gonzales — drink: black coffee."
    assert noted.wrote

    first = card.touches.touches[0]
    done = chat.say("done 1")
    assert done.structured and done.wrote
    [marked] = done.results
    assert isinstance(marked, Confirmation) and marked.suggestion_id == first.suggestion_id
    assert "done 1" not in chat.nlu.calls  # a structured command never reaches the NLU
    with store.sessions() as s:
        row = s.get(TouchSuggestion, first.suggestion_id)
        assert row is not None and (row.outcome, row.outcome_staff_id) == ("done", cast.advisor)
        visit = s.get(ServiceVisit, cast.booking)
        assert visit is not None and visit.status == "waiting"


def test_choosing_among_candidates_carries_on_with_the_question(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    offered = chat.say("what does anna schmidt drive?")
    [candidates] = offered.results
    assert isinstance(candidates, CandidateList)
    assert offered.awaiting == "customer_choice" and offered.customer_id is None
    second = candidates.candidates[1]
    chosen = chat.say("the second one")
    [listed] = chosen.results
    assert isinstance(listed, VehicleList)
    assert listed.customer.customer_id == second.customer_id
    assert chosen.customer_id == second.customer_id and chosen.awaiting is None


def test_a_bare_number_answers_which_one_without_the_nlu(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    [candidates] = chat.say("what does anna schmidt drive?").results
    assert isinstance(candidates, CandidateList)
    reply = chat.say("1")
    assert reply.structured and "1" not in chat.nlu.calls
    [listed] = reply.results
    assert isinstance(listed, VehicleList)
    assert listed.customer.customer_id == candidates.candidates[0].customer_id


def test_one_candidate_is_confirmed_with_yes(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    [offer] = chat.say("kenji").results
    assert isinstance(offer, CandidateList)
    assert offer.question.startswith("Do you mean Kenji Tanaka (Hamburg, 2018 Toyota Corolla")
    reply = chat.say("yes that's him")
    [card] = reply.results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.kenji


def test_no_drops_the_offer_and_the_next_name_answers_the_question(
    store: Store, cast: Cast
) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("kenji")
    [question] = chat.say("no").results
    assert isinstance(question, Question) and question.expects == "customer"
    [card] = chat.say("priya patel").results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.priya


def test_which_customer_is_asked_and_the_answer_resumes_the_intent(
    store: Store, cast: Cast
) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    asked = chat.say("what does she drive?")
    [question] = asked.results
    assert isinstance(question, Question) and question.expects == "customer"
    assert asked.awaiting == "customer"
    [listed] = chat.say("priya patel").results
    assert isinstance(listed, VehicleList)
    assert [v.label for v in listed.vehicles] == ["2022 Porsche Macan", "2017 MINI Cooper S"]


def test_a_walk_in_chooses_the_car_by_number(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    [question] = chat.say("priya patel is here").results
    assert isinstance(question, Question) and question.expects == "choice"
    assert counts(store)["service_visit"] == 2
    reply = chat.say("2")
    card = reply.results[0]
    assert isinstance(card, CustomerCardResult) and card.check_in is not None
    assert card.check_in.vehicle_label == "2017 MINI Cooper S" and card.check_in.created
    assert reply.wrote and counts(store)["service_visit"] == 3


def test_below_the_threshold_it_asks_before_writing(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("priya patel")
    before = counts(store)
    unsure = chat.say("maybe she likes tea")
    [question] = unsure.results
    assert isinstance(question, Question)
    assert question.text == "I'm not sure I understood. Do you want to note a preference?"
    assert unsure.awaiting == "intent_confirm" and not unsure.wrote
    assert counts(store) == before
    [noted] = chat.say("yes").results
    assert isinstance(noted, Confirmation) and noted.written == (("drink", "tea"),)
    with store.sessions() as s:
        assert s.scalars(select(Preference.value)).all() == ["tea"]


def test_no_to_a_guess_writes_nothing(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("priya patel")
    chat.say("maybe she likes tea")
    before = counts(store)
    [said] = chat.say("no").results
    assert isinstance(said, Message) and said.text.startswith("OK — tell me in other words")
    assert counts(store) == before


def test_the_context_expires_after_the_idle_time(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("priya patel")
    still = chat.say("what does she drive?", after=dt.timedelta(minutes=29))
    assert isinstance(still.results[0], VehicleList)
    later = chat.say("what does she drive?", after=dt.timedelta(minutes=31))
    notice, question = later.results
    assert isinstance(notice, Message) and "started afresh" in notice.text
    assert isinstance(question, Question) and question.expects == "customer"
    assert later.customer_id is None


def test_the_context_survives_a_restart(store: Store, store_url: str, cast: Cast) -> None:
    Chat(store, nlu(), cast.advisor, key="slack:T1:C1:1700000000.000100").say("priya patel")
    reopened = store_db.open_store(store_url)
    try:
        fresh = Chat(reopened, nlu(), cast.advisor, key="slack:T1:C1:1700000000.000100")
        [listed] = fresh.say("what does she drive?").results
        assert isinstance(listed, VehicleList)
        assert listed.customer.customer_id == cast.priya
        other = Chat(reopened, nlu(), cast.advisor, key="slack:T1:C1:1700000099.000100")
        [question] = other.say("what does she drive?").results
        assert isinstance(question, Question)  # another thread knows nothing of her
    finally:
        reopened.dispose()
    saved = conversation(store, "slack:T1:C1:1700000000.000100")
    assert saved is not None and saved.customer_id == cast.priya and saved.turns == 2


def test_nlu_down_structured_lookups_still_work(store: Store, cast: Cast) -> None:
    down = FakeNLU(unavailable=True)
    chat = Chat(store, down, cast.agent)
    by_phone = chat.say("0151 23456789")
    [card] = by_phone.results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.maria
    assert by_phone.structured and down.calls == []
    assert card.touches is not None and card.touches.touches
    done = chat.say("done 1")
    assert isinstance(done.results[0], Confirmation) and done.wrote
    [card] = chat.say("HH-PP 911").results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.priya
    [card] = chat.say("priya.patel@example.com").results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.priya
    [card] = chat.say("lookup kenji tanaka").results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.kenji
    free = chat.say("what does she drive?")
    [apology] = free.results
    assert isinstance(apology, Apology) and apology.reason == "nlu_unavailable"
    assert apology.text.startswith("The language service is unavailable right now")
    assert apology.hint is not None and "phone number" in apology.hint
    assert free.customer_id == cast.kenji  # the conversation still knows whom it is about


def test_bad_input_gets_a_clear_answer_and_writes_nothing(store: Store, cast: Cast) -> None:
    fake = nlu()
    chat = Chat(store, fake, cast.advisor)
    chat.say("priya patel")
    before, audited = counts(store), audits(store)
    cases = {
        "": "invalid_input",
        "   \n\t ": "invalid_input",
        "x" * 10_000: "too_long",
        "😀🚗🙏": "not_understood",
        "田中さんの車はどこですか": "unsupported_language",
        "¿Dónde está el coche del cliente, por favor?": "unsupported_language",
        "kenji tanaka and priya patel are here": "several_customers",
    }
    for text, reason in cases.items():
        reply = chat.say(text)
        [apology] = reply.results
        assert isinstance(apology, Apology), text[:20]
        assert apology.reason == reason, text[:20]
        assert not reply.wrote
    assert counts(store) == before
    assert audits(store) == audited
    # Only the two messages that are words in a Latin script reached the NLU.
    assert fake.calls[1:] == [
        "¿Dónde está el coche del cliente, por favor?",
        "kenji tanaka and priya patel are here",
    ]
    # The conversation is still about Priya.
    assert chat.say("what does she drive?").customer_id == cast.priya


def test_a_failing_action_writes_nothing_and_apologises(
    store: Store, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(turn: Turn) -> list[Result]:
        turn.session.add(Preference(customer_id=cast.priya, kind="drink", value="tea"))
        turn.session.flush()
        turn.wrote = True
        turn.context.set_customer(cast.kenji, "Kenji Tanaka")
        raise InvalidInput("the drink list is closed for maintenance")

    monkeypatch.setitem(router.HANDLERS, "record_preference", half_done)
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("priya patel")
    before = counts(store)
    reply = chat.say("she takes her coffee black")
    [apology] = reply.results
    assert isinstance(apology, Apology) and apology.reason == "invalid_input"
    assert apology.text == "The drink list is closed for maintenance."
    assert not reply.wrote
    assert counts(store) == before
    # The conversation itself was still saved, as it was before: still about Priya.
    saved = conversation(store, chat.key)
    assert saved is not None and saved.turns == 2 and saved.customer_id == cast.priya


def test_an_unexpected_error_is_an_apology_not_a_traceback(
    store: Store, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(turn: Turn) -> list[Result]:
        raise RuntimeError("bug")

    monkeypatch.setitem(router.HANDLERS, "greet", broken)
    [apology] = Chat(store, nlu(), cast.advisor).say("hello").results
    assert isinstance(apology, Apology) and apology.reason == "internal"
    assert apology.text == "Something went wrong on my side; nothing was changed."


def test_greeting_mentions_whom_we_were_talking_about(store: Store, cast: Cast) -> None:
    chat = Chat(store, nlu(), cast.advisor)
    chat.say("priya patel")
    [hello] = chat.say("hello").results
    assert isinstance(hello, Message)
    assert hello.text == "Hello Jonas! Who can I help you with? We were talking about Priya Patel."


def test_a_name_tagged_word_by_word_is_one_person(store: Store, cast: Cast) -> None:
    fake = FakeNLU(
        {
            "what does anna schmidt drive?": {
                "intent": "list_vehicles",
                "entities": [ent("person", "anna"), ent("person", "schmidt")],
            },
            "kenji tanaka and priya patel": {
                "intent": "lookup_customer",
                "entities": [
                    ent("person", "kenji"),
                    ent("person", "tanaka"),
                    ent("person", "priya patel"),
                ],
            },
        }
    )
    chat = Chat(store, fake, cast.advisor)
    [offer] = chat.say("what does anna schmidt drive?").results
    assert isinstance(offer, CandidateList) and offer.query == "anna schmidt"
    [apology] = chat.say("kenji tanaka and priya patel").results
    assert isinstance(apology, Apology) and apology.reason == "several_customers"
    assert "'kenji tanaka' and 'priya patel'" in apology.text


def test_a_lone_name_read_as_a_choice_is_looked_up(store: Store, cast: Cast) -> None:
    fake = FakeNLU(
        {
            "priya": {
                "intent": "choose_option",
                "confidence": 0.6,
                "entities": [ent("person", "priya")],
            }
        }
    )
    [offer] = Chat(store, fake, cast.advisor).say("priya").results
    assert isinstance(offer, CandidateList)
    assert offer.question.startswith("Do you mean Priya Patel")


def test_waiting_or_drop_off_is_answered_in_a_word(store: Store, cast: Cast) -> None:
    fake = FakeNLU({"he's here": "customer_arrived", "is he waiting?": "service_history"})
    chat = Chat(store, fake, cast.advisor)
    chat.say("lookup kenji tanaka")
    arrived = chat.say("he's here")
    card, question = arrived.results
    assert isinstance(card, CustomerCardResult) and card.check_in is not None
    assert card.check_in.created and card.check_in.wait_mode == ""
    assert isinstance(question, Question)
    assert question.text == "Is Kenji waiting, or dropping the car off?"
    assert arrived.awaiting == "wait_mode"
    answered = chat.say("drop-off")
    assert answered.structured and "drop-off" not in fake.calls
    [card] = answered.results
    assert isinstance(card, CustomerCardResult) and card.check_in is not None
    assert card.check_in.wait_mode == "drop_off" and not card.check_in.created
    # Once answered, a question about waiting is a question again, not an answer.
    assert chat.say("is he waiting?").intent == "service_history"
    with store.sessions() as s:
        visit = s.scalars(select(ServiceVisit).where(ServiceVisit.customer_id == cast.kenji)).one()
        assert (visit.status, visit.wait_mode) == ("arrived", "drop_off")


def test_a_bare_vin_or_repair_order_is_looked_up_without_the_nlu(store: Store, cast: Cast) -> None:
    down = FakeNLU(unavailable=True)
    chat = Chat(store, down, cast.agent)
    with store.sessions() as s:
        golf = s.get(Vehicle, cast.golf)
        assert golf is not None
        vin = golf.vin
    [card] = chat.say(vin).results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.carlos
    [card] = chat.say("RO-HAM1-100100").results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.maria
    assert down.calls == []


def test_an_nlu_server_that_cannot_be_reached_is_said_plainly(store: Store, cast: Cast) -> None:
    with NLUClient(f"http://127.0.0.1:{free_port()}", "token", 0.5) as unreachable:
        chat = Chat(store, FakeNLU(), cast.advisor)
        chat.dialogue.nlu = unreachable
        reply = chat.say("what does she drive?")
    [apology] = reply.results
    assert isinstance(apology, Apology) and apology.reason == "nlu_unavailable"
    assert "cannot be reached (connection refused)" in apology.text
    assert not reply.wrote


def test_conversations_idle_for_a_day_are_deleted_when_a_new_one_starts(
    store: Store, cast: Cast
) -> None:
    Chat(store, nlu(), cast.advisor, key="terminal:yesterday").say("hello")
    later = Chat(store, nlu(), cast.advisor, key="terminal:today")
    later.now = later.now + dt.timedelta(hours=25)
    later.say("hello")
    assert conversation(store, "terminal:yesterday") is None
    assert conversation(store, "terminal:today") is not None
