"""Importing export files: matching, golden records, idempotence, resume, rejects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.identity import export_links, import_file
from knowledge.identity.importer import rejects_of_run
from knowledge.models import (
    ContactPoint,
    Customer,
    ImportRun,
    Ownership,
    RecallCampaign,
    ServiceVisit,
    SharedValue,
    SourceRecord,
    Vehicle,
    VehicleRecall,
)
from tests.knowledge.identity.conftest import (
    TODAY,
    VIN_A,
    VIN_B,
    crm,
    dms_row,
    person,
    table_counts,
    write_dms,
    write_generic,
    write_jsonl,
)

Files = Callable[[str], Path]


def run(store: Store, source: str, path: Path, **kw: object) -> object:
    return import_file(store, source, path, actor="test", today=TODAY, **kw)  # type: ignore[arg-type]


def clusters(store: Store) -> set[frozenset[str]]:
    """Which imported person records share a customer (ids aside: comparable across stores)."""
    import io

    out = io.StringIO()
    with store.sessions.begin() as session:
        export_links(session, out)
    groups: dict[str, set[str]] = defaultdict(set)
    for line in out.getvalue().splitlines()[1:]:
        source, source_id, customer_id = line.split(",")
        groups[customer_id].add(f"{source}:{source_id}")
    return {frozenset(g) for g in groups.values()}


PEOPLE = [
    person("1", given_name="Anna", family_name="Müller", birth_date="1980-03-14",
           phone="0151 2345 6789", email="anna.mueller@web.de", street="Hauptstraße 5",
           city="Hamburg", postcode="20095"),
    person("2", given_name="Anna", family_name="Mueller", birth_date="19800314",
           phone="+49 151 23456789", street="Hauptstr. 5", city="Hamburg", postcode="20095"),
    person("3", given_name="Anne", family_name="Müller", birth_date="1980-03-14",
           phone="040 1234567", street="Hauptstraße 5", city="Hamburg", postcode="20095"),
    person("4", given_name="Bob", family_name="Smith", birth_date="1975-06-01",
           email="bob@smith.co.uk"),
    person("5", given_name="Robert", family_name="Smith", birth_date="1975-01-06",
           email="bob@smith.co.uk"),
    person("6"),
    person("7", given_name="Hans", family_name="Meier", birth_date="31.02.1980"),
]  # fmt: skip


def test_import_joins_duplicates_and_keeps_twins_apart(store: Store, files: Files) -> None:
    report = run(store, "generic-people", write_generic(files("p.csv"), PEOPLE))
    assert (report.created, report.merged, report.rejected) == (3, 2, 2)  # type: ignore[attr-defined]
    assert clusters(store) == {
        frozenset({"generic-people:1", "generic-people:2"}),
        frozenset({"generic-people:3"}),  # Anne, Anna's twin
        frozenset({"generic-people:4", "generic-people:5"}),  # Bob = Robert, date transposed
    }
    with store.sessions.begin() as session:
        record = session.execute(
            select(SourceRecord).where(SourceRecord.source_id == "2")
        ).scalar_one()
        assert record.match_score == 5.0 + 5.0 + 8.0 + 7.0 + 5.5
        assert record.match_reason == (
            "family=exact(+5) given=exact(+5) birth_date=exact(+8) phone=exact(+7) "
            "address=exact(+5.5) vs generic-people:1"
        )
        anna = session.get(Customer, record.customer_id)
        assert anna is not None
        assert (anna.given_name, anna.family_name, str(anna.birth_date)) == (
            "Anna", "Müller", "1980-03-14",
        )  # fmt: skip
        points = session.execute(
            select(
                ContactPoint.kind, ContactPoint.normalized, ContactPoint.value, ContactPoint.source
            )
            .where(ContactPoint.customer_id == anna.id)
            .order_by(ContactPoint.kind, ContactPoint.id)
        ).all()
        assert [tuple(p) for p in points] == [
            (
                "address",
                "DE|20095|hamburg|hauptstr|5|",
                "Hauptstraße 5, 20095 Hamburg, DE",
                "generic-people",
            ),
            ("email", "anna.mueller@web.de", "anna.mueller@web.de", "generic-people"),
            ("phone", "+4915123456789", "0151 2345 6789", "generic-people"),
        ]


def test_importing_the_same_file_twice_changes_nothing(store: Store, files: Files) -> None:
    path = write_generic(files("p.csv"), PEOPLE)
    run(store, "generic-people", path)
    before = table_counts(store)
    with store.sessions.begin() as session:
        customers_before = session.execute(select(Customer.id, Customer.updated_at)).all()
    second = run(store, "generic-people", path)
    assert (second.created, second.merged, second.updated, second.unchanged) == (0, 0, 0, 5)  # type: ignore[attr-defined]
    assert table_counts(store) == before
    with store.sessions.begin() as session:
        assert session.execute(select(Customer.id, Customer.updated_at)).all() == customers_before


def test_a_corrected_file_updates(store: Store, files: Files) -> None:
    run(store, "generic-people", write_generic(files("p.csv"), PEOPLE))
    corrected = [dict(r) for r in PEOPLE]
    corrected[3]["email"] = "robert.smith@web.de"
    corrected[3]["phone"] = "0170 5555 1234"
    report = run(store, "generic-people", write_generic(files("p2.csv"), corrected))
    assert (report.updated, report.unchanged) == (1, 4)  # type: ignore[attr-defined]
    with store.sessions.begin() as session:
        cid = session.execute(
            select(SourceRecord.customer_id).where(SourceRecord.source_id == "4")
        ).scalar_one()
        values = set(
            session.execute(
                select(ContactPoint.normalized).where(ContactPoint.customer_id == cid)
            ).scalars()
        )
    # Record 5 still gives the old e-mail; record 4 now gives new ones.
    assert values == {"bob@smith.co.uk", "robert.smith@web.de", "+4917055551234"}


def test_a_crash_leaves_committed_batches_and_a_rerun_finishes(
    store: Store, files: Files, tmp_path: Path
) -> None:
    path = write_generic(files("p.csv"), PEOPLE)

    def crash(batch: int) -> None:
        if batch == 2:
            raise KeyboardInterrupt  # the process dies after the second commit

    with pytest.raises(KeyboardInterrupt):
        run(store, "generic-people", path, batch_size=2, after_batch=crash)
    with store.sessions.begin() as session:
        failed = session.execute(select(ImportRun)).scalar_one()
        assert (failed.status, failed.rows_done) == ("failed", 4)
        assert session.execute(select(SourceRecord.source_id)).scalars().all() != []
    resumed = run(store, "generic-people", path, batch_size=2)
    assert resumed.resumed_from == 4  # type: ignore[attr-defined]
    with store.sessions.begin() as session:
        assert session.execute(select(ImportRun.status)).scalars().all() == ["done"]
        assert len(rejects_of_run(session, failed.id)) == 2

    from knowledge import db as store_db

    clean_url = f"sqlite:///{tmp_path / 'clean.sqlite'}"
    engine = store_db.make_engine(clean_url)
    store_db.upgrade(engine)
    engine.dispose()
    clean = store_db.open_store(clean_url)
    try:
        run(clean, "generic-people", path, batch_size=2)
        assert clusters(store) == clusters(clean)
    finally:
        clean.dispose()


def test_rejects_report_lines_and_reasons(store: Store, files: Files) -> None:
    path = files("bad.csv")
    path.write_text(
        "source_id,given_name,family_name,birth_date,phone,email,street,address_line2,city,"
        "postcode,region,country\n"
        "1,Anna,Müller,1980-03-14,,,,,,,,\n"
        "2,Bernd,Schulz\n"
        "\n"
        "3,Hans,Meier,31.02.1980,,,,,,,,\n"
        '4,"Eva\nMaria",Krause,,,,,,,,,\n'
        "5,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    report = run(store, "generic-people", path)
    with store.sessions.begin() as session:
        rejects = rejects_of_run(session, report.run_id)  # type: ignore[attr-defined]
    assert [(line, reason) for line, reason, _ in rejects] == [
        (3, "row has 3 fields, the header has 12"),
        (5, "birth_date '31.02.1980' is not a date (YYYY-MM-DD or YYYYMMDD)"),
        (8, "no name, phone or e-mail: nothing identifies this person"),
    ]
    assert rejects[1][2] is not None and '"birth_date": "31.02.1980"' in rejects[1][2]
    assert report.created == 2  # type: ignore[attr-defined]


def test_broken_json_lines_are_rejected_with_their_line(store: Store, files: Files) -> None:
    path = files("crm.jsonl")
    path.write_text(
        '{"contact_id": "C1", "first_name": "Anna", "last_name": "Müller"}\n'
        '{"contact_id": "C2", "first_name": \n'
        '["not", "an", "object"]\n',
        encoding="utf-8",
    )
    report = run(store, "crm-marketing", path)
    with store.sessions.begin() as session:
        rejects = rejects_of_run(session, report.run_id)  # type: ignore[attr-defined]
    assert [(line, reason.split(" (")[0]) for line, reason, _ in rejects] == [
        (2, "not valid JSON"),
        (3, "a line must hold one JSON object"),
    ]


def test_a_file_the_mapping_does_not_fit_changes_nothing(store: Store, files: Files) -> None:
    path = files("wrong.csv")
    path.write_text("id;name\n1;Anna\n", encoding="utf-8")
    before = table_counts(store)
    with pytest.raises(InvalidInput, match="does not look like 'generic-people' data"):
        run(store, "generic-people", path)
    path.write_text("source_id,given_name\n1,Anna\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="lacks the column\\(s\\) address_line2, birth_date"):
        run(store, "generic-people", path)
    with pytest.raises(InvalidInput, match="unknown source 'nope'"):
        run(store, "nope", path)
    with pytest.raises(InvalidInput, match="does not exist"):
        run(store, "generic-people", files("missing.csv"))
    assert table_counts(store) == before
    with store.sessions.begin() as session:
        assert session.execute(select(ImportRun)).first() is None


def test_golden_fields_from_the_most_trusted_source(dealers: Store, files: Files) -> None:
    store = dealers
    run(store, "crm-marketing", write_jsonl(files("crm.jsonl"), [
        crm("C1", "Kathi", "Schmidt", birthday="1984-02-11", salutation="Frau",
            email={"private": "kathi.schmidt@gmx.de", "work": None}),
    ]))  # fmt: skip
    run(store, "dms-service", write_dms(files("dms.csv"), [
        dms_row("K1", "SCHMIDT, Katharina", "R1", BIRTH_DATE="11.02.1984",
                EMAIL="kathi.schmidt@gmx.de", MOBILE="0171 2223334"),
    ]))  # fmt: skip
    assert clusters(store) == {frozenset({"crm-marketing:C1", "dms-service:K1"})}
    with store.sessions.begin() as session:
        customer = session.execute(select(Customer)).scalar_one()
        # The DMS (trust rank 20) outranks the CRM (30) on names; the salutation only
        # the CRM knows survives too.
        assert (customer.given_name, customer.family_name, customer.salutation) == (
            "Katharina", "Schmidt", "Frau",
        )  # fmt: skip
        sources = dict(
            session.execute(
                select(ContactPoint.normalized, ContactPoint.source).where(
                    ContactPoint.customer_id == customer.id
                )
            ).all()
        )
    assert sources["kathi.schmidt@gmx.de"] == "dms-service"
    assert sources["+491712223334"] == "dms-service"


def test_dms_import_brings_vehicles_owners_and_repair_orders(dealers: Store, files: Files) -> None:
    store = dealers
    bad_vin = VIN_A[:8] + "7" + VIN_A[9:]
    path = write_dms(files("dms.csv"), [
        dms_row("K1", "MÜLLER, Anna", "R1", MOBILE="0151 2345 6789"),
        dms_row("K1", "MÜLLER, Anna", "R2", MOBILE="0151 2345 6789", RO_OPENED="01.03.2025 08:00",
                RO_CLOSED="01.03.2025 12:00", MILEAGE="31.000"),
        dms_row("K2", "SCHULZ, Bernd", "R3", VIN=VIN_B, MAKE="Porsche", MODEL="Macan"),
        dms_row("K3", "MEIER, Hans", "R4", VIN=bad_vin),
    ])  # fmt: skip
    report = run(store, "dms-service", path)
    assert report.rejected == 1  # type: ignore[attr-defined]
    with store.sessions.begin() as session:
        rejects = rejects_of_run(session, report.run_id)  # type: ignore[attr-defined]
        assert rejects[0][:2] == (
            5, f"invalid VIN '{bad_vin}': check digit is '7' but the other characters give '9'",
        )  # fmt: skip
        anna = session.execute(select(Customer).where(Customer.given_name == "Anna")).scalar_one()
        vehicle = session.execute(select(Vehicle).where(Vehicle.vin == VIN_A)).scalar_one()
        assert (vehicle.make, vehicle.model, vehicle.model_year) == ("BMW", "320d", 2019)
        owners = session.execute(select(Ownership.customer_id, Ownership.vehicle_id)).all()
        assert (anna.id, vehicle.id) in [tuple(o) for o in owners]
        visits = session.execute(
            select(
                ServiceVisit.ro_number, ServiceVisit.customer_id, ServiceVisit.odometer_km
            ).order_by(ServiceVisit.ro_number)
        ).all()
        assert [tuple(v) for v in visits][:2] == [("R1", anna.id, None), ("R2", anna.id, 31000)]
        kinds = session.execute(
            select(SourceRecord.entity_type, SourceRecord.source_id).order_by(
                SourceRecord.entity_type, SourceRecord.source_id
            )
        ).all()
    assert [tuple(k) for k in kinds] == [
        ("customer", "K1"), ("customer", "K2"),
        ("vehicle", VIN_A), ("vehicle", VIN_B),
        ("visit", "HAM1/R1"), ("visit", "HAM1/R2"), ("visit", "HAM1/R3"),
    ]  # fmt: skip
    before = table_counts(store)
    again = run(store, "dms-service", path)
    assert (again.created, again.updated) == (0, 0)  # type: ignore[attr-defined]
    assert table_counts(store) == before


def test_recall_file_attaches_campaigns_to_vehicles(dealers: Store, files: Files) -> None:
    store = dealers
    run(store, "dms-service", write_dms(files("dms.csv"), [dms_row("K1", "MÜLLER, Anna", "R1")]))
    path = files("recalls.csv")
    path.write_text(
        "CAMPAIGN,TITLE,REMEDY,REMEDY_MINUTES,PUBLISHED,STATUS,VIN,MAKE,MODEL,MODEL_YEAR\n"
        f"0032,Coolant pump,Replace pump,60,2024-01-10,open,{VIN_A},BMW,320d,2019\n"
        f"0032,Coolant pump,Replace pump,60,2024-01-10,done,{VIN_B},Porsche,Macan,2022\n",
        encoding="utf-8",
    )
    run(store, "recall-campaigns", path)
    with store.sessions.begin() as session:
        campaign = session.execute(select(RecallCampaign)).scalar_one()
        assert (campaign.code, campaign.title, campaign.remedy_minutes) == (
            "0032",
            "Coolant pump",
            60,
        )
        recalls = session.execute(
            select(Vehicle.vin, VehicleRecall.status)
            .join(Vehicle, Vehicle.id == VehicleRecall.vehicle_id)
            .order_by(Vehicle.vin)
        ).all()
    assert [tuple(r) for r in recalls] == [(VIN_A, "open"), (VIN_B, "done_here")]


def test_the_dealers_own_number_never_joins_two_people(dealers: Store, files: Files) -> None:
    store = dealers
    # Both left the dealership's switchboard number (+49 40 21987000) as their phone.
    rows = [
        person("1", given_name="Klaus", family_name="Bauer", phone="040 21987000"),
        person("2", given_name="Klaus", family_name="Bauer", phone="+49 40 21987000"),
    ]
    run(store, "generic-people", write_generic(files("p.csv"), rows))
    assert len(clusters(store)) == 2


def test_a_value_many_people_give_is_detected_and_never_merges(store: Store, files: Files) -> None:
    pool = "fuhrpark@nordwind-logistik.de"
    rows = [
        person(str(i), given_name=g, family_name="Krause", email=pool)
        for i, g in enumerate(["Anna", "Bernd", "Clara", "Dieter", "Eva"], start=1)
    ]
    # Two records of "Anna Krause" with nothing but the pool address in common.
    rows.append(person("6", given_name="Anna", family_name="Krause", email=pool))
    report = run(store, "generic-people", write_generic(files("p.csv"), rows))
    assert report.shared_values == 1  # type: ignore[attr-defined]
    with store.sessions.begin() as session:
        shared = session.execute(select(SharedValue.kind, SharedValue.value)).all()
    assert [tuple(s) for s in shared] == [("email", pool)]
    assert len(clusters(store)) == 6


def test_the_same_address_shared_by_two_only_still_counts(store: Store, files: Files) -> None:
    rows = [
        person("1", given_name="Anna", family_name="Krause", email="krause.family@web.de"),
        person("2", given_name="Anna", family_name="Krause", email="krause.family@web.de"),
    ]
    run(store, "generic-people", write_generic(files("p.csv"), rows))
    assert len(clusters(store)) == 1


def test_a_walk_in_without_a_postcode_is_found_at_the_same_house_in_the_same_town(
    store: Store, files: Files
) -> None:
    home = dict(given_name="Lukas", family_name="Braun", street="Holstenstraße 90c")
    rows = [
        person("crm", postcode="21640", city="Horneburg", email="lukas_braun@posteo.de", **home),
        # The walk-in form has the town, not the postcode, and shares nothing else.
        person("walk-in", city="Horneburg", phone="+4915238288506", **home),
        # The same house number in a street of the same name in another town: someone else.
        person("other-town", city="Stade", phone="+4915100000009", **home),
    ]
    run(store, "generic-people", write_generic(files("p.csv"), rows))
    assert clusters(store) == {
        frozenset({"generic-people:crm", "generic-people:walk-in"}),
        frozenset({"generic-people:other-town"}),
    }


def test_progress_reports_rows(store: Store, files: Files) -> None:
    seen: list[tuple[int, int]] = []
    run(store, "generic-people", write_generic(files("p.csv"), PEOPLE), batch_size=3,
        progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen == [(0, 7), (3, 7), (6, 7), (7, 7)]


def test_a_large_file_is_parsed_in_a_second_process_with_the_same_result(
    store: Store, files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge import db as store_db
    from knowledge.identity import importer

    path = write_generic(files("p.csv"), PEOPLE)
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 1)
    report = run(store, "generic-people", path, batch_size=2)
    assert (report.created, report.merged, report.rejected) == (3, 2, 2)  # type: ignore[attr-defined]
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 10**12)
    inline_url = f"sqlite:///{tmp_path / 'inline.sqlite'}"
    engine = store_db.make_engine(inline_url)
    store_db.upgrade(engine)
    engine.dispose()
    inline = store_db.open_store(inline_url)
    try:
        run(inline, "generic-people", path, batch_size=2)
        assert clusters(store) == clusters(inline)
    finally:
        inline.dispose()
