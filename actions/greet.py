"""``greet``: say hello back, and what to try first."""

from __future__ import annotations

from actions.help import examples_for
from actions.results import Message, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    first = turn.staff.display_name.split()[0] if turn.staff.display_name else ""
    about = (
        f" We were talking about {turn.context.customer_name}."
        if turn.context.customer_name
        else ""
    )
    return [
        Message(
            text=f"Hello {first}! Who can I help you with?{about}".replace("Hello !", "Hello!"),
            tone="greeting",
            examples=examples_for(turn)[:3],
        )
    ]
