"""Slack deliveries already taken on: a retried event is answered once, whichever process
receives it.

Slack re-sends an event when its first delivery was not acknowledged in time (with the same
``event_id`` and ``X-Slack-Retry-Num`` > 0). Claiming the id with a unique insert makes the
first process to see it the only one that answers, across restarts and across bot processes
sharing one store.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, UTCDateTime, utcnow


class SlackEvent(Base):
    __tablename__ = "slack_event"
    __table_args__ = (
        # Housekeeping deletes claims older than Slack's retry window, oldest first.
        Index("ix_slack_event_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Slack's id of the event ("Ev0123ABCD"), unique across workspaces.
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # The event type ("app_mention", "message"…), for diagnostics.
    kind: Mapped[str] = mapped_column(String(48))
    # The delivery that claimed it (0: the first; more: Slack retried before we answered).
    retry_num: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
