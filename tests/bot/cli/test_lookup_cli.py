"""``concierge lookup`` and ``concierge owners`` as the operator runs them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import app
from knowledge.db import Store
from knowledge.lookup.keys import refresh_search_keys
from knowledge.models import AuditEntry
from tests.knowledge.lookup.world import NOW, World

AT = NOW.isoformat()


@pytest.fixture()
def shop(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as s:
        w = World(s)
        anna = w.customer(
            "Anna",
            "Müller",
            phone="0151 2345 6789",
            email="anna@example.de",
            city="Hamburg",
            salutation="Mrs.",
        )
        thomas = w.customer("Thomas", "Müller", city="Hamburg")
        w.relate(anna, thomas)
        m1 = w.customer("Michael", "Schneider", city="Hamburg")
        m2 = w.customer("Michael", "Schneider", city="Kiel")
        rc = w.campaign("0061", "BMW", "Airbag inflator")
        x5 = w.vehicle(anna, "BMW", "X5 xDrive40i", 2020, plate="HH-AM 123")
        cayenne = w.vehicle(thomas, "Porsche", "Cayenne", 2021, plate="HH-TM 911")
        w.recall(x5, rc)
        w.recall(w.vehicle(m1, "BMW", "X5 xDrive40i", 2019), rc)
        w.visit(
            anna,
            x5,
            "RO-HAM1-204518",
            NOW - dt.timedelta(hours=1),
            status="waiting",
            wait_mode="waiting",
            arrived_at=NOW - dt.timedelta(hours=1),
        )
        w.staff("Tina Trainer", "trainer", slack_id="UTRAIN")
        ids = {
            "anna": anna.id,
            "thomas": thomas.id,
            "m1": m1.id,
            "m2": m2.id,
            "cayenne": cayenne.id,
        }
        refresh_search_keys(s, ids.values())
    return ids


def cli(store_url: str, *args: str) -> Result:
    return CliRunner().invoke(
        app, list(args), env={"DATABASE_URL": store_url, "CONCIERGE_VAR_DIR": "var"}
    )


def lookup_json(store_url: str, *args: str, code: int = 0) -> dict[str, Any]:
    result = cli(store_url, "lookup", *args, "--json", "--at", AT)
    assert result.exit_code == code, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_lookup_match_prints_the_card(store_url: str, shop: dict[str, Any]) -> None:
    body = lookup_json(store_url, "0151 2345 6789")
    assert body["status"] == "match"
    assert body["query_kind"] == "phone"
    assert body["candidates"][0] == {
        **body["candidates"][0],
        "customer_id": shop["anna"],
        "name": "Anna Müller",
        "score": 100.0,
        "matched_on": ["phone"],
    }
    card = body["card"]
    assert card["customer_id"] == shop["anna"]
    assert card["greeting"] == "Mrs. Müller"
    assert [v["label"] for v in card["vehicles"]] == [
        "2020 BMW X5 xDrive40i",
        "2021 Porsche Cayenne",
    ]
    assert card["open_recall_count"] == 1
    assert card["current_visit"]["waiting_minutes"] == 60
    assert {c["kind"]: c["value"] for c in card["contacts"]}["phone"] == "0151 2345 6789"


def test_lookup_candidates_have_no_card(store_url: str, shop: dict[str, Any]) -> None:
    body = lookup_json(store_url, "Michael Schneider")
    assert body["status"] == "candidates"
    assert body["card"] is None
    assert {c["customer_id"] for c in body["candidates"]} == {shop["m1"], shop["m2"]}
    assert {c["city"] for c in body["candidates"]} == {"Hamburg", "Kiel"}


def test_lookup_none_exits_1_with_hints(store_url: str, shop: dict[str, Any]) -> None:
    body = lookup_json(store_url, "Qwertz Uiop", code=1)
    assert (body["status"], body["candidates"], body["card"]) == ("none", [], None)
    assert body["message"] == "no customer found for 'Qwertz Uiop' (read as name)"


@pytest.mark.parametrize("query", ["", "%_'", "x" * 10_000, "🙂", "\x00\x1b"])
def test_lookup_bad_input_is_a_clear_none(store_url: str, shop: dict[str, Any], query: str) -> None:
    body = lookup_json(store_url, query, code=1)
    assert body["status"] == "none" and body["message"]


def test_lookup_by_customer_id(store_url: str, shop: dict[str, Any]) -> None:
    body = lookup_json(store_url, f"#{shop['thomas']}")
    assert body["card"]["name"] == "Thomas Müller"
    assert cli(store_url, "lookup", "#999999").output.strip() == (
        "error: no customer #999999 in the store"
    )


def test_lookup_as_a_trainer_masks_contacts(store_url: str, shop: dict[str, Any]) -> None:
    body = lookup_json(store_url, "Anna Müller", "--as", "UTRAIN")
    contacts = {c["kind"]: c["value"] for c in body["card"]["contacts"]}
    assert contacts == {
        "phone": "+49 ••• •••• •89",
        "email": "a•••@example.de",
        "address": "Hamburg",
    }
    assert body["card"]["masking"] == "partial"


def test_lookup_as_an_unknown_staff_member_is_refused(store_url: str, shop: dict[str, Any]) -> None:
    result = cli(store_url, "lookup", "Anna Müller", "--as", "UNOBODY")
    assert result.exit_code == 2
    assert result.output.strip() == "error: no staff member has the Slack id 'UNOBODY'"


def test_lookup_limited_to_a_rooftop(store_url: str, shop: dict[str, Any]) -> None:
    assert lookup_json(store_url, "Anna Müller", "--dealer", "ham1")["status"] == "match"
    assert lookup_json(store_url, "Anna Müller", "--dealer", "BER1", code=1)["status"] == "none"
    result = cli(store_url, "lookup", "Anna", "--dealer", "NOPE")
    assert result.exit_code == 2
    assert result.output.strip() == "error: no rooftop with the code 'NOPE' — known: BER1, HAM1"


def test_lookups_and_cards_are_audited(store_url: str, store: Store, shop: dict[str, Any]) -> None:
    lookup_json(store_url, "HH-AM 123")
    lookup_json(store_url, "Michael Schneider")
    with store.sessions() as s:
        got = [
            (a.action, a.how, a.customer_id, a.actor.startswith("cli:"))
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert got == [
        ("lookup", "plate", shop["anna"], True),
        ("card", "plate", shop["anna"], True),
        ("lookup", "name", None, True),
    ]


def test_lookup_rich_output(store_url: str, shop: dict[str, Any]) -> None:
    result = cli(store_url, "lookup", "Anna Müller", "--at", AT)
    assert result.exit_code == 0, result.output
    assert "Anna Müller (#" in result.output and "greet as Mrs. Müller" in result.output
    assert (
        "open recall 0061 Airbag inflator — 2020 BMW X5 xDrive40i, 30 min, can be done "
        "while they wait" in " ".join(result.output.split())
    )
    candidates = cli(store_url, "lookup", "Michael Schneider", "--at", AT)
    assert "2 customers could be 'Michael Schneider'" in candidates.output


def test_owners_json_and_csv_agree(store_url: str, shop: dict[str, Any], tmp_path: Path) -> None:
    result = cli(
        store_url,
        "owners",
        "--recall",
        "0061",
        "--make",
        "BMW",
        "--model",
        "X5",
        "--years",
        "2019-2021",
        "--json",
        "--at",
        AT,
    )
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert (page["total"], page["excluded_do_not_contact"]) == (2, 0)
    assert [r["name"] for r in page["rows"]] == ["Anna Müller", "Michael Schneider"]
    assert page["rows"][0]["preferred_channel"] == "phone"
    target = tmp_path / "owners.csv"
    written = cli(store_url, "owners", "--recall", "0061", "--csv", str(target), "--at", AT)
    assert written.exit_code == 0, written.output
    assert " ".join(written.output.split()) == (
        f"wrote 2 rows to {target} (0 do-not-contact customers left out)"
    )
    with target.open(encoding="utf-8", newline="") as fh:
        assert len(list(csv.reader(fh))) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (),
            "error: say which vehicles: give a recall campaign, a make, a model or an option code",
        ),
        (
            ("--recall", "0061", "--years", "2021-2019"),
            "error: model years '2021-2019' run backwards — write 2019-2021",
        ),
        (("--recall", "XXXX"), "error: no recall campaign 'XXXX' — known campaigns: 0061"),
        (("--recall", "0061", "--page", "0"), "error: page numbers start at 1, got 0"),
    ],
)
def test_owners_bad_input(
    store_url: str, shop: dict[str, Any], args: tuple[str, ...], message: str
) -> None:
    result = cli(store_url, "owners", *args)
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == message


def test_owners_rich_output(store_url: str, shop: dict[str, Any]) -> None:
    result = cli(store_url, "owners", "--recall", "0061", "--at", AT)
    assert result.exit_code == 0, result.output
    assert "2 owners — 0061: Airbag inflator" in result.output
    assert "page 1 of 1 · 0 do-not-contact customers left out" in result.output
