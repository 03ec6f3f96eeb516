"""Listeners as plain functions: ack first, then the work — checked with mocks."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from unittest.mock import MagicMock

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from actions.understanding import NLUUnavailable
from bot.slack import ids
from bot.slack.claims import claim_event, purge_claims
from bot.slack.listeners.actions import touches as touch_listener
from bot.slack.listeners.commands import concierge
from bot.slack.listeners.common import strip_mentions, take_on
from bot.slack.listeners.events import app_mention
from bot.slack.listeners.messages import direct
from bot.slack.listeners.views.skip_reason import handle_skip_reason
from bot.slack.listeners.views.survey import handle_survey
from bot.slack.service import classify
from bot.slack.where import ChannelPrivacy, Where
from knowledge.db import Store
from knowledge.models import SlackEvent

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


class Recorder:
    """Records the order of ack() and the work behind it."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.acks: list[dict[str, Any]] = []

    def ack(self, **kwargs: Any) -> None:
        self.steps.append("ack")
        self.acks.append(kwargs)

    def step(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.steps.append(name)
            self.last = kwargs

        return record


def no_store_deps() -> MagicMock:
    deps = MagicMock()
    deps.store.sessions.side_effect = AssertionError("the store must not be used")
    deps.transaction.side_effect = AssertionError("the store must not be used")
    deps.now.return_value = NOW
    return deps


def test_a_mention_is_acked_first_then_answered_in_a_thread_under_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rec = Recorder()
    monkeypatch.setattr(app_mention, "take_on", lambda deps, body, context: True)
    monkeypatch.setattr(app_mention, "answer_message", rec.step("answer"))
    deps = no_store_deps()
    deps.privacy.is_public.return_value = False
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi there", "ts": "5.0",
             "channel": "C1"}  # fmt: skip
    app_mention.handle_app_mention(rec.ack, {"team_id": "T1", "event": event}, event, MagicMock(),
                                   {}, deps)  # fmt: skip
    assert rec.steps == ["ack", "answer"]
    assert rec.last["where"] == Where("C1", "5.0", public=False, is_dm=False)
    assert rec.last["text"] == "hi there"
    assert (rec.last["team_id"], rec.last["user_id"], rec.last["how"]) == (
        "T1",
        "U1",
        "slack_mention",
    )


def test_a_mention_already_taken_on_is_not_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    rec = Recorder()
    monkeypatch.setattr(app_mention, "take_on", lambda deps, body, context: False)
    monkeypatch.setattr(app_mention, "answer_message", rec.step("answer"))
    event = {"type": "app_mention", "user": "U1", "text": "hi", "ts": "5.0", "channel": "C1"}
    app_mention.handle_app_mention(rec.ack, {"event": event}, event, MagicMock(), {}, MagicMock())
    assert rec.steps == ["ack"]


