"""The one place identity resolution tells lookup that customers changed.

Lookup keeps its own search keys (names, phones, plates…) per customer; imported, merged and
split customers must be findable at once, so every write path of identity resolution ends
here, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from knowledge.lookup.keys import refresh_search_keys as _refresh


def refresh_search_keys(session: Session, customer_ids: Sequence[int]) -> None:
    """Refresh lookup's search keys of ``customer_ids`` (deleted customers lose theirs)."""
    if customer_ids:
        _refresh(session, customer_ids)
