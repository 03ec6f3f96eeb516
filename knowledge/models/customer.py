"""The golden customer record, how to reach them, who they live with, what they prefer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, UTCDateTime, utcnow
from knowledge.models.enums import (
    ContactChannel,
    ContactKind,
    CustomerKind,
    PreferenceKind,
    RelationshipKind,
    check_in,
)


class Customer(Base):
    """One real person (or company) — the owner is the customer, not the car."""

    __tablename__ = "customer"
    __table_args__ = (CheckConstraint(check_in("kind", CustomerKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=CustomerKind.PERSON.value)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    salutation: Mapped[str | None] = mapped_column(String(32))
    pronunciation: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    customer_since: Mapped[dt.date | None] = mapped_column(Date)
    home_dealer_id: Mapped[int | None] = mapped_column(ForeignKey("dealer.id"), index=True)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.COMPANY.value and self.company_name:
            return self.company_name
        parts = [p for p in (self.given_name, self.family_name) if p]
        return " ".join(parts) or self.company_name or f"customer #{self.id}"


class ContactPoint(Base):
    """A phone number, e-mail address or postal address of a customer, with its provenance.

    ``value`` keeps what the source said; ``normalized`` is the comparable form (E.164 for
    phones, trimmed lower-case e-mail, a folded one-line address).
    """

    __tablename__ = "contact_point"
    __table_args__ = (
        CheckConstraint(check_in("kind", ContactKind), name="kind"),
        UniqueConstraint("customer_id", "kind", "normalized"),
        Index("ix_contact_point_kind_normalized", "kind", "normalized"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300))
    street: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerRelationship(Base):
    """A household or fleet link between two customers (stored once, read both ways)."""

    __tablename__ = "customer_relationship"
    __table_args__ = (
        CheckConstraint(check_in("kind", RelationshipKind), name="kind"),
        CheckConstraint("customer_id <> related_customer_id", name="not_self"),
        UniqueConstraint("customer_id", "related_customer_id", "kind"),
        Index("ix_customer_relationship_related", "related_customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    related_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    since: Mapped[dt.date | None] = mapped_column(Date)


class Preference(Base):
    """Something staff learned about the customer: a drink, a pronunciation, a note.

    Each row records who wrote it and when; the newest row of a single-valued kind wins,
    notes accumulate.
    """

    __tablename__ = "preference"
    __table_args__ = (
        CheckConstraint(check_in("kind", PreferenceKind), name="kind"),
        Index("ix_preference_customer_kind", "customer_id", "kind", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(64), default="staff")


class ContactLog(Base):
    """Every time the dealer contacted the customer or the customer called in."""

    __tablename__ = "contact_log"
    __table_args__ = (
        CheckConstraint(check_in("channel", ContactChannel), name="channel"),
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        Index("ix_contact_log_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    # "service" contacts are owed to the customer; "marketing" ones count against the
    # promotional quiet period.
    purpose: Mapped[str] = mapped_column(String(16), default="service")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