@pytest.mark.parametrize(
    "event",
    [
        {"channel_type": "channel", "user": "U1", "text": "hi"},
        {"channel_type": "im", "user": "U1", "text": "hi", "bot_id": "B1"},
        {"channel_type": "im", "user": "U1", "text": "hi", "subtype": "message_changed"},
        {"channel_type": "im", "user": "U1", "text": "   "},
        {"channel_type": "im", "text": "hi"},
    ],
)
def test_only_people_s_direct_messages_are_questions(
    event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = Recorder()
    monkeypatch.setattr(direct, "answer_message", rec.step("answer"))
    direct.handle_direct_message(rec.ack, {"event": event}, event, MagicMock(), {}, no_store_deps())
    assert rec.steps == ["ack"]


def test_a_dm_in_a_thread_is_answered_in_that_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    rec = Recorder()
    monkeypatch.setattr(direct, "take_on", lambda deps, body, context: True)
    monkeypatch.setattr(direct, "answer_message", rec.step("answer"))
    event = {"channel_type": "im", "user": "U1", "text": "done 2", "ts": "9.0",
             "thread_ts": "7.0", "channel": "D1"}  # fmt: skip
    direct.handle_direct_message(rec.ack, {"team_id": "T1"}, event, MagicMock(), {}, MagicMock())
    assert rec.steps == ["ack", "answer"]
    assert rec.last["where"] == Where("D1", "7.0", public=False, is_dm=True)


def test_slash_help_answers_without_the_store() -> None:
    rec = Recorder()
    respond = MagicMock()
    concierge.handle_concierge(rec.ack, {"text": "  help "}, respond, MagicMock(), no_store_deps())
    assert rec.steps == ["ack"]
    kwargs = respond.call_args.kwargs
    assert kwargs["response_type"] == "ephemeral"
    assert kwargs["blocks"][0]["text"]["text"] == "Concierge — help"


def test_slash_failures_are_answered_with_a_short_apology(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder()
    respond = MagicMock()
    deps = MagicMock()
    deps.privacy.is_public.return_value = False
    deps.transaction.side_effect = OperationalError("SELECT", {}, Exception("down"))
    command = {"text": "Maria", "team_id": "T1", "user_id": "U1", "channel_id": "C1"}
    with caplog.at_level(logging.ERROR, logger="concierge.slack"):
        concierge.handle_concierge(rec.ack, command, respond, MagicMock(), deps)
    assert rec.steps == ["ack"]
    assert "cannot reach the customer store" in respond.call_args.kwargs["text"]
    assert "store error: OperationalError" in caplog.text


def test_an_unreadable_touch_button_is_only_acked() -> None:
    rec = Recorder()
    client, respond = MagicMock(), MagicMock()
    touch_listener.handle_touch_action(
        rec.ack, {}, {"action_id": ids.TOUCH_DONE, "value": "nonsense"}, client, respond,
        no_store_deps(),
    )  # fmt: skip
    assert rec.steps == ["ack"]
    assert not client.method_calls and not respond.called


def test_skip_with_another_reason_opens_the_modal_after_the_ack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rec = Recorder()
    client = MagicMock()
    client.views_open.side_effect = rec.step("views.open")
    deps = MagicMock()
    deps.store.sessions.return_value.__enter__.return_value.scalar.return_value = "offer_drink"
    action = {"action_id": ids.TOUCH_SKIP, "type": "static_select",
              "selected_option": {"value": f"41|{ids.SKIP_OTHER}"}}  # fmt: skip
    body = {"trigger_id": "t-1", "user": {"id": "U1"}, "team": {"id": "T1"},
            "container": {"type": "message", "channel_id": "C1", "message_ts": "8.0"}}  # fmt: skip
    touch_listener.handle_touch_action(rec.ack, body, action, client, MagicMock(), deps)
    assert rec.steps == ["ack", "views.open"]
    view = rec.last["view"]
    assert view["callback_id"] == ids.SKIP_REASON_VIEW
    assert "offer drink" in view["blocks"][0]["text"]["text"]
    assert rec.last["trigger_id"] == "t-1"


def test_the_skip_modal_insists_on_a_reason() -> None:
    rec = Recorder()
    view = {"private_metadata": "{}", "state": {"values": {}}}
    handle_skip_reason(rec.ack, {}, view, MagicMock(), no_store_deps())
    assert rec.acks == [
        {"response_action": "errors", "errors": {ids.SKIP_REASON_BLOCK: "Say why, in a few words."}}
    ]


@pytest.mark.parametrize(
    ("values", "block"),
    [
        ({}, ids.SURVEY_VISIT_BLOCK),
        (
            {ids.SURVEY_VISIT_BLOCK: {ids.SURVEY_VISIT_INPUT: {"value": "RO-1"}}},
            ids.SURVEY_SCORE_BLOCK,
        ),
    ],
)
def test_the_survey_modal_shows_what_is_missing(values: dict[str, Any], block: str) -> None:
    rec = Recorder()
    handle_survey(rec.ack, {}, {"state": {"values": values}}, MagicMock(), no_store_deps())
    assert rec.acks[0]["response_action"] == "errors"
    assert list(rec.acks[0]["errors"]) == [block]


# --- the pieces under the listeners --------------------------------------------------------------


def test_mentions_are_stripped_from_the_text() -> None:
    assert strip_mentions("<@UBOT> who is <@U123|lea> Maria?") == "who is Maria?"
    assert strip_mentions(None) == ""


def test_an_event_is_claimed_once_across_processes(store: Store) -> None:
    assert claim_event(
        store.sessions.begin, "Ev1", team_id="T1", kind="app_mention", retry_num=0, now=NOW
    )
    assert not claim_event(
        store.sessions.begin, "Ev1", team_id="T1", kind="app_mention", retry_num=1, now=NOW
    )
    assert claim_event(
        store.sessions.begin, "Ev2", team_id="T1", kind="message", retry_num=0, now=NOW
    )
    later = NOW + dt.timedelta(days=2)
    assert claim_event(
        store.sessions.begin, "Ev3", team_id="T1", kind="message", retry_num=0, now=later
    )
    assert purge_claims(store.sessions.begin, now=later) == 2
    with store.sessions() as s:
        assert s.scalars(select(SlackEvent.event_id)).all() == ["Ev3"]


def test_take_on_lets_an_event_through_once(store: Store) -> None:
    deps = MagicMock()
    deps.transaction = store.sessions.begin
    deps.now.return_value = NOW
    deps.tick.return_value = False
    body = {"event_id": "EvX", "team_id": "T1", "event": {"type": "app_mention"}}
    assert take_on(deps, body, {"retry_num": 0})
    assert not take_on(deps, body, {"retry_num": 1})
    assert take_on(deps, {"event": {}}, {})  # no event id (not an Events API delivery)


def test_a_store_that_cannot_claim_lets_the_event_through(caplog: pytest.LogCaptureFixture) -> None:
    deps = MagicMock()
    deps.transaction.side_effect = OperationalError("INSERT", {}, Exception("down"))
    deps.now.return_value = NOW
    with caplog.at_level(logging.ERROR, logger="concierge.slack"):
        assert take_on(deps, {"event_id": "EvY", "event": {}}, {})
    assert "cannot claim event EvY" in caplog.text


def test_channel_privacy_is_asked_once_and_fails_safe() -> None:
    client = MagicMock()
    client.conversations_info.return_value = {"channel": {"is_private": True}}
    privacy = ChannelPrivacy()
    assert privacy.is_public(client, "D1") is False
    assert privacy.is_public(client, "C1", "channel") is True
    assert privacy.is_public(client, "C2") is False
    assert privacy.is_public(client, "C2") is False
    assert client.conversations_info.call_count == 1
    client.conversations_info.side_effect = RuntimeError("boom")
    assert privacy.is_public(client, "C3") is True


def test_failures_are_classified_for_the_user_and_the_log() -> None:
    nlu = classify(NLUUnavailable("the language service did not answer within 2 s"))
    assert nlu.reason == "nlu_unavailable"
    assert "did not answer within 2 s" in nlu.cause
    response = SlackResponse(
        client=None, http_verb="POST", api_url="x", req_args={}, data={"ok": False,
        "error": "channel_not_found"}, headers={}, status_code=200,
    )  # fmt: skip
    slack_error = classify(SlackApiError("failed", response))  # type: ignore[no-untyped-call]
    assert slack_error.cause == "Slack API error: channel_not_found"
    assert slack_error.user_text.startswith("Sorry")
    store_error = classify(OperationalError("SELECT", {}, Exception("down")))
    assert store_error.reason == "store_unavailable"
