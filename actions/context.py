"""The memory of one conversation: whom it is about, and what the next message may refer to.

Kept in the store (``knowledge.models.Conversation``) under the key the front end gives, so
it survives a restart and is shared by every bot process. A conversation idle for longer
than ``idle_minutes`` starts again from nothing: "what does she drive?" an hour later must
not silently answer about a customer from the morning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import Conversation

MAX_KEY = 200
# What is remembered of an offered list: enough to resolve "the second one" or "done 2".
MAX_OFFERED = 10


@dataclass
class Offered:
    """One numbered item the person was just shown (a candidate, a vehicle, a touch)."""

    number: int
    id: int
    label: str
    # Extra words that tell it apart ("Hamburg", "BMW X5", a touch id…), for "the one with…".
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"n": self.number, "id": self.id, "label": self.label, "tags": self.tags}

    @classmethod
    def from_json(cls, raw: Any) -> Offered | None:
        try:
            return cls(int(raw["n"]), int(raw["id"]), str(raw["label"]), list(raw.get("tags", [])))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass
class Pending:
    """What to do once a question is answered: the intent and the entities it came with."""

    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "entities": self.entities, "text": self.text}

    @classmethod
    def from_json(cls, raw: Any) -> Pending | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("intent"), str):
            return None
        entities = raw.get("entities")
        return cls(
            raw["intent"],
            [e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else [],
            str(raw.get("text") or ""),
        )


# What the next message is expected to answer.
AWAITING = (
    "customer",
    "customer_choice",
    "customer_confirm",
    "intent_confirm",
    "vehicle_choice",
    "wait_mode",
)


@dataclass
class ConversationContext:
    key: str
    channel: str
    staff_id: int | None
    customer_id: int | None = None
    customer_name: str | None = None
    visit_id: int | None = None
    # Customers offered to choose from, vehicles offered (check-in), touches shown.
    candidates: list[Offered] = field(default_factory=list)
    candidates_query: str = ""
    vehicles: list[Offered] = field(default_factory=list)
    touches: list[Offered] = field(default_factory=list)
    touches_customer_id: int | None = None
    awaiting: str | None = None
    pending: Pending | None = None
    last_intent: str = ""
    turns: int = 0
    # True when this message found the conversation expired (and started it afresh).
    expired: bool = False
    is_new: bool = True
    # The stored row this context was read from (saving it again needs no query).
    row_id: int | None = None

    # --- changes an action makes ----------------------------------------------------------

    def set_customer(self, customer_id: int, name: str, visit_id: int | None = None) -> None:
        if customer_id != self.customer_id:
            self.touches = []
            self.touches_customer_id = None
            self.vehicles = []
        self.customer_id = customer_id
        self.customer_name = name
        self.visit_id = visit_id
        self.clear_question()
        self.candidates = []
        self.candidates_query = ""

    def clear_question(self) -> None:
        self.awaiting = None
        self.pending = None

    def offer_candidates(self, query: str, offered: list[Offered], pending: Pending) -> None:
        self.candidates = offered[:MAX_OFFERED]
        self.candidates_query = query
        self.awaiting = "customer_choice" if len(offered) > 1 else "customer_confirm"
        self.pending = pending

    def show_touches(self, customer_id: int, offered: list[Offered]) -> None:
        self.touches = offered[:MAX_OFFERED]
        self.touches_customer_id = customer_id

    def touch(self, number: int) -> Offered | None:
        return next((t for t in self.touches if t.number == number), None)

    # --- persistence ---------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "customer_name": self.customer_name,
            "candidates": [c.to_json() for c in self.candidates],
            "candidates_query": self.candidates_query,
            "vehicles": [v.to_json() for v in self.vehicles],
            "touches": [t.to_json() for t in self.touches],
            "touches_customer_id": self.touches_customer_id,
            "awaiting": self.awaiting,
            "pending": self.pending.to_json() if self.pending else None,
            "last_intent": self.last_intent,
        }


def _offered(raw: Any) -> list[Offered]:
    if not isinstance(raw, list):
        return []
    return [o for o in (Offered.from_json(r) for r in raw) if o is not None]


def _from_row(row: Conversation) -> ConversationContext:
    state = row.state if isinstance(row.state, dict) else {}
    awaiting = state.get("awaiting")
    touches_customer = state.get("touches_customer_id")
    return ConversationContext(
        key=row.key,
        channel=row.channel,
        staff_id=row.staff_id,
        customer_id=row.customer_id,
        customer_name=state.get("customer_name") if row.customer_id is not None else None,
        visit_id=row.visit_id,
        candidates=_offered(state.get("candidates")),
        candidates_query=str(state.get("candidates_query") or ""),
        vehicles=_offered(state.get("vehicles")),
        touches=_offered(state.get("touches")),
        touches_customer_id=touches_customer if isinstance(touches_customer, int) else None,
        awaiting=awaiting if awaiting in AWAITING else None,
        pending=Pending.from_json(state.get("pending")),
        last_intent=str(state.get("last_intent") or ""),
        turns=row.turns,
        is_new=False,
        row_id=row.id,
    )


def check_key(key: str) -> str:
    text = (key or "").strip()
    if not text or len(text) > MAX_KEY:
        raise InvalidInput(f"a conversation key must be 1–{MAX_KEY} characters, got {len(text)}")
    return text


def load_context(
    session: Session,
    key: str,
    *,
    channel: str,
    staff_id: int | None,
    now: dt.datetime,
    idle_minutes: int,
) -> ConversationContext:
    """The conversation under ``key`` (locked for this transaction), fresh when new or idle.

    The row is locked (PostgreSQL) so two messages of one thread handled at once by two
    processes see each other's context instead of overwriting it.
    """
    key = check_key(key)
    row = session.scalar(select(Conversation).where(Conversation.key == key).with_for_update())
    if row is None:
        return ConversationContext(key=key, channel=channel, staff_id=staff_id)
    if now - row.last_active_at > dt.timedelta(minutes=max(idle_minutes, 0)):
        fresh = ConversationContext(key=key, channel=channel, staff_id=staff_id)
        fresh.expired = True
        fresh.is_new = False
        fresh.row_id = row.id
        return fresh
    context = _from_row(row)
    if staff_id is not None and row.staff_id is not None and row.staff_id != staff_id:
        # A shared thread: someone else joined. The customer stays (it is the thread's
        # subject); the numbered touches stay, outcomes are recorded under the new staff id.
        context.staff_id = staff_id
    return context


def save_context(session: Session, context: ConversationContext, *, now: dt.datetime) -> None:
    """Write the context back (insert or update), one statement in the caller's transaction."""
    row = (
        session.get(Conversation, context.row_id)
        if context.row_id is not None
        else session.scalar(select(Conversation).where(Conversation.key == context.key))
    )
    state = context.state()
    if row is None:
        row = Conversation(
            key=context.key,
            channel=context.channel[:128],
            staff_id=context.staff_id,
            customer_id=context.customer_id,
            visit_id=context.visit_id,
            state=state,
            turns=context.turns,
            started_at=now,
            last_active_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # Another process created it between our read and write: update that row.
            row = session.scalars(select(Conversation).where(Conversation.key == context.key)).one()
        else:
            context.row_id = row.id
            return
    if context.expired:
        row.started_at = now
    row.channel = context.channel[:128]
    row.staff_id = context.staff_id
    row.customer_id = context.customer_id
    row.visit_id = context.visit_id
    row.state = state
    row.turns = context.turns
    row.last_active_at = now
    session.flush()


def forget(session: Session, key: str) -> bool:
    """Drop a conversation's memory ("start over"); True when there was one."""
    result = session.execute(delete(Conversation).where(Conversation.key == check_key(key)))
    return bool(getattr(result, "rowcount", 0))


def purge_idle(session: Session, *, now: dt.datetime, idle_minutes: int) -> int:
    """Delete conversations idle for longer than ``idle_minutes``; how many were deleted."""
    cutoff = now - dt.timedelta(minutes=max(idle_minutes, 0))
    result = session.execute(delete(Conversation).where(Conversation.last_active_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
