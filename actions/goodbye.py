"""``goodbye``: close the conversation; the next message starts without a customer."""

from __future__ import annotations

from actions.results import Message, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    context = turn.context
    had = context.customer_name
    context.customer_id = None
    context.customer_name = None
    context.visit_id = None
    context.candidates = []
    context.vehicles = []
    context.touches = []
    context.touches_customer_id = None
    context.clear_question()
    closed = f" I've closed the conversation about {had}." if had else ""
    return [Message(text=f"Goodbye!{closed}", tone="farewell")]
