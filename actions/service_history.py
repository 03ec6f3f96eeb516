"""``service_history``: the current visit, the last visits and the work still open.

"What did we do on the golf last time?" narrows it to that vehicle.
"""

from __future__ import annotations

from actions.cards import customer_ref, profile_of
from actions.resolve import resolve_customer
from actions.results import DeclinedItem, Result, ServiceHistory, VisitItem
from actions.turn import Turn
from actions.vehicles import pick
from knowledge.profile import VisitInfo

INTENT = "service_history"


def visit_item(v: VisitInfo) -> VisitItem:
    return VisitItem(
        visit_id=v.visit_id,
        ro_number=v.ro_number,
        vehicle_label=v.vehicle_label,
        status=v.status,
        wait_mode=v.wait_mode,
        opened_at=v.opened_at,
        closed_at=v.closed_at,
        odometer_km=v.odometer_km,
        concerns=v.concerns,
        work_done=v.work_done,
        advisor_name=v.advisor_name,
    )


def handle(turn: Turn) -> list[Result]:
    found = resolve_customer(turn, INTENT)
    if found.customer_id is None:
        return found.results
    profile = profile_of(turn, found.customer_id, how=found.how, what="service history")
    current = profile.current_visit
    turn.context.set_customer(
        profile.customer_id, profile.display_name, current.visit_id if current else None
    )
    chosen = pick(turn.values("vehicle"), profile.vehicles) if turn.values("vehicle") else []
    ids = {v.vehicle_id for v in chosen}
    visits = [v for v in profile.last_visits if not ids or v.vehicle_id in ids]
    labels = {v.vehicle_id: v.label for v in profile.vehicles}
    declined = [d for d in profile.declined_work if not ids or d.vehicle_id in ids]
    survey = profile.last_survey
    current_fits = current is not None and (not ids or current.vehicle_id in ids)
    return [
        ServiceHistory(
            customer=customer_ref(profile),
            current_visit=visit_item(current) if current and current_fits else None,
            visits=tuple(visit_item(v) for v in visits),
            visit_count=profile.visit_count,
            declined=tuple(
                DeclinedItem(
                    vehicle_label=labels.get(d.vehicle_id, "vehicle"),
                    description=d.description,
                    due_date=d.due_date,
                    estimate_cents=d.estimate_cents,
                )
                for d in declined
            ),
            vehicle_label=", ".join(v.label for v in chosen) or None,
            last_survey_score=survey.score if survey else None,
            last_survey_comment=survey.comment if survey else None,
        )
    ]
