"""load_profile gathers one customer's whole picture, household included, in fixed queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.profile import CustomerProfile, load_profile
from tests.knowledge.lookup.world import NOW, TODAY, World


def _family(w: World) -> dict[str, Any]:
    anna = w.customer(
        "Anna",
        "Müller",
        phone="0151 2345 6789",
        email="Anna.Mueller@example.de",
        city="Hamburg",
        preferred_name="Anni",
        salutation="Frau",
        language="de",
        customer_since=dt.date(2015, 4, 1),
        birth_date=dt.date(1980, 5, 17),
    )
    thomas = w.customer("Thomas", "Müller", phone="+49 170 1111111", city="Hamburg")
    lukas = w.customer("Lukas", "Müller", city="Hamburg")
    stranger = w.customer("Eva", "Schmidt", city="Bremen")
    w.relate(anna, thomas, "spouse")
    w.relate(lukas, anna, "family")  # stored from the son's side
    advisor = w.staff("Jonas Berg", "advisor")

    x5 = w.vehicle(
        anna,
        "BMW",
        "X5",
        2020,
        plate="HH-AM 123",
        options=("5DN", "3AG"),
        odometer_km=45000,
        warranty_end=dt.date(2027, 5, 1),
        next_service_due=dt.date(2027, 1, 15),
    )
    golf = w.vehicle(thomas, "Volkswagen", "Golf", 2017, plate="HH-TM 77")
    w.own(anna, golf, role="co_owner")
    cayenne = w.vehicle(thomas, "Porsche", "Cayenne", 2022, plate="HH-TM 911")
    w.vehicle(thomas, "Audi", "A4", 2012, until=dt.date(2024, 6, 30))  # sold: not on the card
    yaris = w.vehicle(lukas, "Toyota", "Yaris", 2019, plate="HH-LM 5")
    w.vehicle(stranger, "Ford", "Focus", 2018)

    c61 = w.campaign("0061", "BMW", "Airbag inflator")
    w.recall(x5, c61)
    done = w.campaign("0042", "BMW", "Software update")
    w.recall(x5, done, status="done_here")
    pc = w.campaign("AKA1", "Porsche", "Fuel line", minutes=240)
    w.recall(cayenne, pc)

    v1 = w.visit(anna, x5, "RO-1001", NOW - dt.timedelta(days=400), advisor=advisor)
    v2 = w.visit(anna, golf, "RO-1002", NOW - dt.timedelta(days=200))
    v3 = w.visit(anna, x5, "RO-2001", NOW - dt.timedelta(days=100), dealer=w.berlin)
    current = w.visit(
        anna,
        x5,
        "RO-1003",
        NOW - dt.timedelta(hours=1),
        status="waiting",
        wait_mode="waiting",
        arrived_at=NOW - dt.timedelta(hours=1),
        promised_at=NOW + dt.timedelta(hours=2),
        advisor=advisor,
    )
    w.visit(thomas, cayenne, "RO-1004", NOW - dt.timedelta(days=30))
    w.declined(v1, "Brake pads front", dt.date(2026, 12, 1))
    w.declined(v2, "Wiper blades", None)
    w.declined(v1, "Cabin filter", dt.date(2026, 1, 1), status="done")
    w.prefer(anna, "drink", "coffee, black", NOW - dt.timedelta(days=300))
    w.prefer(anna, "drink", "green tea", NOW - dt.timedelta(days=10))
    w.prefer(anna, "contact_channel", "sms", NOW - dt.timedelta(days=50))
    w.prefer(anna, "note", "Prefers the early slot", NOW - dt.timedelta(days=90))
    w.prefer(anna, "note", "Dog in the car", NOW - dt.timedelta(days=5))
    w.survey(v2, 9, "Quick and friendly", (NOW - dt.timedelta(days=198)).date())
    w.survey(v3, 6, "Waited too long", (NOW - dt.timedelta(days=98)).date())
    w.logged(anna, "phone", NOW - dt.timedelta(days=3), "asked about tyres")
    w.logged(anna, "email", NOW - dt.timedelta(days=60))
    return {
        "anna": anna,
        "thomas": thomas,
        "lukas": lukas,
        "x5": x5,
        "golf": golf,
        "cayenne": cayenne,
        "yaris": yaris,
        "current": current,
        "advisor": advisor,
    }


def _load(store: Store, cid: int, **kw: Any) -> CustomerProfile:
    with store.sessions.begin() as s:
        return load_profile(s, cid, now=NOW, **kw)


def test_profile_person_contacts_and_household(store: Store) -> None:
    with store.sessions.begin() as s:
        f = _family(World(s))
        ids = {k: v.id for k, v in f.items()}
    p = _load(store, ids["anna"])
    assert (p.display_name, p.preferred_name, p.salutation, p.language) == (
        "Anna Müller",
        "Anni",
        "Frau",
        "de",
    )
    assert p.customer_since == dt.date(2015, 4, 1)
    assert [(c.kind, c.normalized) for c in p.contacts] == [
        ("address", "hauptstr 1 hamburg"),
        ("email", "anna.mueller@example.de"),
        ("phone", "+4915123456789"),
    ]
    assert p.city == "Hamburg"
    assert [(m.customer_id, m.name, m.relation, m.inverse) for m in p.household] == [
        (ids["thomas"], "Thomas Müller", "spouse", False),
        (ids["lukas"], "Lukas Müller", "family", True),
    ]


def test_profile_vehicles_of_the_whole_household_any_make(store: Store) -> None:
    with store.sessions.begin() as s:
        f = _family(World(s))
        ids = {k: v.id for k, v in f.items()}
    p = _load(store, ids["anna"])
    assert [(v.label, v.own_role) for v in p.vehicles] == [
        ("2020 BMW X5", "owner"),
        ("2017 Volkswagen Golf", "co_owner"),
        ("2022 Porsche Cayenne", None),
        ("2019 Toyota Yaris", None),
    ]
    x5, golf, cayenne, yaris = p.vehicles
    assert x5.options == ("3AG", "5DN") and x5.has_option("5dn")
    assert [r.campaign_code for r in x5.open_recalls] == ["0061"]
    assert [(r.campaign_code, r.remedy_minutes) for r in cayenne.open_recalls] == [("AKA1", 240)]
    assert [(v.label, r.campaign_code) for v, r in p.open_recalls] == [
        ("2020 BMW X5", "0061"),
        ("2022 Porsche Cayenne", "AKA1"),
    ]
    assert [(h.name, h.role) for h in golf.holders] == [
        ("Anna Müller", "co_owner"),
        ("Thomas Müller", "owner"),
    ]
    assert [h.name for h in yaris.holders] == ["Lukas Müller"]
    assert (x5.odometer_km, x5.warranty_end, x5.next_service_due) == (
        45000,
        dt.date(2027, 5, 1),
        dt.date(2027, 1, 15),
    )
    # The open visit is not a service yet; the last closed one is (at any rooftop).
    assert x5.last_service_at == NOW - dt.timedelta(days=100)
    assert cayenne.last_service_at == NOW - dt.timedelta(days=30)
    assert yaris.last_service_at is None
    assert [v.label for v in p.own_vehicles] == ["2020 BMW X5", "2017 Volkswagen Golf"]


def test_profile_visits_declined_preferences_survey_contact(store: Store) -> None:
    with store.sessions.begin() as s:
        f = _family(World(s))
        ids = {k: v.id for k, v in f.items()}
    p = _load(store, ids["anna"])
    cv = p.current_visit
    assert cv is not None
    assert (cv.ro_number, cv.status, cv.wait_mode, cv.advisor_name) == (
        "RO-1003",
        "waiting",
        "waiting",
        "Jonas Berg",
    )
    assert (cv.arrived_at, cv.promised_at) == (
        NOW - dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
    )
    assert p.visit_count == 4
    assert [v.ro_number for v in p.last_visits] == ["RO-2001", "RO-1002", "RO-1001"]
    assert [(d.description, d.due_date) for d in p.declined_work] == [
        ("Brake pads front", dt.date(2026, 12, 1)),
        ("Wiper blades", None),
    ]
    assert p.declined_work[0].is_due(dt.date(2026, 12, 1))
    assert not p.declined_work[0].is_due(TODAY)
    assert p.preference("drink") == "green tea"
    assert p.preference("contact_channel") == "sms"
    assert p.preference("language") is None
    assert [n.value for n in p.notes] == ["Dog in the car", "Prefers the early slot"]
    assert p.last_survey is not None
    assert (p.last_survey.score, p.last_survey.comment) == (6, "Waited too long")
    assert p.last_contact is not None
    assert (p.last_contact.channel, p.last_contact.note) == ("phone", "asked about tyres")


def test_profile_dealer_scope_limits_visits_not_vehicles(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        f = _family(w)
        ids = {k: v.id for k, v in f.items()}
        hamburg, berlin = w.hamburg.id, w.berlin.id
    p = _load(store, ids["anna"], dealer_ids=[hamburg])
    assert p.visit_count == 3
    assert [v.ro_number for v in p.last_visits] == ["RO-1002", "RO-1001"]
    assert p.last_survey is not None and p.last_survey.score == 9
    assert len(p.vehicles) == 4
    b = _load(store, ids["anna"], dealer_ids=[berlin])
    assert b.current_visit is None and b.visit_count == 1


def test_profile_of_a_customer_with_nothing(store: Store) -> None:
    with store.sessions.begin() as s:
        cid = World(s).customer("Solo", "Person").id
    p = _load(store, cid)
    assert (p.vehicles, p.household, p.last_visits, p.notes) == ((), (), (), ())
    assert (p.current_visit, p.last_survey, p.last_contact, p.visit_count) == (None, None, None, 0)


def test_profile_unknown_customer_and_naive_now(store: Store) -> None:
    with store.sessions.begin() as s, pytest.raises(InvalidInput, match="no customer #999"):
        load_profile(s, 999, now=NOW)
    with store.sessions.begin() as s, pytest.raises(InvalidInput, match="time-zone-aware"):
        load_profile(s, 1, now=dt.datetime(2026, 11, 23, 9, 0))


@contextmanager
def _count_statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def test_profile_query_count_does_not_grow_with_vehicles_or_visits(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        small = w.customer("Small", "Household")
        v = w.vehicle(small, "BMW", "118i", 2019)
        w.visit(small, v, "RO-S1", NOW - dt.timedelta(days=5))
        big = w.customer("Big", "Household")
        partner = w.customer("Big", "Partner")
        w.relate(big, partner)
        rc = w.campaign("9999", "BMW", "Check")
        for i in range(12):
            car = w.vehicle(big if i % 2 else partner, "BMW", "X3", 2010 + i, options=("5DN",))
            w.recall(car, rc)
            sv = w.visit(big, car, f"RO-B{i}", NOW - dt.timedelta(days=10 * i + 1))
            w.declined(sv, "tyres", TODAY)
        ids = (small.id, big.id)
    counts = []
    for cid in ids:
        with _count_statements(store) as seen, store.sessions.begin() as s:
            load_profile(s, cid, now=NOW)
        counts.append(len([q for q in seen if q.lstrip().upper().startswith("SELECT")]))
    assert counts[0] == counts[1] == 14
