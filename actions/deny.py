"""``deny``: "no", "not her" — drops the offer or the guess, and asks what was meant."""

from __future__ import annotations

from actions.results import Message, Question, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    context = turn.context
    awaiting = context.awaiting
    pending = context.pending
    if awaiting in ("customer_confirm", "customer_choice"):
        query = context.candidates_query
        context.candidates = []
        context.candidates_query = ""
        context.awaiting = "customer" if pending is not None else None
        not_them = "not them" if awaiting == "customer_choice" else "not that customer"
        return [
            Question(
                text=f"OK, {not_them}. Who is it? Type another name, or a phone number, "
                "e-mail, VIN, plate or RO number"
                + (f" (I searched for {query!r})." if query else "."),
                expects="customer",
            )
        ]
    if awaiting == "intent_confirm":
        context.clear_question()
        return [Message(text="OK — tell me in other words what you need, or type 'help'.")]
    if awaiting == "vehicle_choice":
        context.clear_question()
        context.vehicles = []
        return [Message(text="OK, I have not checked anyone in.")]
    context.clear_question()
    return [Message(text="OK.")]
