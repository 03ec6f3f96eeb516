"""Vehicles of any make, who owns or drives them, and the recalls that concern them."""

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
from knowledge.models.enums import OwnershipRole, RecallStatus, check_in


class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    make: Mapped[str] = mapped_column(String(40), index=True)
    model: Mapped[str] = mapped_column(String(60))
    model_year: Mapped[int | None] = mapped_column(Integer)
    trim: Mapped[str | None] = mapped_column(String(60))
    colour: Mapped[str | None] = mapped_column(String(40))
    plate: Mapped[str | None] = mapped_column(String(20))
    # Upper-case, no spaces or dashes: what a plate lookup compares.
    plate_normalized: Mapped[str | None] = mapped_column(String(20), index=True)
    odometer_km: Mapped[int | None] = mapped_column(Integer)
    in_service_date: Mapped[dt.date | None] = mapped_column(Date)
    warranty_end: Mapped[dt.date | None] = mapped_column(Date)
    next_service_due: Mapped[dt.date | None] = mapped_column(Date)
    # Set when one of the group's rooftops sold the car; None for cars bought elsewhere.
    sold_by_dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        year = f"{self.model_year} " if self.model_year else ""
        return f"{year}{self.make} {self.model}"


class VehicleOption(Base):
    """One factory option code of a vehicle (what accessories and campaigns key on)."""

    __tablename__ = "vehicle_option"
    __table_args__ = (Index("ix_vehicle_option_code", "code", "vehicle_id"),)

    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("vehicle.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), primary_key=True)


class Ownership(Base):
    """Customer ↔ vehicle over time: owner, co-owner or main driver, from ``since`` to ``until``."""

    __tablename__ = "ownership"
    __table_args__ = (
        CheckConstraint(check_in("role", OwnershipRole), name="role"),
        CheckConstraint("until IS NULL OR until >= since", name="dates"),
        Index("ix_ownership_customer", "customer_id", "vehicle_id"),
        Index("ix_ownership_vehicle", "vehicle_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default=OwnershipRole.OWNER.value)
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date)


class RecallCampaign(Base):
    __tablename__ = "recall_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    make: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(Text)
    # A quick remedy can be offered "while you wait today"; a long one needs an appointment.
    remedy_minutes: Mapped[int | None] = mapped_column(Integer)
    published_on: Mapped[dt.date | None] = mapped_column(Date)


class VehicleRecall(Base):
    __tablename__ = "vehicle_recall"
    __table_args__ = (
        CheckConstraint(check_in("status", RecallStatus), name="status"),
        UniqueConstraint("vehicle_id", "campaign_id"),
        Index("ix_vehicle_recall_campaign_status", "campaign_id", "status", "vehicle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("recall_campaign.id"))
    status: Mapped[str] = mapped_column(String(16), default=RecallStatus.OPEN.value)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
