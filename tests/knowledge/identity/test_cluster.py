"""Cluster decisions: conflicts anywhere in a cluster block a merge; size is capped."""

from __future__ import annotations

from typing import Any

from knowledge.identity.cluster import Candidate, MatchConfig, decide
from knowledge.identity.records import MatchView, PersonRecord


def view(source_id: str, **fields: Any) -> MatchView:
    for key in ("phones", "emails"):
        if key in fields:
            fields[key] = tuple(fields[key])
    return PersonRecord(source="t", source_id=source_id, **fields).view()


CONFIG = MatchConfig()


def test_a_strong_match_joins_its_customer() -> None:
    a = view("a", given_name="Anna", family_name="Müller", birth_date="1980-03-14")
    new = view("n", given_name="Anna", family_name="Mueller", birth_date="1980-03-14")
    decision = decide(new, [Candidate(7, [a])], set(), CONFIG)
    assert decision.customer_id == 7
    assert decision.reason.endswith("vs t:a")


def test_b_links_to_a_but_c_conflicts_with_a_so_c_stays_out() -> None:
    # A and B are one person (same mobile, A has the birth date). C shares B's e-mail and
    # name — but C's birth date contradicts A's: C must not join A's customer.
    a = view("a", given_name="John", family_name="Smith", birth_date="1960-01-01",
             phones=["+4915111111111"])  # fmt: skip
    b = view("b", given_name="John", family_name="Smith", phones=["+4915111111111"],
             emails=["john@smith.de"])  # fmt: skip
    c = view("c", given_name="John", family_name="Smith", birth_date="1991-07-12",
             emails=["john@smith.de"])  # fmt: skip
    assert decide(b, [Candidate(1, [a])], set(), CONFIG).customer_id == 1
    decision = decide(c, [Candidate(1, [a, b])], set(), CONFIG)
    assert decision.customer_id is None
    assert "birth dates differ with t:a" in decision.reviews[0][2]


def test_a_cluster_at_its_size_limit_goes_to_review() -> None:
    members = [
        view(str(i), given_name="Anna", family_name="Müller", birth_date="1980-03-14")
        for i in range(3)
    ]
    new = view("n", given_name="Anna", family_name="Müller", birth_date="1980-03-14")
    decision = decide(new, [Candidate(5, members)], set(), MatchConfig(max_cluster_size=3))
    assert decision.customer_id is None
    assert decision.reviews[0][0] == 5
    assert "cluster would grow past 3 records" in decision.reviews[0][2]


def test_a_record_that_matches_two_customers_that_agree_joins_them() -> None:
    by_phone = view("p", given_name="Gisela", family_name="Voigt", phones=["+4915264868130"])
    by_address = view("a", given_name="Gisela", family_name="Voigt", street="Fährstraße 134",
                      postcode="24185")  # fmt: skip
    new = view("n", given_name="Gisela", family_name="Voigt", phones=["+4915264868130"],
               street="Fährstr. 134", postcode="24185")  # fmt: skip
    decision = decide(new, [Candidate(1, [by_phone]), Candidate(2, [by_address])], set(), CONFIG)
    assert decision.customer_id == 1
    assert decision.absorb == [2]


def test_a_record_that_matches_two_customers_that_conflict_goes_to_review() -> None:
    # The record has only an initial; the two candidates are twins (Jan and Jana).
    jan = view("1", given_name="Jan", family_name="Ehlers", birth_date="1990-01-01",
               phones=["+4915100000001"], emails=["ehlers@web.de"])  # fmt: skip
    jana = view("2", given_name="Jana", family_name="Ehlers", birth_date="1990-01-01",
                phones=["+4915100000001"], emails=["ehlers@web.de"])  # fmt: skip
    new = view("n", given_name="J.", family_name="Ehlers", phones=["+4915100000001"],
               emails=["ehlers@web.de"])  # fmt: skip
    decision = decide(new, [Candidate(1, [jan]), Candidate(2, [jana])], set(), CONFIG)
    assert decision.customer_id is None
    assert sorted(r[0] for r in decision.reviews) == [1, 2]


def test_an_initial_born_that_day_at_home_joins_the_one_it_fits() -> None:
    home = dict(family_name="Weber", birth_date="1990-05-05", street="Am Deich 9",
                postcode="22861")  # fmt: skip
    paul, kai = view("1", given_name="Paul", **home), view("2", given_name="Kai", **home)
    new = view("n", given_name="P.", **home)
    decision = decide(new, [Candidate(1, [paul]), Candidate(2, [kai])], set(), CONFIG)
    assert (decision.customer_id, decision.reviews) == (1, [])
    # Twins named alike: "P. Weber" is Paul or Paula, and a human decides.
    paula = view("3", given_name="Paula", **home)
    decision = decide(new, [Candidate(1, [paul]), Candidate(3, [paula])], set(), CONFIG)
    assert decision.customer_id is None
    assert sorted(r[0] for r in decision.reviews) == [1, 3]


def test_no_chaining_through_an_e_mail_hundreds_of_people_share() -> None:
    # Hundreds of different people gave the same fleet e-mail; it is marked shared.
    pool = "fuhrpark@nordwind.de"
    cluster = [view("0", given_name="Anna", family_name="Müller", emails=[pool])]
    joined = 0
    for i in range(1, 300):
        given = ("Bernd", "Clara", "Dieter", "Eva", "Frank")[i % 5]
        new = view(str(i), given_name=given, family_name="Müller", emails=[pool])
        new.shared.add(pool)
        decision = decide(new, [Candidate(1, cluster)], set(), CONFIG)
        if decision.customer_id == 1:
            cluster.append(new)
            joined += 1
    assert joined == 0
    assert len(cluster) == 1


def test_twins_raise_no_review() -> None:
    kw = dict(family_name="Weber", birth_date="1990-05-05", street="Am Deich 9", postcode="22861")
    paul = view("1", given_name="Paul", **kw)
    paula = view("2", given_name="Paula", **kw)
    decision = decide(paula, [Candidate(1, [paul])], set(), CONFIG)
    assert decision.customer_id is None
    assert decision.reviews == []


def test_a_near_miss_is_raised_for_review() -> None:
    a = view("1", given_name="Sabine", family_name="Kock", birth_date="1977-11-25")
    b = view("2", given_name="Sabine", family_name="Kock", birth_date="1977-11-26",
             street="Dorfstraße 67", postcode="23828")  # fmt: skip
    decision = decide(b, [Candidate(1, [a])], set(), CONFIG)
    assert decision.customer_id is None
    assert [r[0] for r in decision.reviews] == [1]
    assert "birth_date=near" in decision.reviews[0][2]
