"""A one-screen summary of what the store holds — what `make demo` shows at the end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from knowledge.db import Store
from knowledge.models import (
    Customer,
    CustomerRelationship,
    Dealer,
    DeclinedWork,
    ServiceVisit,
    StaffMember,
    Survey,
    Vehicle,
    VehicleRecall,
)
from knowledge.models.enums import OPEN_VISIT_STATUSES


@dataclass(frozen=True)
class WaitingCustomer:
    dealer: str
    name: str
    vehicle: str
    status: str
    wait_mode: str | None
    arrived_at: dt.datetime | None


@dataclass(frozen=True)
class StoreSummary:
    dealers: int
    staff: int
    customers: int
    relationships: int
    vehicles: int
    vehicles_by_make: dict[str, int]
    vehicles_not_sold_here: int
    visits: int
    open_recalls: int
    declined_open: int
    surveys: int
    average_score: float | None
    on_site: list[WaitingCustomer]


def store_summary(store: Store, *, on_site_limit: int = 8) -> StoreSummary:
    with store.sessions() as s:

        def count(model: type) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        by_make = {
            make: n
            for make, n in s.execute(
                select(Vehicle.make, func.count())
                .group_by(Vehicle.make)
                .order_by(func.count().desc(), Vehicle.make)
            )
        }
        on_site_rows = s.execute(
            select(
                Dealer.code,
                Customer,
                Vehicle,
                ServiceVisit.status,
                ServiceVisit.wait_mode,
                ServiceVisit.arrived_at,
            )
            .join(Dealer, Dealer.id == ServiceVisit.dealer_id)
            .join(Customer, Customer.id == ServiceVisit.customer_id)
            .join(Vehicle, Vehicle.id == ServiceVisit.vehicle_id)
            .where(ServiceVisit.status.in_([v.value for v in OPEN_VISIT_STATUSES]))
            .order_by(ServiceVisit.arrived_at, ServiceVisit.id)
            .limit(on_site_limit)
        ).all()
        avg = s.scalar(select(func.avg(Survey.score)))
        return StoreSummary(
            dealers=count(Dealer),
            staff=count(StaffMember),
            customers=count(Customer),
            relationships=count(CustomerRelationship),
            vehicles=count(Vehicle),
            vehicles_by_make=by_make,
            vehicles_not_sold_here=s.scalar(
                select(func.count()).select_from(Vehicle).where(Vehicle.sold_by_dealer_id.is_(None))
            )
            or 0,
            visits=count(ServiceVisit),
            open_recalls=s.scalar(
                select(func.count())
                .select_from(VehicleRecall)
                .where(VehicleRecall.status == "open")
            )
            or 0,
            declined_open=s.scalar(
                select(func.count()).select_from(DeclinedWork).where(DeclinedWork.status == "open")
            )
            or 0,
            surveys=count(Survey),
            average_score=round(float(avg), 2) if avg is not None else None,
            on_site=[
                WaitingCustomer(code, c.display_name, v.label, status, mode, arrived)
                for code, c, v, status, mode, arrived in on_site_rows
            ],
        )
