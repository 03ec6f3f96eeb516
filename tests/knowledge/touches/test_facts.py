"""Facts are computed exactly, typed as declared, from the profile alone."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from knowledge.touches.facts import (
    FACTS,
    DealerContext,
    TouchHistory,
    check_types,
    compute_facts,
    in_words,
    language_code,
)
from tests.knowledge.touches.builders import (
    ADVISOR,
    HAMBURG,
    NOW,
    SPOUSE,
    SPOUSE_ID,
    TODAY,
    closed_visit_profile,
    contact,
    declined,
    facts_for,
    prefs,
    profile,
    recall,
    survey,
    vehicle,
    visit,
    with_visit,
)


def test_every_fact_is_computed_with_its_declared_type() -> None:
    situations = [
        profile(),
        with_visit(profile()),
        with_visit(
            profile(
                preferred_name="Dee",
                pronunciation="DEE",
                language="tr",
                preferences=prefs(
                    drink="tea", contact_channel="sms", contact_hours="mornings", accessibility="x"
                ),
                household=(SPOUSE,),
                vehicles=(
                    vehicle(recalls=(recall(),), options=("3AC",), warranty_end=TODAY),
                    vehicle(
                        2,
                        owner_id=SPOUSE_ID,
                        owner_name="Mark Okafor",
                        recalls=(recall("X1", "t", None),),
                        next_service_due=TODAY - dt.timedelta(days=3),
                    ),
                ),
                declined_work=(declined(None),),
                last_survey=survey(3, "bad"),
                last_contact=contact(2, "marketing"),
                marketing_consent=True,
            )
        ),
        closed_visit_profile(2),
        profile(kind="company", company_name="Fleet GmbH", display_name="Fleet GmbH", vehicles=()),
    ]
    for p in situations:
        facts = compute_facts(
            p,
            visit=p.current_visit,
            staff=ADVISOR,
            now=NOW,
            history=TouchHistory(last_marketing_contact_at=NOW - dt.timedelta(days=2)),
            dealer=HAMBURG,
        )
        assert check_types(facts) == []
        assert set(facts) == set(FACTS)


def test_the_visit_and_the_clock() -> None:
    facts = facts_for(with_visit(profile(), visit(arrived_minutes_ago=47, promised_in_minutes=95)))
    assert facts["has_visit"] is True
    assert facts["is_waiting"] is True
    assert facts["minutes_waiting"] == 47
    assert facts["minutes_to_promised"] == 95
    assert facts["is_late"] is False and facts["minutes_late"] is None
    # 10:00 UTC + 95 min = 11:35 UTC = 12:35 in Hamburg (CET).
    assert facts["promised_time"] == "12:35"
    assert facts["job_hours"] == pytest.approx(2.4)
    assert facts["visit_vehicle"] == "the 2020 BMW X5 xDrive40i (HH-AB 1234)"
    assert facts["visit_concerns"] == "Annual inspection due"
    assert facts["local_hour"] == 11 and facts["month"] == 11


def test_late_and_promised_on_another_day() -> None:
    late = facts_for(
        with_visit(
            profile(), visit(wait_mode="drop_off", status="in_progress", promised_in_minutes=-25)
        )
    )
    assert (
        late["is_late"] is True
        and late["minutes_late"] == 25
        and late["minutes_to_promised"] == -25
    )
    assert late["is_waiting"] is False and late["minutes_waiting"] is None
    tomorrow = facts_for(with_visit(profile(), visit(promised_in_minutes=60 * 24)))
    assert tomorrow["promised_time"] == "Tue 24 Nov 11:00"


def test_a_ready_car_is_not_late_and_nobody_is_waiting_any_more() -> None:
    facts = facts_for(with_visit(profile(), visit(status="ready", promised_in_minutes=-60)))
    assert facts["ready_for_pickup"] is True
    assert facts["is_late"] is False and facts["minutes_to_promised"] is None
    assert facts["is_waiting"] is False


def test_greeting_names() -> None:
    assert facts_for(profile())["greeting_name"] == "Ms. Okafor"
    assert facts_for(profile(preferred_name="Dee"))["greeting_name"] == "Dee"
    assert facts_for(profile(salutation=None))["greeting_name"] == "Dana"
    company = profile(kind="company", company_name="Fleet GmbH", display_name="Fleet GmbH")
    assert facts_for(company)["greeting_name"] == "Fleet GmbH"
    assert facts_for(company)["is_company"] is True


def test_preferences_override_the_customer_record() -> None:
    p = profile(
        pronunciation="old",
        language="de",
        preferences=prefs(name_pronunciation="new", language="pl", drink="still water"),
    )
    facts = facts_for(p)
    assert facts["name_pronunciation"] == "new"
    assert facts["language"] == "pl" and facts["language_name"] == "Polish"
    assert facts["speaks_other_language"] is True
    assert facts["preferred_drink"] == "still water"
    # A customer whose language is the dealer's, or a dealer whose language is unknown.
    assert facts_for(profile(language="de-DE"))["speaks_other_language"] is False
    assert (
        facts_for(profile(language="tr"), dealer=DealerContext())["speaks_other_language"] is False
    )


def test_language_codes() -> None:
    assert language_code(" de-DE ") == "de"
    assert language_code("pt_BR") == "pt"
    assert language_code("") is None and language_code(None) is None


def test_other_vehicles_of_the_household_any_make() -> None:
    touareg = vehicle(
        2,
        make="Volkswagen",
        model="Touareg",
        year=2016,
        plate=None,
        owner_id=SPOUSE_ID,
        owner_name="Mark Okafor",
        sold_by_dealer_id=None,
        recalls=(recall("69Q7", "Airbag control unit software", 30),),
        next_service_due=TODAY - dt.timedelta(days=12),
    )
    p = with_visit(profile(household=(SPOUSE,), vehicles=(vehicle(recalls=(recall(),)), touareg)))
    facts = facts_for(p)
    assert facts["vehicle_count"] == 2
    assert facts["other_vehicle_count"] == 1
    assert facts["other_vehicles"] == ("Mark Okafor's 2016 Volkswagen Touareg",)
    assert facts["other_vehicle"] == "Mark Okafor's 2016 Volkswagen Touareg"
    assert facts["other_vehicle_sold_elsewhere"] is True
    assert facts["open_recall_count"] == 2
    assert (facts["visit_recall_code"], facts["visit_recall_minutes"]) == ("0061", 90)
    assert facts["other_recall_count"] == 1
    assert facts["other_recall_vehicle"] == "Mark Okafor's 2016 Volkswagen Touareg"
    assert (facts["other_recall_code"], facts["other_recall_minutes"]) == ("69Q7", 30)
    assert facts["overdue_service_vehicle"] == "Mark Okafor's 2016 Volkswagen Touareg"
    assert facts["overdue_service_days"] == 12
    stale = dataclasses.replace(touareg, next_service_due=TODAY - dt.timedelta(days=400))
    stale_facts = facts_for(dataclasses.replace(p, vehicles=(vehicle(), stale)))
    assert stale_facts["overdue_service_count"] == 0  # serviced elsewhere, or a stale date
    assert stale_facts["overdue_service_vehicle"] is None
    # Without a visit every vehicle is an "other" one (the call centre sees them all).
    no_visit = facts_for(dataclasses.replace(p, current_visit=None))
    assert no_visit["other_vehicle_count"] == 2 and no_visit["other_recall_count"] == 2
    assert no_visit["visit_recall_code"] is None


def test_warranty_declined_work_and_anniversaries() -> None:
    p = profile(
        vehicles=(
            vehicle(warranty_end=TODAY + dt.timedelta(days=45), since=dt.date(2021, 11, 27)),
            vehicle(2, warranty_end=TODAY - dt.timedelta(days=1), since=dt.date(2024, 2, 29)),
        ),
        declined_work=(declined(10, cents=12950), declined(40)),
        birth_date=dt.date(1960, 11, 20),
    )
    facts = facts_for(p)
    assert facts["warranty_vehicle"] == "the 2020 BMW X5 xDrive40i (HH-AB 1234)"
    assert facts["warranty_days_left"] == 45
    assert facts["declined_due_count"] == 1
    assert facts["declined_due_estimate"] == "€130"
    assert facts["days_to_purchase_anniversary"] == 4
    assert facts["anniversary_years"] == 5 and facts["anniversary_when"] == "in 4 days"
    assert facts["days_to_birthday"] == -3 and facts["birthday_when"] == "3 days ago"
    assert facts["turning_age"] == 66


@pytest.mark.parametrize(
    ("birth", "today", "days", "age"),
    [
        (dt.date(1990, 1, 2), dt.date(2026, 12, 30), 3, 37),  # across the new year
        (dt.date(1990, 12, 30), dt.date(2027, 1, 2), -3, 36),
        (dt.date(1992, 2, 29), dt.date(2027, 2, 27), 1, 35),  # leap day in a common year
        (dt.date(2026, 10, 1), dt.date(2026, 11, 23), None, None),  # no birthday near
    ],
)
def test_nearest_birthday(
    birth: dt.date, today: dt.date, days: int | None, age: int | None
) -> None:
    now = dt.datetime.combine(today, dt.time(10), dt.UTC)
    facts = facts_for(profile(birth_date=birth), now=now)
    assert (facts["days_to_birthday"], facts["turning_age"]) == (days, age)


def test_follow_up_facts() -> None:
    facts = facts_for(closed_visit_profile(2))
    assert facts["has_visit"] is False
    assert facts["days_since_last_visit"] == 2
    assert facts["contacted_since_last_visit"] is False
    called = dataclasses.replace(closed_visit_profile(2), last_contact=contact(1))
    assert facts_for(called)["contacted_since_last_visit"] is True
    assert facts_for(called)["days_since_contact"] == 1


def test_first_visit_and_staff() -> None:
    assert facts_for(with_visit(profile(visit_count=1)))["first_visit"] is True
    assert facts_for(profile(visit_count=0))["first_visit"] is False
    facts = facts_for(with_visit(profile()), staff=ADVISOR)
    assert facts["staff_role"] == "advisor" and facts["is_visit_advisor"] is True
    assert facts_for(with_visit(profile()))["staff_role"] is None


def test_survey_and_history() -> None:
    history = TouchHistory(
        done_this_occasion=frozenset({"a", "b"}),
        last_marketing_contact_at=NOW - dt.timedelta(days=9),
    )
    facts = facts_for(profile(last_survey=survey(6, "  ", days_ago=10)), history=history)
    assert facts["last_survey_score"] == 6
    assert facts["last_survey_comment"] is None
    assert facts["last_survey_days_ago"] == 10
    assert facts["touches_done_this_visit"] == 2
    assert facts["days_since_marketing_contact"] == 9


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone-aware"):
        compute_facts(
            profile(), visit=None, staff=None, now=dt.datetime(2026, 11, 23), history=TouchHistory()
        )


def test_in_words() -> None:
    assert [in_words(d) for d in (0, 1, -1, 5, -4)] == [
        "today",
        "tomorrow",
        "yesterday",
        "in 5 days",
        "4 days ago",
    ]
