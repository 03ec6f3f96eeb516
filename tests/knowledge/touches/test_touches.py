"""Every touch of the built-in playbook: it applies when it should, and not when it should not.

Each case gives a situation where the touch must be suggested (with a piece of its filled-in
text) and a close situation where it must not apply. A touch added to the playbook without
a case here fails ``test_every_touch_has_a_case``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from knowledge.profile import CustomerProfile
from knowledge.touches.engine import rank_touches
from knowledge.touches.facts import StaffContext, TouchHistory
from tests.knowledge.touches.builders import (
    ADVISOR,
    CALL_CENTER,
    NOW,
    SPOUSE,
    SPOUSE_ID,
    TODAY,
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


@dataclass(frozen=True)
class Situation:
    profile: CustomerProfile
    staff: StaffContext | None = ADVISOR
    now: dt.datetime = NOW


def waiting(**changes: object) -> CustomerProfile:
    return with_visit(profile(**changes))


TOUAREG = vehicle(
    2,
    make="Volkswagen",
    model="Touareg",
    year=2016,
    plate="HH-MO 77",
    owner_id=SPOUSE_ID,
    owner_name="Mark Okafor",
    sold_by_dealer_id=None,
)


@dataclass(frozen=True)
class Case:
    touch_id: str
    applies: Callable[[], Situation]
    not_applies: Callable[[], Situation]
    # A piece of the filled-in instruction or reason when it applies.
    says: str


CASES: tuple[Case, ...] = (
    Case(
        "drink_known",
        lambda: Situation(waiting(preferences=prefs(drink="oat flat white"))),
        lambda: Situation(
            with_visit(
                profile(preferences=prefs(drink="oat flat white")), visit(wait_mode="drop_off")
            )
        ),
        "last time: oat flat white",
    ),
    Case(
        "drink_ask",
        lambda: Situation(waiting()),
        lambda: Situation(waiting(preferences=prefs(drink="green tea"))),
        "Ask Ms. Okafor what they would like to drink",
    ),
    Case(
        "greet_preferred_name",
        lambda: Situation(waiting(preferred_name="Dee")),
        lambda: Situation(waiting(preferred_name="Dee", pronunciation="DEE")),
        "Greet them as Dee",
    ),
    Case(
        "greet_pronunciation",
        lambda: Situation(profile(given_name="Łukasz", pronunciation="WOO-kash"), CALL_CENTER),
        lambda: Situation(profile(given_name="Łukasz", pronunciation="WOO-kash"), ADVISOR),
        "say it right: WOO-kash",
    ),
    Case(
        "first_visit_welcome",
        lambda: Situation(waiting(visit_count=1)),
        lambda: Situation(waiting(visit_count=2)),
        "show the lounge",
    ),
    Case(
        "speak_their_language",
        lambda: Situation(waiting(language="tr-TR")),
        lambda: Situation(waiting(language="de")),
        "prefers Turkish",
    ),
    Case(
        "accessible_arrival",
        lambda: Situation(waiting(preferences=prefs(accessibility="wheelchair user"))),
        lambda: Situation(profile(preferences=prefs(accessibility="wheelchair user"))),
        "needs: wheelchair user",
    ),
    Case(
        "shuttle_or_loaner",
        lambda: Situation(with_visit(profile(), visit(promised_in_minutes=230))),
        lambda: Situation(with_visit(profile(), visit(promised_in_minutes=90))),
        "planned for 4 hours",
    ),
    Case(
        "status_update_waiting",
        lambda: Situation(with_visit(profile(), visit(arrived_minutes_ago=35))),
        lambda: Situation(
            with_visit(profile(), visit(arrived_minutes_ago=20, promised_in_minutes=60))
        ),
        "Waiting for 35 minutes",
    ),
    Case(
        "late_call_drop_off",
        lambda: Situation(
            with_visit(
                profile(), visit(wait_mode="drop_off", status="in_progress", promised_in_minutes=20)
            )
        ),
        lambda: Situation(
            with_visit(
                profile(),
                visit(wait_mode="drop_off", status="in_progress", promised_in_minutes=180),
            )
        ),
        "Call Ms. Okafor before 11:20",
    ),
    Case(
        "ready_in_their_channel",
        lambda: Situation(
            with_visit(
                profile(preferences=prefs(contact_channel="sms")), visit(wait_mode="drop_off")
            )
        ),
        lambda: Situation(waiting(preferences=prefs(contact_channel="sms"))),
        "tell Ms. Okafor by sms",
    ),
    Case(
        "contact_hours_call_center",
        lambda: Situation(
            profile(preferences=prefs(contact_hours="weekdays after 17:00")), CALL_CENTER
        ),
        lambda: Situation(profile(), CALL_CENTER),
        "do it weekdays after 17:00",
    ),
    Case(
        "invoice_walkthrough",
        lambda: Situation(with_visit(profile(), visit(status="ready"))),
        lambda: Situation(with_visit(profile(), visit(status="in_progress"))),
        "walk Ms. Okafor through the invoice",
    ),
    Case(
        "follow_up_call",
        lambda: Situation(closed_visit_profile(1), CALL_CENTER),
        lambda: Situation(
            dataclasses.replace(closed_visit_profile(1), last_contact=contact(0.5)), CALL_CENTER
        ),
        "Call Ms. Okafor to ask how the 2020 BMW X5 xDrive40i (HH-AB 1234) is driving",
    ),
    Case(
        "manager_hello_after_low_score",
        lambda: Situation(waiting(last_survey=survey(4, "The car came back dirty."))),
        lambda: Situation(waiting(last_survey=survey(9, "Great service"))),
        'acknowledge last time: "The car came back dirty."',
    ),
    Case(
        "manager_hello_low_score_no_comment",
        lambda: Situation(waiting(last_survey=survey(5))),
        lambda: Situation(waiting(last_survey=survey(5, "Fine, a bit expensive."))),
        "scored their last visit 5/10 without a comment",
    ),
    Case(
        "recall_on_this_car",
        lambda: Situation(waiting(vehicles=(vehicle(recalls=(recall(),)),))),
        lambda: Situation(
            waiting(
                vehicles=(vehicle(), dataclasses.replace(TOUAREG, open_recalls=(recall("69Q7"),)))
            )
        ),
        "recall 0061 on the 2020 BMW X5 xDrive40i (HH-AB 1234)",
    ),
    Case(
        "recall_household_today",
        lambda: Situation(
            waiting(
                household=(SPOUSE,),
                vehicles=(
                    vehicle(),
                    dataclasses.replace(
                        TOUAREG, open_recalls=(recall("69Q7", "Airbag control unit software", 30),)
                    ),
                ),
            )
        ),
        lambda: Situation(waiting(vehicles=(vehicle(recalls=(recall(),)),))),
        "recall 69Q7 on Mark Okafor's 2016 Volkswagen Touareg (HH-MO 77)",
    ),
    Case(
        "quick_check_other_vehicle",
        lambda: Situation(waiting(household=(SPOUSE,), vehicles=(vehicle(), TOUAREG))),
        lambda: Situation(waiting()),
        "Ask how Mark Okafor's 2016 Volkswagen Touareg (HH-MO 77) is doing",
    ),
    Case(
        "overdue_service_other_vehicle",
        lambda: Situation(
            waiting(
                vehicles=(
                    vehicle(),
                    dataclasses.replace(TOUAREG, next_service_due=TODAY - dt.timedelta(days=40)),
                )
            )
        ),
        lambda: Situation(
            waiting(
                vehicles=(
                    vehicle(),
                    dataclasses.replace(TOUAREG, next_service_due=TODAY + dt.timedelta(days=40)),
                )
            )
        ),
        "is 40 days past its service date",
    ),
    Case(
        "warranty_ending",
        lambda: Situation(profile(vehicles=(vehicle(warranty_end=TODAY + dt.timedelta(days=30)),))),
        lambda: Situation(
            profile(vehicles=(vehicle(warranty_end=TODAY + dt.timedelta(days=200)),))
        ),
        "ends in 30 days",
    ),
    Case(
        "declined_work_due",
        lambda: Situation(waiting(declined_work=(declined(5),))),
        lambda: Situation(waiting(declined_work=(declined(90),))),
        '"Rear brake pads at 3 mm"',
    ),
    Case(
        "thank_long_standing",
        lambda: Situation(profile(customer_since=dt.date(2012, 4, 1))),
        lambda: Situation(profile(customer_since=dt.date(2020, 4, 1))),
        "for 14 years as our customer",
    ),
    Case(
        "birthday",
        lambda: Situation(profile(birth_date=dt.date(1984, 11, 26))),
        lambda: Situation(profile(birth_date=dt.date(1984, 12, 20))),
        "happy birthday (in 3 days)",
    ),
    Case(
        "purchase_anniversary",
        lambda: Situation(profile(vehicles=(vehicle(since=dt.date(2023, 11, 23)),))),
        lambda: Situation(profile(vehicles=(vehicle(since=dt.date(2023, 10, 1)),))),
        "turns 3 with them today",
    ),
    Case(
        "milestone_visit",
        lambda: Situation(waiting(visit_count=25)),
        lambda: Situation(waiting(visit_count=24)),
        "visit number 25",
    ),
    Case(
        "accessory_that_fits",
        lambda: Situation(
            waiting(marketing_consent=True, vehicles=(vehicle(options=("3AC", "5AC")),))
        ),
        lambda: Situation(
            waiting(marketing_consent=True, vehicles=(vehicle(options=("5AC", "HUD")),))
        ),
        "mention the rear bike carrier for the tow hitch for the 2020 BMW X5",
    ),
    Case(
        "winter_check",
        lambda: Situation(profile(marketing_consent=True)),
        lambda: Situation(profile(marketing_consent=True), now=NOW - dt.timedelta(days=170)),
        "winter check",
    ),
)


def test_every_touch_has_a_case() -> None:
    assert sorted(c.touch_id for c in CASES) == sorted(t.id for t in playbook().touches)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.touch_id)
def test_touch_applies_when_it_should(case: Case) -> None:
    situation = case.applies()
    touch = playbook().touch(case.touch_id)
    assert touch is not None
    facts = facts_for(situation.profile, staff=situation.staff, now=situation.now)
    assert touch.applies(facts)
    # Alone in a playbook, the engine suggests it with every placeholder filled.
    alone = dataclasses.replace(playbook(), touches=(touch,))
    audience = situation.staff.role if situation.staff else None
    ranking = rank_touches(alone, facts, TouchHistory(), now=situation.now, audience=audience)
    assert [s.touch_id for s in ranking.suggestions] == [case.touch_id], ranking.held
    shown = ranking.suggestions[0]
    assert "{" not in shown.instruction and "{" not in shown.reason
    assert case.says in shown.instruction + " " + shown.reason


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.touch_id)
def test_touch_does_not_apply_when_it_should_not(case: Case) -> None:
    situation = case.not_applies()
    touch = playbook().touch(case.touch_id)
    assert touch is not None
    facts = facts_for(situation.profile, staff=situation.staff, now=situation.now)
    assert not touch.applies(facts)
