"""What the playbook suggested to whom, and what became of it.

One row per touch suggested for a customer on one occasion (a visit, or a day without one)
to one staff member. Showing the same touch again on the same occasion updates that row
instead of adding another, so "shown" and "done" count the same thing in the trainers'
reports; ``shown_count`` and ``last_shown_at`` still record every showing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, JSONType, UTCDateTime, utcnow
from knowledge.models.enums import check_in


class TouchOutcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"


class TouchSuggestion(Base):
    __tablename__ = "touch_suggestion"
    __table_args__ = (
        CheckConstraint(check_in("outcome", TouchOutcome), name="outcome"),
        # History for one customer (cooldowns, "already handled on this occasion") and
        # re-use of an open suggestion both start from the customer and the touch.
        Index("ix_touch_suggestion_customer_touch", "customer_id", "touch_id", "occasion"),
        Index("ix_touch_suggestion_shown_at", "shown_at"),
        Index("ix_touch_suggestion_staff_shown", "staff_id", "shown_at"),
        Index("ix_touch_suggestion_touch_shown", "touch_id", "shown_at"),
        Index("ix_touch_suggestion_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    touch_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    # Kept (as NULL) when a visit is deleted: the trainers' history outlives the repair order.
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_visit.id", ondelete="SET NULL")
    )
    # "visit:<id>" or "day:<yyyy-mm-dd>": the occasion a touch is done or skipped for once.
    occasion: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    actor: Mapped[str] = mapped_column(String(128))
    shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    shown_count: Mapped[int] = mapped_column(Integer, default=1)
    rank: Mapped[int] = mapped_column(Integer)
    playbook_version: Mapped[str] = mapped_column(String(64))
    playbook_label: Mapped[str | None] = mapped_column(String(64))
    instruction: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    # The facts the touch's conditions and placeholders read, as they were when shown.
    facts: Mapped[dict[str, Any]] = mapped_column(JSONType)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
