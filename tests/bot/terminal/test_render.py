"""Every result kind renders to readable text with the numbers staff type back."""

from __future__ import annotations

import datetime as dt

from rich.console import Console

from actions.results import (
    Apology,
    CandidateItem,
    CandidateList,
    CheckIn,
    Confirmation,
    CustomerCardResult,
    CustomerRef,
    DeclinedItem,
    Message,
    NoMatch,
    OwnerItem,
    OwnersList,
    Question,
    RecallItem,
    RecallList,
    Reply,
    ServiceHistory,
    TouchItem,
    TouchList,
    TouchReport,
    TouchReportRow,
    VehicleItem,
    VehicleList,
    VisitItem,
)
from bot.terminal.render import RENDERERS, render, render_reply
from knowledge.access import Viewer
from knowledge.card import build_card
from knowledge.db import Store
from tests.actions.cast import Cast
from tests.knowledge.lookup.world import NOW

MARIA = CustomerRef(1, "Maria Gonzales", "Maria")


def text_of(*renderables: object) -> str:
    console = Console(record=True, width=140, color_system=None)
    for r in renderables:
        console.print(r)
    return console.export_text()


def touch_list() -> TouchList:
    return TouchList(
        customer=MARIA,
        touches=(
            TouchItem(
                1,
                11,
                "drink_ask",
                "Ask what they would like to drink",
                "comfort",
                "comfort",
                "Ask Maria what she would like to drink.",
                "Waiting in the lounge.",
            ),
            TouchItem(
                2,
                12,
                "recall_household_today",
                "Open recall on another of their vehicles",
                "all_vehicles",
                "care for all their vehicles",
                "Mention the Golf recall.",
                "Open recall 0061940300.",
            ),
        ),
        ro_number="RO-HAM1-100100",
    )


def test_touches_are_numbered_with_the_hint_to_mark_them() -> None:
    out = text_of(render(touch_list()))
    assert "Touches for Maria Gonzales · RO-HAM1-100100" in out
    assert "1. Ask what they would like to drink" in out
    assert "2. Open recall on another of their vehicles" in out
    assert "why: Open recall 0061940300." in out
    assert "done 1 · skip 2 <reason> · n/a 3" in out
    empty = TouchList(customer=MARIA, touches=(), note="Nothing to suggest right now.")
    assert text_of(render(empty)).strip() == "Nothing to suggest right now."


