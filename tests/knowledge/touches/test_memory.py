"""The touches' memory on the real store: what was shown, outcomes, and the cooldowns they feed."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from knowledge import db as store_db
from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.models import Base, TouchSuggestion
from knowledge.touches.memory import load_history, occasion_key, record_outcome
from knowledge.touches.service import suggest_touches
from tests.knowledge.touches.builders import NOW, playbook
from tests.knowledge.touches.store_world import World, build_world, marketing_contact


@pytest.fixture()
def world(store: Store) -> World:
    with store.sessions.begin() as session:
        return build_world(session)


def show(
    store: Store, world: World, now: dt.datetime = NOW, **kwargs: object
) -> list[tuple[str, int]]:
    with store.sessions.begin() as session:
        result = suggest_touches(
            session,
            playbook(),
            world.dana_id,
            now=now,
            actor="cli:test",
            **kwargs,  # type: ignore[arg-type]
        )
        return [(t.id, t.suggestion_id or 0) for t in result.touches]


def test_every_suggestion_shown_is_recorded(store: Store, world: World) -> None:
    shown = show(store, world)
    assert [touch for touch, _ in shown] == [
        "recall_household_today",
        "drink_known",
        "status_update_waiting",
    ]
    with store.sessions() as session:
        rows = list(session.scalars(select(TouchSuggestion).order_by(TouchSuggestion.rank)))
    assert [r.id for r in rows] == [sid for _, sid in shown]
    drink = rows[1]
    assert drink.touch_id == "drink_known" and drink.category == "comfort"
    assert drink.customer_id == world.dana_id
    assert drink.visit_id == world.visit_id and drink.occasion == f"visit:{world.visit_id}"
    assert drink.staff_id is None and drink.actor == "cli:test"
    assert drink.shown_at == NOW and drink.last_shown_at == NOW and drink.shown_count == 1
    assert drink.playbook_version == playbook().version and drink.playbook_label == "2026.11"
    assert drink.instruction == (
        "Ask Ms. Okafor what they would like to drink — last time: oat flat white — "
        "and bring it to them."
    )
    assert drink.facts == {
        "greeting_name": "Ms. Okafor",
        "is_waiting": True,
        "preferred_drink": "oat flat white",
    }
    assert drink.outcome is None


def test_showing_again_reuses_the_open_suggestion(store: Store, world: World) -> None:
    first = show(store, world)
    later = NOW + dt.timedelta(minutes=5)
    second = show(store, world, now=later)
    assert second == first
    with store.sessions() as session:
        rows = list(session.scalars(select(TouchSuggestion)))
    assert len(rows) == 3
    assert {(r.shown_count, r.shown_at, r.last_shown_at) for r in rows} == {(2, NOW, later)}
    status = next(r for r in rows if r.touch_id == "status_update_waiting")
    assert status.facts["minutes_waiting"] == 45  # the newest showing's facts


def test_done_is_idempotent_and_the_touch_is_not_suggested_again_this_visit(
    store: Store, world: World
) -> None:
    shown = dict(show(store, world))
    with store.sessions.begin() as session:
        result = record_outcome(
            session, shown["drink_known"], "done", staff_id=world.advisor_id, now=NOW
        )
    assert (result.changed, result.previous_outcome, result.outcome) == (True, None, "done")
    assert result.message == "'drink_known' marked done"
    later = NOW + dt.timedelta(minutes=1)
    with store.sessions.begin() as session:
        again = record_outcome(
            session, shown["drink_known"], "done", staff_id=world.advisor_id, now=later
        )
    assert again.changed is False
    assert again.message == "'drink_known' was already marked done"
    with store.sessions() as session:
        row = session.get(TouchSuggestion, shown["drink_known"])
        assert row is not None
        assert (row.outcome, row.outcome_at, row.outcome_staff_id) == (
            "done",
            NOW,
            world.advisor_id,
        )

    after = [t for t, _ in show(store, world, now=NOW + dt.timedelta(minutes=2))]
    assert "drink_known" not in after
    assert after == ["recall_household_today", "status_update_waiting", "accessory_that_fits"]


def test_changing_an_outcome(store: Store, world: World) -> None:
    shown = dict(show(store, world))
    sid = shown["recall_household_today"]
    with store.sessions.begin() as session:
        record_outcome(session, sid, "done", staff_id=None, now=NOW)
        changed = record_outcome(
            session, sid, "Skipped", staff_id=None, reason="  customer in a hurry ", now=NOW
        )
        same = record_outcome(
            session, sid, "skipped", staff_id=None, reason="customer in a hurry", now=NOW
        )
    assert changed.changed and changed.previous_outcome == "done"
    assert (
        changed.message == "'recall_household_today' marked skipped (customer in a hurry), was done"
    )
    assert same.changed is False
    with store.sessions() as session:
        row = session.get(TouchSuggestion, sid)
        assert row is not None and (row.outcome, row.outcome_reason) == (
            "skipped",
            "customer in a hurry",
        )


@pytest.mark.parametrize(
    ("outcome", "reason", "message"),
    [
        ("finished", None, "unknown outcome 'finished': use one of done, skipped, not_applicable"),
        ("skipped", None, "a skipped touch needs a reason (e.g. 'customer in a hurry')"),
        ("skipped", "   ", "a skipped touch needs a reason (e.g. 'customer in a hurry')"),
    ],
)
def test_bad_outcomes_change_nothing(
    store: Store, world: World, outcome: str, reason: str | None, message: str
) -> None:
    sid = show(store, world)[0][1]
    with pytest.raises(InvalidInput) as caught, store.sessions.begin() as session:
        record_outcome(session, sid, outcome, staff_id=None, reason=reason, now=NOW)
    assert str(caught.value) == message
    with store.sessions() as session:
        assert session.scalar(select(func.count()).where(TouchSuggestion.outcome.is_not(None))) == 0


def test_unknown_suggestion_staff_and_naive_time(store: Store, world: World) -> None:
    sid = show(store, world)[0][1]
    with store.sessions.begin() as session:
        with pytest.raises(InvalidInput, match="no suggestion #999999: it was never shown"):
            record_outcome(session, 999999, "done", staff_id=None, now=NOW)
        with pytest.raises(InvalidInput, match="no staff member #4242"):
            record_outcome(session, sid, "done", staff_id=4242, now=NOW)
        with pytest.raises(InvalidInput, match="time-zone-aware"):
            record_outcome(session, sid, "done", staff_id=None, now=dt.datetime(2026, 11, 23))


def test_outcomes_feed_cooldowns_across_visits(store: Store, world: World) -> None:
    shown = dict(show(store, world))
    with store.sessions.begin() as session:
        record_outcome(session, shown["recall_household_today"], "done", staff_id=None, now=NOW)
        record_outcome(
            session, shown["drink_known"], "not_applicable", staff_id=None, reason="left", now=NOW
        )
    next_day = occasion_key(None, (NOW + dt.timedelta(days=3)).date())
    with store.sessions() as session:
        history = load_history(
            session,
            world.dana_id,
            occasion=next_day,
            now=NOW + dt.timedelta(days=3),
            horizon_days=30,
        )
        assert dict(history.done_at) == {"recall_household_today": NOW}
        assert history.handled_this_occasion == frozenset()
        same_visit = load_history(
            session, world.dana_id, occasion=f"visit:{world.visit_id}", now=NOW, horizon_days=30
        )
        assert same_visit.handled_this_occasion == {"recall_household_today", "drink_known"}
        assert same_visit.done_this_occasion == {"recall_household_today"}
        beyond = load_history(
            session,
            world.dana_id,
            occasion=next_day,
            now=NOW + dt.timedelta(days=40),
            horizon_days=30,
        )
        assert dict(beyond.done_at) == {}


def test_history_knows_the_last_marketing_contact(store: Store, world: World) -> None:
    with store.sessions.begin() as session:
        marketing_contact(session, world.dana_id, NOW - dt.timedelta(days=20))
        marketing_contact(session, world.dana_id, NOW - dt.timedelta(days=3))
    with store.sessions() as session:
        history = load_history(
            session, world.dana_id, occasion="day:2026-11-23", now=NOW, horizon_days=0
        )
    assert history.last_marketing_contact_at == NOW - dt.timedelta(days=3)


# Other tables carry expression indexes SQLite cannot reflect; only this table is compared.
@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_the_model_matches_its_migration(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)

    def mine(diff: object) -> bool:
        return "touch_suggestion" in repr(diff)

    assert [d for d in diffs if mine(d)] == []


def test_the_migration_downgrades_exactly(store_url: str) -> None:
    engine = store_db.make_engine(store_url)
    try:
        store_db.downgrade(engine, "0002")
        assert "touch_suggestion" not in inspect(engine).get_table_names()
        # Later migrations (reports) add their own indexes; 0003 creates exactly these.
        store_db.upgrade(engine, "0003")
        names = {ix["name"] for ix in inspect(engine).get_indexes("touch_suggestion")}
        assert names == {
            "ix_touch_suggestion_customer_touch",
            "ix_touch_suggestion_shown_at",
            "ix_touch_suggestion_staff_shown",
            "ix_touch_suggestion_touch_shown",
            "ix_touch_suggestion_visit",
        }
    finally:
        store_db.upgrade(engine)
        engine.dispose()
