"""The engine's rules: consent and quiet period, do-not-contact, cooldowns, once per visit,
offers only when they fit, and a ranking that is the same for the same inputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from knowledge.touches.engine import MARKETING_QUIET_DAYS, Ranking, rank_touches
from knowledge.touches.facts import FactValue, TouchHistory
from knowledge.touches.schema import DEFAULT_PLAYBOOK_DIR, Offer, Playbook, load_playbook
from tests.knowledge.touches.builders import (
    CALL_CENTER,
    NOW,
    SPOUSE,
    SPOUSE_ID,
    closed_visit_profile,
    contact,
    declined,
    facts_for,
    playbook,
    prefs,
    profile,
    recall,
    survey,
    vehicle,
    visit,
    with_visit,
)


def only(*touch_ids: str) -> Playbook:
    pb = playbook()
    return dataclasses.replace(pb, touches=tuple(t for t in pb.touches if t.id in touch_ids))


def ids(ranking: Ranking) -> list[str]:
    return [s.touch_id for s in ranking.suggestions]


def held(ranking: Ranking) -> dict[str, str]:
    return {h.touch_id: h.why for h in ranking.held}


# --------------------------------------------------------------------------- consent


def fitting_customer(**changes: object) -> dict[str, FactValue]:
    p = with_visit(profile(vehicles=(vehicle(options=("3AC",)),), **changes))
    return dict(facts_for(p))


def test_promotional_touch_needs_marketing_consent() -> None:
    pb = only("accessory_that_fits")
    without = rank_touches(pb, fitting_customer(marketing_consent=False), TouchHistory(), now=NOW)
    assert ids(without) == []
    assert held(without) == {
        "accessory_that_fits": "promotional, and the customer gave no marketing consent"
    }
    with_consent = rank_touches(
        pb, fitting_customer(marketing_consent=True), TouchHistory(), now=NOW
    )
    assert ids(with_consent) == ["accessory_that_fits"]


def test_do_not_contact_suppresses_promotions_even_with_consent() -> None:
    facts = fitting_customer(marketing_consent=True, do_not_contact=True)
    ranking = rank_touches(only("accessory_that_fits"), facts, TouchHistory(), now=NOW)
    assert held(ranking) == {
        "accessory_that_fits": "promotional, and the customer asked not to be contacted"
    }


@pytest.mark.parametrize(("days_ago", "shown"), [(0, False), (13, False), (14, True), (40, True)])
def test_promotions_keep_a_quiet_period_after_marketing_contact(days_ago: int, shown: bool) -> None:
    history = TouchHistory(last_marketing_contact_at=NOW - dt.timedelta(days=days_ago))
    facts = dict(
        facts_for(
            with_visit(profile(marketing_consent=True, vehicles=(vehicle(options=("3AC",)),))),
            history=history,
        )
    )
    assert facts["days_since_marketing_contact"] == days_ago
    ranking = rank_touches(only("accessory_that_fits"), facts, history, now=NOW)
    assert ids(ranking) == (["accessory_that_fits"] if shown else [])
    if not shown:
        assert held(ranking)["accessory_that_fits"] == (
            f"promotional, and the customer had marketing contact {days_ago} day(s) ago "
            f"(quiet period {MARKETING_QUIET_DAYS} days)"
        )


def test_a_service_contact_does_not_start_the_quiet_period() -> None:
    p = with_visit(
        profile(marketing_consent=True, vehicles=(vehicle(options=("3AC",)),)),
    )
    p = dataclasses.replace(p, last_contact=contact(1, "service"))
    facts = dict(facts_for(p))
    assert facts["days_since_contact"] == 1
    assert facts["days_since_marketing_contact"] is None
    assert ids(rank_touches(only("accessory_that_fits"), facts, TouchHistory(), now=NOW)) == [
        "accessory_that_fits"
    ]


def test_outbound_touch_is_suppressed_for_do_not_contact() -> None:
    p = dataclasses.replace(closed_visit_profile(1), do_not_contact=True)
    facts = dict(facts_for(p, staff=CALL_CENTER))
    ranking = rank_touches(only("follow_up_call"), facts, TouchHistory(), now=NOW)
    assert held(ranking) == {
        "follow_up_call": "reaches out, and the customer asked not to be contacted"
    }


def test_news_about_their_own_car_is_not_outbound_marketing() -> None:
    p = with_visit(
        profile(do_not_contact=True),
        visit(wait_mode="drop_off", status="in_progress", promised_in_minutes=10),
    )
    ranking = rank_touches(only("late_call_drop_off"), facts_for(p), TouchHistory(), now=NOW)
    assert ids(ranking) == ["late_call_drop_off"]


# --------------------------------------------------------------------------- option fit


def test_offer_fit_rules() -> None:
    hitch = Offer("carrier", "carrier", 50, requires=frozenset({"3AC"}), makes=frozenset({"bmw"}))
    assert hitch.fits("BMW", ["3AC", "5AC"])
    assert hitch.fits("bmw", ["3ac"])
    assert not hitch.fits("BMW", ["5AC"])
    assert not hitch.fits("Toyota", ["3AC"])
    adapter = Offer("adapter", "adapter", 40, requires_any=frozenset({"3AC", "TWH"}))
    assert adapter.fits("Toyota", ["TWH"]) and adapter.fits("MINI", ["3AC"])
    assert not adapter.fits("Ford", ["NAV"])
    excluded = Offer("x", "x", 1, requires=frozenset({"3AC"}), excludes=frozenset({"HUD"}))
    assert not excluded.fits("BMW", ["3AC", "HUD"])


def test_an_offer_that_does_not_fit_any_car_is_never_made() -> None:
    p = with_visit(profile(marketing_consent=True, vehicles=(vehicle(options=("5AC", "HUD")),)))
    facts = dict(facts_for(p))
    assert facts["fitting_offers"] == ()
    assert facts["fitting_offer"] is None
    assert ids(rank_touches(only("accessory_that_fits"), facts, TouchHistory(), now=NOW)) == []


def test_offers_fit_the_customers_own_cars_not_the_household_members() -> None:
    spouse_car = vehicle(2, options=("3AC", "6NW"), owner_id=SPOUSE_ID, owner_name="Mark Okafor")
    p = with_visit(
        profile(
            marketing_consent=True,
            household=(SPOUSE,),
            vehicles=(vehicle(options=("5AC",)), spouse_car),
        )
    )
    assert facts_for(p)["fitting_offers"] == ()


def test_the_most_valuable_fitting_offer_is_named_for_the_car_it_fits() -> None:
    toyota = vehicle(
        2, make="Toyota", model="RAV4 Hybrid", year=2021, plate="KI-T 9", options=("TWH",)
    )
    bmw = vehicle(1, options=("6NW",))
    p = with_visit(profile(marketing_consent=True, vehicles=(bmw, toyota)))
    facts = facts_for(p)
    assert facts["fitting_offers"] == ("trailer_socket_adapter", "wireless_charging_cradle")
    assert facts["fitting_offer"] == "13-to-7-pin trailer socket adapter"
    assert facts["fitting_offer_vehicle"] == "the 2021 Toyota RAV4 Hybrid (KI-T 9)"


def test_every_offer_named_fits_its_car_over_many_vehicles() -> None:
    """Whatever the make and options, the offer a touch names fits the car it names."""
    pb = playbook()
    codes = sorted({c for o in pb.offers for c in o.requires | o.requires_any | o.excludes})
    makes = ["BMW", "MINI", "Porsche", "Volkswagen", "Toyota", "Ford", "Audi"]
    rng = random.Random(4)
    for n in range(300):
        make = makes[n % len(makes)]
        options = tuple(c for c in codes if rng.random() < 0.3)
        car = vehicle(options=options, make=make)
        facts = facts_for(with_visit(profile(marketing_consent=True, vehicles=(car,))))
        offers = {o.id: o for o in pb.offers}
        for offer_id in facts["fitting_offers"]:  # type: ignore[union-attr]
            assert offers[offer_id].fits(make, options)
        expected = [o.id for o in pb.offers if o.fits(make, options)]
        assert list(facts["fitting_offers"]) == expected  # type: ignore[arg-type]


# --------------------------------------------------------------------------- memory rules


def drink_facts() -> dict[str, FactValue]:
    return dict(facts_for(with_visit(profile(preferences=prefs(drink="espresso")))))


def test_a_touch_done_on_this_visit_is_not_suggested_again() -> None:
    history = TouchHistory(
        done_at={"drink_known": NOW - dt.timedelta(minutes=5)},
        handled_this_occasion=frozenset({"drink_known"}),
        done_this_occasion=frozenset({"drink_known"}),
    )
    ranking = rank_touches(only("drink_known"), drink_facts(), history, now=NOW)
    assert held(ranking) == {"drink_known": "already done on this visit"}


def test_a_touch_skipped_on_this_visit_is_not_suggested_again() -> None:
    history = TouchHistory(handled_this_occasion=frozenset({"drink_known"}))
    ranking = rank_touches(only("drink_known"), drink_facts(), history, now=NOW)
    assert held(ranking) == {
        "drink_known": "already skipped or marked not applicable on this visit"
    }


def test_without_cooldown_a_touch_returns_on_the_next_visit() -> None:
    history = TouchHistory(done_at={"drink_known": NOW - dt.timedelta(days=20)})
    assert ids(rank_touches(only("drink_known"), drink_facts(), history, now=NOW)) == [
        "drink_known"
    ]


@pytest.mark.parametrize(("done_days_ago", "suggested"), [(1, False), (89, False), (90, True)])
def test_cooldown(done_days_ago: int, suggested: bool) -> None:
    touch = playbook().touch("quick_check_other_vehicle")
    assert touch is not None and touch.cooldown_days == 90
    other = vehicle(
        2, make="Volkswagen", model="Golf", owner_id=SPOUSE_ID, owner_name="Mark Okafor"
    )
    facts = dict(facts_for(with_visit(profile(household=(SPOUSE,), vehicles=(vehicle(), other)))))
    done = NOW - dt.timedelta(days=done_days_ago)
    ranking = rank_touches(only(touch.id), facts, TouchHistory(done_at={touch.id: done}), now=NOW)
    assert ids(ranking) == ([touch.id] if suggested else [])
    if not suggested:
        until = (done + dt.timedelta(days=90)).date().isoformat()
        assert held(ranking)[touch.id] == (
            f"done {done_days_ago} day(s) ago; cooldown of 90 days runs until {until}"
        )


# --------------------------------------------------------------------------- ranking


def busy_customer() -> dict[str, FactValue]:
    """A waiting customer for whom nearly every kind of touch applies."""
    p = with_visit(
        profile(
            preferred_name="Dee",
            preferences=prefs(drink="oat flat white", accessibility="walks with a cane"),
            last_survey=survey(4, "Nobody called when the car was ready."),
            household=(SPOUSE,),
            vehicles=(
                vehicle(recalls=(recall(),), options=("3AC",)),
                vehicle(2, make="Volkswagen", model="Golf", owner_id=SPOUSE_ID, owner_name="Mark"),
            ),
            declined_work=(declined(3),),
            customer_since=dt.date(2005, 1, 1),
            marketing_consent=True,
        ),
        visit(arrived_minutes_ago=45, promised_in_minutes=200),
    )
    return dict(facts_for(p))


def test_at_most_three_most_valuable_first_no_two_of_a_category() -> None:
    ranking = rank_touches(playbook(), busy_customer(), TouchHistory(), now=NOW)
    assert ids(ranking) == ["recall_on_this_car", "manager_hello_after_low_score", "drink_known"]
    assert [s.rank for s in ranking.suggestions] == [1, 2, 3]
    categories = [s.touch.category for s in ranking.suggestions]
    assert len(set(categories)) == len(categories)
    why = held(ranking)
    assert why["quick_check_other_vehicle"] == (
        "'recall_on_this_car' of the same category ranks higher"
    )
    assert why["accessible_arrival"] == "'drink_known' of the same category ranks higher"
    assert why["status_update_waiting"] == "only 3 touch(es) at a time"


def test_the_limit_is_configurable() -> None:
    five = rank_touches(playbook(), busy_customer(), TouchHistory(), now=NOW, limit=5)
    assert ids(five) == [
        "recall_on_this_car",
        "manager_hello_after_low_score",
        "drink_known",
        "status_update_waiting",
        "greet_preferred_name",
    ]
    assert ids(rank_touches(playbook(), busy_customer(), TouchHistory(), now=NOW, limit=1)) == [
        "recall_on_this_car"
    ]


def test_audience_keeps_the_touches_of_the_role() -> None:
    ranking = rank_touches(
        playbook(), busy_customer(), TouchHistory(), now=NOW, limit=10, audience="call_center"
    )
    assert ids(ranking)
    for s in ranking.suggestions:
        assert "call_center" in s.touch.audience
    assert "drink_known" not in ids(ranking)


def test_the_same_inputs_give_the_same_answer() -> None:
    facts = busy_customer()
    first = rank_touches(playbook(), facts, TouchHistory(), now=NOW, limit=4)
    for _ in range(5):
        again = rank_touches(playbook(), dict(facts), TouchHistory(), now=NOW, limit=4)
        assert again == first


def test_ranking_does_not_depend_on_file_or_touch_order(tmp_path: Path) -> None:
    """Rename and reorder the playbook files and shuffle touches: same version, same answer."""
    reordered = tmp_path / "playbook"
    reordered.mkdir()
    import yaml

    for i, source in enumerate(sorted(DEFAULT_PLAYBOOK_DIR.glob("*.yml"), reverse=True)):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        for key in ("touches", "offers"):
            if key in data:
                random.Random(i).shuffle(data[key])
        (reordered / f"{i}_{source.name}").write_text(yaml.safe_dump(data), encoding="utf-8")
    other = load_playbook(reordered)
    assert other.version == playbook().version
    facts = busy_customer()
    a = rank_touches(playbook(), facts, TouchHistory(), now=NOW, limit=5)
    b = rank_touches(other, facts, TouchHistory(), now=NOW, limit=5)
    assert [(s.touch_id, s.instruction, s.reason) for s in a.suggestions] == [
        (s.touch_id, s.instruction, s.reason) for s in b.suggestions
    ]


def test_equal_priorities_are_ordered_by_id(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((DEFAULT_PLAYBOOK_DIR / "welcome.yml").read_text(encoding="utf-8"))
    for touch in data["touches"]:
        touch["priority"] = 50
    orders = []
    for n in range(3):
        random.Random(n).shuffle(data["touches"])
        folder = tmp_path / str(n)
        folder.mkdir()
        (folder / "t.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
        orders.append([t.id for t in load_playbook(folder).touches])
    assert orders[0] == orders[1] == orders[2] == sorted(orders[0])


def test_a_suggestion_keeps_the_facts_behind_it() -> None:
    ranking = rank_touches(only("drink_known"), drink_facts(), TouchHistory(), now=NOW)
    (s,) = ranking.suggestions
    assert s.facts == {
        "greeting_name": "Ms. Okafor",
        "is_waiting": True,
        "preferred_drink": "espresso",
    }
    assert s.instruction == (
        "Ask Ms. Okafor what they would like to drink — last time: espresso — and bring it to them."
    )
    assert s.reason == "Waiting in the lounge; staff noted they like espresso."
