"""``log_touch``: a touch was done — "done 2", "brought her a latte", "did the walkaround"."""

from __future__ import annotations

from actions.results import Result
from actions.touch_outcomes import mark, ordinals, touch_names
from actions.turn import Turn

INTENT = "log_touch"


def handle(turn: Turn) -> list[Result]:
    return mark(
        turn,
        "done",
        numbers=ordinals(turn),
        names=touch_names(turn),
        intent=INTENT,
    )
