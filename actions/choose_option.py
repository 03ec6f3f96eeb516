"""``choose_option``: "the second one", "the schmidt with the golf", "2" — pick from what was
just offered (customers to choose from, or the vehicle a walk-in came with) and carry on
with what was asked in the first place.
"""

from __future__ import annotations

import re

from actions.context import Offered
from actions.resolve import _name_fits
from actions.results import Message, Question, Result
from actions.turn import Turn, words
from actions.understanding import Entity
from knowledge.normalize import fold, normalize_plate, phone_digits

INTENT = "choose_option"
_NUMBER = re.compile(r"^#?(\d{1,2})(?:st|nd|rd|th)?$")
_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "one": 1, "two": 2,
          "three": 3, "four": 4, "five": 5, "top": 1}  # fmt: skip


def number_of(raw: str, offered: list[Offered]) -> int | None:
    text = raw.strip().lower()
    if text == "last" and offered:
        return max(o.number for o in offered)
    match = _NUMBER.match(text)
    if match:
        return int(match.group(1))
    return _WORDS.get(text)


def _fits(o: Offered, turn: Turn) -> bool:
    for person in turn.values("person"):
        if not _name_fits(person, o.label):
            return False
    tags = " ".join(fold(t) for t in o.tags)
    for vehicle in turn.values("vehicle"):
        if not all(w in tags for w in fold(vehicle).split() if w not in {"the", "a"}):
            return False
    for plate in turn.values("plate"):
        if not any(normalize_plate(t) == normalize_plate(plate) for t in o.tags):
            return False
    for phone in turn.values("phone"):
        if phone_digits(phone) and phone_digits(phone)[-6:] not in " ".join(o.tags):
            return False
    return True


def pick(turn: Turn, offered: list[Offered]) -> tuple[Offered | None, str | None]:
    """The offered item the message means, or why it cannot be told."""
    numbers = [n for n in (number_of(v, offered) for v in turn.values("ordinal")) if n]
    if not numbers:
        # "2" or "the 2nd" typed alone when the NLU found no ordinal entity.
        numbers = [n for n in (number_of(w, offered) for w in words(turn.text)) if n][:1]
    candidates = offered
    if numbers:
        candidates = [o for o in offered if o.number == numbers[0]]
        if not candidates:
            return None, f"there is no number {numbers[0]} — choose 1 to {len(offered)}"
    has_details = any(turn.values(k) for k in ("person", "vehicle", "plate", "phone"))
    if has_details:
        narrowed = [o for o in candidates if _fits(o, turn)]
        if numbers and not narrowed:
            # "the second gonzales": the number counts among those with that name.
            same = [o for o in offered if _fits(o, turn)]
            narrowed = same[numbers[0] - 1 : numbers[0]] if len(same) >= numbers[0] else []
        candidates = narrowed
    if len(candidates) == 1 and (numbers or has_details):
        return candidates[0], None
    if not candidates:
        return None, "none of them fits that"
    return None, "that fits more than one of them"


def handle(turn: Turn) -> list[Result]:
    context = turn.context
    if context.awaiting == "vehicle_choice" and context.vehicles and context.pending:
        chosen, why = pick(turn, context.vehicles)
        if chosen is None:
            return [_again(why, context.vehicles, "car")]
        pending = context.pending
        context.vehicles = []
        return turn.resume(
            pending,
            drop_identifiers=False,
            extra=[Entity("vehicle_id", str(chosen.id), 0, 0, 1.0, "choice")],
        )
    if context.candidates:
        chosen, why = pick(turn, context.candidates)
        if chosen is None:
            return [_again(why, context.candidates, "customer")]
        asked = context.pending
        context.set_customer(chosen.id, chosen.label)
        if asked is None:
            return turn.resume_intent("lookup_customer")
        return turn.resume(asked, drop_identifiers=True)
    return [
        Message(
            text="There is nothing to choose from right now. To mark a touch, say e.g. 'done 2'."
        )
    ]


def _again(why: str | None, offered: list[Offered], what: str) -> Question:
    listed = "; ".join(f"{o.number}. {o.label}" for o in offered)
    return Question(
        text=f"Which {what}? {why[0].upper() + why[1:] if why else ''}. Say the number: {listed}.",
        expects="choice",
        options=tuple(str(o.number) for o in offered),
    )
