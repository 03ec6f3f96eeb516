"""Claiming a delivered Slack event, so a retried delivery is never answered twice.

The claim is a unique insert in its own short transaction, committed before any work: a
second process (or the same one, on a retry) that sees the same ``event_id`` gets
``False`` and drops the delivery. This holds across restarts and across every bot process
sharing the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.models import SlackEvent

# Slack retries a delivery three times within about five minutes; a day is ample.
KEEP_CLAIMS = dt.timedelta(days=1)


def claim_event(
    transaction: Callable[[], AbstractContextManager[Session]],
    event_id: str,
    *,
    team_id: str,
    kind: str,
    retry_num: int,
    now: dt.datetime,
) -> bool:
    """True when this delivery is the first of ``event_id`` to be taken on.

    ``transaction`` opens the transaction the claim is committed in (``store.sessions.begin``
    or ``SlackDeps.transaction``).
    """
    try:
        with transaction() as session:
            session.add(
                SlackEvent(
                    event_id=event_id[:64],
                    team_id=(team_id or "?")[:32],
                    kind=(kind or "?")[:48],
                    retry_num=retry_num,
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def purge_claims(
    transaction: Callable[[], AbstractContextManager[Session]],
    *,
    now: dt.datetime,
    keep: dt.timedelta = KEEP_CLAIMS,
) -> int:
    """Delete claims older than ``keep``; how many were deleted."""
    with transaction() as session:
        result = session.execute(delete(SlackEvent).where(SlackEvent.received_at < now - keep))
        return int(getattr(result, "rowcount", 0) or 0)
