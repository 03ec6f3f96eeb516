"""``list_vehicles``: every vehicle the customer and their household drive, any make.

"What else does she drive?" lists the vehicle of today's visit last and names it, so the
answer leads with the cars the advisor does not have in front of them.
"""

from __future__ import annotations

from actions.cards import customer_ref, profile_of
from actions.resolve import resolve_customer
from actions.results import Result, VehicleItem, VehicleList
from actions.turn import Turn, words
from knowledge.profile import VehicleInfo

INTENT = "list_vehicles"
_ELSE = frozenset({"else", "other", "others", "another", "besides", "apart", "sonst", "andere"})


def vehicle_item(number: int, v: VehicleInfo) -> VehicleItem:
    return VehicleItem(
        number=number,
        vehicle_id=v.vehicle_id,
        label=v.label,
        make=v.make,
        model=v.model,
        model_year=v.model_year,
        vin=v.vin,
        plate=v.plate,
        colour=v.colour,
        odometer_km=v.odometer_km,
        own_role=v.own_role,
        held_by=tuple(h.name for h in v.holders),
        open_recalls=len(v.open_recalls),
        next_service_due=v.next_service_due,
        warranty_end=v.warranty_end,
        # Sold by one of the group's rooftops (None: bought elsewhere).
        sold_here=v.sold_by_dealer_id is not None,
    )


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    profile = profile_of(turn, found.customer_id, how=found.how, what="vehicles")
    turn.context.set_customer(
        profile.customer_id,
        profile.display_name,
        profile.current_visit.visit_id if profile.current_visit else None,
    )
    vehicles = list(profile.vehicles)
    in_service = None
    visit = profile.current_visit
    if visit is not None and any(w in _ELSE for w in words(turn.text)):
        here = [v for v in vehicles if v.vehicle_id == visit.vehicle_id]
        if here:
            in_service = here[0].label
            vehicles = [v for v in vehicles if v.vehicle_id != visit.vehicle_id] + here
    return [
        VehicleList(
            customer=customer_ref(profile),
            vehicles=tuple(vehicle_item(n, v) for n, v in enumerate(vehicles, 1)),
            in_service_now=in_service,
        )
    ]
