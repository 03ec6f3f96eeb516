"""Who works where: dealer groups, their rooftops and the staff who use Concierge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, UTCDateTime, utcnow
from knowledge.models.enums import Role, check_in


class DealerGroup(Base):
    __tablename__ = "dealer_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Dealer(Base):
    """One rooftop (a physical dealership) of a dealer group."""

    __tablename__ = "dealer"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("dealer_group.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="DE")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # The dealership's own switchboard number (E.164): customers' records often carry it
    # by mistake, so it must never be used to recognise or merge a customer.
    main_phone: Mapped[str | None] = mapped_column(String(20))
    brands: Mapped[str | None] = mapped_column(String(200))


class StaffMember(Base):
    __tablename__ = "staff_member"
    __table_args__ = (
        UniqueConstraint("slack_team_id", "slack_user_id"),
        CheckConstraint(check_in("role", Role), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealer.id"), index=True)
    slack_team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