def test_the_card_shows_person_vehicles_check_in_and_touches(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        viewer = Viewer(actor="test", role="advisor", staff_id=cast.advisor)
        card = build_card(s, cast.maria, viewer=viewer, now=NOW)
    check_in = CheckIn(1, "RO-HAM1-100100", "2021 BMW X5", "waiting", "waiting", NOW)
    out = text_of(render(CustomerCardResult(card, touch_list(), check_in, ("phone",))))
    assert "Maria Gonzales" in out
    assert "greet as Mrs Gonzales" in out
    assert "matched on phone" in out
    assert "Checked in: RO-HAM1-100100 · 2021 BMW X5 · waiting" in out
    assert "2021 BMW X5" in out and "2015 Volkswagen Golf" in out
    assert "0061940300 Airbag inflator may rupture" in out
    assert "household: Carlos Gonzales" in out
    assert "+4915123456789" in out or "+49 151" in out
    assert "1. Ask what they would like to drink" in out


def test_candidates_vehicles_history_recalls_owners_report() -> None:
    candidates = CandidateList(
        "anna schmidt",
        (
            CandidateItem(
                1, 3, "Anna Schmidt", 93.0, ("family name",), ("Hamburg", "2019 Audi A4")
            ),
            CandidateItem(2, 4, "Anna Schmidt", 93.0, ("family name",), ("Kiel",)),
        ),
        "2 customers fit 'anna schmidt' — which one? Say the number.",
    )
    out = text_of(render(candidates))
    assert "1. Anna Schmidt — Hamburg, 2019 Audi A4 (matched on family name)" in out
    assert "type the number, e.g. 2" in out

    vehicles = VehicleList(
        MARIA,
        (
            VehicleItem(
                1,
                5,
                "2015 Volkswagen Golf",
                "Volkswagen",
                "Golf",
                2015,
                "WVWZZZ1KZFW000001",
                "HH-CG 77",
                None,
                120000,
                None,
                ("Carlos Gonzales",),
                1,
                None,
                None,
            ),
        ),
        in_service_now="2021 BMW X5",
    )
    out = text_of(render(vehicles))
    assert "Vehicles of Maria Gonzales" in out
    assert "2015 Volkswagen Golf (not sold by us)" in out and "Carlos Gonzales" in out
    assert "120,000" in out and "in the workshop today: 2021 BMW X5" in out

    visit = VisitItem(
        9,
        "RO-HAM1-100050",
        "2021 BMW X5",
        "closed",
        "waiting",
        dt.datetime(2025, 10, 1, 8, tzinfo=dt.UTC),
        None,
        30500,
        "Annual inspection",
        "Oil service",
    )
    history = ServiceHistory(
        MARIA,
        None,
        (visit,),
        2,
        (DeclinedItem("2021 BMW X5", "Front brake pads", dt.date(2026, 12, 1), 24000),),
        last_survey_score=9,
    )
    out = text_of(render(history))
    assert "Service history of Maria Gonzales — 2 visit(s) in all" in out
    assert "RO-HAM1-100050" in out and "Oil service" in out and "30,500" in out
    assert "declined: Front brake pads (2021 BMW X5, due 2026-12-01)" in out
    assert "last survey: 9/10" in out

    recalls = RecallList(
        MARIA,
        (
            RecallItem(
                5, "2015 Volkswagen Golf", "WVW1", "0061940300", "Airbag", "replace", 30, True
            ),
        ),
        2,
    )
    out = text_of(render(recalls))
    assert "Open recalls — Maria Gonzales and household" in out
    assert "2015 Volkswagen Golf (household)" in out and "replace 30 min" in out
    assert "No open recalls on the 2 vehicle(s)" in text_of(render(RecallList(MARIA, (), 2)))

    owners = OwnersList(
        "owners of vehicles with open recall 0061940300",
        (
            OwnerItem(
                1,
                2,
                "Carlos Gonzales",
                "2015 Volkswagen Golf",
                "WVW1",
                "HH-CG 77",
                "sms",
                "+49 151 ••• 89",
                None,
                ("0061940300",),
            ),
        ),
        total=31,
        page=1,
        pages=4,
    )
    out = text_of(render(owners))
    assert "owners of vehicles with open recall 0061940300 — 31 in all" in out
    assert "Carlos Gonzales" in out and "page 1 of 4" in out

    report = TouchReport(
        7,
        "Jonas Berg",
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 29),
        4,
        2,
        1,
        0,
        (TouchReportRow("drink_ask", "Ask what they would like to drink", 4, 2, 1, 0),),
        (("in a hurry", 1),),
    )
    out = text_of(render(report))
    assert "Touches of Jonas Berg, 2026-11-23 – 2026-11-29: shown 4, done 2, skipped 1" in out
    assert "adoption 50%" in out and "skip reasons: in a hurry (1)" in out


def test_messages_questions_confirmations_apologies() -> None:
    reply = Reply(
        "k",
        (
            Confirmation("preference_recorded", "Noted for Maria Gonzales — drink: tea."),
            Question(
                "Which car is Priya Patel here with? Say the number.",
                "choice",
                ("1. 2022 Porsche Macan",),
            ),
            Message("Hello Jonas!", "greeting", ("what else does she drive?",)),
            Apology(
                "The language service is unavailable right now.",
                "nlu_unavailable",
                "Paste a phone number.",
            ),
            NoMatch("zyx", "name", "nobody is called 'zyx'", ("check the spelling",)),
        ),
    )
    out = text_of(*render_reply(reply))
    assert "✓ Noted for Maria Gonzales — drink: tea." in out
    assert "Which car is Priya Patel here with? Say the number." in out
    assert "1. 2022 Porsche Macan" in out
    assert "› what else does she drive?" in out
    assert "The language service is unavailable right now." in out
    assert "Paste a phone number." in out
    assert "nobody is called 'zyx'" in out and "try: check the spelling" in out


def test_every_result_kind_has_a_renderer() -> None:
    import typing

    from actions import results

    kinds = set(typing.get_args(results.Result))
    assert kinds == set(RENDERERS)
