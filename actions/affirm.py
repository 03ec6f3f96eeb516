"""``affirm``: "yes", "yes that's her" — answers the question Concierge just asked."""

from __future__ import annotations

from actions.results import Message, Question, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    context = turn.context
    pending = context.pending
    if context.awaiting == "customer_confirm" and len(context.candidates) == 1:
        chosen = context.candidates[0]
        context.set_customer(chosen.id, chosen.label)
        if pending is None:
            return turn.resume_intent("lookup_customer")
        return turn.resume(pending, drop_identifiers=True)
    if context.awaiting == "intent_confirm" and pending is not None:
        context.clear_question()
        return turn.resume(pending, drop_identifiers=False)
    if context.awaiting in ("customer_choice", "vehicle_choice"):
        offered = context.candidates if context.awaiting == "customer_choice" else context.vehicles
        listed = "; ".join(f"{o.number}. {o.label}" for o in offered)
        return [
            Question(
                text=f"Which one? Say the number: {listed}.",
                expects="choice",
                options=tuple(str(o.number) for o in offered),
            )
        ]
    return [Message(text="OK.")]
