"""A hand-counted fixture for the trainers' report, written to the real store.

Two dealer groups: Nordlicht (HAM1, KI1) and Süd (MUC1). The period is 2026-11-02 to
2026-11-15 in Europe/Berlin: ISO weeks W45 (Nov 2–8) and W46 (Nov 9–15).

    sugg. visit staff  touch                   version week outcome
    S1    V1    Jonas  drink_known             v1      W45  done
    S2    V1    Jonas  status_update_waiting   v1      W45  skipped: customer in a hurry
    S3    V2    Jonas  drink_known             v1      W45  skipped: customer in a hurry
    S4    V2    Jonas  recall_household_today  v1      W45  not applicable
    S5    V3    Mia    drink_known             v2      W46  done
    S6    V3    Mia    recall_household_today  v2      W46  done
    S7    V4    Mia    drink_known             v2      W46  —
    S8    V4    Mia    status_update_waiting   v2      W46  skipped: lounge full
    S9    V5    Jonas  drink_known             v2      W46  done
    S10   V6    Kai    drink_known             v1      W45  done            (KI1)
    S11   —     Lea    recall_household_today  v2      W46  done  Mon 00:30 local = Sun UTC
    S12   V8    Max    drink_known             v2      W45  done            (MUC1, Süd)
    S13   V9    Jonas  drink_known             v1      —    done  before the period
    S14   V2    —      drink_ask               v1      W45  —     shown without --as
    S15   —     Jonas  winter_check            v2      W46  skipped: customer in a hurry
                                                            (Sun 23:59 local: last minute)
    S16   —     Jonas  winter_check            v2      —    done  Mon 00:00:30 local: after

    visit dealer advisor survey          visit dealer advisor survey
    V1    HAM1   Jonas   9               V6    KI1    Kai     8
    V2    HAM1   Jonas   6               V7    HAM1   Jonas   5  (nothing suggested)
    V3    HAM1   Mia     10              V8    MUC1   Max     3
    V4    HAM1   Mia     7               V9    HAM1   Jonas   10 (opened before the period)
    V5    HAM1   Jonas   —

Ratings: S1 good (Tom), S1 not appropriate "too early in the visit" (Ada, Nov 20),
S3 not appropriate "customer was on the phone" (Tom, Nov 21), S13 good (Tom).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from knowledge.models import (
    Customer,
    Dealer,
    DealerGroup,
    ServiceVisit,
    StaffMember,
    SuggestionRating,
    Survey,
    TouchSuggestion,
    Vehicle,
)

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PERIOD = "2026-11-02..2026-11-15"
V1, V2 = "v1hash000001", "v2hash000002"
LABELS = {V1: "2026.10", V2: "2026.11"}


def local(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=BERLIN).astimezone(dt.UTC)


@dataclass
class ReportWorld:
    group_id: int = 0
    dealers: dict[str, int] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    suggestions: dict[str, int] = field(default_factory=dict)


STAFF = (
    # key, dealer, Slack user id, name, role
    ("jonas", "HAM1", "U100", "Jonas Berg", "advisor"),
    ("mia", "HAM1", "U101", "Mia Hansen", "advisor"),
    ("lea", "HAM1", "U200", "Lea Sommer", "call_center"),
    ("tom", "HAM1", "U300", "Tom Richter", "trainer"),
    ("ada", "HAM1", "U400", "Ada Lind", "admin"),
    ("kai", "KI1", "U110", "Kai Petersen", "advisor"),
    ("max", "MUC1", "U500", "Max Huber", "advisor"),
    ("tina", "MUC1", "U600", "Tina Moser", "trainer"),
)

VISITS = (
    # key, dealer, advisor, opened (local), survey score
    ("V1", "HAM1", "jonas", local(3, 9), 9),
    ("V2", "HAM1", "jonas", local(4, 10), 6),
    ("V3", "HAM1", "mia", local(10, 8, 30), 10),
    ("V4", "HAM1", "mia", local(11, 14), 7),
    ("V5", "HAM1", "jonas", local(12, 11), None),
    ("V6", "KI1", "kai", local(5, 9), 8),
    ("V7", "HAM1", "jonas", local(13, 9), 5),
    ("V8", "MUC1", "max", local(5, 10), 3),
    ("V9", "HAM1", "jonas", local(30, 9, month=10), 10),
)

HURRY = "customer in a hurry"
SUGGESTIONS = (
    # key, visit, staff, touch, version, shown (local), outcome, reason
    ("S1", "V1", "jonas", "drink_known", V1, local(3, 9, 5), "done", None),
    ("S2", "V1", "jonas", "status_update_waiting", V1, local(3, 9, 5), "skipped", HURRY),
    ("S3", "V2", "jonas", "drink_known", V1, local(4, 10, 5), "skipped", HURRY),
    ("S4", "V2", "jonas", "recall_household_today", V1, local(4, 10, 5), "not_applicable", None),
    ("S5", "V3", "mia", "drink_known", V2, local(10, 8, 35), "done", None),
    ("S6", "V3", "mia", "recall_household_today", V2, local(10, 8, 35), "done", None),
    ("S7", "V4", "mia", "drink_known", V2, local(11, 14, 5), None, None),
    ("S8", "V4", "mia", "status_update_waiting", V2, local(11, 14, 5), "skipped", "lounge full"),
    ("S9", "V5", "jonas", "drink_known", V2, local(12, 11, 5), "done", None),
    ("S10", "V6", "kai", "drink_known", V1, local(5, 9, 5), "done", None),
    ("S11", None, "lea", "recall_household_today", V2, local(9, 0, 30), "done", None),
    ("S12", "V8", "max", "drink_known", V2, local(5, 10, 5), "done", None),
    ("S13", "V9", "jonas", "drink_known", V1, local(30, 9, 5, month=10), "done", None),
    ("S14", "V2", None, "drink_ask", V1, local(4, 10, 10), None, None),
    ("S15", None, "jonas", "winter_check", V2, local(15, 23, 59), "skipped", HURRY),
    ("S16", None, "jonas", "winter_check", V2, local(16, 0, 0, 30), "done", None),
)


def build_report_world(session: Session) -> ReportWorld:
    w = ReportWorld()
    groups = {"Nordlicht": DealerGroup(name="Nordlicht"), "Süd": DealerGroup(name="Süd")}
    session.add_all(groups.values())
    session.flush()
    w.group_id = groups["Nordlicht"].id
    for code, group in (("HAM1", "Nordlicht"), ("KI1", "Nordlicht"), ("MUC1", "Süd")):
        dealer = Dealer(
            group_id=groups[group].id,
            code=code,
            name=f"{group} {code}",
            timezone="Europe/Berlin",
            country="DE",
        )
        session.add(dealer)
        session.flush()
        w.dealers[code] = dealer.id
    for key, code, user, name, role in STAFF:
        member = StaffMember(
            dealer_id=w.dealers[code],
            slack_team_id="T1",
            slack_user_id=user,
            display_name=name,
            role=role,
        )
        session.add(member)
        session.flush()
        w.staff[key] = member.id
    customer = Customer(given_name="Dana", family_name="Okafor", salutation="Ms.")
    vehicle = Vehicle(vin="WBA3A5C50DF000001", make="BMW", model="320d")
    session.add_all([customer, vehicle])
    session.flush()
    for key, code, advisor, opened, score in VISITS:
        visit = ServiceVisit(
            ro_number=f"RO-{code}-{key}",
            dealer_id=w.dealers[code],
            customer_id=customer.id,
            vehicle_id=vehicle.id,
            advisor_id=w.staff[advisor],
            status="closed",
            opened_at=opened,
        )
        session.add(visit)
        session.flush()
        w.visits[key] = visit.id
        if score is not None:
            session.add(
                Survey(
                    visit_id=visit.id,
                    score=score,
                    surveyed_on=opened.date() + dt.timedelta(days=1),
                    source="survey",
                )
            )
    for key, visit_key, staff_key, touch, version, shown, outcome, reason in SUGGESTIONS:
        visit_id = w.visits[visit_key] if visit_key else None
        staff_id = w.staff[staff_key] if staff_key else None
        row = TouchSuggestion(
            touch_id=touch,
            category="comfort",
            customer_id=customer.id,
            visit_id=visit_id,
            occasion=f"visit:{visit_id}" if visit_id else f"day:{shown.date()}",
            staff_id=staff_id,
            actor="test",
            shown_at=shown,
            last_shown_at=shown,
            shown_count=1,
            rank=1,
            playbook_version=version,
            playbook_label=LABELS[version],
            instruction=f"Do {touch}.",
            reason=f"Because of {touch}.",
            facts={"is_waiting": True, "preferred_drink": "oat flat white"},
            outcome=outcome,
            outcome_reason=reason,
            outcome_at=shown + dt.timedelta(minutes=10) if outcome else None,
            outcome_staff_id=staff_id if outcome else None,
        )
        session.add(row)
        session.flush()
        w.suggestions[key] = row.id
    for suggestion, staff, rating, comment, at in (
        ("S1", "tom", "good", None, dt.datetime(2026, 11, 19, 9, tzinfo=dt.UTC)),
        (
            "S1",
            "ada",
            "not_appropriate",
            "too early in the visit",
            dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
        ),
        (
            "S3",
            "tom",
            "not_appropriate",
            "customer was on the phone",
            dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
        ),
        ("S13", "tom", "good", None, dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)),
    ):
        session.add(
            SuggestionRating(
                suggestion_id=w.suggestions[suggestion],
                staff_id=w.staff[staff],
                rating=rating,
                comment=comment,
                rated_at=at,
            )
        )
    session.flush()
    return w
