"""Intent → action: which handler answers, and how answers to questions resume what was asked.

One handler per intent, one module each; the table below is the whole routing. A message
that answers a pending question (a customer named after "which customer?") carries on with
the intent that asked it.
"""

from __future__ import annotations

from collections.abc import Callable

from actions import (
    affirm,
    check_recalls,
    choose_option,
    customer_arrived,
    deny,
    goodbye,
    greet,
    help,
    list_vehicles,
    log_touch,
    lookup_customer,
    out_of_scope,
    owners_query,
    record_preference,
    service_history,
    skip_touch,
    suggest_touches,
    thank,
    touch_report,
)
from actions.resolve import identifiers, resolve_customer
from actions.results import Result
from actions.turn import Turn

Handler = Callable[[Turn], list[Result]]

HANDLERS: dict[str, Handler] = {
    "greet": greet.handle,
    "goodbye": goodbye.handle,
    "thank": thank.handle,
    "help": help.handle,
    "affirm": affirm.handle,
    "deny": deny.handle,
    "out_of_scope": out_of_scope.handle,
    "lookup_customer": lookup_customer.handle,
    "list_vehicles": list_vehicles.handle,
    "service_history": service_history.handle,
    "check_recalls": check_recalls.handle,
    "owners_query": owners_query.handle,
    "suggest_touches": suggest_touches.handle,
    "customer_arrived": customer_arrived.handle,
    "record_preference": record_preference.handle,
    "log_touch": log_touch.handle,
    "skip_touch": skip_touch.handle,
    "touch_report": touch_report.handle,
    "choose_option": choose_option.handle,
}
# Intents that answer the question asked last; any other intent drops that question.
ANSWERS = frozenset({"affirm", "deny", "choose_option"})
# In words, for "did you mean to …?".
INTENT_LABELS = {
    "lookup_customer": "look up a customer",
    "list_vehicles": "see the customer's vehicles",
    "service_history": "see the service history",
    "check_recalls": "check for open recalls",
    "owners_query": "list owners of vehicles",
    "suggest_touches": "get touch suggestions",
    "customer_arrived": "check a customer in",
    "record_preference": "note a preference",
    "log_touch": "mark a touch as done",
    "skip_touch": "skip a touch",
    "touch_report": "see your touch report",
    "choose_option": "pick from the list",
    "help": "see what I can do",
}
# Small talk is never worth a "did you mean…?" question.
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "out_of_scope"})


def dispatch(turn: Turn, intent: str) -> list[Result]:
    """Run the handler of ``intent`` (unknown intents read as out of scope)."""
    turn.dispatcher = dispatch
    context = turn.context
    if (
        context.awaiting == "customer"
        and context.pending is not None
        and intent in ("lookup_customer", "choose_option")
        and identifiers(turn)
    ):
        return _customer_named(turn)
    if (
        intent == "choose_option"
        and not context.candidates
        and not context.vehicles
        and identifiers(turn)
    ):
        # "kenji" with nothing offered to choose from names a customer to look up.
        intent = "lookup_customer"
    if intent not in ANSWERS:
        context.clear_question()
        context.candidates = []
        context.candidates_query = ""
        context.vehicles = []
    handler = HANDLERS.get(intent, out_of_scope.handle)
    results = handler(turn)
    context.last_intent = intent
    return results


def _customer_named(turn: Turn) -> list[Result]:
    """The answer to "which customer?": find them, then do what was asked first."""
    context = turn.context
    pending = context.pending
    assert pending is not None
    found = resolve_customer(turn, pending.intent)
    if found.customer_id is None:
        if context.candidates:
            context.pending = pending  # "the second one" resumes the original question
        return found.results
    context.set_customer(found.customer_id, found.name)
    return turn.resume(pending, drop_identifiers=True)
