"""``help``: what Concierge can do, with examples that fit the person asking."""

from __future__ import annotations

from actions.results import Message, Result
from actions.turn import Turn

_COMMON = (
    "mrs gonzales is here, she's waiting",
    "what else does she drive?",
    "any open recalls on her cars?",
    "she takes her coffee black",
    "done 1   ·   skip 2 customer in a hurry",
)
_BY_ROLE = {
    "call_center": (
        "+49 151 2345 6789",
        "what did we do on his last visit?",
        "owners of 2019-2021 X5 with campaign 0061 open",
        "he prefers whatsapp",
    ),
    "trainer": (
        "touch report",
        "how did the touches go this week?",
        "look up okafor",
    ),
}


def examples_for(role: str) -> tuple[str, ...]:
    return _BY_ROLE.get(role, ()) + _COMMON


def handle(turn: Turn) -> list[Result]:
    return [
        Message(
            text="Ask me about a customer in your own words, or paste a phone number, e-mail, "
            "VIN, plate or repair-order number. I show who they are, what they and their "
            "household drive, their visits and open recalls, and a few touches to do now — "
            "mark a touch with 'done 1' or 'skip 2 <reason>'.",
            tone="help",
            examples=examples_for(turn.staff.role)[:6],
        )
    ]
