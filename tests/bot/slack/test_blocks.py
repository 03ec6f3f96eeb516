"""The Block Kit builders: pure functions, checked on hand-made results."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from actions.results import (
    Apology,
    CandidateItem,
    CandidateList,
    CustomerCardResult,
    CustomerRef,
    Message,
    Question,
    TouchItem,
    TouchList,
)
from bot.slack import ids
from bot.slack.blocks.card import build_card_result, build_customer_card
from bot.slack.blocks.common import MAX_BLOCKS_MESSAGE, MAX_SECTION_TEXT, esc, fit, section
from bot.slack.blocks.home import (
    WaitingCustomer,
    build_advisor_home,
    build_trainer_home,
)
from bot.slack.blocks.modals import (
    build_skip_modal,
    build_survey_modal,
    read_metadata,
    skip_reason,
    survey_values,
)
from bot.slack.blocks.report import build_report_blocks
from bot.slack.blocks.results import (
    build_candidates,
    build_results,
    parse_candidate_value,
)
from bot.slack.blocks.touches import apply_outcome, build_touches, suggestion_of
from knowledge.card import (
    CardContact,
    CardRecall,
    CardSurvey,
    CardVehicle,
    CardVisit,
    CustomerCard,
)
from knowledge.reports import Counts, Mean, Ratings, Report, Satisfaction, Scope, StaffRow, TouchRow
from knowledge.reports.figures import Reason
from knowledge.reports.period import parse_period

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def vehicle(label: str, *, whose: str = "own", recalls: tuple[CardRecall, ...] = ()) -> CardVehicle:
    make, model = label.split(" ", 2)[1:3]
    return CardVehicle(
        vehicle_id=1,
        label=label,
        make=make,
        model=model,
        model_year=int(label[:4]),
        plate="HH-MG 1234",
        vin="WBA00000000000001",
        colour=None,
        odometer_km=42000,
        warranty_end=None,
        under_warranty=False,
        last_service=None,
        next_service_due=None,
        service_due_soon=False,
        whose=whose,
        role="owner" if whose == "own" else None,
        holders=("Carlos Gonzales",) if whose == "household" else ("Maria Gonzales",),
        open_recalls=recalls,
    )


def card(masking: str = "none", **changes: Any) -> CustomerCard:
    contacts = (
        CardContact("phone", "+49 151 23456789" if masking == "none" else None, True),
        CardContact("email", "maria.gonzales@example.com" if masking == "none" else None, False),
    )
    if masking == "partial":
        contacts = (
            CardContact("phone", "+49 ••• •••• •89", True),
            CardContact("email", "m•••@example.com", False),
        )
    base = CustomerCard(
        customer_id=7,
        kind="person",
        name="Maria Gonzales",
        preferred_name=None,
        salutation="Mrs",
        greeting="Mrs Gonzales",
        pronunciation="gon-SAH-les",
        language="es",
        customer_since=dt.date(2015, 4, 1),
        visit_count=12,
        preferred_channel="phone",
        do_not_contact=False,
        masking=masking,
        contacts=contacts,
        birth_date=None,
        household=({"customer_id": 8, "name": "Carlos Gonzales", "relation": "spouse"},),
        vehicles=(
            vehicle("2021 BMW X5"),
            vehicle(
                "2015 Volkswagen Golf",
                whose="household",
                recalls=(CardRecall("0061940300", "Airbag inflator may rupture", 45, True),),
            ),
        ),
        open_recall_count=1,
        current_visit=CardVisit(
            ro_number="RO-HAM1-100100",
            dealer="Nordauto Hamburg",
            vehicle="2021 BMW X5",
            status="waiting",
            wait_mode="waiting",
            opened_at=NOW - dt.timedelta(minutes=30),
            arrived_at=NOW - dt.timedelta(minutes=30),
            promised_at=None,
            closed_at=None,
            waiting_minutes=30,
            concerns="Brake noise",
            work_done=None,
            advisor="Jonas Berg",
        ),
        last_visits=(),
        declined_due=(),
        preferences=(("drink", "oat flat white"),),
        notes=(),
        last_survey=CardSurvey(9, "Great service", dt.date(2025, 10, 3)),
        last_contact=None,
        as_of=NOW,
    )
    return replace(base, **changes)


def touches(*items: TouchItem) -> TouchList:
    return TouchList(
        customer=CustomerRef(7, "Maria Gonzales"),
        touches=items,
        ro_number="RO-HAM1-100100",
        playbook_version="v1",
    )


def touch(number: int, sid: int | None, **changes: Any) -> TouchItem:
    base = TouchItem(
        number=number,
        suggestion_id=sid,
        touch_id="offer_drink",
        title="Offer her usual drink",
        category="comfort",
        category_label="comfort",
        instruction="Bring an oat flat white.",
        reason="She is waiting and likes oat flat whites.",
    )
    return replace(base, **changes)


# --- the card -----------------------------------------------------------------------------------


def test_the_card_leads_with_the_name_and_how_to_greet() -> None:
    blocks = build_customer_card(card())
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Maria Gonzales", "emoji": True},
    }
    assert blocks[1]["text"]["text"] == (
        "Greet as *Mrs Gonzales* · say “gon-SAH-les” · speaks es\n"
        "customer since 2015 · 12 visits · prefers phone"
    )


def test_the_card_shows_visit_recalls_preferences_score_and_every_vehicle() -> None:
    text = texts(build_customer_card(card()))
    assert (
        "*Now:* *RO-HAM1-100100* · 2021 BMW X5 · waiting · waiting on site · here for 30 min"
        in text
    )
    assert "*Airbag inflator may rupture* (0061940300) on 2015 Volkswagen Golf (household)" in text
    assert "45 min, can be done while they wait" in text
    assert ":coffee: drinks oat flat white" in text
    assert "*Last score:* 9/10 on 2025-10-03 — “Great service”" in text
    assert "*Vehicles (2, any make, with household)*" in text
    assert "held by Carlos Gonzales" in text


def test_contact_details_follow_the_card_s_masking() -> None:
    full = texts(build_customer_card(card("none")))
    assert "+49 151 23456789" in full and "maria.gonzales@example.com" in full
    partial = texts(build_customer_card(card("partial")))
    assert "+49 ••• •••• •89" in partial and "masked for your role" in partial
    assert "23456789" not in partial
    hidden = texts(build_customer_card(card("hidden")))
    assert "Contact details are hidden here" in hidden
    assert "+49" not in hidden and "@example.com" not in hidden


def test_text_from_the_store_is_escaped() -> None:
    blocks = build_customer_card(card(preferences=(("note", "<b>VIP</b> & friend"),)))
    assert ":memo: &lt;b&gt;VIP&lt;/b&gt; &amp; friend" in texts(blocks)
    assert esc("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_the_card_result_adds_the_touches_and_a_feedback_button() -> None:
    result = CustomerCardResult(card=card(), touches=touches(touch(1, 41)), matched_on=("phone",))
    blocks = build_card_result(result)
    kinds = [b["type"] for b in blocks]
    assert "divider" in kinds
    assert blocks[-1]["elements"][0]["action_id"] == ids.OPEN_SURVEY
    assert blocks[-1]["elements"][0]["value"] == "RO-HAM1-100100"
    assert "Found by phone" in texts(blocks)


# --- touches ------------------------------------------------------------------------------------


def test_each_touch_has_done_skip_with_reasons_and_not_applicable() -> None:
    blocks = build_touches(touches(touch(1, 41), touch(2, 42, needs_consent=True)))
    assert blocks[0]["text"]["text"] == "*Touches for Maria Gonzales now* · RO-HAM1-100100"
    assert blocks[1]["block_id"] == "touchtext:41"
    assert blocks[1]["text"]["text"] == (
        "*1. Offer her usual drink*\nBring an oat flat white.\n"
        "_Why: She is waiting and likes oat flat whites._"
    )
    buttons = blocks[2]
    assert buttons["block_id"] == "touch:41"
    done, skip, na = buttons["elements"]
    assert (done["action_id"], done["value"], done["style"]) == (ids.TOUCH_DONE, "41", "primary")
    assert skip["action_id"] == ids.TOUCH_SKIP and skip["type"] == "static_select"
    assert [o["value"] for o in skip["options"]] == [
        "41|customer in a hurry",
        "41|customer declined",
        "41|not the right moment",
        "41|already done before",
        "41|other",
    ]
    assert (na["action_id"], na["value"]) == (ids.TOUCH_NOT_APPLICABLE, "41")
    assert "_(ask first)_" in blocks[3]["text"]["text"]


def test_a_touch_with_an_outcome_or_without_an_id_has_no_buttons() -> None:
    blocks = build_touches(touches(touch(1, 41, outcome="done"), touch(2, None)), title=False)
    assert [b["type"] for b in blocks] == ["section", "context", "section"]
    assert blocks[1]["elements"][0]["text"] == ":white_check_mark: Done"


def test_apply_outcome_replaces_only_that_touch_s_buttons() -> None:
    blocks = build_touches(touches(touch(1, 41), touch(2, 42)))
    updated = apply_outcome(blocks, 42, "skipped", reason="customer in a hurry", by="Jonas Berg")
    assert updated[:4] == blocks[:4]
    assert updated[4] == {
        "type": "context",
        "block_id": "touch:42",
        "elements": [
            {"type": "mrkdwn", "text": ":fast_forward: Skipped (customer in a hurry) by Jonas Berg"}
        ],
    }
    assert apply_outcome(blocks, 99, "done") == blocks


def test_button_values_are_read_back_or_refused() -> None:
    assert suggestion_of("41") == (41, None)
    assert suggestion_of("41|customer declined") == (41, "customer declined")
    assert suggestion_of("x|y") is None and suggestion_of(None) is None
    assert parse_candidate_value("2|17") == (2, 17)
    assert parse_candidate_value("2") is None


# --- the rest ------------------------------------------------------------------------------------


def test_candidates_are_buttons_that_name_what_tells_them_apart() -> None:
    result = CandidateList(
        query="Anna Schmidt",
        candidates=(
            CandidateItem(1, 11, "Anna Schmidt", 100.0, ("name",), ("Hamburg", "2019 Audi A4")),
            CandidateItem(2, 12, "Anna Schmidt", 100.0, ("name",), ("Kiel",), in_lounge=True),
        ),
        question="2 customers fit 'Anna Schmidt' — which one? Say the number.",
    )
    blocks = build_candidates(result)
    assert len(blocks) == 3
    assert blocks[1]["text"]["text"] == (
        "*1. Anna Schmidt*\nHamburg · 2019 Audi A4\n_matched on name_"
    )
    assert blocks[1]["accessory"]["action_id"] == ids.PICK_CUSTOMER
    assert blocks[1]["accessory"]["value"] == "1|11"
    assert "in the lounge now" in blocks[2]["text"]["text"]


def test_a_reply_of_several_results_is_one_message_with_dividers() -> None:
    text, blocks = build_results(
        [
            Message(text="(started afresh)"),
            Question(text="Do you mean Maria?", expects="confirm", options=("yes", "no")),
            Apology(text="Sorry.", reason="internal", hint="Try again."),
        ]
    )
    assert text == "(started afresh) · Do you mean Maria? · Sorry."
    assert [b["type"] for b in blocks] == [
        "section", "divider", "section", "actions", "divider", "section", "context",
    ]  # fmt: skip
    yes, no = blocks[3]["elements"]
    assert (yes["value"], no["value"]) == ("yes", "no")
    assert yes["action_id"].startswith(ids.QUICK_ANSWER)


def test_slack_limits_are_kept() -> None:
    long = section("x" * 5000)
    assert len(long["text"]["text"]) == MAX_SECTION_TEXT
    many = fit([section(str(i)) for i in range(80)])
    assert len(many) == MAX_BLOCKS_MESSAGE
    assert "31 more block(s) left out" in many[-1]["elements"][0]["text"]


def test_the_advisor_home_lists_who_waits_with_touches() -> None:
    waiting = WaitingCustomer(
        customer_id=5,
        name="Kenji Tanaka",
        greeting="Kenji",
        vehicle="2018 Toyota Corolla",
        ro_number="RO-HAM1-100200",
        status="waiting",
        waiting_minutes=25,
        promised_at=None,
        advisor="Jonas Berg",
        mine=True,
        open_recalls=0,
        touches=touches(touch(1, 51)),
    )
    view = build_advisor_home(
        staff_name="Jonas Berg", dealer_name="Nordauto Hamburg", waiting=[waiting], now=NOW
    )
    assert view["type"] == "home"
    text = texts(view["blocks"])
    assert "Waiting at Nordauto Hamburg now" in text
    assert "*Kenji Tanaka* · greet as Kenji · 2018 Toyota Corolla · RO-HAM1-100200" in text
    assert "touch:51" in text
    empty = build_advisor_home(staff_name="J", dealer_name="D", waiting=[], now=NOW)
    assert "Nobody is waiting on site right now." in texts(empty["blocks"])


def report(**changes: Any) -> Report:
    period = parse_period("this-week", today=NOW.date()).in_zone("Europe/Berlin")
    base = Report(
        generated_at=NOW,
        period=period,
        scope=Scope(kind="group", label="Nordauto Gruppe", timezone="Europe/Berlin"),
        totals=Counts(10, 4, 3, 1),
        touches=(
            TouchRow(
                touch_id="offer_drink",
                title="Offer her usual drink",
                category="comfort",
                counts=Counts(6, 3, 2, 0),
                skip_reasons=(Reason("customer in a hurry", 2),),
                ratings=Ratings(good=1),
                when_done=Mean(2, 18),
                when_not_done=Mean(),
            ),
        ),
        staff=(StaffRow(3, "Jonas Berg", "advisor", "HAM1", Counts(10, 4, 3, 1)),),
        weeks=(),
        touch_weeks={},
        satisfaction=Satisfaction(touches_done=Mean(2, 18), nothing_suggested=Mean(40, 300)),
        versions=(),
    )
    return replace(base, **changes)


def test_the_report_shows_rates_and_the_visits_behind_each_score() -> None:
    text = texts(build_report_blocks(report()))
    assert "*Nordauto Gruppe* — this week (2026-11-23 – 2026-11-23, Europe/Berlin)" in text
    assert "suggested 10 · done 4 · skipped 3 · not applicable 1 · open 2 · done rate *40%*" in text
    assert "with a touch done: 9.0/10 over 2 visits _(few visits: read with care)_" in text
    assert "without: 7.5/10 over 40 visits" in text
    assert "difference +1.5 points" in text
    assert (
        "*Offer her usual drink*: 3/6 done (50%), 2 skipped, 0 n/a — skipped mostly: customer "
        "in a hurry (2) — rated good 1, not appropriate 0"
    ) in text
    assert "• Jonas Berg (HAM1): 4/10 done (40%)" in text
    mine = texts(build_report_blocks(report(scope=Scope("advisor", "Jonas Berg (HAM1)", "UTC"))))
    assert "Per advisor" not in mine


def test_the_trainer_home_is_this_week_s_report() -> None:
    view = build_trainer_home(staff_name="Tom", report=report(), now=NOW)
    assert view["type"] == "home"
    assert view["blocks"][0]["text"]["text"] == "Touch adoption this week"
    assert "done rate *40%*" in texts(view["blocks"])


def test_the_survey_modal_asks_for_a_score_0_to_10_and_reads_back() -> None:
    view = build_survey_modal(ro_number="RO-HAM1-100100", metadata={"channel": "C1"})
    assert view["callback_id"] == ids.SURVEY_VIEW
    score = view["blocks"][2]["element"]
    assert [o["value"] for o in score["options"]] == [str(n) for n in range(11)]
    assert view["blocks"][1]["element"]["initial_value"] == "RO-HAM1-100100"
    assert read_metadata(view) == {"channel": "C1"}
    view["state"] = {
        "values": {
            ids.SURVEY_VISIT_BLOCK: {ids.SURVEY_VISIT_INPUT: {"value": " RO-HAM1-100100 "}},
            ids.SURVEY_SCORE_BLOCK: {ids.SURVEY_SCORE_INPUT: {"selected_option": {"value": "8"}}},
            ids.SURVEY_COMMENT_BLOCK: {ids.SURVEY_COMMENT_INPUT: {"value": None}},
        }
    }
    assert survey_values(view) == ("RO-HAM1-100100", "8", "")


def test_the_skip_modal_reads_the_reason() -> None:
    view = build_skip_modal(title="offer drink", metadata={"sid": 4})
    assert view["callback_id"] == ids.SKIP_REASON_VIEW
    view["state"] = {
        "values": {ids.SKIP_REASON_BLOCK: {ids.SKIP_REASON_INPUT: {"value": "  on a call "}}}
    }
    assert skip_reason(view) == "on a call"
    assert read_metadata(view) == {"sid": 4}


def test_the_manifest_asks_for_exactly_what_the_app_uses() -> None:
    from pathlib import Path

    import yaml

    from bot.slack.app import EVENTS_PATH

    manifest = yaml.safe_load(
        (Path(__file__).parents[3] / "bot" / "slack" / "manifest.yml").read_text()
    )
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_mention",
        "message.im",
    ]
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read",  # app_mention
        "channels:read",  # conversations.info (is the channel private?)
        "chat:write",  # chat.postMessage / postEphemeral / update
        "commands",  # /concierge
        "groups:read",  # conversations.info on private channels
        "im:history",  # message.im
    ]
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == ids.COMMAND
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    for url in (
        command["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ):
        assert url.endswith(EVENTS_PATH)
