"""The demo generator is deterministic and valid, and never writes over real data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import select, text

from knowledge.db import Store, make_engine, open_store, upgrade
from knowledge.demo import demo_info, load_demo
from knowledge.errors import InvalidInput
from knowledge.models import (
    Base,
    ContactPoint,
    Customer,
    CustomerRelationship,
    Ownership,
    ServiceVisit,
    StoreMeta,
    Vehicle,
    VehicleRecall,
)
from knowledge.normalize import normalize_plate, vin_problem
from knowledge.summary import store_summary

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
SKIP_TABLES = {"store_meta"}  # holds the generation time of the run itself


def _dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIP_TABLES:
                continue
            order = [c for c in table.primary_key.columns]
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


@pytest.fixture()
def demo(store: Store) -> Store:
    load_demo(store, customers=300, seed=7, now=NOW)
    return store


def test_same_seed_same_data(demo: Store, tmp_path: Any) -> None:
    """A second load with the same seed, into a fresh SQLite store, holds identical rows —
    so the data is deterministic and reads back the same from either backend."""
    other = _fresh_sqlite(tmp_path / "other.sqlite")
    load_demo(other, customers=300, seed=7, now=NOW)
    first, second = _dump(demo), _dump(other)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert len(first["customer"]) == 300
    other.dispose()


def _fresh_sqlite(path: Any) -> Store:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return open_store(url)


def test_another_seed_other_data(tmp_path: Any) -> None:
    names = []
    for seed in (1, 2):
        other = _fresh_sqlite(tmp_path / f"s{seed}.sqlite")
        load_demo(other, customers=50, seed=seed, now=NOW)
        with other.sessions() as session:
            names.append(list(session.scalars(select(Customer.family_name).order_by(Customer.id))))
        other.dispose()
    assert names[0] != names[1]


def test_every_vin_passes_its_check_digit(demo: Store) -> None:
    with demo.sessions() as s:
        vins = list(s.scalars(select(Vehicle.vin)))
    assert len(vins) > 300
    assert [v for v in vins if vin_problem(v) is not None] == []
    assert len(set(vins)) == len(vins)


def test_every_phone_parses_to_its_stored_e164(demo: Store) -> None:
    with demo.sessions() as s:
        phones = list(
            s.execute(
                select(ContactPoint.value, ContactPoint.normalized).where(
                    ContactPoint.kind == "phone"
                )
            )
        )
    assert len(phones) >= 300
    for original, e164 in phones:
        number = phonenumbers.parse(original, "DE")
        assert phonenumbers.is_valid_number(number), original
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164


def test_plates_are_normalized(demo: Store) -> None:
    with demo.sessions() as s:
        for plate, normalized in s.execute(select(Vehicle.plate, Vehicle.plate_normalized)):
            assert plate is not None
            assert normalized == normalize_plate(plate)


def test_every_visit_belongs_to_a_vehicle_the_customer_owned_then(demo: Store) -> None:
    with demo.sessions() as s:
        visits = s.execute(
            select(
                ServiceVisit.id,
                ServiceVisit.customer_id,
                ServiceVisit.vehicle_id,
                ServiceVisit.arrived_at,
            )
        ).all()
        owned: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = {}
        for o in s.scalars(select(Ownership)):
            owned.setdefault((o.customer_id, o.vehicle_id), []).append((o.since, o.until))
    assert len(visits) > 100
    for visit_id, customer_id, vehicle_id, arrived in visits:
        day = arrived.date()
        periods = owned.get((customer_id, vehicle_id), [])
        assert any(since <= day and (until is None or day <= until) for since, until in periods), (
            visit_id
        )


def test_households_own_several_brands(demo: Store) -> None:
    with demo.sessions() as s:
        pairs = s.execute(
            select(CustomerRelationship.customer_id, CustomerRelationship.related_customer_id)
        ).all()
        makes_by_customer: dict[int, set[str]] = {}
        for cid, make in s.execute(
            select(Ownership.customer_id, Vehicle.make)
            .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
            .where(Ownership.until.is_(None))
        ):
            makes_by_customer.setdefault(cid, set()).add(make)
    mixed = [
        (a, b)
        for a, b in pairs
        if len(makes_by_customer.get(a, set()) | makes_by_customer.get(b, set())) >= 2
    ]
    assert len(mixed) >= 10


def test_summary_shows_open_recalls_and_customers_on_site(demo: Store) -> None:
    summary = store_summary(demo)
    assert summary.customers == 300
    assert summary.dealers == 4
    assert summary.open_recalls > 0
    assert summary.declined_open > 0
    assert summary.surveys > 0
    assert summary.vehicles_not_sold_here > 0
    assert len(summary.on_site) >= 6
    with demo.sessions() as s:
        waiting = s.scalars(select(ServiceVisit).where(ServiceVisit.status == "waiting")).all()
        recalls = s.scalars(select(VehicleRecall).where(VehicleRecall.status == "open")).all()
    assert waiting and all(v.arrived_at is not None and v.arrived_at <= NOW for v in waiting)
    assert recalls


def test_demo_refuses_a_store_with_real_customers(store: Store) -> None:
    with store.sessions.begin() as s:
        s.add(Customer(given_name="Real", family_name="Person"))
    with pytest.raises(InvalidInput, match="already holds customers that are not demo data"):
        load_demo(store, customers=10, seed=1, now=NOW)
    with store.sessions() as s:
        assert len(s.scalars(select(Customer)).all()) == 1


def test_demo_twice_needs_replace(demo: Store) -> None:
    with pytest.raises(InvalidInput, match=r"already holds demo data \(300 customers, seed 7"):
        load_demo(demo, customers=20, seed=3, now=NOW)
    info = load_demo(demo, customers=20, seed=3, now=NOW, replace=True)
    assert info.customers == 20
    assert demo_info(demo) == info
    with demo.sessions() as s:
        assert len(s.scalars(select(Customer)).all()) == 20
        assert s.get(StoreMeta, "demo") is not None


def test_ids_continue_after_bulk_load(demo: Store) -> None:
    # PostgreSQL sequences are moved past the loaded ids: new rows get fresh ids.
    with demo.sessions.begin() as s:
        c = Customer(given_name="New", family_name="Walk-In")
        s.add(c)
        s.flush()
        assert c.id == 301 or c.id > 300


def test_customer_count_is_bounded() -> None:
    with pytest.raises(InvalidInput, match="--customers must be between 1 and 5,000,000"):
        load_demo(None, customers=0)  # type: ignore[arg-type]


def test_loaded_rows_read_back_through_the_orm(demo: Store) -> None:
    with demo.sessions() as s:
        visit = s.scalars(select(ServiceVisit).order_by(ServiceVisit.id)).first()
        assert visit is not None and visit.arrived_at is not None
        assert visit.arrived_at.tzinfo is dt.UTC
        n = s.execute(text("SELECT COUNT(*) FROM source_record WHERE entity_type = 'customer'"))
        assert n.scalar() >= 300


def test_chunks_generated_by_worker_processes_fit_together(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large stores are generated in chunks by worker processes: ids and VINs stay unique,
    every chunk is loaded, and the result is the same as generating the chunks in order."""
    import knowledge.demo as demo_module
    import knowledge.demo.generate as generate_module

    monkeypatch.setattr(demo_module, "CHUNK_CUSTOMERS", 100)
    monkeypatch.setattr(generate_module, "CHUNK_CUSTOMERS", 100)
    pooled = _fresh_sqlite(tmp_path / "pooled.sqlite")
    load_demo(pooled, customers=350, seed=5, now=NOW)  # 4 chunks: the process-pool path
    with pooled.sessions() as s:
        ids = list(s.scalars(select(Customer.id).order_by(Customer.id)))
        vins = list(s.scalars(select(Vehicle.vin)))
    assert ids == [*range(1, 101), *range(101, 201), *range(201, 301), *range(301, 351)]
    assert len(set(vins)) == len(vins)
    # 24 customers on site, spread 6 per chunk, exactly as the loader spreads them.
    in_order = [
        demo_module._generate_chunk(5, NOW, k, n, 6, "sqlite")[1]
        for k, n in enumerate((100, 100, 100, 50))
    ]
    for table in ("customer", "vehicle", "service_visit"):
        expected = [
            row for chunk in in_order for p in chunk if p.table == table for row in p.values
        ]
        with pooled.engine.connect() as conn:
            columns = next(p.columns for p in in_order[0] if p.table == table)
            quoted = ", ".join(f'"{c}"' for c in columns)
            got = [
                tuple(r) for r in conn.exec_driver_sql(f"SELECT {quoted} FROM {table} ORDER BY id")
            ]
        assert got == expected, table
    pooled.dispose()


def _index_names(store: Store) -> set[str]:
    names: set[str] = set()
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
        else:
            rows = conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        names.update(r[0] for r in rows)
    return names


MODEL_INDEXES = {str(i.name) for t in Base.metadata.sorted_tables for i in t.indexes}


def test_every_index_is_back_after_a_load(demo: Store) -> None:
    """The load builds the secondary indexes once at the end; all of them are there."""
    assert _index_names(demo) >= MODEL_INDEXES


def test_a_failed_load_still_leaves_every_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.demo as demo_module

    def broken_write(store: Store, prepared: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_module, "_write_chunk", broken_write)
    with pytest.raises(RuntimeError, match="disk full"):
        load_demo(store, customers=50, seed=7, now=NOW)
    assert _index_names(store) >= MODEL_INDEXES
