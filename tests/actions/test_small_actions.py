"""greet, goodbye, thank, help, out_of_scope, affirm, deny, choose_option and owners_query."""

from __future__ import annotations

from actions import (
    affirm,
    choose_option,
    customer_arrived,
    deny,
    goodbye,
    greet,
    help,
    out_of_scope,
    owners_query,
    thank,
)
from actions.context import ConversationContext, Offered, Pending
from actions.results import Apology, Message, OwnersList, Question
from knowledge.db import Store
from tests.actions.cast import Cast, ent, turn_for


def test_greet_uses_the_staff_members_name_and_role_examples(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [hello] = greet.handle(turn_for(s, cast.advisor, "hi", "greet"))
        assert isinstance(hello, Message) and hello.tone == "greeting"
        assert hello.text == "Hello Jonas! Who can I help you with?"
        [hello] = greet.handle(turn_for(s, cast.agent, "hi", "greet"))
        assert isinstance(hello, Message)
        assert hello.examples[0] == "+49 151 2345 6789"


def test_goodbye_closes_the_conversation(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
        context.set_customer(cast.maria, "Maria Gonzales")
        turn = turn_for(s, cast.advisor, "bye", "goodbye", context=context)
        [bye] = goodbye.handle(turn)
        assert isinstance(bye, Message)
        assert bye.text == "Goodbye! I've closed the conversation about Maria Gonzales."
        assert context.customer_id is None and context.touches == []


def test_thank_help_and_out_of_scope(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [welcome] = thank.handle(turn_for(s, cast.advisor, "thanks", "thank"))
        assert isinstance(welcome, Message) and welcome.text == "You're welcome!"
        [helped] = help.handle(turn_for(s, cast.trainer, "help", "help"))
        assert isinstance(helped, Message) and helped.tone == "help"
        assert helped.examples[0] == "touch report"
        turn = turn_for(s, cast.advisor, "weather?", "out_of_scope")
        apology, examples = out_of_scope.handle(turn)
        assert isinstance(apology, Apology) and apology.reason == "not_understood"
        assert isinstance(examples, Message) and examples.examples


def test_affirm_and_deny_without_a_question_just_acknowledge(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [ok] = affirm.handle(turn_for(s, cast.advisor, "yes", "affirm"))
        assert isinstance(ok, Message) and ok.text == "OK."
        [ok] = deny.handle(turn_for(s, cast.advisor, "no", "deny"))
        assert isinstance(ok, Message) and ok.text == "OK."


def test_deny_drops_offered_candidates_and_asks_who(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
        context.offer_candidates(
            "schmidt",
            [
                Offered(1, cast.anna_hamburg, "Anna Schmidt"),
                Offered(2, cast.anna_kiel, "Anna Schmidt"),
            ],
            Pending("list_vehicles"),
        )
        [question] = deny.handle(turn_for(s, cast.advisor, "no", "deny", context=context))
        assert isinstance(question, Question) and question.expects == "customer"
        assert question.text.endswith("(I searched for 'schmidt').")
        assert context.candidates == [] and context.awaiting == "customer"
        assert context.pending is not None and context.pending.intent == "list_vehicles"


def test_choose_picks_by_number_name_or_vehicle(store: Store, cast: Cast) -> None:
    offered = [
        Offered(1, cast.anna_hamburg, "Anna Schmidt", ["Hamburg", "2019 Audi A4"]),
        Offered(2, cast.anna_kiel, "Anna Schmidt", ["Kiel", "2020 Volkswagen Golf"]),
    ]
    with store.sessions.begin() as s:
        turn = turn_for(
            s, cast.advisor, "the one with the golf", "choose_option", [ent("vehicle", "golf")]
        )
        assert choose_option.pick(turn, offered) == (offered[1], None)
        turn = turn_for(
            s,
            cast.advisor,
            "the second one",
            "choose_option",
            [ent("ordinal", "2", start=4, end=10)],
        )
        assert choose_option.pick(turn, offered) == (offered[1], None)
        turn = turn_for(s, cast.advisor, "the 5th", "choose_option", [ent("ordinal", "5th")])
        assert choose_option.pick(turn, offered) == (None, "there is no number 5 — choose 1 to 2")
        turn = turn_for(s, cast.advisor, "anna", "choose_option", [ent("person", "anna")])
        assert choose_option.pick(turn, offered) == (None, "that fits more than one of them")


def test_choose_with_nothing_offered_says_so(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [said] = choose_option.handle(turn_for(s, cast.advisor, "2", "choose_option"))
        assert isinstance(said, Message)
        assert said.text.startswith("There is nothing to choose from right now.")


def test_owners_query_by_campaign_prefix_and_by_model(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        text = "who still needs recall 0061"
        turn = turn_for(s, cast.agent, text, "owners_query", [ent("campaign", "0061")])
        [owners] = owners_query.handle(turn)
        assert isinstance(owners, OwnersList)
        assert owners.description.startswith("owners of vehicles with open recall 0061940300")
        assert [(o.name, o.vehicle_label, o.open_recalls) for o in owners.owners] == [
            ("Carlos Gonzales", "2015 Volkswagen Golf", ("0061940300",))
        ]
        assert owners.total == 1
        text = "list owners of 2019-2021 audi a4"
        turn = turn_for(s, cast.agent, text, "owners_query", [ent("vehicle", "2019-2021 audi a4")])
        [owners] = owners_query.handle(turn)
        assert isinstance(owners, OwnersList)
        assert owners.description == "owners of 2019–2021 audi a4"
        assert [o.customer_id for o in owners.owners] == [cast.anna_hamburg]


def test_owners_query_without_vehicles_asks(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [question] = owners_query.handle(turn_for(s, cast.agent, "list owners", "owners_query"))
        assert isinstance(question, Question) and question.expects == "detail"


def test_examples_name_a_customer_who_is_really_here(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        [helped] = help.handle(turn_for(s, cast.advisor, "help", "help"))
        assert isinstance(helped, Message)
        assert helped.examples[:2] == ("<name> is here, she's waiting", "what else does she drive?")
    context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
    context.set_customer(cast.maria, "Maria Gonzales")
    with store.sessions.begin() as s:
        customer_arrived.handle(
            turn_for(s, cast.advisor, "she's here, waiting", "customer_arrived", context=context)
        )
    with store.sessions.begin() as s:
        [helped] = help.handle(turn_for(s, cast.advisor, "help", "help"))
        assert isinstance(helped, Message)
        assert helped.examples[:4] == (
            "mrs Gonzales is here, she's waiting",
            "what else does she drive?",
            "any open recalls on her cars?",
            "she takes her coffee black",
        )
