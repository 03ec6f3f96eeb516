"""One message being handled: what every action receives, passed in — never a global.

A :class:`Turn` carries the caller's session, the conversation's context (which actions may
change), who is asking and as whom they see customer data, the time, the message and how it
was read, the playbook in force and the dialogue's settings. Actions return results; they
set ``turn.wrote`` when they wrote to the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from actions.context import ConversationContext, Pending
from actions.results import Result
from actions.understanding import Entity, Understanding
from knowledge.access import Viewer
from knowledge.audit import record_lookup
from knowledge.models import StaffMember
from knowledge.normalize import fold
from knowledge.settings import Settings
from knowledge.touches import Playbook, StaffContext

# Entities that name a customer, most specific first.
IDENTIFIER_KINDS = ("vin", "email", "phone", "plate", "ro_number", "person")
# Pending intents are resumed at most this deep (a choice that leads to another choice).
MAX_DEPTH = 3

Dispatch = Callable[["Turn", str], list[Result]]


@dataclass(frozen=True)
class DialogueSettings:
    """The knobs of the conversation (from ``knowledge.settings``, or set by a test)."""

    confidence_threshold: float = 0.6
    idle_minutes: int = 30
    touch_limit: int = 3
    region: str = "DE"

    @classmethod
    def from_settings(cls, settings: Settings) -> DialogueSettings:
        return cls(
            confidence_threshold=settings.nlu_confidence_threshold,
            idle_minutes=settings.conversation_idle_minutes,
            touch_limit=settings.touch_limit,
            region=settings.default_phone_region,
        )


@dataclass
class Turn:
    session: Session
    context: ConversationContext
    staff: StaffMember
    viewer: Viewer
    now: dt.datetime
    text: str
    understanding: Understanding
    playbook: Playbook
    settings: DialogueSettings
    # Set by an action that wrote to the store (besides the conversation and the audit).
    wrote: bool = False
    # Entities carried over from an earlier message (a pending intent resumed).
    carried: list[Entity] = field(default_factory=list)
    # How an action carries on with the intent a question interrupted (set by the router).
    dispatcher: Dispatch | None = None
    depth: int = 0

    def resume(
        self, pending: Pending, *, drop_identifiers: bool, extra: Sequence[Entity] = ()
    ) -> list[Result]:
        """Carry out ``pending`` now that its question is answered (the customer chosen, the
        intent confirmed), reading its original message and entities."""
        self.context.clear_question()
        if self.dispatcher is None or self.depth >= MAX_DEPTH:
            return []
        entities = entities_from(pending.entities)
        if drop_identifiers:
            entities = [e for e in entities if e.entity not in IDENTIFIER_KINDS]
        inner = replace(
            self,
            understanding=Understanding(pending.text or self.text, pending.intent, 1.0, entities),
            carried=list(extra),
            depth=self.depth + 1,
        )
        results = self.dispatcher(inner, pending.intent)
        self.wrote = self.wrote or inner.wrote
        return results

    def resume_intent(self, intent: str) -> list[Result]:
        return self.resume(Pending(intent, [], ""), drop_identifiers=True)

    @property
    def intent(self) -> str:
        return self.understanding.intent

    @property
    def entities(self) -> list[Entity]:
        return [*self.understanding.entities, *self.carried]

    def of(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.entity == kind]

    def value(self, kind: str) -> str | None:
        found = self.of(kind)
        return found[0].value.strip() if found else None

    def values(self, kind: str) -> list[str]:
        """Distinct values of one kind, in order (case- and accent-insensitive)."""
        seen: set[str] = set()
        out: list[str] = []
        for e in self.of(kind):
            key = fold(e.value)
            if key and key not in seen:
                seen.add(key)
                out.append(e.value.strip())
        return out

    @property
    def staff_context(self) -> StaffContext:
        return StaffContext(
            self.staff.id, self.staff.display_name, self.staff.role, self.staff.dealer_id
        )

    @property
    def actor(self) -> str:
        return self.viewer.actor

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def audit(
        self,
        customer_id: int | None,
        *,
        how: str,
        detail: dict[str, Any] | None = None,
        action: str = "lookup",
    ) -> None:
        record_lookup(
            self.session,
            actor=self.viewer.actor,
            staff_id=self.viewer.staff_id,
            customer_id=customer_id,
            channel=self.viewer.channel,
            how=how,
            detail={"text": self.text[:200], "intent": self.intent, **(detail or {})},
            action=action,
        )


def entity_dicts(entities: list[Entity]) -> list[dict[str, Any]]:
    """Entities as JSON for a pending intent (kept in the conversation until answered)."""
    return [
        {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end} for e in entities
    ]


def entities_from(raw: list[dict[str, Any]]) -> list[Entity]:
    out = []
    for item in raw:
        try:
            out.append(
                Entity(
                    entity=str(item["entity"]),
                    value=str(item["value"]),
                    start=int(item.get("start", 0)),
                    end=int(item.get("end", 0)),
                    confidence=1.0,
                    extractor="carried",
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """Folded words of a message (lower case, no accents)."""
    return _WORD.findall(fold(text))
