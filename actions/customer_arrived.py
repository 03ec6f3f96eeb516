"""``customer_arrived``: check the customer in and answer with their card and touches.

A booked visit is marked arrived (or waiting); a walk-in gets a new repair order on the
asking staff member's rooftop, for the vehicle the message names — or, when the customer
has several and none is named, Concierge asks which one. Saying it again changes nothing;
"she's waiting" after "she's here" sets the wait mode.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from actions.cards import card_result
from actions.context import Offered, Pending
from actions.resolve import resolve_customer
from actions.results import CheckIn, Question, Result
from actions.turn import Turn, entity_dicts, words
from actions.vehicles import pick
from knowledge.errors import InvalidInput
from knowledge.models import Dealer, ServiceVisit, Vehicle
from knowledge.models.enums import OPEN_VISIT_STATUSES, VisitStatus, WaitMode
from knowledge.profile import VehicleInfo, load_profile

INTENT = "customer_arrived"
_OPEN = (VisitStatus.BOOKED.value, *(s.value for s in OPEN_VISIT_STATUSES))
_MODE_WORDS: dict[str, frozenset[str]] = {
    WaitMode.LOANER.value: frozenset({"loaner", "courtesy", "leihwagen", "ersatzwagen"}),
    WaitMode.SHUTTLE.value: frozenset({"shuttle"}),
    WaitMode.DROP_OFF.value: frozenset(
        {
            "drop",
            "dropping",
            "dropped",
            "dropoff",
            "drops",
            "leaving",
            "leaves",
            "keys",
            "back",
            "tomorrow",
            "abgeben",
            "abgegeben",
        }
    ),
    WaitMode.WAITING.value: frozenset(
        {"wait", "waiting", "waits", "waitng", "wating", "lounge", "warten", "wartet"}
    ),
}
_RO_DIGITS = re.compile(r"(\d+)$")
# How far back the newest visits are read to find a rooftop's last repair order.
RECENT_VISITS = 200
FIRST_RO = 100001
MODE_WORDS_SHOWN = {
    "waiting": "waiting",
    "drop_off": "drop-off",
    "loaner": "with a loaner",
    "shuttle": "with the shuttle",
}


def wait_mode(text: str) -> str | None:
    """How the customer spends the visit, when the message says so."""
    said = set(words(text.replace("-", " ")))
    for mode, vocabulary in _MODE_WORDS.items():
        if said & vocabulary:
            return mode
    return None


def next_ro_number(turn: Turn, dealer: Dealer) -> str:
    """The rooftop's next repair-order number: one above its newest visit's.

    The newest visits of the whole store are read backwards along the primary key (a few
    rows, whatever the size of the store); asking for the rooftop's newest visit directly
    would sort all of its visits. Numbers of different widths ("RO-HAM1-9906297",
    "RO-HAM1-20006587") rule out the lexical maximum of the indexed column.
    """
    recent = turn.session.execute(
        select(ServiceVisit.dealer_id, ServiceVisit.ro_number)
        .order_by(ServiceVisit.id.desc())
        .limit(RECENT_VISITS)
    ).all()
    last = next((ro for dealer_id, ro in recent if dealer_id == dealer.id), None)
    if last is None:
        widest = select(func.max(func.length(ServiceVisit.ro_number))).where(
            ServiceVisit.dealer_id == dealer.id
        )
        last = turn.session.scalar(
            select(func.max(ServiceVisit.ro_number)).where(
                ServiceVisit.dealer_id == dealer.id,
                func.length(ServiceVisit.ro_number) == widest.scalar_subquery(),
            )
        )
    digits = _RO_DIGITS.search(last or "")
    number = int(digits.group(1)) + 1 if digits else FIRST_RO
    return f"RO-{dealer.code}-{number}"


def _open_visit(turn: Turn, customer_id: int) -> ServiceVisit | None:
    visits = list(
        turn.session.scalars(
            select(ServiceVisit)
            .where(ServiceVisit.customer_id == customer_id, ServiceVisit.status.in_(_OPEN))
            .order_by(ServiceVisit.opened_at.desc())
            .limit(10)
        )
    )
    ro = turn.value("ro_number")
    if ro:
        wanted = ro.upper().replace(" ", "")
        for visit in visits:
            if visit.ro_number.upper() == wanted or visit.ro_number.endswith("-" + wanted):
                return visit
    today = turn.now.date()
    # Today's booking first, then any visit already open.
    for visit in visits:
        if visit.opened_at.date() == today or (
            visit.arrived_at and visit.arrived_at.date() == today
        ):
            return visit
    return visits[0] if visits else None


def _ask_vehicle(turn: Turn, customer_name: str, vehicles: list[VehicleInfo]) -> list[Result]:
    offered = [
        Offered(n, v.vehicle_id, v.label, [t for t in (v.plate, v.make, v.model) if t])
        for n, v in enumerate(vehicles[:9], 1)
    ]
    turn.context.vehicles = offered
    turn.context.awaiting = "vehicle_choice"
    turn.context.pending = Pending(
        INTENT, entity_dicts(turn.understanding.entities), turn.text[:500]
    )
    return [
        Question(
            text=f"Which car is {customer_name} here with? Say the number.",
            expects="choice",
            options=tuple(
                f"{o.number}. {o.label}" + (f" ({o.tags[0]})" if o.tags else "") for o in offered
            ),
        )
    ]


def _walk_in(turn: Turn, customer_id: int, vehicle_id: int, mode: str | None) -> ServiceVisit:
    dealer = turn.session.get(Dealer, turn.staff.dealer_id)
    if dealer is None:
        raise InvalidInput("your staff record has no rooftop; a walk-in cannot be checked in")
    for _attempt in range(3):
        visit = ServiceVisit(
            ro_number=next_ro_number(turn, dealer),
            dealer_id=dealer.id,
            customer_id=customer_id,
            vehicle_id=vehicle_id,
            advisor_id=turn.staff.id if turn.staff.role == "advisor" else None,
            status=VisitStatus.WAITING.value if mode == "waiting" else VisitStatus.ARRIVED.value,
            wait_mode=mode,
            opened_at=turn.now,
            arrived_at=turn.now,
        )
        try:
            with turn.session.begin_nested():
                turn.session.add(visit)
        except IntegrityError:
            continue  # another process took this RO number a moment ago
        return visit
    raise InvalidInput("could not open a repair order just now (numbers in use) — try again")


def _check_in(visit: ServiceVisit, turn: Turn, mode: str | None) -> bool:
    changed = False
    if visit.status == VisitStatus.BOOKED.value:
        visit.status = VisitStatus.WAITING.value if mode == "waiting" else VisitStatus.ARRIVED.value
        changed = True
    if visit.arrived_at is None:
        visit.arrived_at = turn.now
        changed = True
    if mode and visit.wait_mode != mode:
        visit.wait_mode = mode
        if mode == "waiting" and visit.status == VisitStatus.ARRIVED.value:
            visit.status = VisitStatus.WAITING.value
        changed = True
    if visit.advisor_id is None and turn.staff.role == "advisor":
        visit.advisor_id = turn.staff.id
        changed = True
    if changed:
        turn.session.flush()
    return changed


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    customer_id = found.customer_id
    mode = wait_mode(turn.text)
    visit = _open_visit(turn, customer_id)
    created = False
    if visit is None:
        profile = load_profile(turn.session, customer_id, now=turn.now)
        chosen_id = turn.value("vehicle_id")
        vehicles: list[VehicleInfo] = []
        if chosen_id and chosen_id.isdigit():
            vehicles = [v for v in profile.vehicles if v.vehicle_id == int(chosen_id)]
        if not vehicles and turn.values("vehicle") + turn.values("plate") + turn.values("vin"):
            vehicles = pick(
                turn.values("vehicle") + turn.values("plate") + turn.values("vin"),
                profile.vehicles,
            )
        if not vehicles:
            vehicles = list(profile.own_vehicles) or list(profile.vehicles)
        if not vehicles:
            raise InvalidInput(
                f"{profile.display_name} has no vehicle on record — add it in the DMS first"
            )
        if len(vehicles) > 1:
            turn.context.set_customer(customer_id, profile.display_name)
            turn.audit(customer_id, how=found.how, detail={"shown": "vehicles to choose from"})
            return _ask_vehicle(turn, profile.display_name, vehicles)
        visit = _walk_in(turn, customer_id, vehicles[0].vehicle_id, mode)
        created = changed = True
    else:
        changed = _check_in(visit, turn, mode)
    turn.wrote = turn.wrote or changed
    vehicle = turn.session.get(Vehicle, visit.vehicle_id)
    label = (
        " ".join(str(p) for p in (vehicle.model_year, vehicle.make, vehicle.model) if p)
        if vehicle
        else "vehicle"
    )
    check_in = CheckIn(
        visit_id=visit.id,
        ro_number=visit.ro_number,
        vehicle_label=label,
        wait_mode=visit.wait_mode or "",
        status=visit.status,
        arrived_at=visit.arrived_at or turn.now,
        changed=changed,
        created=created,
    )
    card = card_result(
        turn, customer_id, how=found.how, matched_on=found.matched_on, check_in=check_in
    )
    results: list[Result] = [card]
    if not visit.wait_mode:
        turn.context.awaiting = "wait_mode"
        results.append(
            Question(
                text=f"Is {card.card.greeting} waiting, or dropping the car off?",
                expects="detail",
                options=("waiting", "drop-off"),
            )
        )
    return results
