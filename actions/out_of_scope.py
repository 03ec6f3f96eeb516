"""``out_of_scope``: say plainly that this is not something Concierge does, and what it does."""

from __future__ import annotations

from actions.help import examples_for
from actions.results import Apology, Message, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    return [
        Apology(
            text="That is outside what I can help with: I answer questions about customers, "
            "their vehicles, visits, recalls and service touches.",
            reason="not_understood",
            hint="Try one of the examples below.",
        ),
        Message(text="For example:", tone="help", examples=examples_for(turn)[:3]),
    ]
