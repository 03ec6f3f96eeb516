"""``thank``: you're welcome — and nothing else changes."""

from __future__ import annotations

from actions.results import Message, Result
from actions.turn import Turn


def handle(turn: Turn) -> list[Result]:
    return [Message(text="You're welcome!", tone="thanks")]
