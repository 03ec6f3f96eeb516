"""End to end over HTTP: signed Slack requests to the running app, answers at the fake Web API."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import func, select

from bot.slack import ids
from knowledge.db import open_store
from knowledge.models import AuditEntry, SlackEvent, Survey, TouchSuggestion
from tests.bot.slack.conftest import (
    ADVISOR,
    DM,
    PRIVATE,
    PUBLIC,
    STRANGER,
    TEAM,
    SlackWorld,
)
from tests.fakes.slack_api import Call, event_envelope

MENTION_TS = "1790000000.000100"


def mention(
    text: str, *, user: str = ADVISOR, channel: str = PRIVATE, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOTCONCIERGE> {text}",
        "ts": MENTION_TS,
        "channel": channel,
        "event_ts": MENTION_TS,
        **extra,
    }


def direct(
    text: str, *, user: str = ADVISOR, ts: str = "1790000001.000200", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": DM,
        "event_ts": ts,
        **extra,
    }


def block_ids(call: Call) -> list[str]:
    return [b.get("block_id", "") for b in call.blocks()]


def touch_buttons(call: Call) -> list[dict[str, Any]]:
    return [b for b in call.blocks() if b.get("block_id", "").startswith(ids.TOUCH_BLOCK_PREFIX)]


# --- mentions and DMs -----------------------------------------------------------------------------


def test_a_mention_is_answered_in_its_thread_with_the_card_and_touch_buttons(
    slack: SlackWorld,
) -> None:
    response = slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    assert response.status_code == 200
    [call] = slack.api.wait_for("chat.postMessage")
    assert call.args["channel"] == PRIVATE
    assert call.args["thread_ts"] == MENTION_TS
    blocks = call.blocks()
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Maria Gonzales", "emoji": True},
    }
    text = call.text_of_blocks()
    assert "Greet as *Mrs Gonzales*" in text
    assert "2021 BMW X5" in text and "2015 Volkswagen Golf" in text  # household, any make
    assert "Airbag inflator may rupture" in text  # the husband's open recall
    assert "+49 151 23456789" in text  # an advisor in a private channel sees contact details
    buttons = touch_buttons(call)
    assert buttons, "the touches come with buttons"
    with slack.store.sessions() as s:
        shown = set(s.scalars(select(TouchSuggestion.id)))
    assert {int(b["block_id"].split(":")[1]) for b in buttons} <= shown
    assert [e["action_id"] for e in buttons[0]["elements"]] == [
        ids.TOUCH_DONE,
        ids.TOUCH_SKIP,
        ids.TOUCH_NOT_APPLICABLE,
    ]
    assert slack.nlu.calls == ["who is Maria Gonzales?"]


def test_a_follow_up_in_the_thread_is_about_the_thread_s_customer(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    slack.api.wait_for("chat.postMessage")
    follow_up = mention("what else does she drive?", ts="1790000009.000100", thread_ts=MENTION_TS)
    slack.send.event(event_envelope(follow_up, team_id=TEAM))
    calls = slack.api.wait_for("chat.postMessage", 2)
    second = calls[1]
    assert second.args["thread_ts"] == MENTION_TS
    assert "Maria" in second.text_of_blocks()
    assert "2021 BMW X5" in second.text_of_blocks()


def test_a_direct_message_is_answered_in_the_dm_and_a_dm_thread_in_its_thread(
    slack: SlackWorld,
) -> None:
    slack.send.event(event_envelope(direct("who is Maria Gonzales?"), team_id=TEAM))
    [first] = slack.api.wait_for("chat.postMessage")
    assert first.args["channel"] == DM
    assert "thread_ts" not in first.args
    assert first.blocks()[0]["text"]["text"] == "Maria Gonzales"
    threaded = direct("hello", ts="1790000002.000300", thread_ts="1790000001.000200")
    slack.send.event(event_envelope(threaded, team_id=TEAM))
    second = slack.api.wait_for("chat.postMessage", 2)[1]
    assert second.args["thread_ts"] == "1790000001.000200"


def test_the_bot_s_own_messages_and_edits_are_not_answered(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(direct("hello", bot_id="BCONCIERGE"), team_id=TEAM))
    slack.send.event(event_envelope(direct("hello", subtype="message_changed"), team_id=TEAM))
    slack.api.quiet_for(0.5)
    assert slack.api.of("chat.postMessage") == []


# --- Slack's rules --------------------------------------------------------------------------------


def test_a_bad_signature_is_refused_with_401_and_nothing_happens(slack: SlackWorld) -> None:
    response = slack.send.event(
        event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM), secret="wrong-secret"
    )
    assert response.status_code == 401
    slack.api.quiet_for(0.3)
    assert slack.api.of("chat.postMessage") == []
    assert slack.nlu.calls == []


def test_a_stale_timestamp_is_refused_even_when_correctly_signed(slack: SlackWorld) -> None:
    stale = int(time.time()) - 6 * 60
    response = slack.send.event(
        event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM), timestamp=stale
    )
    assert response.status_code == 401
    slack.api.quiet_for(0.3)
    assert slack.api.of("chat.postMessage") == []


def test_a_retried_delivery_is_acknowledged_but_never_answered_twice(slack: SlackWorld) -> None:
    envelope = event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM, event_id="EvRETRY1")
    assert slack.send.event(envelope).status_code == 200
    slack.api.wait_for("chat.postMessage")
    assert slack.send.event(envelope, retry_num=1).status_code == 200
    assert slack.send.event(envelope, retry_num=2).status_code == 200
    slack.api.quiet_for(0.5)
    assert len(slack.api.of("chat.postMessage")) == 1
    with slack.store.sessions() as s:
        [claim] = s.scalars(select(SlackEvent)).all()
    assert (claim.event_id, claim.kind, claim.retry_num) == ("EvRETRY1", "app_mention", 0)


def test_url_verification_is_answered_with_the_challenge(slack: SlackWorld) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    response = slack.send.post_raw(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}


# --- access ---------------------------------------------------------------------------------------


def test_an_unknown_user_is_refused_politely_and_the_refusal_is_audited(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?", user=STRANGER), team_id=TEAM))
    [call] = slack.api.wait_for("chat.postMessage")
    text = call.text_of_blocks()
    assert "concierge staff add --team T1 --user U999" in text
    assert "Maria" not in text
    assert slack.nlu.calls == []
    with slack.store.sessions() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert entry.actor == f"slack:{TEAM}/{STRANGER}"
    assert entry.staff_id is None and entry.customer_id is None
    assert entry.channel == f"slack:{PRIVATE}"
    assert entry.how == "slack_mention"


def test_in_a_public_channel_the_card_is_ephemeral_and_contact_details_hidden(
    slack: SlackWorld,
) -> None:
    slack.send.event(
        event_envelope(mention("who is Maria Gonzales?", channel=PUBLIC), team_id=TEAM)
    )
    [call] = slack.api.wait_for("chat.postEphemeral")
    assert call.args["channel"] == PUBLIC
    assert call.args["user"] == ADVISOR
    assert call.args["thread_ts"] == MENTION_TS
    text = call.text_of_blocks()
    assert "Maria Gonzales" in text
    assert "23456789" not in text and "maria.gonzales@" not in text
    assert "Contact details are hidden here" in text
    assert slack.api.of("chat.postMessage") == []
    with slack.store.sessions() as s:
        card = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "card", AuditEntry.customer_id == slack.cast.maria
            )
        ).one()
    assert card.channel == f"slack:{PUBLIC}"
    assert card.detail is not None and card.detail["masking"] == "hidden"


# --- buttons --------------------------------------------------------------------------------------


def click(
    slack: SlackWorld, posted: Call, action_id: str, value: str, *, user: str = ADVISOR
) -> Any:
    element: dict[str, Any] = {"action_id": action_id, "type": "button", "value": value}
    if action_id == ids.TOUCH_SKIP:
        element = {
            "action_id": action_id,
            "type": "static_select",
            "selected_option": {"value": value},
        }
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0CONCIERGE",
        "trigger_id": "trigger-1",
        "container": {
            "type": "message",
            "message_ts": "1790000050.000100",
            "channel_id": posted.args["channel"],
            "is_ephemeral": False,
        },
        "channel": {"id": posted.args["channel"]},
        "message": {
            "type": "message",
            "ts": "1790000050.000100",
            "thread_ts": posted.args.get("thread_ts"),
            "text": posted.args.get("text"),
            "blocks": posted.blocks(),
        },
        "response_url": slack.api.response_url("click"),
        "actions": [element],
    }
    return slack.send.interaction(payload)


def test_done_records_the_outcome_and_updates_the_message_and_a_second_click_changes_nothing(
    slack: SlackWorld,
) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    first = touch_buttons(posted)[0]
    sid = int(first["block_id"].split(":")[1])

    assert click(slack, posted, ids.TOUCH_DONE, str(sid)).status_code == 200
    [update] = slack.api.wait_for("chat.update")
    assert update.args["channel"] == PRIVATE
    assert update.args["ts"] == "1790000050.000100"
    replaced = [b for b in update.blocks() if b.get("block_id") == first["block_id"]]
    assert replaced == [
        {
            "type": "context",
            "block_id": first["block_id"],
            "elements": [{"type": "mrkdwn", "text": ":white_check_mark: Done by Jonas Berg"}],
        }
    ]
    # Everything else in the message is exactly as posted.
    assert [b for b in update.blocks() if b.get("block_id") != first["block_id"]] == [
        b for b in posted.blocks() if b.get("block_id") != first["block_id"]
    ]
    with slack.store.sessions() as s:
        row = s.get_one(TouchSuggestion, sid)
        assert (row.outcome, row.outcome_staff_id) == ("done", slack.cast.advisor)
        first_at = row.outcome_at

    click(slack, posted, ids.TOUCH_DONE, str(sid))
    second = slack.api.wait_for("chat.update", 2)[1]
    assert second.blocks() == update.blocks()
    with slack.store.sessions() as s:
        row = s.get_one(TouchSuggestion, sid)
        assert (row.outcome, row.outcome_at) == ("done", first_at)
        done = s.scalar(
            select(func.count())
            .select_from(TouchSuggestion)
            .where(TouchSuggestion.outcome.is_not(None))
        )
    assert done == 1


def test_skip_with_a_preset_reason_and_not_applicable(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    buttons = touch_buttons(posted)
    assert len(buttons) >= 2
    skip_sid = int(buttons[0]["block_id"].split(":")[1])
    na_sid = int(buttons[1]["block_id"].split(":")[1])
    click(slack, posted, ids.TOUCH_SKIP, f"{skip_sid}|customer in a hurry")
    click(slack, posted, ids.TOUCH_NOT_APPLICABLE, str(na_sid))
    updates = slack.api.wait_for("chat.update", 2)
    lines = [u.text_of_blocks() for u in updates]
    assert any(":fast_forward: Skipped (customer in a hurry) by Jonas Berg" in t for t in lines)
    assert any(":heavy_minus_sign: Not applicable by Jonas Berg" in t for t in lines)
    with slack.store.sessions() as s:
        skip = s.get_one(TouchSuggestion, skip_sid)
        na = s.get_one(TouchSuggestion, na_sid)
    assert (skip.outcome, skip.outcome_reason) == ("skipped", "customer in a hurry")
    assert na.outcome == "not_applicable"


def test_skip_with_a_reason_of_one_s_own_opens_a_modal_and_records_it(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    sid = int(touch_buttons(posted)[0]["block_id"].split(":")[1])
    click(slack, posted, ids.TOUCH_SKIP, f"{sid}|{ids.SKIP_OTHER}")
    [opened] = slack.api.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == ids.SKIP_REASON_VIEW
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": ADVISOR, "team_id": TEAM},
        "view": {
            **view,
            "id": "V1",
            "state": {
                "values": {
                    ids.SKIP_REASON_BLOCK: {
                        ids.SKIP_REASON_INPUT: {"type": "plain_text_input", "value": "on a call"}
                    }
                }
            },
        },
    }
    response = slack.send.interaction(submission)
    assert response.status_code == 200
    [note] = slack.api.wait_for("chat.postEphemeral")
    assert note.args["channel"] == PRIVATE and note.args["user"] == ADVISOR
    assert "skipped (on a call)" in note.args["text"]
    with slack.store.sessions() as s:
        row = s.get_one(TouchSuggestion, sid)
    assert (row.outcome, row.outcome_reason) == ("skipped", "on a call")


def test_a_stranger_s_click_records_nothing(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    sid = int(touch_buttons(posted)[0]["block_id"].split(":")[1])
    click(slack, posted, ids.TOUCH_DONE, str(sid), user=STRANGER)
    [answer] = slack.api.wait_for("response_url")
    assert "concierge staff add" in answer.args["text"]
    assert slack.api.of("chat.update") == []
    with slack.store.sessions() as s:
        assert s.get_one(TouchSuggestion, sid).outcome is None


def test_choosing_one_of_several_customers_by_button_continues_the_thread(
    slack: SlackWorld,
) -> None:
    slack.send.event(event_envelope(mention("who is Anna Schmidt?"), team_id=TEAM))
    [offered] = slack.api.wait_for("chat.postMessage")
    picks = [
        b["accessory"]
        for b in offered.blocks()
        if b.get("accessory", {}).get("action_id") == ids.PICK_CUSTOMER
    ]
    assert len(picks) == 2
    kiel = next(p for p in picks if p["value"].endswith(f"|{slack.cast.anna_kiel}"))
    click(slack, offered, ids.PICK_CUSTOMER, kiel["value"])
    card = slack.api.wait_for("chat.postMessage", 2)[1]
    assert card.args["thread_ts"] == MENTION_TS
    assert card.blocks()[0]["text"]["text"] == "Anna Schmidt"
    assert "Kiel" in card.text_of_blocks() or "2020 Volkswagen Golf" in card.text_of_blocks()
    slack.send.event(
        event_envelope(
            mention("what else does she drive?", ts="1790000099.000100", thread_ts=MENTION_TS),
            team_id=TEAM,
        )
    )
    vehicles = slack.api.wait_for("chat.postMessage", 3)[2]
    assert "2020 Volkswagen Golf" in vehicles.text_of_blocks()
    assert "Audi" not in vehicles.text_of_blocks()


# --- the slash command ----------------------------------------------------------------------------


def command(slack: SlackWorld, text: str, *, user: str = ADVISOR, channel: str = PRIVATE) -> Any:
    return slack.send.command(
        {
            "token": "x",
            "team_id": TEAM,
            "team_domain": "concierge-test",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "service-desk",
            "user_id": user,
            "user_name": "someone",
            "command": "/concierge",
            "text": text,
            "api_app_id": "A0CONCIERGE",
            "response_url": slack.api.response_url("cmd"),
            "trigger_id": "trigger-cmd",
        }
    )


def test_the_slash_command_looks_up_without_the_nlu_and_answers_ephemerally(
    slack: SlackWorld,
) -> None:
    slack.nlu.unavailable = True
    response = command(slack, "+49 151 23456789")
    assert response.status_code == 200
    [answer] = slack.api.wait_for("response_url")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.blocks()[0]["text"]["text"] == "Maria Gonzales"
    assert touch_buttons(answer)
    assert slack.nlu.calls == []
    command(slack, "Priya Patel")
    second = slack.api.wait_for("response_url", 2)[1]
    assert second.blocks()[0]["text"]["text"] == "Priya Patel"
    assert slack.nlu.calls == []


def test_slash_help_needs_no_access(slack: SlackWorld) -> None:
    command(slack, "help", user=STRANGER)
    [answer] = slack.api.wait_for("response_url")
    assert "/concierge report" in answer.text_of_blocks()


def test_the_slash_command_refuses_an_unknown_user(slack: SlackWorld) -> None:
    command(slack, "Maria Gonzales", user=STRANGER)
    [answer] = slack.api.wait_for("response_url")
    assert "concierge staff add --team T1 --user U999" in answer.text_of_blocks()
    assert "Gonzales" not in answer.text_of_blocks().replace('Maria Gonzales"', "")


# --- App Home -------------------------------------------------------------------------------------


def home_opened(user: str) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": "1790000100.000100",
    }


def test_an_advisor_s_home_shows_who_is_waiting_now_with_their_touches(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(home_opened(ADVISOR), team_id=TEAM))
    [published] = slack.api.wait_for("views.publish")
    assert published.args["user_id"] == ADVISOR
    view = published.args["view"]
    assert view["type"] == "home"
    text = published.text_of_blocks()
    assert "Waiting at Nordauto Hamburg now" in text
    assert "*Kenji Tanaka*" in text and "RO-HAM1-100200" in text and "here for 25 min" in text
    assert "Maria" not in text  # booked, not on site
    assert touch_buttons(published)
    with slack.store.sessions() as s:
        audited = s.scalars(
            select(AuditEntry.customer_id).where(AuditEntry.how == "app_home")
        ).all()
    assert audited == [slack.cast.kenji]


def test_a_trainer_s_home_shows_this_week_s_adoption(slack: SlackWorld) -> None:
    # The advisor saw Maria's touches and marked one done.
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    buttons = touch_buttons(posted)
    click(slack, posted, ids.TOUCH_DONE, buttons[0]["block_id"].split(":")[1])
    slack.api.wait_for("chat.update")
    slack.send.event(event_envelope(home_opened("U300"), team_id=TEAM))
    [published] = slack.api.wait_for("views.publish")
    text = published.text_of_blocks()
    assert "Touch adoption this week" in text
    assert f"suggested {len(buttons)} · done 1 ·" in text


def test_a_stranger_s_home_is_a_refusal(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(home_opened(STRANGER), team_id=TEAM))
    [published] = slack.api.wait_for("views.publish")
    assert "concierge staff add" in published.text_of_blocks()


# --- failures -------------------------------------------------------------------------------------


def test_a_slack_api_error_is_logged_and_apologised_for_in_the_thread(
    slack: SlackWorld, caplog: Any
) -> None:
    slack.api.fail_next("chat.postMessage", "msg_too_long")
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    calls = slack.api.wait_for("chat.postMessage", 2)
    apology = calls[1]
    assert apology.args["thread_ts"] == MENTION_TS
    assert "Sorry — Slack refused part of my answer" in apology.text_of_blocks()
    assert any("Slack API error: msg_too_long" in r.getMessage() for r in caplog.records)


def test_the_nlu_timing_out_gives_a_short_apology_in_the_thread(
    slack: SlackWorld, caplog: Any
) -> None:
    slack.nlu.unavailable = True
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [call] = slack.api.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == MENTION_TS
    assert "language service is unavailable" in call.text_of_blocks()
    assert any(
        "nlu_unavailable" in r.getMessage() and "unavailable (fake)" in r.getMessage()
        for r in caplog.records
    )


def test_a_store_error_gives_a_short_apology_in_the_thread(slack: SlackWorld, caplog: Any) -> None:
    working = slack.deps.store
    # Nothing listens on port 9 of the loopback: every query fails to connect.
    slack.deps.store = open_store("postgresql+psycopg://nobody@127.0.0.1:9/none", check=False)
    try:
        slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
        [call] = slack.api.wait_for("chat.postMessage")
    finally:
        slack.deps.store.dispose()
        slack.deps.store = working
    assert call.args["thread_ts"] == MENTION_TS
    assert "cannot reach the customer store" in call.text_of_blocks()
    assert any("store error: OperationalError" in r.getMessage() for r in caplog.records)


# --- trainers: the report and what customers said ------------------------------------------------


def test_the_report_command_shows_a_trainer_the_group_and_an_advisor_only_their_own(
    slack: SlackWorld,
) -> None:
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    [posted] = slack.api.wait_for("chat.postMessage")
    buttons = touch_buttons(posted)
    click(slack, posted, ids.TOUCH_DONE, buttons[0]["block_id"].split(":")[1])
    slack.api.wait_for("chat.update")

    command(slack, "report this-week", user="U300")
    [trainer] = slack.api.wait_for("response_url")
    assert trainer.args["response_type"] == "ephemeral"
    text = trainer.text_of_blocks()
    assert "*dealer group Nordauto Gruppe* — this week (2026-11-23 – 2026-11-23" in text
    assert f"suggested {len(buttons)} · done 1 ·" in text
    assert "• Jonas Berg (HAM1)" in text

    command(slack, "report 30d", user=ADVISOR)
    mine = slack.api.wait_for("response_url", 2)[1].text_of_blocks()
    assert "*Jonas Berg (HAM1)*" in mine
    assert f"suggested {len(buttons)} · done 1 ·" in mine
    assert "Per advisor" not in mine

    command(slack, "report", user="U200")  # a call-center agent has no report
    agent = slack.api.wait_for("response_url", 3)[2]
    assert "reports are for trainers and admins" in agent.args["text"]
    with slack.store.sessions() as s:
        audited = s.scalars(select(AuditEntry.how).where(AuditEntry.action == "report")).all()
    assert sorted(a or "" for a in audited) == ["advisor", "group"]


def test_a_report_for_a_period_that_is_not_one_says_how_to_write_it(slack: SlackWorld) -> None:
    command(slack, "report fortnight", user="U300")
    [answer] = slack.api.wait_for("response_url")
    assert "'fortnight' is not a period: use 30d" in answer.args["text"]


def survey_submission(
    view: dict[str, Any], ro: str, score: str | None, comment: str
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.SURVEY_VISIT_BLOCK: {ids.SURVEY_VISIT_INPUT: {"type": "plain_text_input", "value": ro}},
        ids.SURVEY_SCORE_BLOCK: {
            ids.SURVEY_SCORE_INPUT: {
                "type": "static_select",
                "selected_option": {"value": score} if score is not None else None,
            }
        },
        ids.SURVEY_COMMENT_BLOCK: {
            ids.SURVEY_COMMENT_INPUT: {"type": "plain_text_input", "value": comment}
        },
    }
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": ADVISOR, "team_id": TEAM},
        "view": {**view, "id": "V9", "state": {"values": values}},
    }


def test_an_advisor_records_what_the_customer_said_in_a_modal_linked_to_the_visit(
    slack: SlackWorld,
) -> None:
    command(slack, "survey RO-HAM1-100200")
    [opened] = slack.api.wait_for("views.open")
    assert opened.args["trigger_id"] == "trigger-cmd"
    view = opened.args["view"]
    assert view["callback_id"] == ids.SURVEY_VIEW
    assert view["blocks"][1]["element"]["initial_value"] == "RO-HAM1-100200"

    wrong = slack.send.interaction(survey_submission(view, "RO-NOPE-1", "9", ""))
    assert wrong.status_code == 200
    assert wrong.json()["response_action"] == "errors"
    assert "RO-NOPE-1" in wrong.json()["errors"][ids.SURVEY_VISIT_BLOCK]

    saved = slack.send.interaction(
        survey_submission(view, "RO-HAM1-100200", "9", "Loved the quick tyre change")
    )
    assert saved.status_code == 200
    [note] = slack.api.wait_for("chat.postEphemeral")
    assert note.args["user"] == ADVISOR and note.args["channel"] == PRIVATE
    with slack.store.sessions() as s:
        [survey] = s.scalars(select(Survey)).all()
    assert (survey.visit_id, survey.score, survey.comment) == (
        slack.waiting_visit,
        9,
        "Loved the quick tyre change",
    )


def test_a_click_on_an_ephemeral_card_replaces_it_through_its_response_url(
    slack: SlackWorld,
) -> None:
    slack.send.event(
        event_envelope(mention("who is Maria Gonzales?", channel=PUBLIC), team_id=TEAM)
    )
    [card] = slack.api.wait_for("chat.postEphemeral")
    sid = touch_buttons(card)[0]["block_id"].split(":")[1]
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": ADVISOR, "team_id": TEAM},
        "container": {
            "type": "message",
            "message_ts": "1790000060.000100",
            "channel_id": PUBLIC,
            "is_ephemeral": True,
        },
        "channel": {"id": PUBLIC},
        "message": {"type": "message", "text": card.args["text"], "blocks": card.blocks()},
        "response_url": slack.api.response_url("ephemeral"),
        "actions": [{"action_id": ids.TOUCH_DONE, "type": "button", "value": sid}],
    }
    slack.send.interaction(payload)
    [replaced] = slack.api.wait_for("response_url")
    assert replaced.args["replace_original"] is True
    assert ":white_check_mark: Done by Jonas Berg" in replaced.text_of_blocks()
    assert "23456789" not in replaced.text_of_blocks()
    assert slack.api.of("chat.update") == []
    # Without a copy of the message in the payload: a confirmation line instead.
    del payload["message"]
    payload["actions"] = [{"action_id": ids.TOUCH_NOT_APPLICABLE, "type": "button", "value": sid}]
    slack.send.interaction(payload)
    confirmation = slack.api.wait_for("response_url", 2)[1]
    assert confirmation.args["replace_original"] is False
    assert "marked not applicable, was done" in confirmation.args["text"]


def test_a_question_s_quick_answer_button_continues_the_thread(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(mention("maria gonzales cars"), team_id=TEAM))
    [question] = slack.api.wait_for("chat.postMessage")
    assert "Do you want to" in question.text_of_blocks()
    [answers] = [b for b in question.blocks() if b.get("block_id") == ids.QUICK_ANSWER]
    yes = next(e for e in answers["elements"] if e["value"] == "yes")
    click(slack, question, yes["action_id"], "yes")
    vehicles = slack.api.wait_for("chat.postMessage", 2)[1]
    assert vehicles.args["thread_ts"] == MENTION_TS
    assert "2021 BMW X5" in vehicles.text_of_blocks()


def test_slack_s_rate_limit_is_waited_out_and_the_answer_still_arrives(slack: SlackWorld) -> None:
    slack.api.fail_next("chat.postMessage", "ratelimited")
    slack.send.event(event_envelope(mention("who is Maria Gonzales?"), team_id=TEAM))
    first, second = slack.api.wait_for("chat.postMessage", 2)
    assert first.args == second.args  # the same answer, sent again after Retry-After
    assert second.blocks()[0]["text"]["text"] == "Maria Gonzales"
    slack.api.quiet_for(0.3)
    assert len(slack.api.of("chat.postMessage")) == 2


def test_done_on_the_home_tab_records_it_and_publishes_the_tab_again(slack: SlackWorld) -> None:
    slack.send.event(event_envelope(home_opened(ADVISOR), team_id=TEAM))
    [home] = slack.api.wait_for("views.publish")
    sid = touch_buttons(home)[0]["block_id"].split(":")[1]
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": ADVISOR, "team_id": TEAM},
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "blocks": home.blocks()},
        "actions": [{"action_id": ids.TOUCH_DONE, "type": "button", "value": sid}],
    }
    slack.send.interaction(payload)
    again = slack.api.wait_for("views.publish", 2)[1]
    assert again.args["user_id"] == ADVISOR
    with slack.store.sessions() as s:
        assert s.get_one(TouchSuggestion, int(sid)).outcome == "done"
    # Done now, the touch is not suggested again for this visit.
    assert f"touch:{sid}" not in [b.get("block_id") for b in again.blocks()]
