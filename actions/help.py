"""``help``: what Concierge can do, with examples that fit the person asking.

Examples name a customer who is really on site at the asker's rooftop when there is one, so
the first thing a newcomer types works.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.results import Message, Result
from actions.turn import Turn
from knowledge.models import Customer, ServiceVisit

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
        "lookup <name>",
    ),
}
_HE = frozenset({"mr", "herr"})
_SHE = frozenset({"mrs", "ms", "miss", "frau"})


@dataclass(frozen=True)
class Someone:
    """A customer on site now, as staff would mention them."""

    name: str  # "mrs Gonzales" or "Kenji Tanaka"
    they: str  # "she", "he", or the given name when the salutation does not tell
    their: str  # "her", "his", or "Kenji's"


def someone_here(session: Session, dealer_id: int) -> Someone | None:
    """The customer who arrived last at this rooftop and is still on site, if any."""
    row = session.execute(
        select(Customer.salutation, Customer.given_name, Customer.family_name)
        .join(ServiceVisit, ServiceVisit.customer_id == Customer.id)
        .where(
            ServiceVisit.dealer_id == dealer_id,
            ServiceVisit.status.in_(("arrived", "waiting")),
            Customer.kind == "person",
            Customer.family_name.is_not(None),
        )
        .order_by(ServiceVisit.arrived_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    salutation, given, family = row
    title = (salutation or "").lower().rstrip(".")
    if title in _HE:
        return Someone(f"{title} {family}", "he", "his")
    if title in _SHE:
        return Someone(f"{title} {family}", "she", "her")
    called = given or family or "they"
    return Someone(f"{given or ''} {family}".strip(), called, f"{called}'s")


def common_examples(someone: Someone | None) -> tuple[str, ...]:
    who = someone or Someone("<name>", "she", "her")
    drink = (
        f"{who.they} takes {who.their} coffee black"
        if who.they in ("she", "he")
        else f"{who.they} takes coffee black"
    )
    waiting = f"{who.they}'s waiting" if who.they in ("she", "he") else "waiting"
    return (
        f"{who.name} is here, {waiting}",
        f"what else does {who.they} drive?",
        f"any open recalls on {who.their} cars?",
        drink,
        "done 1   ·   skip 2 customer in a hurry",
    )


def examples_for(turn: Turn) -> tuple[str, ...]:
    someone = someone_here(turn.session, turn.staff.dealer_id)
    return _BY_ROLE.get(turn.staff.role, ()) + common_examples(someone)


def handle(turn: Turn) -> list[Result]:
    return [
        Message(
            text="Ask me about a customer in your own words, or paste a phone number, e-mail, "
            "VIN, plate or repair-order number. I show who they are, what they and their "
            "household drive, their visits and open recalls, and a few touches to do now — "
            "mark a touch with 'done 1' or 'skip 2 <reason>'.",
            tone="help",
            examples=examples_for(turn)[:6],
        )
    ]
