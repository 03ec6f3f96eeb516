"""The people of the conversation tests, written to the real store, and helpers to talk.

Maria Gonzales (booked in today with her X5; her husband Carlos drives a VW Golf with an
open recall), two Anna Schmidts (Hamburg and Kiel), Kenji Tanaka (one car, no booking:
a walk-in), Priya Patel (two cars, no booking), and three staff: an advisor, a call-center
agent and a trainer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.context import ConversationContext
from actions.dialogue import Dialogue
from actions.results import Reply
from actions.turn import DialogueSettings, Turn
from actions.understanding import Entity, FakeNLU, Understanding
from knowledge.access import staff_viewer
from knowledge.db import Store
from knowledge.lookup.keys import refresh_search_keys
from knowledge.models import (
    AuditEntry,
    Conversation,
    Customer,
    Preference,
    ServiceVisit,
    StaffMember,
    TouchSuggestion,
)
from knowledge.touches import Playbook, load_playbook
from tests.knowledge.lookup.world import NOW, World

SETTINGS = DialogueSettings(confidence_threshold=0.6, idle_minutes=30, touch_limit=3)
_PLAYBOOK: list[Playbook] = []


def playbook() -> Playbook:
    if not _PLAYBOOK:
        _PLAYBOOK.append(load_playbook())
    return _PLAYBOOK[0]


@dataclass(frozen=True)
class Cast:
    advisor: int
    agent: int
    trainer: int
    maria: int
    carlos: int
    anna_hamburg: int
    anna_kiel: int
    kenji: int
    priya: int
    x5: int
    golf: int
    corolla: int
    macan: int
    booking: int


def build_cast(session: Session) -> Cast:
    w = World(session)
    advisor = w.staff("Jonas Berg", "advisor", slack_id="U100")
    agent = w.staff("Lea Sommer", "call_center", slack_id="U200")
    trainer = w.staff("Tom Weber", "trainer", slack_id="U300")
    maria = w.customer(
        "Maria",
        "Gonzales",
        phone="+49 151 23456789",
        email="maria.gonzales@example.com",
        city="Hamburg",
        salutation="Mrs",
        customer_since=dt.date(2015, 4, 1),
    )
    carlos = w.customer("Carlos", "Gonzales", city="Hamburg", salutation="Mr")
    w.relate(maria, carlos)
    x5 = w.vehicle(maria, "BMW", "X5", 2021, plate="HH-MG 1234", sold_by_dealer_id=w.hamburg.id)
    golf = w.vehicle(carlos, "Volkswagen", "Golf", 2015, plate="HH-CG 77")
    campaign = w.campaign("0061940300", "Volkswagen", "Airbag inflator may rupture")
    w.recall(golf, campaign)
    w.visit(
        maria,
        x5,
        "RO-HAM1-100050",
        dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC),
        concerns="Annual inspection",
        work_done="Oil service, brake fluid",
    )
    booking = w.visit(
        maria,
        x5,
        "RO-HAM1-100100",
        NOW - dt.timedelta(hours=1),
        status="booked",
        concerns="Brake noise",
    )
    anna_hamburg = w.customer("Anna", "Schmidt", city="Hamburg")
    w.vehicle(anna_hamburg, "Audi", "A4", 2019)
    anna_kiel = w.customer("Anna", "Schmidt", city="Kiel")
    w.vehicle(anna_kiel, "Volkswagen", "Golf", 2020)
    kenji = w.customer("Kenji", "Tanaka", phone="+49 40 5550101", city="Hamburg")
    corolla = w.vehicle(kenji, "Toyota", "Corolla", 2018, plate="HH-KT 88")
    priya = w.customer("Priya", "Patel", email="priya.patel@example.com", city="Altona")
    macan = w.vehicle(priya, "Porsche", "Macan", 2022, plate="HH-PP 911")
    w.vehicle(priya, "MINI", "Cooper S", 2017, plate="HH-PP 17")
    refresh_search_keys(
        session, [maria.id, carlos.id, anna_hamburg.id, anna_kiel.id, kenji.id, priya.id]
    )
    return Cast(
        advisor=advisor.id,
        agent=agent.id,
        trainer=trainer.id,
        maria=maria.id,
        carlos=carlos.id,
        anna_hamburg=anna_hamburg.id,
        anna_kiel=anna_kiel.id,
        kenji=kenji.id,
        priya=priya.id,
        x5=x5.id,
        golf=golf.id,
        corolla=corolla.id,
        macan=macan.id,
        booking=booking.id,
    )


def ent(kind: str, value: str, **where: int) -> dict[str, Any]:
    return {"entity": kind, "value": value, **where}


class Chat:
    """One conversation with the dialogue, a message per transaction — as a front end runs it."""

    def __init__(
        self,
        store: Store,
        nlu: FakeNLU,
        staff_id: int,
        *,
        key: str = "terminal:test",
        settings: DialogueSettings = SETTINGS,
        now: dt.datetime = NOW,
    ) -> None:
        self.store = store
        self.nlu = nlu
        self.staff_id = staff_id
        self.key = key
        self.dialogue = Dialogue(nlu, playbook(), settings)
        self.now = now

    def say(self, text: str, *, after: dt.timedelta | None = None) -> Reply:
        if after is not None:
            self.now += after
        with self.store.sessions.begin() as session:
            staff = session.get(StaffMember, self.staff_id)
            assert staff is not None
            return self.dialogue.handle(
                session,
                conversation_key=self.key,
                text=text,
                staff=staff,
                channel="terminal",
                now=self.now,
            )


def kinds(reply: Reply) -> list[str]:
    return [r.kind for r in reply.results]


def turn_for(
    session: Session,
    staff_id: int,
    text: str,
    intent: str,
    entities: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    *,
    context: ConversationContext | None = None,
    now: dt.datetime = NOW,
    confidence: float = 1.0,
) -> Turn:
    """A turn for calling one action directly (the unit tests of actions)."""
    staff = session.get(StaffMember, staff_id)
    assert staff is not None
    found = []
    for raw in entities:
        value = str(raw["value"])
        start = int(raw.get("start", text.lower().find(value.lower())))
        assert start >= 0, f"{value!r} not in {text!r}"
        end = int(raw.get("end", start + len(value)))
        found.append(Entity(str(raw["entity"]), value, start, end, 1.0, "test"))
    return Turn(
        session=session,
        context=context or ConversationContext(key="unit", channel="terminal", staff_id=staff_id),
        staff=staff,
        viewer=staff_viewer(staff, channel="terminal"),
        now=now,
        text=text,
        understanding=Understanding(text, intent, confidence, found),
        playbook=playbook(),
        settings=SETTINGS,
    )


def counts(store: Store) -> dict[str, int]:
    """Rows that a message could write by mistake."""
    with store.sessions() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Preference, ServiceVisit, TouchSuggestion, Customer)
        } | {
            "outcomes": int(
                session.scalar(
                    select(func.count())
                    .select_from(TouchSuggestion)
                    .where(TouchSuggestion.outcome.is_not(None))
                )
                or 0
            )
        }


def audits(store: Store) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def conversation(store: Store, key: str) -> Conversation | None:
    with store.sessions() as session:
        return session.scalar(select(Conversation).where(Conversation.key == key))
