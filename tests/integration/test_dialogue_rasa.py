"""The conversation with the real trained model behind the real NLU server.

The same people as the fake-NLU dialogue tests (tests/actions/cast.py); here every free-text
message goes over HTTP to ``rasa run`` and must be understood well enough to reach the
right action — names split word by word by the model included.
"""

from __future__ import annotations

import pytest

from actions.dialogue import Dialogue
from actions.results import (
    Apology,
    CandidateList,
    Confirmation,
    CustomerCardResult,
    Message,
    RecallList,
    TouchList,
    VehicleList,
)
from actions.understanding import NLUClient
from knowledge.db import Store
from knowledge.models import StaffMember
from tests.actions.cast import SETTINGS, Cast, build_cast, counts, playbook
from tests.knowledge.lookup.world import NOW

pytestmark = pytest.mark.rasa


@pytest.fixture()
def cast(store: Store) -> Cast:
    with store.sessions.begin() as session:
        return build_cast(session)


class RealChat:
    def __init__(self, store: Store, client: NLUClient, staff_id: int) -> None:
        self.store = store
        self.staff_id = staff_id
        self.dialogue = Dialogue(client, playbook(), SETTINGS)

    def say(self, text: str):  # type: ignore[no-untyped-def]
        with self.store.sessions.begin() as session:
            staff = session.get(StaffMember, self.staff_id)
            assert staff is not None
            return self.dialogue.handle(
                session,
                conversation_key="terminal:rasa",
                text=text,
                staff=staff,
                channel="terminal",
                now=NOW,
            )


def test_an_advisors_morning(store: Store, cast: Cast, nlu_client: NLUClient) -> None:
    chat = RealChat(store, nlu_client, cast.advisor)
    [hello] = chat.say("hello").results
    assert isinstance(hello, Message) and hello.tone == "greeting"

    arrived = chat.say("mrs gonzales is here, she's waiting")
    assert arrived.intent == "customer_arrived"
    [card] = arrived.results
    assert isinstance(card, CustomerCardResult) and card.customer_id == cast.maria
    assert card.check_in is not None and card.check_in.wait_mode == "waiting"

    vehicles = chat.say("what else does she drive?")
    [listed] = vehicles.results
    assert isinstance(listed, VehicleList)
    assert [v.label for v in listed.vehicles] == ["2015 Volkswagen Golf", "2021 BMW X5"]

    [recalls] = chat.say("any open recalls on her cars?").results
    assert isinstance(recalls, RecallList)
    assert [r.campaign_code for r in recalls.recalls] == ["0061940300"]

    [noted] = chat.say("she takes her coffee black").results
    assert isinstance(noted, Confirmation)
    assert noted.written == (("drink", "black coffee"),)

    [touches] = chat.say("what can i do for her?").results
    assert isinstance(touches, TouchList) and touches.touches
    [done] = chat.say("done 1").results
    assert isinstance(done, Confirmation) and done.changed


def test_choosing_between_two_customers_of_one_name(
    store: Store, cast: Cast, nlu_client: NLUClient
) -> None:
    chat = RealChat(store, nlu_client, cast.advisor)
    [offer] = chat.say("what does anna schmidt drive?").results
    assert isinstance(offer, CandidateList) and len(offer.candidates) == 2
    second = offer.candidates[1].customer_id
    [listed] = chat.say("the second one").results
    assert isinstance(listed, VehicleList) and listed.customer.customer_id == second


def test_bad_input_with_the_real_model_writes_nothing(
    store: Store, cast: Cast, nlu_client: NLUClient
) -> None:
    chat = RealChat(store, nlu_client, cast.advisor)
    before = counts(store)
    for text, reason in (
        ("¿Dónde está el coche del cliente, por favor?", "unsupported_language"),
        ("kenji tanaka and priya patel are here", "several_customers"),
        ("😀🚗", "not_understood"),
        ("x" * 10_000, "too_long"),
    ):
        [apology] = chat.say(text).results
        assert isinstance(apology, Apology) and apology.reason == reason, text[:30]
    assert counts(store) == before
