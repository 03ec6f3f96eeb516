"""Which touches to suggest now: evaluate, fill in, rank — the same inputs, the same answer.

A touch is suggested when its conditions hold for the facts and none of the engine's rules
holds it back. The rules are the engine's, not any one touch's:

- promotional touches (``needs_consent``) need marketing consent, no do-not-contact flag and
  no marketing contact in the last ``MARKETING_QUIET_DAYS`` days;
- outbound touches are never suggested for a do-not-contact customer;
- a touch that was done, skipped or found not applicable on this occasion (visit, or day
  without a visit) is not suggested again on it; one that was done waits out its cooldown;
- offers reach a touch only through the ``fitting_*`` facts, which list nothing that does
  not fit the customer's car;
- at most ``limit`` touches, most valuable first (priority, then id), no two of a category.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.touches.facts import Facts, FactValue, TouchHistory
from knowledge.touches.schema import Playbook, Touch

# "Communication must be as infrequent as possible": two weeks between promotional contacts.
MARKETING_QUIET_DAYS = 14
DEFAULT_TOUCH_LIMIT = 3


@dataclass(frozen=True)
class Suggestion:
    touch: Touch
    rank: int  # 1 = most valuable
    instruction: str
    reason: str
    # The facts this touch read (conditions and placeholders), as they were: what the
    # trainers' review shows next to the outcome.
    facts: dict[str, FactValue]

    @property
    def touch_id(self) -> str:
        return self.touch.id


@dataclass(frozen=True)
class Held:
    """A touch whose conditions held but that was not suggested, and why."""

    touch_id: str
    why: str


@dataclass(frozen=True)
class Ranking:
    suggestions: tuple[Suggestion, ...]
    held: tuple[Held, ...]


def held_back_by_rules(
    touch: Touch, facts: Facts, history: TouchHistory, now: dt.datetime
) -> str | None:
    """Why an applicable touch may not be suggested now, or None when it may."""
    if touch.needs_consent:
        if facts.get("do_not_contact"):
            return "promotional, and the customer asked not to be contacted"
        if not facts.get("marketing_consent"):
            return "promotional, and the customer gave no marketing consent"
        days = facts.get("days_since_marketing_contact")
        if isinstance(days, int) and days < MARKETING_QUIET_DAYS:
            return (
                f"promotional, and the customer had marketing contact {days} day(s) ago "
                f"(quiet period {MARKETING_QUIET_DAYS} days)"
            )
    if touch.outbound and facts.get("do_not_contact"):
        return "reaches out, and the customer asked not to be contacted"
    if touch.id in history.done_this_occasion:
        return "already done on this visit"
    if touch.id in history.handled_this_occasion:
        return "already skipped or marked not applicable on this visit"
    done = history.done_at.get(touch.id)
    if done is not None and touch.cooldown_days > 0:
        until = done + dt.timedelta(days=touch.cooldown_days)
        if now < until:
            ago = (now - done).days
            return (
                f"done {ago} day(s) ago; cooldown of {touch.cooldown_days} days runs until "
                f"{until.date().isoformat()}"
            )
    return None


def rank_touches(
    playbook: Playbook,
    facts: Facts,
    history: TouchHistory,
    *,
    now: dt.datetime,
    limit: int = DEFAULT_TOUCH_LIMIT,
    audience: str | None = None,
) -> Ranking:
    """At most ``limit`` suggestions, most valuable first, no two of a category.

    ``audience`` (advisor or call_center) keeps only touches meant for that role; None
    keeps all. Deterministic: ``playbook.touches`` is already in (priority desc, id) order
    and nothing else decides.
    """
    if limit < 0:
        raise ValueError("limit must be ≥ 0")
    chosen: list[Suggestion] = []
    held: list[Held] = []
    categories: dict[str, str] = {}
    for touch in playbook.touches:
        if audience is not None and audience not in touch.audience:
            continue
        if not touch.applies(facts):
            continue
        why = held_back_by_rules(touch, facts, history, now)
        if why is None and touch.category in categories:
            why = f"'{categories[touch.category]}' of the same category ranks higher"
        if why is None and len(chosen) >= limit:
            why = f"only {limit} touch(es) at a time"
        instruction = touch.instruction.render(facts) if why is None else None
        reason = touch.reason.render(facts) if why is None else None
        if why is None and (instruction is None or reason is None):
            why = "a fact its text needs is missing"
        if why is not None:
            held.append(Held(touch.id, why))
            continue
        assert instruction is not None and reason is not None
        categories[touch.category] = touch.id
        chosen.append(
            Suggestion(
                touch=touch,
                rank=len(chosen) + 1,
                instruction=instruction,
                reason=reason,
                facts={name: facts.get(name) for name in touch.facts_used},
            )
        )
    return Ranking(tuple(chosen), tuple(held))
