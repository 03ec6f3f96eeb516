"""The customer card: the person, every household vehicle, and contacts masked by role."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.access import Viewer, operator
from knowledge.card import CustomerCard, build_card, card_from_profile, mask_email, mask_phone
from knowledge.db import Store
from knowledge.models import AuditEntry
from knowledge.profile import load_profile
from tests.knowledge.lookup.world import NOW, World
from tests.knowledge.test_profile import _family

CALL_CENTER = Viewer(actor="slack:T1/UCC", role="call_center", staff_id=None, channel="D1")


def _card(store: Store, cid: int, viewer: Viewer) -> CustomerCard:
    with store.sessions.begin() as s:
        return build_card(s, cid, viewer=viewer, now=NOW)


@pytest.fixture()
def family(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as s:
        f = _family(World(s))
        return {k: v.id for k, v in f.items()}


def test_card_person_first(store: Store, family: dict[str, Any]) -> None:
    card = _card(store, family["anna"], CALL_CENTER)
    assert (card.name, card.greeting, card.preferred_name, card.salutation) == (
        "Anna Müller",
        "Anni",
        "Anni",
        "Frau",
    )
    assert (card.language, card.customer_since, card.visit_count, card.preferred_channel) == (
        "de",
        dt.date(2015, 4, 1),
        4,
        "sms",
    )
    assert [(h["name"], h["relation"]) for h in card.household] == [
        ("Thomas Müller", "spouse"),
        ("Lukas Müller", "family"),
    ]


def test_card_shows_every_household_vehicle_any_make(store: Store, family: dict[str, Any]) -> None:
    card = _card(store, family["anna"], CALL_CENTER)
    assert [(v.label, v.plate, v.whose, v.role, v.holders) for v in card.vehicles] == [
        ("2020 BMW X5", "HH-AM 123", "own", "owner", ("Anna Müller",)),
        ("2017 Volkswagen Golf", "HH-TM 77", "own", "co_owner", ("Anna Müller", "Thomas Müller")),
        ("2022 Porsche Cayenne", "HH-TM 911", "household", None, ("Thomas Müller",)),
        ("2019 Toyota Yaris", "HH-LM 5", "household", None, ("Lukas Müller",)),
    ]
    x5 = card.vehicles[0]
    assert (x5.odometer_km, x5.warranty_end, x5.under_warranty) == (
        45000,
        dt.date(2027, 5, 1),
        True,
    )
    assert (x5.last_service, x5.next_service_due, x5.service_due_soon) == (
        (NOW - dt.timedelta(days=100)).date(),
        dt.date(2027, 1, 15),
        False,
    )


def test_card_recalls_across_all_owned_vehicles(store: Store, family: dict[str, Any]) -> None:
    card = _card(store, family["anna"], CALL_CENTER)
    assert card.open_recall_count == 2
    assert [
        (v.label, r.campaign_code, r.while_you_wait) for v in card.vehicles for r in v.open_recalls
    ] == [
        ("2020 BMW X5", "0061", True),
        ("2022 Porsche Cayenne", "AKA1", False),
    ]


def test_card_visit_declined_preferences_survey_notes(store: Store, family: dict[str, Any]) -> None:
    card = _card(store, family["anna"], CALL_CENTER)
    cv = card.current_visit
    assert cv is not None
    assert (cv.status, cv.wait_mode, cv.waiting_minutes, cv.advisor, cv.dealer) == (
        "waiting",
        "waiting",
        60,
        "Jonas Berg",
        "Nordauto Hamburg",
    )
    assert cv.promised_at == NOW + dt.timedelta(hours=2)
    assert [(v.ro_number, v.dealer) for v in card.last_visits] == [
        ("RO-2001", "Nordauto Berlin"),
        ("RO-1002", "Nordauto Hamburg"),
        ("RO-1001", "Nordauto Hamburg"),
    ]
    assert [(d.description, d.vehicle, d.due_date, d.overdue) for d in card.declined_due] == [
        ("Brake pads front", "2020 BMW X5", dt.date(2026, 12, 1), False),
        ("Wiper blades", "2017 Volkswagen Golf", None, False),
    ]
    assert dict(card.preferences) == {"drink": "green tea", "contact_channel": "sms"}
    assert [n.text for n in card.notes] == ["Dog in the car", "Prefers the early slot"]
    assert card.last_survey is not None
    assert (card.last_survey.score, card.last_survey.comment) == (6, "Waited too long")
    assert card.last_contact is not None and card.last_contact["note"] == "asked about tyres"


def test_card_to_dict_is_json(store: Store, family: dict[str, Any]) -> None:
    data = json.loads(json.dumps(_card(store, family["anna"], CALL_CENTER).to_dict()))
    assert data["name"] == "Anna Müller"
    assert data["preferences"] == {"drink": "green tea", "contact_channel": "sms"}
    assert data["vehicles"][0]["open_recalls"][0]["campaign_code"] == "0061"
    assert data["current_visit"]["promised_at"] == "2026-11-23T11:30:00+00:00"


@pytest.mark.parametrize(
    ("role", "public", "masking", "phone", "email", "address"),
    [
        (
            "call_center",
            False,
            "none",
            "0151 2345 6789",
            "Anna.Mueller@example.de",
            "Hauptstr. 1, Hamburg",
        ),
        (
            "advisor",
            False,
            "none",
            "0151 2345 6789",
            "Anna.Mueller@example.de",
            "Hauptstr. 1, Hamburg",
        ),
        (
            "admin",
            False,
            "none",
            "0151 2345 6789",
            "Anna.Mueller@example.de",
            "Hauptstr. 1, Hamburg",
        ),
        ("trainer", False, "partial", "+49 ••• •••• •89", "a•••@example.de", "Hamburg"),
        ("call_center", True, "hidden", None, None, None),
        ("admin", True, "hidden", None, None, None),
    ],
)
def test_contact_details_follow_the_viewer(
    store: Store,
    family: dict[str, Any],
    role: str,
    public: bool,
    masking: str,
    phone: str | None,
    email: str | None,
    address: str | None,
) -> None:
    viewer = Viewer(actor="slack:T1/U9", role=role, channel="C1", public=public)
    card = _card(store, family["anna"], viewer)
    assert card.masking == masking
    values = {c.kind: c.value for c in card.contacts}
    assert values == {"phone": phone, "email": email, "address": address}
    assert card.birth_date == (dt.date(1980, 5, 17) if masking == "none" else None)
    text = json.dumps(card.to_dict())
    if masking != "none":
        assert "2345" not in text and "Mueller@" not in text and "Hauptstr" not in text


def test_masks() -> None:
    assert mask_phone("+4915123456789") == "+49 ••• •••• •89"
    assert mask_email("anna.mueller@example.de") == "a•••@example.de"


def test_every_card_view_is_audited(store: Store, family: dict[str, Any]) -> None:
    with store.sessions.begin() as s:
        advisor = World.existing(s).staff("Mia Kurz", "advisor", slack_id="UADV")
        staff_id = advisor.id
    viewer = Viewer(
        actor="slack:T1/UADV", role="advisor", staff_id=staff_id, channel="C42", public=True
    )
    _card(store, family["anna"], viewer)
    _card(store, family["anna"], operator("cli:ops"))
    with store.sessions() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        got = [
            (e.actor, e.staff_id, e.action, e.customer_id, e.channel, e.how, e.detail)
            for e in entries
        ]
    assert got == [
        (
            "slack:T1/UADV",
            staff_id,
            "card",
            family["anna"],
            "C42",
            "card",
            {"masking": "hidden", "public": True, "role": "advisor"},
        ),
        (
            "cli:ops",
            None,
            "card",
            family["anna"],
            "cli",
            "card",
            {"masking": "none", "public": False, "role": "admin"},
        ),
    ]


def test_card_from_an_already_loaded_profile_reads_nothing_more(
    store: Store, family: dict[str, Any]
) -> None:
    with store.sessions() as s:
        profile = load_profile(s, family["anna"], now=NOW)
    card = card_from_profile(profile, viewer=CALL_CENTER, now=NOW)
    assert card.open_recall_count == 2 and card.current_visit is not None
    assert card.current_visit.dealer is None  # no dealer names given: none invented
