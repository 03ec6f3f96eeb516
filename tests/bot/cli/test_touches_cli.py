"""``concierge touches``, ``touch-outcome`` and ``playbook …`` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import app
from knowledge.db import Store
from knowledge.lookup.keys import refresh_search_keys
from knowledge.models import AuditEntry, Customer
from knowledge.touches.schema import DEFAULT_PLAYBOOK_DIR, load_playbook
from tests.knowledge.touches.store_world import World, build_world

AT = "2026-11-23T10:00:00+00:00"


@pytest.fixture()
def world(store: Store) -> World:
    with store.sessions.begin() as session:
        w = build_world(session)
        refresh_search_keys(session, [w.dana_id, w.mark_id])
        return w


def cli(store_url: str, *args: str, **env: str) -> Result:
    runner = CliRunner()
    return runner.invoke(
        app, list(args), env={"DATABASE_URL": store_url, "CONCIERGE_VAR_DIR": "var", **env}
    )


def touches_json(store_url: str, *args: str, **env: str) -> dict[str, object]:
    result = cli(store_url, "touches", *args, "--json", "--at", AT, **env)
    assert result.exit_code == 0, result.output
    body: dict[str, object] = json.loads(result.stdout)
    return body


def test_touches_as_json(store_url: str, world: World) -> None:
    body = touches_json(store_url, f"#{world.dana_id}")
    assert body["customer_id"] == world.dana_id
    assert body["visit"] == {"id": world.visit_id, "ro_number": "RO-HAM1-204518"}
    touches = body["touches"]
    assert isinstance(touches, list)
    assert [t["id"] for t in touches] == [
        "recall_household_today",
        "drink_known",
        "status_update_waiting",
    ]
    drink = touches[1]
    assert drink["title"] == "Their usual drink, brought to them"
    assert drink["category"] == "comfort"
    assert drink["instruction"] == (
        "Ask Ms. Okafor what they would like to drink — last time: oat flat white — and bring "
        "it to them."
    )
    assert drink["reason"] == "Waiting in the lounge; staff noted they like oat flat white."
    assert all(isinstance(t["suggestion_id"], int) for t in touches)


def test_touches_by_name_through_the_lookup(store_url: str, world: World) -> None:
    body = touches_json(store_url, "Dana Okafor")
    assert body["customer_id"] == world.dana_id


def test_touches_as_text(store_url: str, world: World) -> None:
    result = cli(store_url, "touches", f"#{world.dana_id}", "--at", AT, "--why", "--no-record")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Dana Okafor" in out and "visit RO-HAM1-204518" in out
    assert "1. Open recall on another of their vehicles" in out
    assert "last time: oat flat white" in out
    assert "held back:" in out
    assert "drink_ask" not in out  # its conditions do not hold: we know her drink


def test_as_a_call_center_agent_for_a_named_visit(store_url: str, world: World) -> None:
    body = touches_json(store_url, f"#{world.dana_id}", "--as", "Lea Sommer", "--visit", "100001")
    assert body["audience"] == "call_center" and body["staff_id"] == world.agent_id
    assert body["visit"] == {"id": world.other_visit_id, "ro_number": "RO-HAM1-100001"}
    assert [t["id"] for t in body["touches"]] == ["recall_household_today", "winter_check"]  # type: ignore[attr-defined]


def test_the_limit_comes_from_the_settings(store_url: str, world: World) -> None:
    body = touches_json(store_url, f"#{world.dana_id}", CONCIERGE_TOUCH_LIMIT="1")
    assert [t["id"] for t in body["touches"]] == ["recall_household_today"]  # type: ignore[attr-defined]
    body = touches_json(store_url, f"#{world.dana_id}", "--limit", "5", "--no-record")
    # Four categories apply to her now; no two touches of one category.
    assert [t["id"] for t in body["touches"]] == [  # type: ignore[attr-defined]
        "recall_household_today",
        "drink_known",
        "status_update_waiting",
        "accessory_that_fits",
    ]


def test_the_playbook_dir_comes_from_the_settings(
    store_url: str, world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "playbook"
    shutil.copytree(DEFAULT_PLAYBOOK_DIR, folder)
    (folder / "vehicles.yml").unlink()
    body = touches_json(store_url, f"#{world.dana_id}", CONCIERGE_PLAYBOOK_DIR=str(folder))
    assert body["playbook_version"] == load_playbook(folder).version
    assert "recall_household_today" not in [t["id"] for t in body["touches"]]  # type: ignore[attr-defined]


def test_mark_a_touch_done_twice(store_url: str, world: World) -> None:
    body = touches_json(store_url, f"#{world.dana_id}")
    sid = str(body["touches"][1]["suggestion_id"])  # type: ignore[index]
    done = cli(store_url, "touch-outcome", sid, "done", "--as", "U100")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "'drink_known' marked done"
    again = cli(store_url, "touch-outcome", sid, "done", "--as", "U100")
    assert again.stdout.strip() == "'drink_known' was already marked done"
    after = touches_json(store_url, f"#{world.dana_id}")
    assert "drink_known" not in [t["id"] for t in after["touches"]]  # type: ignore[attr-defined]


def test_bad_input_is_one_clear_line_and_changes_nothing(store_url: str, world: World) -> None:
    sid = str(touches_json(store_url, f"#{world.dana_id}")["touches"][0]["suggestion_id"])  # type: ignore[index]
    skipped = cli(store_url, "touch-outcome", sid, "skipped")
    assert skipped.exit_code == 2
    assert skipped.stderr.strip() == (
        "error: a skipped touch needs a reason (e.g. 'customer in a hurry')"
    )
    for args, message in [
        (("touches", "#999999"), "error: no customer #999999 in the store"),
        (
            ("touches", f"#{world.dana_id}", "--visit", "42"),
            "error: no repair order '42' for Dana Okafor",
        ),
        (("touches", f"#{world.dana_id}", "--as", "nobody"), "error: no staff member 'nobody'"),
        (("touches", f"#{world.dana_id}", "--at", "yesterday"), "error: --at must be a time like"),
        (
            ("touches", f"#{world.dana_id}", "--limit", "0"),
            "error: the touch limit must be between 1 and 10",
        ),
        (("touch-outcome", "77777", "done"), "error: no suggestion #77777: it was never shown"),
    ]:
        result = cli(store_url, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(message), (args, result.stderr)
        assert "Traceback" not in result.output


def test_every_lookup_is_audited_even_a_refused_one(
    store_url: str, world: World, store: Store
) -> None:
    touches_json(store_url, "Dana Okafor", "--as", "U100")
    assert cli(store_url, "touches", "Nobody Atall", "--at", AT).exit_code == 2
    with store.sessions() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.action, e.customer_id, e.staff_id, e.channel) for e in entries] == [
        ("lookup", world.dana_id, world.advisor_id, "cli"),
        ("lookup", None, None, "cli"),
    ]
    assert entries[0].how == "name" and entries[0].actor.startswith("cli:")
    assert entries[0].detail == {
        "query": "Dana Okafor",
        "status": "match",
        "candidates": [world.dana_id],
        "for": "touches",
    }
    assert entries[1].detail["status"] == "none"  # type: ignore[index]


def test_an_ambiguous_name(store_url: str, world: World, store: Store) -> None:
    with store.sessions.begin() as session:
        twin = Customer(given_name="Dana", family_name="Okafor")
        session.add(twin)
        session.flush()
        refresh_search_keys(session, [twin.id])
    result = cli(store_url, "touches", "Dana Okafor", "--at", AT)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'Dana Okafor' matches several customers: #")
    assert "name one, e.g. concierge touches '#" in result.stderr


def test_playbook_validate(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["playbook", "validate"])
    assert ok.exit_code == 0
    pb = load_playbook()
    assert ok.stdout.strip() == (
        f"playbook (built-in) is valid: {len(pb.touches)} touches, {len(pb.offers)} offers, "
        f"version 2026.11 ({pb.version})"
    )
    folder = tmp_path / "broken"
    shutil.copytree(DEFAULT_PLAYBOOK_DIR, folder)
    text = (folder / "welcome.yml").read_text(encoding="utf-8")
    (folder / "welcome.yml").write_text(
        text.replace("{preferred_drink} — and", "{prefered_drink} — and"), encoding="utf-8"
    )
    bad = CliRunner().invoke(app, ["playbook", "validate", str(folder)])
    assert bad.exit_code == 2
    lines = bad.stderr.strip().splitlines()
    assert lines[0] == f"error: playbook {folder} has 1 problem — nothing was changed:"
    assert lines[1] == (
        "  welcome.yml:6 touch 'drink_known' field 'instruction': bad placeholder "
        "{prefered_drink}: no such fact (did you mean 'preferred_drink'?)"
    )
    missing = CliRunner().invoke(app, ["playbook", "validate", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_playbook_list_and_facts() -> None:
    listed = CliRunner().invoke(app, ["playbook", "list", "--json"])
    assert listed.exit_code == 0
    body = json.loads(listed.stdout)
    pb = load_playbook()
    assert [t["id"] for t in body["touches"]] == [t.id for t in pb.touches]
    assert body["offers"][0]["requires"] == ["3AC"]
    table = CliRunner().invoke(app, ["playbook", "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "recall_on_this_car" in table.stdout
    facts = CliRunner().invoke(app, ["playbook", "facts", "--json"])
    names = [f["name"] for f in json.loads(facts.stdout)["facts"]]
    assert "preferred_drink" in names and "fitting_offers" in names
