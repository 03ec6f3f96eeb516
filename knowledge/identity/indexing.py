"""Blocking keys for customers the store made itself (demo data, staff entries).

Imported customers get their keys as they are written. Customers created another way have
none, so an import (or a walk-in match) could not find them; this indexes them, in batches,
once — after that only new such customers are picked up.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from knowledge.db import Store
from knowledge.identity.dbio import chunked, insert_ignore, table_of
from knowledge.identity.junk import SharedValues
from knowledge.identity.keys import index_keys
from knowledge.identity.resolver import native_records
from knowledge.models import Customer, IdentityKey, IdentityMember

INDEX_BATCH = 5000
_KEY = table_of(IdentityKey)


def unindexed_customer_ids(session: Session) -> list[int]:
    """Customers with neither blocking keys nor imported records behind them."""
    return list(
        session.execute(
            select(Customer.id)
            .where(
                ~exists().where(IdentityKey.customer_id == Customer.id),
                ~exists().where(IdentityMember.customer_id == Customer.id),
            )
            .order_by(Customer.id)
        ).scalars()
    )


def index_customers(session: Session, customer_ids: list[int], shared: SharedValues) -> int:
    """Write blocking keys of the given customers from their current data; returns rows."""
    rows: set[tuple[int, int]] = set()
    for cid, record in native_records(session, customer_ids).items():
        view = record.view()
        shared.mark(view)
        rows.update((k, cid) for k in index_keys(view))
    insert_ignore(session, _KEY, [{"key": k, "customer_id": c} for k, c in sorted(rows)])
    return len(rows)


def index_unindexed_customers(store: Store) -> int:
    """Index every customer that has no keys yet, committing batch by batch; returns count."""
    with store.sessions.begin() as session:
        ids = unindexed_customer_ids(session)
        shared = SharedValues.load(session)
    for part in chunked(ids, INDEX_BATCH):
        with store.sessions.begin() as session:
            index_customers(session, part, shared)
    return len(ids)
