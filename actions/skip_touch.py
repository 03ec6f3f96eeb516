"""``skip_touch``: a touch was not done, and why — "skip 2, she was in a hurry"."""

from __future__ import annotations

from actions.results import Result
from actions.touch_outcomes import mark, ordinals, skip_reason, touch_names
from actions.turn import Turn, words

INTENT = "skip_touch"


def handle(turn: Turn) -> list[Result]:
    said = set(words(turn.text))
    return mark(
        turn,
        "skipped",
        numbers=ordinals(turn),
        names=touch_names(turn),
        reason=skip_reason(turn),
        everything=bool(said & {"all", "none"}),
        intent=INTENT,
    )
