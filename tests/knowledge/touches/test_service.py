"""Touches for a customer end to end on the real store: profile, facts, ranking, memory."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.models import ServiceVisit, TouchSuggestion
from knowledge.touches.service import TouchResult, resolve_staff, suggest_touches
from tests.knowledge.touches.builders import NOW, playbook
from tests.knowledge.touches.store_world import World, build_world, marketing_contact


@pytest.fixture()
def world(store: Store) -> World:
    with store.sessions.begin() as session:
        return build_world(session)


def run(store: Store, world: World, **kwargs: object) -> TouchResult:
    with store.sessions.begin() as session:
        return suggest_touches(
            session,
            playbook(),
            world.dana_id,
            now=kwargs.pop("now", NOW),  # type: ignore[arg-type]
            actor="cli:test",
            **kwargs,  # type: ignore[arg-type]
        )


def test_touches_for_a_waiting_customer(store: Store, world: World) -> None:
    result = run(store, world)
    assert result.customer_name == "Dana Okafor"
    assert (result.visit_id, result.ro_number) == (world.visit_id, "RO-HAM1-204518")
    assert [(t.rank, t.id, t.category) for t in result.touches] == [
        (1, "recall_household_today", "all_vehicles"),
        (2, "drink_known", "comfort"),
        (3, "status_update_waiting", "keep_informed"),
    ]
    recall = result.touches[0]
    assert recall.instruction == (
        "Mention recall 69Q7 on Mark Okafor's 2016 Volkswagen Touareg — Airbag control unit "
        "software: it takes about 30 minutes; offer to do it today or book it now."
    )
    assert result.facts["promised_time"] == "11:50"  # 10:50 UTC in Hamburg
    body = result.to_dict()
    assert body["customer_id"] == world.dana_id
    assert [t["id"] for t in body["touches"]] == [t.id for t in result.touches]  # type: ignore[attr-defined]
    assert set(body["touches"][0]) >= {"id", "title", "instruction", "reason", "category"}  # type: ignore[index]
    assert "facts" not in body and "facts" in result.to_dict(with_facts=True)


def test_without_recording_nothing_is_written(store: Store, world: World) -> None:
    result = run(store, world, record=False)
    assert [t.suggestion_id for t in result.touches] == [None, None, None]
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TouchSuggestion)) == 0


def test_a_call_center_agent_gets_the_touches_of_that_role(store: Store, world: World) -> None:
    with store.sessions() as session:
        agent = resolve_staff(session, "U200")
    result = run(store, world, staff=agent, limit=5)
    assert result.audience == "call_center"
    assert [t.id for t in result.touches] == ["recall_household_today", "winter_check"]
    with store.sessions() as session:
        assert set(session.scalars(select(TouchSuggestion.staff_id))) == {world.agent_id}


def test_resolve_staff(store: Store, world: World) -> None:
    with store.sessions() as session:
        assert resolve_staff(session, str(world.advisor_id)).name == "Jonas Berg"
        assert resolve_staff(session, "u100").role == "advisor"
        assert resolve_staff(session, "jonas berg").staff_id == world.advisor_id
        with pytest.raises(InvalidInput, match="no staff member 'Nobody'"):
            resolve_staff(session, "Nobody")
        with pytest.raises(InvalidInput, match="name the staff member"):
            resolve_staff(session, "  ")


def test_a_named_visit_by_its_repair_order(store: Store, world: World) -> None:
    by_suffix = run(store, world, visit_ro="204518", record=False)
    assert by_suffix.visit_id == world.visit_id
    old = run(store, world, visit_ro="ro-ham1-100001", record=False)
    assert old.visit_id == world.other_visit_id and old.occasion == f"visit:{world.other_visit_id}"
    assert old.facts["has_visit"] is True and old.facts["is_waiting"] is False
    with pytest.raises(InvalidInput, match="no repair order '999' for Dana Okafor"):
        run(store, world, visit_ro="999")


def test_a_repair_order_of_someone_else(store: Store, world: World) -> None:
    with store.sessions.begin() as session:
        session.add(
            ServiceVisit(
                ro_number="RO-HAM1-300000",
                dealer_id=world.dealer_id,
                customer_id=world.mark_id,
                vehicle_id=world.touareg_id,
                status="closed",
            )
        )
    with pytest.raises(InvalidInput) as caught:
        run(store, world, visit_ro="RO-HAM1-300000")
    assert (
        str(caught.value)
        == f"repair order RO-HAM1-300000 belongs to another customer (#{world.mark_id})"
    )


def test_a_recent_marketing_contact_holds_promotions_back(store: Store, world: World) -> None:
    assert "accessory_that_fits" in [
        t.id for t in run(store, world, limit=10, record=False).touches
    ]
    with store.sessions.begin() as session:
        marketing_contact(session, world.dana_id, NOW - dt.timedelta(days=4))
    result = run(store, world, limit=10, record=False)
    assert "accessory_that_fits" not in [t.id for t in result.touches]
    assert {h.touch_id: h.why for h in result.held}["accessory_that_fits"] == (
        "promotional, and the customer had marketing contact 4 day(s) ago (quiet period 14 days)"
    )


def test_bad_requests(store: Store, world: World) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 10, got 0"):
        run(store, world, limit=0)
    with pytest.raises(InvalidInput, match="no customer #424242"), store.sessions() as session:
        suggest_touches(session, playbook(), 424242, now=NOW, actor="cli:test")


def test_a_profile_loaded_by_the_caller_is_used(store: Store, world: World) -> None:
    from knowledge.profile import load_profile

    with store.sessions() as session:
        profile = load_profile(session, world.dana_id, now=NOW)
    assert [t.id for t in run(store, world, profile=profile, record=False).touches] == [
        t.id for t in run(store, world, record=False).touches
    ]
    wrong = f"the profile given is of customer #{world.dana_id}"
    with pytest.raises(InvalidInput, match=wrong), store.sessions() as session:
        suggest_touches(session, playbook(), world.mark_id, now=NOW, actor="x", profile=profile)
