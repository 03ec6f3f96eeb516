"""``suggest_touches``: the few touches to do now for the customer, most valuable first."""

from __future__ import annotations

from actions.cards import touches_for
from actions.resolve import resolve_customer
from actions.results import Result
from actions.turn import Turn

INTENT = "suggest_touches"


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    turn.audit(found.customer_id, how=found.how, detail={"shown": "touches"})
    return [touches_for(turn, found.customer_id)]
