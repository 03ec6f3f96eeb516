"""search() finds the right customer from any identifier or a damaged name, on a real store."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event

from knowledge.db import Store, open_store
from knowledge.lookup import SearchResult, search
from knowledge.lookup.keys import refresh_search_keys
from knowledge.models import Customer, ServiceVisit
from tests.conftest import _truncate_all
from tests.knowledge.lookup.world import NOW, TODAY, World


@pytest.fixture(scope="module")
def store(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One store per backend for this module: every test here only reads it."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("search") / "store.sqlite"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    if backend == "postgresql":
        _truncate_all(opened)
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture(scope="module")
def people(store: Store) -> dict[str, Any]:
    with store.sessions.begin() as s:
        w = World(s)
        out: dict[str, Any] = {"hamburg": w.hamburg.id, "berlin": w.berlin.id}
        anna = w.customer(
            "Anna",
            "Müller",
            phone="0151 2345 6789",
            email="Anna.Mueller@Example.de",
            city="Hamburg",
            salutation="Mrs.",
        )
        thomas = w.customer("Thomas", "Müller", city="Hamburg", salutation="Mr.")
        for c in (anna, thomas):
            w.contact(c, "phone", "040 555 1234")  # the household's landline
        x5 = w.vehicle(anna, "BMW", "X5", 2020, plate="HH-AM 123")
        w.visit(anna, x5, "RO-HAM1-204518", NOW - dt.timedelta(days=20))
        robert = w.customer("Robert", "Smith", phone="+1 (415) 555-0123", city="Kiel")
        kate = w.customer("Katherine", "Jones", city="Lübeck", salutation="Mrs.")
        peter = w.customer("Peter", "Jones", city="Lübeck", salutation="Mr.")
        wojciech = w.customer("Wojciech", "Wiśniewski", city="Hamburg")
        sean = w.customer("Sean", "O'Brien", city="Kiel")
        arnold = w.customer("Arnold", "Schwarzenegger", city="Kiel")
        ayse = w.customer("Ayşe", "Yılmaz", city="Hamburg", preferred_name="Ayşe")
        company = w.customer(None, None, company="Weber Bau GmbH", city="Kiel")
        m1 = w.customer("Michael", "Schneider", city="Hamburg")
        m2 = w.customer("Michael", "Schneider", city="Kiel")
        golf = w.vehicle(m2, "Volkswagen", "Golf", 2018, plate="KI-MS 77")
        w.visit(m2, golf, "RO-BER1-300001", NOW - dt.timedelta(days=3), dealer=w.berlin)
        # Berlin-only customer, for dealer scope.
        berliner = w.customer(
            "Greta", "Lindqvist", phone="0170 9876543", city="Berlin", dealer=w.berlin
        )
        polo = w.vehicle(berliner, "Volkswagen", "Polo", 2021)
        w.visit(berliner, polo, "RO-BER1-300002", NOW - dt.timedelta(days=40), dealer=w.berlin)
        # A car that changed hands: the new owner is found by its VIN, not the old one.
        seller = w.customer("Klaus", "Vogt", city="Kiel")
        buyer = w.customer("Hanna", "Graf", city="Kiel")
        passat = w.vehicle(
            seller, "Volkswagen", "Passat", 2015, plate="KI-HG 5", until=dt.date(2024, 1, 1)
        )
        w.own(buyer, passat, since=dt.date(2024, 1, 2))
        people_ = dict(
            anna=anna,
            thomas=thomas,
            robert=robert,
            kate=kate,
            peter=peter,
            wojciech=wojciech,
            sean=sean,
            arnold=arnold,
            ayse=ayse,
            company=company,
            m1=m1,
            m2=m2,
            berliner=berliner,
            seller=seller,
            buyer=buyer,
        )
        refresh_search_keys(s, [c.id for c in people_.values()])
        out.update({k: v.id for k, v in people_.items()})
        out["x5_vin"] = x5.vin
        out["passat_vin"] = passat.vin
    return out


def _find(store: Store, query: str, **kw: Any) -> SearchResult:
    with store.sessions() as s:
        return search(s, query, today=TODAY, **kw)


def _match(store: Store, query: str, **kw: Any) -> int:
    result = _find(store, query, **kw)
    assert result.status == "match", (query, result)
    assert result.best is not None
    return result.best.customer_id


@pytest.mark.parametrize(
    "query",
    [
        "0151 2345 6789",
        "+49 151 23456789",
        "0049 151 2345 6789",
        "(0151) 234-56789",
        "0151.2345.6789",
        "0151/23456789",
        "151 2345 6789",
        "4915123456789",
    ],
)
def test_phone_in_any_format(store: Store, people: dict[str, Any], query: str) -> None:
    result = _find(store, query)
    assert (result.status, result.query_kind) == ("match", "phone")
    assert result.best is not None and result.best.customer_id == people["anna"]
    assert result.best.score == 100.0 and "phone" in result.best.matched_on[0]


def test_phone_without_its_country_code(store: Store, people: dict[str, Any]) -> None:
    # Stored as a US number; typed the US way, read in a German dealer's default region.
    result = _find(store, "(415) 555-0123")
    assert result.status == "match"
    assert result.best is not None and result.best.customer_id == people["robert"]
    assert result.best.matched_on == ("phone (without country code)",)


def test_shared_landline_offers_the_household(store: Store, people: dict[str, Any]) -> None:
    result = _find(store, "040 5551234")
    assert result.status == "candidates"
    assert {c.customer_id for c in result.candidates} == {people["anna"], people["thomas"]}


def test_dealership_switchboard_is_not_a_customer(store: Store, people: dict[str, Any]) -> None:
    result = _find(store, "040 12345678")
    assert result.status == "none"
    assert (
        result.message == "040 12345678 is the number of Nordauto Hamburg itself, not a customer's"
    )


def test_email_ignores_case(store: Store, people: dict[str, Any]) -> None:
    assert _match(store, "ANNA.MUELLER@example.DE") == people["anna"]
    assert _find(store, "anna.mueller@example.de").query_kind == "email"
    assert _find(store, "nobody@example.de").status == "none"


def test_vin_whole_and_partial(store: Store, people: dict[str, Any]) -> None:
    vin = people["x5_vin"]
    for query in (vin, vin.lower(), vin[-8:], vin[-7:], vin[-6:]):
        result = _find(store, query)
        assert result.status == "match", query
        assert result.best is not None and result.best.customer_id == people["anna"]
    assert _find(store, vin).best.matched_on == ("VIN",)  # type: ignore[union-attr]
    assert _find(store, vin[-6:]).best.matched_on == ("VIN (last 6)",)  # type: ignore[union-attr]


def test_invalid_vin_says_why(store: Store, people: dict[str, Any]) -> None:
    vin = people["x5_vin"]
    wrong = vin[:8] + ("X" if vin[8] != "X" else "1") + vin[9:]
    result = _find(store, wrong)
    assert result.status == "none"
    assert result.message is not None and "is not a valid VIN: check digit is" in result.message


def test_vin_of_a_sold_car_finds_the_new_owner(store: Store, people: dict[str, Any]) -> None:
    assert _match(store, people["passat_vin"]) == people["buyer"]
    assert _match(store, "KI HG 5") == people["buyer"]


@pytest.mark.parametrize("query", ["HH-AM 123", "hh am 123", "HHAM123", "hh-am-123"])
def test_plate_ignores_case_spaces_and_dashes(
    store: Store, people: dict[str, Any], query: str
) -> None:
    result = _find(store, query)
    assert (result.status, result.query_kind) == ("match", "plate")
    assert result.best is not None and result.best.customer_id == people["anna"]


@pytest.mark.parametrize("query", ["RO-HAM1-204518", "ro ham1 204518", "204518"])
def test_repair_order_number(store: Store, people: dict[str, Any], query: str) -> None:
    result = _find(store, query)
    assert (result.status, result.query_kind) == ("match", "ro")
    assert result.best is not None and result.best.customer_id == people["anna"]
    assert result.best.matched_on == ("repair order RO-HAM1-204518",)


@pytest.mark.parametrize(
    ("query", "who", "how"),
    [
        ("Anna Müller", "anna", ("given name", "family name")),
        ("Müller, Anna", "anna", ("family name", "given name")),
        ("ANNA MÜLLER", "anna", ("given name", "family name")),
        ("Anna Mueller", "anna", ("given name", "family name (spelling)")),
        ("Anna Muller", "anna", ("given name", "family name")),
        ("Anna Müler", "anna", ("given name", "family name (typo)")),
        ("Anna Mülller", "anna", ("given name", "family name (typo)")),
        ("Ana Müller", "anna", ("given name (typo)", "family name")),
        ("Anan Müller", "anna", ("given name (typo)", "family name")),
        ("Bob Smith", "robert", ("given name (nickname)", "family name")),
        ("Kate Jones", "kate", ("given name (nickname)", "family name")),
        ("Mrs. Jones", "kate", ("family name",)),
        ("Mr Jones", "peter", ("family name",)),
        ("Wisniewski", "wojciech", ("family name",)),
        ("Wojciech Wisnieswki", "wojciech", ("given name", "family name (typo)")),
        ("Sean O'Brien", "sean", ("given name", "family name")),
        ("OBrien", "sean", ("family name",)),
        ("Ayse Yilmaz", "ayse", ("given name", "family name")),
        ("Weber Bau", "company", ("company", "company")),
    ],
)
def test_names_survive_corruption(
    store: Store, people: dict[str, Any], query: str, who: str, how: tuple[str, ...]
) -> None:
    result = _find(store, query)
    assert result.query_kind == "name"
    assert result.status == "match", result
    assert result.best is not None
    assert result.best.customer_id == people[who]
    assert result.best.matched_on == how


@pytest.mark.parametrize(
    ("query", "who", "how", "score"),
    [
        ("Wiśniewsky", "wojciech", ("family name (typo)",), 84.5),
        ("Schwarzen", "arnold", ("family name (partial)",), 80.0),
    ],
)
def test_a_lone_damaged_word_is_offered_not_assumed(
    store: Store, people: dict[str, Any], query: str, who: str, how: tuple[str, ...], score: float
) -> None:
    result = _find(store, query)
    assert result.status == "candidates"
    assert [(c.customer_id, c.matched_on, c.score) for c in result.candidates] == [
        (people[who], how, score)
    ]


def test_same_name_twice_is_candidates_told_apart(store: Store, people: dict[str, Any]) -> None:
    result = _find(store, "Michael Schneider")
    assert result.status == "candidates"
    assert [c.customer_id for c in result.candidates] == [people["m2"], people["m1"]]
    first, second = result.candidates
    # The one seen most recently comes first; city and cars tell them apart.
    assert (first.city, first.vehicles, first.last_visit) == (
        "Kiel",
        ("2018 Volkswagen Golf (KI-MS 77)",),
        (NOW - dt.timedelta(days=3)).date(),
    )
    assert (second.city, second.vehicles, second.last_visit) == ("Hamburg", (), None)
    assert first.score == second.score == 100.0


def test_lounge_customer_first_among_equals(store: Store, people: dict[str, Any]) -> None:
    with store.sessions.begin() as s:
        m1 = s.get(Customer, people["m1"])
        assert m1 is not None
        w = World.existing(s)
        car = w.vehicle(None, "BMW", "320d", 2019)
        w.own(m1, car)
        w.visit(m1, car, "RO-HAM1-1", NOW, status="waiting", wait_mode="waiting")
    try:
        result = _find(store, "Michael Schneider")
        assert result.candidates[0].customer_id == people["m1"]
        assert result.candidates[0].in_lounge
    finally:
        with store.sessions.begin() as s:
            s.execute(delete(ServiceVisit).where(ServiceVisit.ro_number == "RO-HAM1-1"))


def test_family_name_only_lists_the_family(store: Store, people: dict[str, Any]) -> None:
    result = _find(store, "Müller")
    assert result.status == "candidates"
    assert {c.customer_id for c in result.candidates} == {people["anna"], people["thomas"]}
    assert all(c.matched_on == ("family name",) for c in result.candidates)


def test_no_match_says_so_with_hints(store: Store, people: dict[str, Any]) -> None:
    result = _find(store, "Qwertz Uiop")
    assert result.status == "none" and result.candidates == ()
    assert result.message == "no customer found for 'Qwertz Uiop' (read as name)"
    assert result.suggestions[0] == "a name, e.g. 'Anna Müller' or 'Mrs. Jones'"


def test_no_match_suggests_nearest_names(store: Store, people: dict[str, Any]) -> None:
    # Too far from any name to be offered, close enough to be suggested.
    result = _find(store, "Schwarzkopf")
    assert result.status == "none"
    assert "Schwarzenegger" in result.suggestions


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "nothing to look up in '(empty)'"),
        ("   \t  ", "nothing to look up in '(empty)'"),
        ("%", "nothing to look up in '%'"),
        ("_", "nothing to look up in '_'"),
        ("'", 'nothing to look up in "\'"'),
        ("%_'", 'nothing to look up in "%_\'"'),
        ("🙂🚗", "nothing to look up in '🙂🚗'"),
        ("\x00\x07\x1b", "nothing to look up in '(empty)'"),
        ("x" * 10_000, "the query is 10,000 characters long; a lookup takes at most 200"),
    ],
)
def test_bad_input_gets_a_clear_answer(
    store: Store, people: dict[str, Any], query: str, message: str
) -> None:
    result = _find(store, query)
    assert result.status == "none"
    assert result.message is not None and result.message.startswith(message)


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "Mü%ller",
        "Anna_Müller",
        "Robert'); DROP TABLE customer;--",
        "a" * 200,
        "Müller 🙂",
        "\x1b[31mAnna\x1b[0m Müller",
    ],
)
def test_hostile_text_is_just_text(store: Store, people: dict[str, Any], query: str) -> None:
    result = _find(store, query)
    assert result.status in ("match", "candidates", "none")
    with store.sessions() as s:
        assert s.get(Customer, people["anna"]) is not None


def test_wildcards_do_not_widen_a_name(store: Store, people: dict[str, Any]) -> None:
    assert _match(store, "Anna Mü%ller") == people["anna"]
    assert _find(store, "%ller").status == "none"


def test_dealer_scope(store: Store, people: dict[str, Any]) -> None:
    hamburg, berlin = people["hamburg"], people["berlin"]
    assert _find(store, "Greta Lindqvist", dealer_ids=[hamburg]).status == "none"
    assert _match(store, "Greta Lindqvist", dealer_ids=[berlin]) == people["berliner"]
    assert _find(store, "0170 9876543", dealer_ids=[hamburg]).status == "none"
    assert _match(store, "0170 9876543", dealer_ids=[berlin]) == people["berliner"]
    # Home dealer counts as well as visits.
    assert _match(store, "Anna Müller", dealer_ids=[hamburg]) == people["anna"]
    scoped = _find(store, "Michael Schneider", dealer_ids=[berlin])
    assert [c.customer_id for c in scoped.candidates] == [people["m2"]]


def test_result_to_dict_is_json_ready(store: Store, people: dict[str, Any]) -> None:
    import json

    data = json.loads(json.dumps(_find(store, "Michael Schneider").to_dict()))
    assert data["status"] == "candidates"
    assert data["candidates"][0]["customer_id"] == people["m2"]
    assert set(data["candidates"][0]) >= {
        "customer_id",
        "name",
        "score",
        "matched_on",
        "city",
        "vehicles",
        "last_visit",
    }


@pytest.mark.parametrize(
    "query",
    [
        "Anna Müller",
        "Zzyzx Qwertz Uiopü Asdfgh Jklöä Yxcvbn Mqwert Plokij",
        " ".join(["Müllerschmidtbauerhofmann"] * 7),
        "q" * 199,
        "0151 2345 6789",
        "204518",
    ],
)
def test_work_per_query_is_bounded(store: Store, people: dict[str, Any], query: str) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        _find(store, query)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) <= 16
