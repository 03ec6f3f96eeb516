"""The store opens, migrates and refuses what it must refuse — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from knowledge import db as store_db
from knowledge.db import Store
from knowledge.errors import ConfigError, SchemaMismatch, StoreUnavailable
from knowledge.models import (
    ContactPoint,
    Customer,
    Dealer,
    DealerGroup,
    Ownership,
    Vehicle,
)


def test_migrations_upgrade_and_downgrade(store_url: str) -> None:
    engine = store_db.make_engine(store_url)
    try:
        assert store_db.current_revision(engine) == store_db.head_revision()
        store_db.downgrade(engine, "base")
        assert store_db.current_revision(engine) is None
        assert "customer" not in inspect(engine).get_table_names()
        store_db.upgrade(engine)
        assert store_db.current_revision(engine) == store_db.head_revision()
        assert {"customer", "vehicle", "ownership", "service_visit"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def _customer(store: Store) -> int:
    with store.sessions.begin() as s:
        c = Customer(given_name="Dana", family_name="Okafor")
        s.add(c)
        s.flush()
        return c.id


def test_vin_is_unique(store: Store) -> None:
    with store.sessions.begin() as s:
        s.add(Vehicle(vin="WBA8E9G50GNU12345", make="BMW", model="330i"))
    with pytest.raises(IntegrityError), store.sessions.begin() as s:
        s.add(Vehicle(vin="WBA8E9G50GNU12345", make="BMW", model="X5"))


def test_no_duplicate_normalized_email_on_one_customer(store: Store) -> None:
    cid = _customer(store)
    with store.sessions.begin() as s:
        s.add(
            ContactPoint(customer_id=cid, kind="email", value="Dana@X.de", normalized="dana@x.de")
        )
    with pytest.raises(IntegrityError), store.sessions.begin() as s:
        s.add(
            ContactPoint(customer_id=cid, kind="email", value="dana@x.de ", normalized="dana@x.de")
        )


def test_same_email_may_belong_to_two_customers(store: Store) -> None:
    a, b = _customer(store), _customer(store)
    with store.sessions.begin() as s:
        for cid in (a, b):
            s.add(ContactPoint(customer_id=cid, kind="email", value="x@y.de", normalized="x@y.de"))
    with store.sessions.begin() as s:
        assert len(s.scalars(select(ContactPoint)).all()) == 2


def test_ownership_dates_must_be_consistent(store: Store) -> None:
    cid = _customer(store)
    with store.sessions.begin() as s:
        v = Vehicle(vin="WP0ZZZ99ZTS392124", make="Porsche", model="911")
        s.add(v)
        s.flush()
        vid = v.id
    with pytest.raises(IntegrityError), store.sessions.begin() as s:
        s.add(
            Ownership(
                customer_id=cid,
                vehicle_id=vid,
                role="owner",
                since=dt.date(2022, 5, 1),
                until=dt.date(2021, 1, 1),
            )
        )


def test_role_outside_vocabulary_is_rejected(store: Store) -> None:
    with pytest.raises(IntegrityError), store.sessions.begin() as s:
        s.add(Customer(kind="robot", given_name="X"))


def test_datetimes_round_trip_as_utc(store: Store) -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))
    with store.sessions.begin() as s:
        g = DealerGroup(name="G")
        s.add(g)
        s.flush()
        s.add(Dealer(group_id=g.id, code="D1", name="D"))
        c = Customer(given_name="A", created_at=dt.datetime(2026, 1, 2, 10, 0, tzinfo=berlin))
        s.add(c)
        s.flush()
        cid = c.id
    with store.sessions.begin() as s:
        got = s.get(Customer, cid)
        assert got is not None
        assert got.created_at == dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)


def test_malformed_url_is_one_clear_line() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL is malformed: 'not a url'"):
        store_db.make_engine("not a url")


def test_unsupported_database_is_named() -> None:
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        store_db.make_engine("mysql://root@localhost/x")


def test_unreachable_database_is_one_clear_line() -> None:
    engine = store_db.make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreUnavailable) as err:
        store_db.ping(engine)
    message = str(err.value)
    assert message.startswith(
        "cannot reach the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none"
    )
    assert "secret" not in message


def test_empty_database_asks_for_upgrade(tmp_path: Path) -> None:
    engine = store_db.make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(
        SchemaMismatch, match="no Concierge schema yet — run `concierge db upgrade`"
    ):
        store_db.check_schema(engine)


def test_newer_schema_is_refused_and_left_alone(store_url: str) -> None:
    engine = store_db.make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaMismatch, match="revision 9999, which this Concierge does not know"):
        store_db.check_schema(engine)
    with pytest.raises(SchemaMismatch, match="upgraded by a newer Concierge"):
        store_db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    engine.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_create_exactly_the_models(store_url: str) -> None:
    """The schema is created only by migrations: they must build what the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from knowledge.models import Base

    engine = store_db.make_engine(store_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == []
