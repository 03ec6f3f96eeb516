"""Links export, and the demo exports with their truth."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.identity import export_links, import_file
from knowledge.identity.demo_sources import (
    Profile,
    World,
    _Evidence,
    _needs_confirming,
    iter_truth,
    write_demo_sources,
)
from tests.knowledge.identity.conftest import TODAY, person, write_generic

Files = Callable[[str], Path]


def test_links_export_every_imported_person_record(store: Store, files: Files) -> None:
    rows = [
        person("a1", given_name="Anna", family_name="Müller", phone="0151 2345 6789"),
        person("a2", given_name="Anna", family_name="Müller", phone="0151 2345 6789"),
        person("b1", given_name="Bernd", family_name="Schulz"),
    ]
    import_file(
        store, "generic-people", write_generic(files("p.csv"), rows), actor="t", today=TODAY
    )
    out = io.StringIO()
    with store.sessions.begin() as session:
        assert export_links(session, out) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == "source,source_id,customer_id"
    parsed = [line.split(",") for line in lines[1:]]
    assert [p[:2] for p in parsed] == [["generic-people", "a1"], ["generic-people", "a2"],
                                       ["generic-people", "b1"]]  # fmt: skip
    assert parsed[0][2] == parsed[1][2] != parsed[2][2]
    jsonl = io.StringIO()
    with store.sessions.begin() as session:
        export_links(session, jsonl, fmt="jsonl")
        with pytest.raises(InvalidInput, match="unknown format 'xml'"):
            export_links(session, io.StringIO(), fmt="xml")
    assert json.loads(jsonl.getvalue().splitlines()[0]) == {
        "source": "generic-people", "source_id": "a1", "customer_id": int(parsed[0][2]),
    }  # fmt: skip


def test_demo_exports_are_deterministic_and_truthful(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 23)
    first = write_demo_sources(tmp_path / "a", customers=300, seed=5, today=day)
    second = write_demo_sources(tmp_path / "b", customers=300, seed=5, today=day)
    assert set(first) == {
        "crm-marketing",
        "dms-service",
        "generic-people",
        "recall-campaigns",
        "truth",
    }
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes()
    truth = list(iter_truth(first["truth"]))
    assert {p for _, _, p in truth} == set(range(1, 301))  # everyone is in some source
    crm_ids = {
        json.loads(line)["contact_id"] for line in first["crm-marketing"].open(encoding="utf-8")
    }
    with first["dms-service"].open(encoding="utf-8") as fh:
        dms_ids = {row["OWNER_NO"] for row in csv.DictReader(fh, delimiter=";")}
    assert {i for s, i, _ in truth if s == "crm-marketing"} == crm_ids
    assert {i for s, i, _ in truth if s == "dms-service"} == dms_ids
    # Duplicated people exist, across sources and within one.
    per_person: dict[int, int] = {}
    for _, _, p in truth:
        per_person[p] = per_person.get(p, 0) + 1
    assert max(per_person.values()) >= 3


def test_the_counter_confirms_a_value_only_when_a_record_shares_nothing() -> None:
    """A person's later record that shares no identifier with the earlier ones gets the
    current mobile confirmed (else the e-mail, birth date, address) — as often as the profile
    says, and only a value an earlier record has, so the records become provably one."""
    world = World(1, 3, dt.date(2026, 11, 23), Profile())
    person = world.people[0]
    person.mobile, person.email = "01511234567", "anna@example.org"
    earlier = [_Evidence(mobiles={"01511234567"}, emails={"anna@example.org"})]
    sharing = _Evidence(emails={"anna@example.org"})
    nothing = _Evidence(address=("Am Deich", "9", "22861"))
    always, never = Profile(confirmed=1.0), Profile(confirmed=0.0)
    rng = random.Random(1)
    assert _needs_confirming(rng, always, person, sharing, earlier) is None
    assert _needs_confirming(rng, always, person, nothing, []) is None  # the first record
    assert _needs_confirming(rng, never, person, nothing, earlier) is None
    assert _needs_confirming(rng, always, person, nothing, earlier) == "mobile"
    only_mail = [_Evidence(emails={"anna@example.org"})]
    assert _needs_confirming(rng, always, person, nothing, only_mail) == "email"
    born = [_Evidence(birth=person.birth)]
    assert _needs_confirming(rng, always, person, nothing, born) == "birth"
    assert _needs_confirming(rng, always, person, nothing, [_Evidence()]) is None


def test_a_transposed_birth_date_is_shared_Evidence() -> None:
    a = _Evidence(birth=dt.date(1980, 3, 4))
    assert a.shares(_Evidence(birth=dt.date(1980, 4, 3)))
    assert not a.shares(_Evidence(birth=dt.date(1980, 3, 5)))
    assert not a.shares(_Evidence())
