"""``check_recalls``: open recalls on every vehicle of the customer and their household.

Any make counts: a Porsche rooftop still tells the customer about the recall on her VW.
A message that names a vehicle (VIN, plate, "the golf") narrows the answer to it.
"""

from __future__ import annotations

from actions.cards import customer_ref, profile_of
from actions.resolve import resolve_customer
from actions.results import RecallItem, RecallList, Result
from actions.turn import Turn
from actions.vehicles import pick

INTENT = "check_recalls"


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    profile = profile_of(turn, found.customer_id, how=found.how, what="recalls")
    current = profile.current_visit
    turn.context.set_customer(
        profile.customer_id, profile.display_name, current.visit_id if current else None
    )
    named = [*turn.values("vehicle"), *turn.values("vin"), *turn.values("plate")]
    vehicles = pick(named, profile.vehicles) if named else []
    if not vehicles:
        vehicles = list(profile.vehicles)
    recalls = tuple(
        RecallItem(
            vehicle_id=v.vehicle_id,
            vehicle_label=v.label,
            vin=v.vin,
            campaign_code=r.campaign_code,
            title=r.title,
            remedy=r.remedy,
            remedy_minutes=r.remedy_minutes,
            household=not v.is_own,
        )
        for v in vehicles
        for r in v.open_recalls
    )
    return [
        RecallList(customer=customer_ref(profile), recalls=recalls, vehicles_checked=len(vehicles))
    ]
