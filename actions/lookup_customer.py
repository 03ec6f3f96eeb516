"""``lookup_customer``: find the customer a message names and show their card and touches."""

from __future__ import annotations

from actions.cards import card_result
from actions.resolve import resolve_customer
from actions.results import Result
from actions.turn import Turn

INTENT = "lookup_customer"


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    return [card_result(turn, found.customer_id, how=found.how, matched_on=found.matched_on)]
