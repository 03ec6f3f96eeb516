"""``record_preference``: note what the customer likes, and confirm exactly what was written.

A drink, a contact channel, a language, contact hours, how to say their name, an
accessibility need — each goes to its own kind of preference; anything else becomes a note
on the card. The same thing said twice is written once.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from actions.resolve import resolve_customer
from actions.results import Confirmation, CustomerRef, Result
from actions.turn import Turn, words
from knowledge.models import Customer, Preference
from knowledge.models.enums import ContactChannel, PreferenceKind
from knowledge.normalize import clean_text, fold
from knowledge.touches.facts import LANGUAGE_NAMES

INTENT = "record_preference"
MAX_VALUE = 300
_CHANNELS = frozenset(c.value for c in ContactChannel)
_LANGUAGES = {name.lower(): code for code, name in LANGUAGE_NAMES.items()} | {
    "deutsch": "de",
    "englisch": "en",
    "turkish": "tr",
    "türkisch": "tr",
    "turkce": "tr",
    "farsi": "fa",
    "mandarin": "zh",
    "cantonese": "zh",
}
_PRONOUNCE = re.compile(r"\b(?:pronounced?|pronunciation|say it|said like)\b[:\s]*(.*)$", re.I)
_HOURS = frozenset(
    {"before", "after", "mornings", "morning", "afternoon", "afternoons", "evening",
     "evenings", "between", "weekends", "weekdays", "lunchtime", "am", "pm"}
)  # fmt: skip
_HOURS_SHAPE = re.compile(r"\b\d{1,2}\s?(?:am|pm|h|uhr|:\d\d)?\b", re.I)
_ACCESS = frozenset(
    {"wheelchair", "accessible", "accessibility", "hearing", "deaf", "blind", "walker",
     "crutches", "mobility", "disabled", "disability", "stairs", "ramp"}
)  # fmt: skip
# A note keeps the staff member's words, without the command words around them.
_NOTE_PREFIX = re.compile(
    r"^\s*(?:note|remember|save that|add preference|preference)\s*[:,-]?\s*", re.I
)


def language_in(text: str) -> str | None:
    for word in words(text):
        code = _LANGUAGES.get(word)
        if code:
            return code
    return None


def preferences_in(turn: Turn) -> list[tuple[str, str]]:
    """(kind, value) pairs the message states, in a fixed order of kinds."""
    text = clean_text(turn.text)
    said = set(words(text))
    found: list[tuple[str, str]] = []
    drinks = turn.values("drink")
    if drinks:
        found.append((PreferenceKind.DRINK.value, ", ".join(d.lower() for d in drinks)))
    channel = (turn.value("channel") or "").lower()
    if channel in _CHANNELS:
        found.append((PreferenceKind.CONTACT_CHANNEL.value, channel))
    pronounced = _PRONOUNCE.search(text)
    if pronounced and pronounced.group(1).strip():
        found.append((PreferenceKind.NAME_PRONUNCIATION.value, pronounced.group(1).strip(" .")))
    language = language_in(text)
    if language and (
        {"speaks", "speak", "prefers", "language", "spricht"} & said or len(said) <= 3
    ):
        found.append((PreferenceKind.LANGUAGE.value, language))
    if not found and (said & _ACCESS or "extra time" in fold(text)):
        found.append((PreferenceKind.ACCESSIBILITY.value, _note(text)))
    elif not found and (said & _HOURS) and _mentions_contact(said, text):
        found.append((PreferenceKind.CONTACT_HOURS.value, _note(text)))
    if not found:
        found.append((PreferenceKind.NOTE.value, _note(text)))
    return found


def _mentions_contact(said: set[str], text: str) -> bool:
    return bool(said & {"call", "calls", "reach", "contact", "ring", "phone", "anrufen"}) or bool(
        _HOURS_SHAPE.search(text)
    )


def _note(text: str) -> str:
    return _NOTE_PREFIX.sub("", text).strip()[:MAX_VALUE]


def _latest(turn: Turn, customer_id: int, kind: str) -> list[str]:
    """The values of ``kind`` recorded lately (the newest first)."""
    limit = 20 if kind == PreferenceKind.NOTE.value else 1
    return list(
        turn.session.scalars(
            select(Preference.value)
            .where(Preference.customer_id == customer_id, Preference.kind == kind)
            .order_by(Preference.recorded_at.desc(), Preference.id.desc())
            .limit(limit)
        )
    )


_LABELS = {
    "drink": "drink",
    "contact_channel": "contact channel",
    "contact_hours": "contact hours",
    "name_pronunciation": "pronunciation",
    "language": "language",
    "accessibility": "accessibility",
    "note": "note",
}


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    customer = turn.session.get(Customer, found.customer_id)
    if customer is None:
        return []
    pairs = preferences_in(turn)
    written: list[tuple[str, str]] = []
    unchanged: list[tuple[str, str]] = []
    for kind, value in pairs:
        if not value:
            continue
        if fold(value) in {fold(v) for v in _latest(turn, customer.id, kind)}:
            unchanged.append((kind, value))
            continue
        turn.session.add(
            Preference(
                customer_id=customer.id,
                kind=kind,
                value=value,
                recorded_by_id=turn.staff.id,
                recorded_at=turn.now,
                source="staff",
            )
        )
        written.append((kind, value))
    if written:
        turn.session.flush()
        turn.wrote = True
    turn.audit(
        customer.id,
        how=found.how,
        detail={"written": [f"{k}: {v}" for k, v in written]},
        action="preference",
    )
    turn.context.set_customer(
        customer.id,
        customer.display_name,
        turn.context.visit_id if turn.context.customer_id == customer.id else None,
    )
    ref = CustomerRef(customer.id, customer.display_name, customer.preferred_name)
    shown = written or unchanged
    listed = "; ".join(f"{_LABELS.get(k, k)}: {v}" for k, v in shown)
    text = (
        f"Noted for {customer.display_name} — {listed}."
        if written
        else f"Already on record for {customer.display_name} — {listed}. Nothing changed."
    )
    return [
        Confirmation(
            action="preference_recorded",
            text=text,
            customer=ref,
            written=tuple((_LABELS.get(k, k), v) for k, v in shown),
            changed=bool(written),
        )
    ]
