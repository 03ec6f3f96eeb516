"""Survey scores: a survey tool's CSV import and the score staff record for a visit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.db import Store
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import (
    Customer,
    Dealer,
    DealerGroup,
    ServiceVisit,
    StaffMember,
    Survey,
    SurveyImportRun,
    Vehicle,
)
from knowledge.surveys import ImportResult, import_surveys, record_survey, write_rejects

TODAY = dt.date(2026, 11, 23)
BERLIN_NOON = dt.timezone(dt.timedelta(hours=1))


@dataclass
class World:
    visits: dict[str, int]
    staff: dict[str, int]
    groups: dict[str, int]


def _world(store: Store) -> World:
    with store.sessions.begin() as session:
        groups = {"Nordlicht": DealerGroup(name="Nordlicht"), "Süd": DealerGroup(name="Süd")}
        session.add_all(groups.values())
        session.flush()
        dealers = {}
        for code, group in (("HAM1", "Nordlicht"), ("KI1", "Nordlicht"), ("MUC1", "Süd")):
            dealers[code] = Dealer(
                group_id=groups[group].id, code=code, name=code, timezone="Europe/Berlin"
            )
        session.add_all(dealers.values())
        session.flush()
        staff = {
            "jonas": StaffMember(
                dealer_id=dealers["HAM1"].id,
                slack_team_id="T1",
                slack_user_id="U100",
                display_name="Jonas Berg",
                role="advisor",
            ),
            "max": StaffMember(
                dealer_id=dealers["MUC1"].id,
                slack_team_id="T1",
                slack_user_id="U500",
                display_name="Max Huber",
                role="advisor",
            ),
        }
        customer = Customer(given_name="Dana", family_name="Okafor")
        vehicle = Vehicle(vin="WBA3A5C50DF000001", make="BMW", model="320d")
        session.add_all([*staff.values(), customer, vehicle])
        session.flush()
        visits = {}
        for key, code, ro, day in (
            ("a", "HAM1", "RO-1001", 10),
            ("b", "HAM1", "RO-1002", 12),
            ("c", "KI1", "RO-2001", 12),
            ("same_ham", "HAM1", "RO-7777", 5),
            ("same_ki", "KI1", "RO-7777", 6),
            ("sud", "MUC1", "RO-3001", 12),
        ):
            visit = ServiceVisit(
                ro_number=ro,
                dealer_id=dealers[code].id,
                customer_id=customer.id,
                vehicle_id=vehicle.id,
                opened_at=dt.datetime(2026, 11, day, 11, tzinfo=BERLIN_NOON),
                status="closed",
            )
            session.add(visit)
            session.flush()
            visits[key] = visit.id
        return World(
            visits,
            {k: v.id for k, v in staff.items()},
            {k: v.id for k, v in groups.items()},
        )


@pytest.fixture()
def world(store: Store) -> World:
    return _world(store)


def surveys(store: Store) -> dict[int, tuple[int, str | None, dt.date, str]]:
    with store.sessions() as session:
        return {
            s.visit_id: (s.score, s.comment, s.surveyed_on, s.source)
            for s in session.scalars(select(Survey))
        }


def run_import(store: Store, path: Path, **options: object) -> ImportResult:
    with store.sessions.begin() as session:
        return import_surveys(session, path, today=TODAY, actor="cli:test", **options)  # type: ignore[arg-type]


def csv_file(tmp_path: Path, text: str, name: str = "surveys.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


GOOD = """ro_number,score,comment,date
RO-1001,9,"Coffee was brought, lovely",2026-11-11
ro-1002,7,,2026-11-13
RO-2001,10,Schnell und freundlich,2026-11-14
"""


def test_import_links_each_score_to_its_visit(store: Store, world: World, tmp_path: Path) -> None:
    result = run_import(store, csv_file(tmp_path, GOOD))
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert result.rejects == () and result.written
    assert result.message == "surveys.csv: 3 rows: 3 new, 0 updated, 0 unchanged, 0 rejected"
    assert surveys(store) == {
        world.visits["a"]: (9, "Coffee was brought, lovely", dt.date(2026, 11, 11), "survey"),
        world.visits["b"]: (7, None, dt.date(2026, 11, 13), "survey"),
        world.visits["c"]: (10, "Schnell und freundlich", dt.date(2026, 11, 14), "survey"),
    }
    with store.sessions() as session:
        run = session.scalars(select(SurveyImportRun)).one()
    assert (run.file_name, run.rows, run.inserted, run.rejected, run.written) == (
        "surveys.csv",
        3,
        3,
        0,
        True,
    )
    assert run.file_sha256 == result.sha256 and run.actor == "cli:test"


def test_importing_the_same_file_again_changes_nothing(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, GOOD)
    run_import(store, path)
    before = surveys(store)
    again = run_import(store, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert again.imported_before is not None
    assert "(this file was imported before, on " in again.message
    assert surveys(store) == before


def test_a_corrected_file_updates_the_score(store: Store, world: World, tmp_path: Path) -> None:
    run_import(store, csv_file(tmp_path, GOOD))
    fixed = GOOD.replace("ro-1002,7,,", "ro-1002,8,called back,")
    result = run_import(store, csv_file(tmp_path, fixed, "fixed.csv"))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert surveys(store)[world.visits["b"]] == (8, "called back", dt.date(2026, 11, 13), "survey")


BAD = """ro_number,score,comment,date
RO-1001,9,fine,2026-11-11
RO-9999,8,,2026-11-11
RO-1002,eleven,,2026-11-13
RO-1002,11,,2026-11-13
RO-1002,8.5,,2026-11-13
RO-2001,7,,31.02.2026
RO-2001,7,,11/20/2026
,7,,2026-11-13
RO-2001,7,,2026-12-01
RO-2001,7,"a comment
over two lines",2026-11-01
RO-7777,6,,2026-11-10
RO-1001,3,changed my mind,2026-11-12
RO-2001,10,,2026-11-14
RO-1001,9,fine,2026-11-11
"""


def test_rejects_say_line_and_reason_and_the_rest_is_imported(
    store: Store, world: World, tmp_path: Path
) -> None:
    result = run_import(store, csv_file(tmp_path, BAD))
    assert [str(r) for r in result.rejects] == [
        "line 3 RO-9999: unknown repair order",
        "line 4 RO-1002: score 'eleven' is not a number from 0 to 10",
        "line 5 RO-1002: score '11' is outside 0–10",
        "line 6 RO-1002: score '8.5' is not a whole number (0 to 10)",
        "line 7 RO-2001: bad date '31.02.2026': use YYYY-MM-DD (or DD.MM.YYYY)",
        "line 8 RO-2001: bad date '11/20/2026': use YYYY-MM-DD (or DD.MM.YYYY)",
        "line 9: no repair-order number",
        "line 10 RO-2001: the date 2026-12-01 is in the future",
        "line 11 RO-2001: the date 2026-11-01 is before the visit was opened (2026-11-12)",
        "line 13 RO-7777: this repair order exists at several rooftops (HAM1, KI1): add a "
        "dealer column or give the dealer",
        "line 14 RO-1001: a different answer for this visit is already on line 2",
    ]
    # 14 records (one spans lines 11–12); line 16 repeats line 2: one answer, unchanged.
    assert (result.rows, result.inserted, result.unchanged) == (14, 2, 1)
    assert surveys(store) == {
        world.visits["a"]: (9, "fine", dt.date(2026, 11, 11), "survey"),
        world.visits["c"]: (10, None, dt.date(2026, 11, 14), "survey"),
    }
    out = tmp_path / "rejects.csv"
    write_rejects(out, result.rejects)
    lines = out.read_text().splitlines()
    assert lines[0] == "line,ro_number,reason" and lines[1] == "3,RO-9999,unknown repair order"
    assert len(lines) == 12


def test_strict_writes_nothing_when_a_row_is_rejected(
    store: Store, world: World, tmp_path: Path
) -> None:
    result = run_import(store, csv_file(tmp_path, BAD), strict=True)
    assert not result.written and len(result.rejects) == 11
    assert result.message.endswith("nothing was written (--strict and rows were rejected)")
    assert surveys(store) == {}
    with store.sessions() as session:
        run = session.scalars(select(SurveyImportRun)).one()
    assert not run.written and run.rejected == 11 and run.inserted == 0
    assert run.rejects is not None and run.rejects[0] == {
        "line": 3,
        "ro_number": "RO-9999",
        "reason": "unknown repair order",
    }


def test_a_dry_run_writes_nothing(store: Store, world: World, tmp_path: Path) -> None:
    result = run_import(store, csv_file(tmp_path, GOOD), dry_run=True)
    assert result.inserted == 3 and not result.written and result.run_id is None
    assert result.message.endswith("nothing was written (a dry run)")
    assert surveys(store) == {}
    with store.sessions() as session:
        assert session.scalars(select(SurveyImportRun)).all() == []


def test_an_error_later_in_the_transaction_leaves_nothing(
    store: Store, world: World, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError), store.sessions.begin() as session:
        import_surveys(session, csv_file(tmp_path, GOOD), today=TODAY, actor="t")
        raise RuntimeError("the connection dropped")
    assert surveys(store) == {}


def test_the_dealer_resolves_a_repair_order_two_rooftops_share(
    store: Store, world: World, tmp_path: Path
) -> None:
    text = "ro_number,score,date\nRO-7777,6,2026-11-10\n"
    result = run_import(store, csv_file(tmp_path, text), dealer_code="ki1")
    assert result.inserted == 1 and surveys(store)[world.visits["same_ki"]][0] == 6
    column = "ro;score;dealer;date\nRO-7777;4;HAM1;2026-11-10\nRO-1001;5;XX9;2026-11-11\n"
    result = run_import(store, csv_file(tmp_path, column, "b.csv"))
    assert surveys(store)[world.visits["same_ham"]][0] == 4
    assert [str(r) for r in result.rejects] == ["line 3 RO-1001: unknown dealer 'XX9'"]


def test_a_group_imports_only_its_own_visits(store: Store, world: World, tmp_path: Path) -> None:
    text = "ro_number,score,date\nRO-3001,9,2026-11-13\nRO-1001,8,2026-11-13\n"
    result = run_import(store, csv_file(tmp_path, text), group_id=world.groups["Nordlicht"])
    assert [str(r) for r in result.rejects] == [
        "line 2 RO-3001: a visit of another dealer group: not yours"
    ]
    assert result.inserted == 1


def test_spreadsheet_exports(store: Store, world: World, tmp_path: Path) -> None:
    # Semicolons, German dates and decimal commas, other header names, Windows-1252.
    text = (
        "Repair Order;NPS;Verbatim;Response Date\n"
        "RO-1001;9,0;Kaffee war prima, Grüße;11.11.2026\n"
        "RO-1002;7;;2026-11-13T10:15:00Z\n"
    )
    result = run_import(store, csv_file(tmp_path, text, encoding="cp1252"))
    assert result.inserted == 2 and result.rejects == ()
    assert surveys(store)[world.visits["a"]][:3] == (
        9,
        "Kaffee war prima, Grüße",
        dt.date(2026, 11, 11),
    )
    bom = "\ufeffro_number,score,date\nRO-2001,10,2026-11-14\n"
    assert run_import(store, csv_file(tmp_path, bom, "bom.csv")).inserted == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the CSV is empty: it needs a header and rows"),
        (
            "order_id,points,when\nRO-1001,9,2026-11-11\n",
            "the CSV needs columns for ro_number, score, date (a header such as "
            "ro_number,score,comment,date); its header has: order_id, points, when",
        ),
    ],
)
def test_an_unusable_file_is_one_clear_line(
    store: Store, world: World, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        run_import(store, csv_file(tmp_path, text))
    assert str(err.value) == message
    with pytest.raises(InvalidInput, match="cannot read"):
        run_import(store, tmp_path / "missing.csv")
    assert surveys(store) == {}


def test_record_what_a_customer_said(store: Store, world: World) -> None:
    def record(score: object, comment: str | None = "the coffee was great", **kw: object) -> str:
        with store.sessions.begin() as session:
            options: dict[str, object] = {
                "visit_id": world.visits["a"],
                "on": dt.date(2026, 11, 10),
                "source": "slack",
                "staff_id": world.staff["jonas"],
            }
            options.update(kw)
            return record_survey(session, score=score, comment=comment, **options).message  # type: ignore[arg-type]

    assert record(9) == "saved 9/10 for RO-1001: “the coffee was great”"
    assert record(9) == "9/10 for RO-1001: “the coffee was great” was already recorded"
    assert record(8, None) == "saved 8/10 for RO-1001 (was 9/10)"
    assert surveys(store)[world.visits["a"]] == (8, None, dt.date(2026, 11, 10), "slack")
    for bad, message in [
        ({"score": 11}, "score 11 is outside 0–10"),
        ({"score": True}, "score True is not a number from 0 to 10"),
        ({"score": 7, "visit_id": 999999}, "no visit #999999"),
        ({"score": 7, "on": dt.date(2026, 11, 9)}, "the date 2026-11-09 is before RO-1001"),
        ({"score": 7, "source": " "}, "say where the score comes from"),
    ]:
        with pytest.raises(InvalidInput) as err:
            record(**bad)  # type: ignore[arg-type]
        assert str(err.value).startswith(message)
    with pytest.raises(AccessDenied, match="RO-1001 is a visit of another dealer group"):
        record(7, staff_id=world.staff["max"])
    assert surveys(store)[world.visits["a"]][0] == 8


def test_the_customers_own_answer_wins(store: Store, world: World, tmp_path: Path) -> None:
    with store.sessions.begin() as session:
        record_survey(
            session,
            visit_id=world.visits["a"],
            score=6,
            comment="staff noted: long wait",
            on=dt.date(2026, 11, 10),
            source="slack",
            staff_id=world.staff["jonas"],
        )
    result = run_import(store, csv_file(tmp_path, GOOD))
    assert (result.inserted, result.updated) == (2, 1)
    assert surveys(store)[world.visits["a"]][3] == "survey"
    with (
        pytest.raises(InvalidInput, match="already has the customer's own survey answer"),
        store.sessions.begin() as session,
    ):
        record_survey(
            session,
            visit_id=world.visits["a"],
            score=3,
            comment=None,
            on=dt.date(2026, 11, 12),
            source="slack",
            staff_id=None,
        )
    assert surveys(store)[world.visits["a"]][0] == 9
