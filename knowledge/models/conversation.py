"""Conversations: whom a Slack thread or a terminal session is about, kept between messages.

The dialogue's memory lives in the store, not in a process: a restart keeps it, and several
bot processes behind one Slack workspace share it. One row per conversation key (Slack:
team, channel and thread; terminal: a session id). A conversation idle for longer than the
configured time starts again from nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, JSONType, UTCDateTime, utcnow


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        # Housekeeping deletes conversations idle for long, oldest first.
        Index("ix_conversation_last_active", "last_active_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # Where it happens ("terminal", "slack:C0123"), for the audit of what was shown where.
    channel: Mapped[str] = mapped_column(String(128))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    # The customer the conversation is about now; cleared when the customer is deleted
    # (e.g. merged into another record).
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_visit.id", ondelete="SET NULL")
    )
    # Everything else the next message may refer to: candidates offered, touches shown
    # with their numbers, the question that is waiting for an answer.
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_active_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
