"""The touches' memory: every suggestion shown, and what became of it.

``record_shown`` writes what staff saw (touch, customer, visit, staff member, time,
playbook version and the facts behind it); ``record_outcome`` is the one way an outcome is
recorded — from a Slack button, the terminal chat or a logged touch alike — and a second
identical click changes nothing. ``load_history`` reads the outcomes back as cooldowns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import ContactLog, StaffMember, TouchOutcome, TouchSuggestion
from knowledge.normalize import clean_text
from knowledge.touches.engine import Suggestion
from knowledge.touches.facts import FactValue, TouchHistory
from knowledge.touches.schema import Playbook

OUTCOMES = tuple(o.value for o in TouchOutcome)
MAX_REASON = 500


def occasion_key(visit_id: int | None, local_day: dt.date) -> str:
    """The occasion a touch is done once for: the visit, or the day when there is none."""
    return f"visit:{visit_id}" if visit_id is not None else f"day:{local_day.isoformat()}"


def load_history(
    session: Session,
    customer_id: int,
    *,
    occasion: str,
    now: dt.datetime,
    horizon_days: int,
) -> TouchHistory:
    """Outcomes on this occasion, "done" outcomes within the longest cooldown, and the
    last marketing contact — two indexed queries."""
    since = now - dt.timedelta(days=max(horizon_days, 0))
    conn = session.connection()
    rows = conn.execute(_HISTORY, {"cid": customer_id, "occasion": occasion, "since": since}).all()
    done_at: dict[str, dt.datetime] = {}
    handled: set[str] = set()
    done_here: set[str] = set()
    for touch_id, row_occasion, outcome, outcome_at in rows:
        if row_occasion == occasion:
            handled.add(touch_id)
            if outcome == TouchOutcome.DONE.value:
                done_here.add(touch_id)
        if outcome != TouchOutcome.DONE.value or outcome_at is None:
            continue
        if touch_id not in done_at or outcome_at > done_at[touch_id]:
            done_at[touch_id] = outcome_at
    last_marketing = conn.execute(_LAST_MARKETING, {"cid": customer_id}).scalar()
    return TouchHistory(
        done_at=done_at,
        handled_this_occasion=frozenset(handled),
        done_this_occasion=frozenset(done_here),
        last_marketing_contact_at=_as_utc(last_marketing),
    )


# Built once and run through the connection: building and compiling them per call costs
# more than the database takes to answer (the same approach as the profile's queries).
_HISTORY = select(
    TouchSuggestion.touch_id,
    TouchSuggestion.occasion,
    TouchSuggestion.outcome,
    TouchSuggestion.outcome_at,
).where(
    TouchSuggestion.customer_id == bindparam("cid"),
    TouchSuggestion.outcome.is_not(None),
    or_(
        TouchSuggestion.occasion == bindparam("occasion"),
        TouchSuggestion.outcome_at >= bindparam("since"),
    ),
)
_LAST_MARKETING = select(func.max(ContactLog.at)).where(
    ContactLog.customer_id == bindparam("cid"), ContactLog.purpose == "marketing"
)


def _as_utc(value: object) -> dt.datetime | None:
    # An aggregate bypasses the column type: SQLite hands back naive UTC (or text).
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _json_facts(facts: dict[str, FactValue]) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in facts.items()}


@dataclass(frozen=True)
class Shown:
    suggestion_id: int
    suggestion: Suggestion
    # True when this showing re-used the open suggestion of an earlier one.
    repeated: bool


def record_shown(
    session: Session,
    suggestions: Sequence[Suggestion],
    *,
    playbook: Playbook,
    customer_id: int,
    visit_id: int | None,
    occasion: str,
    staff_id: int | None,
    actor: str,
    now: dt.datetime,
) -> list[Shown]:
    """Record each suggestion as shown; returns their ids (what an outcome refers to).

    An open suggestion of the same touch for the same customer, occasion, staff member and
    playbook version is re-used (its count and last showing updated), so the trainers'
    "shown" counts the suggestion once however often a card is refreshed.
    """
    if not suggestions:
        return []
    conn = session.connection()
    params = {
        "cid": customer_id,
        "ids": [s.touch.id for s in suggestions],
        "occasion": occasion,
        "version": playbook.version,
        "staff": staff_id,
    }
    query = _OPEN_SUGGESTIONS if staff_id is not None else _OPEN_SUGGESTIONS_NO_STAFF
    existing: dict[str, int] = {}
    for row_id, touch_id in conn.execute(query, params):
        existing.setdefault(touch_id, row_id)
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    for suggestion in suggestions:
        shown = {
            "last_shown_at": now,
            "rank": suggestion.rank,
            "instruction": suggestion.instruction,
            "reason": suggestion.reason,
            "facts": _json_facts(suggestion.facts),
        }
        if suggestion.touch.id in existing:
            updates.append({"row_id": existing[suggestion.touch.id], **shown})
        else:
            inserts.append(
                {
                    "touch_id": suggestion.touch.id,
                    "category": suggestion.touch.category,
                    "customer_id": customer_id,
                    "visit_id": visit_id,
                    "occasion": occasion,
                    "staff_id": staff_id,
                    "actor": actor[:128],
                    "shown_at": now,
                    "shown_count": 1,
                    "playbook_version": playbook.version,
                    "playbook_label": playbook.label,
                    **shown,
                }
            )
    if updates:
        conn.execute(_SHOWN_AGAIN, updates)
    repeated = set(existing)
    if inserts:
        new_ids = conn.execute(_INSERT_SHOWN, inserts).scalars().all()
        for row, row_id in zip(inserts, new_ids, strict=True):
            existing[str(row["touch_id"])] = row_id
    return [Shown(existing[s.touch.id], s, s.touch.id in repeated) for s in suggestions]


_OPEN_WHERE = (
    TouchSuggestion.customer_id == bindparam("cid"),
    TouchSuggestion.touch_id.in_(bindparam("ids", expanding=True)),
    TouchSuggestion.occasion == bindparam("occasion"),
    TouchSuggestion.playbook_version == bindparam("version"),
    TouchSuggestion.outcome.is_(None),
)
_OPEN_SUGGESTIONS = (
    select(TouchSuggestion.id, TouchSuggestion.touch_id)
    .where(*_OPEN_WHERE, TouchSuggestion.staff_id == bindparam("staff"))
    .order_by(TouchSuggestion.id)
)
_OPEN_SUGGESTIONS_NO_STAFF = (
    select(TouchSuggestion.id, TouchSuggestion.touch_id)
    .where(*_OPEN_WHERE, TouchSuggestion.staff_id.is_(None))
    .order_by(TouchSuggestion.id)
)
_SHOWN_AGAIN = (
    update(TouchSuggestion)
    .where(TouchSuggestion.id == bindparam("row_id"))
    .values(
        shown_count=TouchSuggestion.shown_count + 1,
        last_shown_at=bindparam("last_shown_at"),
        rank=bindparam("rank"),
        instruction=bindparam("instruction"),
        reason=bindparam("reason"),
        facts=bindparam("facts"),
    )
)
# Ids come back in the order the rows were given, on SQLite and PostgreSQL alike.
_INSERT_SHOWN = insert(TouchSuggestion).returning(TouchSuggestion.id, sort_by_parameter_order=True)


@dataclass(frozen=True)
class OutcomeResult:
    suggestion_id: int
    touch_id: str
    customer_id: int
    outcome: str
    reason: str | None
    previous_outcome: str | None
    # False when the same outcome (and reason) was already recorded: nothing was written.
    changed: bool

    @property
    def message(self) -> str:
        if not self.changed:
            return f"'{self.touch_id}' was already marked {self.outcome.replace('_', ' ')}"
        said = self.outcome.replace("_", " ")
        why = f" ({self.reason})" if self.reason else ""
        was = f", was {self.previous_outcome.replace('_', ' ')}" if self.previous_outcome else ""
        return f"'{self.touch_id}' marked {said}{why}{was}"


def record_outcome(
    session: Session,
    suggestion_id: int,
    outcome: str,
    *,
    staff_id: int | None,
    reason: str | None = None,
    now: dt.datetime,
) -> OutcomeResult:
    """Mark a shown suggestion done, skipped (with a reason) or not applicable.

    Idempotent: the same outcome and reason again changes nothing (``changed`` is False).
    A different outcome replaces the previous one. Bad input raises ``InvalidInput`` and
    writes nothing.
    """
    if now.tzinfo is None:
        raise InvalidInput("record_outcome needs a time-zone-aware 'now'")
    wanted = (outcome or "").strip().lower().replace(" ", "_").replace("-", "_")
    if wanted not in OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    why = clean_text(reason)[:MAX_REASON] if reason else None
    if wanted == TouchOutcome.SKIPPED.value and not why:
        raise InvalidInput("a skipped touch needs a reason (e.g. 'customer in a hurry')")
    row = session.get(TouchSuggestion, suggestion_id, with_for_update=True)
    if row is None:
        raise InvalidInput(f"no suggestion #{suggestion_id}: it was never shown")
    if staff_id is not None and session.get(StaffMember, staff_id) is None:
        raise InvalidInput(f"no staff member #{staff_id}")
    previous = row.outcome
    if previous == wanted and (row.outcome_reason or None) == why:
        return OutcomeResult(row.id, row.touch_id, row.customer_id, wanted, why, previous, False)
    row.outcome = wanted
    row.outcome_reason = why
    row.outcome_at = now
    row.outcome_staff_id = staff_id
    session.flush()
    return OutcomeResult(row.id, row.touch_id, row.customer_id, wanted, why, previous, True)
