"""Slack with the real trained model: a mention and a follow-up in its thread, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.understanding import NLUClient
from knowledge.db import Store
from knowledge.touches import PlaybookHolder
from tests.bot.slack.conftest import PRIVATE, TEAM, SlackWorld, running_slack
from tests.bot.slack.test_http_app import MENTION_TS, mention, touch_buttons
from tests.fakes.slack_api import event_envelope

pytestmark = pytest.mark.rasa

# The real NLU server's session fixtures live with the other real-model tests.
_integration = pytest.importorskip("tests.integration.conftest")
nlu_server = _integration.nlu_server
nlu_client = _integration.nlu_client


@pytest.fixture()
def real_slack(
    store: Store, playbook_holder: PlaybookHolder, nlu_client: NLUClient
) -> Iterator[SlackWorld]:
    with running_slack(store, nlu_client, playbook_holder) as world:
        yield world


def test_free_text_in_a_thread_is_understood_by_the_real_model(real_slack: SlackWorld) -> None:
    slack = real_slack
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [card] = slack.api.wait_for("chat.postMessage", timeout=60)
    assert (card.args["channel"], card.args["thread_ts"]) == (PRIVATE, MENTION_TS)
    assert card.blocks()[0]["text"]["text"] == "Maria Gonzales"
    assert touch_buttons(card)

    follow_up = mention("what else does she drive?", ts="1790000009.000100", thread_ts=MENTION_TS)
    slack.send.event(event_envelope(follow_up, team_id=TEAM))
    vehicles = slack.api.wait_for("chat.postMessage", 2, timeout=60)[1]
    assert vehicles.args["thread_ts"] == MENTION_TS
    text = vehicles.text_of_blocks()
    assert "2021 BMW X5" in text and "2015 Volkswagen Golf" in text
