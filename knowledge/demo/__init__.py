"""Realistic, deterministic demo data: ``concierge demo-data``.

A demo store looks like a northern-German dealer group's: four rooftops, several makes,
households that own cars of different brands (including ones the group never sold), years of
visits, open recalls, declined work, preferences, surveys, and a few customers waiting in
the lounge right now. Demo data only ever goes into an empty store or one that holds nothing
but earlier demo data — never over a dealer's real customers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from queue import Queue
from threading import Thread

from sqlalchemy import delete, select

from knowledge.bulk import bulk_insert, reset_sequences
from knowledge.db import Store
from knowledge.demo.generate import Batch, DemoGenerator
from knowledge.errors import InvalidInput
from knowledge.models import Base, Customer, StoreMeta

META_KEY = "demo"
MAX_CUSTOMERS = 5_000_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoInfo:
    customers: int
    seed: int
    generated_at: str

    @property
    def day(self) -> str:
        return self.generated_at[:10]


def demo_info(store: Store) -> DemoInfo | None:
    """What demo data the store holds, or None when it holds none."""
    with store.sessions() as session:
        meta = session.get(StoreMeta, META_KEY)
        if meta is None:
            return None
        data = json.loads(meta.value)
        return DemoInfo(int(data["customers"]), int(data["seed"]), str(data["generated_at"]))


def _write(store: Store, batch: Batch) -> None:
    with store.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            rows = batch.rows.get(table.name)
            if rows:
                bulk_insert(conn, table, rows)


def _prefetched(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """Generate the next batches in a thread while the current one is written.

    The database releases the GIL while it writes, so generation and loading overlap on the
    two cores; the order of batches (and so the data) is exactly the generator's.
    """
    queue: Queue[Batch | BaseException | None] = Queue(maxsize=depth)

    def produce() -> None:
        try:
            for batch in batches:
                queue.put(batch)
            queue.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            queue.put(exc)

    Thread(target=produce, name="demo-generator", daemon=True).start()
    while (item := queue.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def clear_demo(store: Store) -> None:
    """Delete everything from a store that holds only demo data."""
    with store.sessions.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "alembic_version":
                session.execute(delete(table))


def load_demo(
    store: Store,
    *,
    customers: int,
    seed: int = 42,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> DemoInfo:
    """Generate and load ``customers`` demo customers (their households, cars and visits).

    ``now`` fixes the clock the data is relative to (the lounge is "now"); ``today`` is a
    shorthand for 10:00 UTC on that day. With ``replace``, earlier demo data is deleted
    first; a store with any non-demo customer is refused.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InvalidInput(
            f"--customers must be between 1 and {MAX_CUSTOMERS:,}, got {customers:,}"
        )
    if now is None:
        now = (
            dt.datetime.combine(today, dt.time(10, 0), dt.UTC)
            if today is not None
            else dt.datetime.now(dt.UTC).replace(microsecond=0)
        )
    existing = demo_info(store)
    with store.sessions() as session:
        has_customers = session.scalar(select(Customer.id).limit(1)) is not None
    if has_customers and existing is None:
        raise InvalidInput(
            "this store already holds customers that are not demo data — demo data goes only "
            "into an empty store (point DATABASE_URL at a new database)"
        )
    if existing is not None:
        if not replace:
            raise InvalidInput(
                f"this store already holds demo data ({existing.customers:,} customers, seed "
                f"{existing.seed}, generated {existing.day}) — use --replace to regenerate it"
            )
        clear_demo(store)

    generator = DemoGenerator(seed=seed, now=now)
    _write(store, generator.organisation())
    done = 0
    for batch in _prefetched(generator.households(customers)):
        _write(store, batch)
        done += batch.count("customer")
        if progress:
            progress(done, customers)
    with store.engine.begin() as conn:
        reset_sequences(conn)
    _index_for_lookup(store)
    info = DemoInfo(customers=customers, seed=seed, generated_at=now.isoformat())
    with store.sessions.begin() as session:
        session.merge(StoreMeta(key=META_KEY, value=json.dumps(asdict(info))))
    return info


def _index_for_lookup(store: Store) -> None:
    # Imported here: the lookup package is a consumer of the store, not part of its core.
    from knowledge.lookup.keys import rebuild_search_keys

    rebuild_search_keys(store)
