"""Customer data is personal data: every lookup, card and export leaves an audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from knowledge.models import AuditEntry, utcnow

# Audit details are evidence, not a copy of the data: keep each value short.
MAX_DETAIL_TEXT = 300


_INSERT = insert(AuditEntry)


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
        return value[:MAX_DETAIL_TEXT] + "…"
    if isinstance(value, Mapping):
        return {str(k): _short(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_short(v) for v in value[:50]]
    return value


def record_lookup(
    session: Session,
    *,
    actor: str,
    staff_id: int | None,
    customer_id: int | None,
    channel: str | None,
    how: str,
    detail: Mapping[str, Any] | None = None,
    action: str = "lookup",
) -> None:
    """Write one audit entry, in the caller's transaction.

    ``action`` is what was done ("lookup", "card", "export"); ``how`` how the customer was
    reached ("name", "phone", "vin", "owners", …); ``detail`` what was asked and answered.
    """
    # A plain INSERT: a lookup writes one row and never reads it back, so the ORM's unit of
    # work would only add time to every answer.
    session.connection().execute(
        _INSERT,
        {
            "at": utcnow(),
            "actor": actor[:128],
            "staff_id": staff_id,
            "action": action[:32],
            "customer_id": customer_id,
            "channel": channel[:128] if channel else None,
            "how": how[:64],
            "detail": _short(dict(detail)) if detail is not None else None,
        },
    )
