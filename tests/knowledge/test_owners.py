"""Owners of the vehicles that need attention: filters, do-not-contact, pages, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from knowledge.access import Viewer, operator
from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.models import AuditEntry
from knowledge.owners import (
    CSV_COLUMNS,
    OwnersQuery,
    export_owners_csv,
    make_forms,
    owners_page,
    parse_years,
)
from tests.knowledge.lookup.world import TODAY, World

OPS = operator("cli:ops")


@pytest.fixture()
def fleet(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as s:
        w = World(s)
        c61 = w.campaign("0061", "BMW", "Airbag inflator")
        ids: dict[str, Any] = {}

        def person(name: str, **kw: Any) -> Any:
            given, family = name.split()
            c = w.customer(
                given,
                family,
                phone=kw.pop("phone", None),
                email=kw.pop("email", None),
                city=kw.pop("city", "Hamburg"),
                **kw,
            )
            ids[name] = c.id
            return c

        anna = person("Anna Adler", phone="0151 1111111", email="anna@example.de")
        w.prefer(anna, "contact_channel", "email", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        bernd = person("Bernd Beck", phone="0151 2222222")
        carla = person("Carla Cordes", do_not_contact=True)
        dora = person("Dora Dahl", phone="0151 4444444")
        emil = person("Emil Eck")
        # Open 0061 on 2019–2021 X5s; co-owned, sold, done, DNC and wrong-year variants.
        x5a = w.vehicle(anna, "BMW", "X5 xDrive40i", 2020, options=("5DN",))
        w.own(bernd, x5a, role="co_owner")
        x5b = w.vehicle(bernd, "BMW", "X5 xDrive40i", 2019)
        x5c = w.vehicle(carla, "BMW", "X5 xDrive40i", 2021)  # do not contact
        x5d = w.vehicle(dora, "BMW", "X5 xDrive40i", 2021, until=dt.date(2025, 1, 1))
        w.own(emil, x5d, since=dt.date(2025, 1, 2))  # sold to Emil
        x5e = w.vehicle(dora, "BMW", "X5 xDrive40i", 2018)  # outside the years
        x3 = w.vehicle(dora, "BMW", "X3 xDrive20d", 2020, options=("5DN",))
        x5f = w.vehicle(emil, "BMW", "X5 xDrive40i", 2020)  # recall already done
        x50 = w.vehicle(emil, "BMW", "X50 Concept", 2020)  # not an X5
        for v in (x5a, x5b, x5c, x5d, x5e, x3, x50):
            w.recall(v, c61)
        w.recall(x5f, c61, status="done_here")
        ids["berlin"] = w.berlin.id
        w.visit(dora, x3, "RO-BER1-1", dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dealer=w.berlin)
    return ids


def _page(store: Store, query: OwnersQuery, **kw: Any) -> Any:
    with store.sessions.begin() as s:
        return owners_page(s, query, viewer=kw.pop("viewer", OPS), today=TODAY, **kw)


def _who(page: Any) -> list[tuple[str, str, int | None]]:
    return [(r.name, r.model, r.model_year) for r in page.rows]


def test_owners_of_an_open_campaign(store: Store, fleet: dict[str, Any]) -> None:
    page = _page(store, OwnersQuery(recall="0061"))
    # In vehicle order (the campaign index's own order): each car with its holders.
    assert _who(page) == [
        ("Anna Adler", "X5 xDrive40i", 2020),
        ("Bernd Beck", "X5 xDrive40i", 2020),
        ("Bernd Beck", "X5 xDrive40i", 2019),
        ("Emil Eck", "X5 xDrive40i", 2021),
        ("Dora Dahl", "X5 xDrive40i", 2018),
        ("Dora Dahl", "X3 xDrive20d", 2020),
        ("Emil Eck", "X50 Concept", 2020),
    ]
    assert (page.total, page.excluded_do_not_contact, page.campaign_title) == (
        7,
        1,
        "Airbag inflator",
    )
    anna = page.rows[0]
    assert (anna.preferred_channel, anna.contact, anna.role, anna.campaign) == (
        "email",
        "anna@example.de",
        "owner",
        "0061",
    )
    bernd = page.rows[1]
    assert (bernd.preferred_channel, bernd.contact, bernd.role) == (
        "phone",
        "+491512222222",
        "co_owner",
    )


def test_owners_filtered_by_model_years_and_option(store: Store, fleet: dict[str, Any]) -> None:
    q = OwnersQuery(recall="0061", make="bmw", model="x5", years=(2019, 2021))
    assert _who(_page(store, q)) == [
        ("Anna Adler", "X5 xDrive40i", 2020),
        ("Bernd Beck", "X5 xDrive40i", 2020),
        ("Bernd Beck", "X5 xDrive40i", 2019),
        ("Emil Eck", "X5 xDrive40i", 2021),
    ]
    with_option = _page(store, OwnersQuery(make="BMW", option="5dn"))
    assert _who(with_option) == [
        ("Anna Adler", "X5 xDrive40i", 2020),
        ("Bernd Beck", "X5 xDrive40i", 2020),
        ("Dora Dahl", "X3 xDrive20d", 2020),
    ]
    assert with_option.rows[0].campaign is None


def test_owners_scoped_to_a_rooftop(store: Store, fleet: dict[str, Any]) -> None:
    page = _page(store, OwnersQuery(recall="0061", dealer_ids=(fleet["berlin"],)))
    assert {r.name for r in page.rows} == {"Dora Dahl"}


def test_owners_pages(store: Store, fleet: dict[str, Any]) -> None:
    q = OwnersQuery(recall="0061")
    first = _page(store, q, page=1, page_size=3)
    last = _page(store, q, page=3, page_size=3)
    assert (first.pages, first.has_next, len(first.rows)) == (3, True, 3)
    assert (last.has_next, _who(last)) == (False, [("Emil Eck", "X50 Concept", 2020)])
    beyond = _page(store, q, page=9, page_size=3)
    assert beyond.rows == () and beyond.notes == ("page 9 is past the last page (3)",)


def test_owners_masked_for_a_trainer(store: Store, fleet: dict[str, Any]) -> None:
    trainer = Viewer(actor="slack:T1/UTR", role="trainer")
    page = _page(store, OwnersQuery(recall="0061"), viewer=trainer)
    assert (page.rows[0].contact, page.rows[1].contact) == ("a•••@example.de", "+49 ••• •••• •22")


def test_csv_has_every_row_and_matches_the_count(
    store: Store, fleet: dict[str, Any], tmp_path: Path
) -> None:
    q = OwnersQuery(recall="0061", model="X5", years=(2019, 2021))
    target = tmp_path / "owners.csv"
    with store.sessions.begin() as s:
        written = export_owners_csv(s, q, target, viewer=OPS, today=TODAY)
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(CSV_COLUMNS)
    assert written == len(rows) - 1 == _page(store, q).total == 4
    assert [r[1] for r in rows[1:]] == ["Anna Adler", "Bernd Beck", "Bernd Beck", "Emil Eck"]
    with store.sessions() as s:
        actions = [
            (a.action, a.how, (a.detail or {}).get("rows"))
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert actions[0] == ("export", "owners", 4)


def test_csv_export_streams_in_page_order(
    store: Store, fleet: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.owners as owners

    monkeypatch.setattr(owners, "EXPORT_CHUNK", 2)
    out = io.StringIO()
    with store.sessions.begin() as s:
        assert export_owners_csv(s, OwnersQuery(recall="0061"), out, viewer=OPS, today=TODAY) == 7
    names = [line.split(",")[1] for line in out.getvalue().splitlines()[1:]]
    assert names == [
        "Anna Adler",
        "Bernd Beck",
        "Bernd Beck",
        "Emil Eck",
        "Dora Dahl",
        "Dora Dahl",
        "Emil Eck",
    ]
    page = _page(store, OwnersQuery(recall="0061"))
    assert names == [r.name for r in page.rows]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (OwnersQuery(), "say which vehicles"),
        (OwnersQuery(recall="9999"), "no recall campaign '9999' — known campaigns: 0061"),
        (OwnersQuery(make="  "), "the make is empty"),
        (OwnersQuery(model="x" * 100), "is too long"),
    ],
)
def test_bad_owner_queries_are_refused(
    store: Store, fleet: dict[str, Any], query: OwnersQuery, message: str, tmp_path: Path
) -> None:
    with store.sessions.begin() as s, pytest.raises(InvalidInput, match=message):
        owners_page(s, query, viewer=OPS, today=TODAY)
    target = tmp_path / "x.csv"
    with store.sessions.begin() as s, pytest.raises(InvalidInput, match=message):
        export_owners_csv(s, query, target, viewer=OPS, today=TODAY)
    assert not target.exists()


def test_wildcards_in_a_model_are_literal(store: Store, fleet: dict[str, Any]) -> None:
    assert _page(store, OwnersQuery(model="X%")).total == 0
    assert _page(store, OwnersQuery(model="X_")).total == 0


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2019-2021", (2019, 2021)),
        ("2019–2021", (2019, 2021)),
        ("2020", (2020, 2020)),
        (" 2019 .. 2021 ", (2019, 2021)),
    ],
)
def test_parse_years(text: str, years: tuple[int, int]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-2019", "run backwards"),
        ("19-21", "not understood"),
        ("1800", "out of range"),
        ("", "not understood"),
    ],
)
def test_parse_years_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_years(text)


def test_make_forms() -> None:
    assert "BMW" in make_forms("bmw")
    assert "Volkswagen" in make_forms("VW")
    assert "Mercedes-Benz" in make_forms("mercedes-benz")
