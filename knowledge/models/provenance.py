"""Where every record came from, and who looked at whom."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, JSONType, UTCDateTime, utcnow
from knowledge.models.enums import EntityType, check_in


class SourceSystem(Base):
    """A system the dealer exports from (CRM, DMS, recall file…) and how far to trust it."""

    __tablename__ = "source_system"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str | None] = mapped_column(String(300))
    # Lower rank = more trusted when two sources disagree on a field.
    trust_rank: Mapped[int] = mapped_column(Integer, default=100)


class SourceRecord(Base):
    """One record as a source system delivered it, linked to what it became in the store."""

    __tablename__ = "source_record"
    __table_args__ = (
        CheckConstraint(check_in("entity_type", EntityType), name="entity_type"),
        UniqueConstraint("source_system_id", "entity_type", "source_id"),
        Index("ix_source_record_customer", "customer_id"),
        Index("ix_source_record_vehicle", "vehicle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_system_id: Mapped[int] = mapped_column(ForeignKey("source_system.id"))
    entity_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicle.id", ondelete="SET NULL"))
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_visit.id", ondelete="SET NULL")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    payload_hash: Mapped[str] = mapped_column(String(64))
    match_score: Mapped[float | None] = mapped_column(Float)
    match_reason: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who looked up which customer, where, when and how — customer data is personal data."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_customer_at", "customer_id", "at"),
        Index("ix_audit_entry_staff_at", "staff_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # The caller as the front end knows it ("slack:T1/U2", "cli:alice"), kept even when the
    # caller is not a known staff member — refusals are audited too.
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(String(128))
    how: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class StoreMeta(Base):
    """Small facts about the store itself (e.g. that it holds generated demo data)."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
