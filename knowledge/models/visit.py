"""Service visits (repair orders), the work a customer declined, and how they felt after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, UTCDateTime, utcnow
from knowledge.models.enums import DeclinedStatus, VisitStatus, WaitMode, check_in


class ServiceVisit(Base):
    __tablename__ = "service_visit"
    __table_args__ = (
        CheckConstraint(check_in("status", VisitStatus), name="status"),
        CheckConstraint(check_in("wait_mode", WaitMode), name="wait_mode"),
        UniqueConstraint("dealer_id", "ro_number"),
        Index("ix_service_visit_ro_number", "ro_number"),
        Index("ix_service_visit_customer_opened", "customer_id", "opened_at"),
        Index("ix_service_visit_vehicle_opened", "vehicle_id", "opened_at"),
        Index("ix_service_visit_dealer_status", "dealer_id", "status"),
        Index("ix_service_visit_advisor_opened", "advisor_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ro_number: Mapped[str] = mapped_column(String(32))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    status: Mapped[str] = mapped_column(String(16), default=VisitStatus.BOOKED.value)
    wait_mode: Mapped[str | None] = mapped_column(String(16))
    # When the repair order was opened (the booking, or the walk-in's arrival).
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    promised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    odometer_km: Mapped[int | None] = mapped_column(Integer)
    concerns: Mapped[str | None] = mapped_column(Text)
    work_done: Mapped[str | None] = mapped_column(Text)


class DeclinedWork(Base):
    """Work the advisor recommended and the customer declined, due again on ``due_date``."""

    __tablename__ = "declined_work"
    __table_args__ = (
        CheckConstraint(check_in("status", DeclinedStatus), name="status"),
        Index("ix_declined_work_vehicle", "vehicle_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("service_visit.id", ondelete="CASCADE"), index=True
    )
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    estimate_cents: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DeclinedStatus.OPEN.value)


class Survey(Base):
    """Event-based satisfaction: one score per visit, right after it."""

    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("score BETWEEN 0 AND 10", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("service_visit.id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    surveyed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64), default="survey")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
