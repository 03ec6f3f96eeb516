"""Trainers review a visit's suggestions and rate them; ratings reach the report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from knowledge.access import Viewer, operator, viewer_for_slack_id
from knowledge.db import Store
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import AuditEntry, SuggestionRating
from knowledge.reports import report_for
from knowledge.reviews import (
    RatingResult,
    VisitReview,
    condition_facts,
    rate_suggestion,
    visit_suggestions,
)
from knowledge.touches.schema import describe_conditions, load_playbook
from tests.knowledge.reports.world import NOW, PERIOD, V1, ReportWorld, build_report_world


@pytest.fixture()
def world(store: Store) -> ReportWorld:
    with store.sessions.begin() as session:
        return build_report_world(session)


def open_visit(store: Store, who: str | None, ro: str, **options: str) -> VisitReview:
    with store.sessions.begin() as session:
        viewer = viewer_for_slack_id(session, who, channel="t") if who else operator("cli:t")
        return visit_suggestions(session, viewer, ro, playbook=load_playbook(), **options)


def rate(store: Store, who: str | None, suggestion: int, rating: str, **kw: str) -> RatingResult:
    with store.sessions.begin() as session:
        viewer = viewer_for_slack_id(session, who, channel="t") if who else operator("cli:t")
        return rate_suggestion(session, viewer, suggestion, rating, now=NOW, **kw)


def test_a_trainer_opens_a_visits_suggestions(store: Store, world: ReportWorld) -> None:
    review = open_visit(store, "U300", "ro-ham1-v2")
    assert (review.ro_number, review.dealer_code, review.customer_name) == (
        "RO-HAM1-V2",
        "HAM1",
        "Dana Okafor",
    )
    assert (review.advisor, review.survey_score, review.vehicle) == ("Jonas Berg", 6, "BMW 320d")
    assert [s.suggestion_id for s in review.suggestions] == [
        world.suggestions["S3"],
        world.suggestions["S4"],
        world.suggestions["S14"],
    ]
    drink, recall, ask = review.suggestions
    assert (drink.touch_id, drink.title) == ("drink_known", "Their usual drink, brought to them")
    assert (drink.outcome, drink.outcome_reason, drink.outcome_by) == (
        "skipped",
        "customer in a hurry",
        "Jonas Berg",
    )
    assert drink.shown_to == "Jonas Berg" and ask.shown_to is None
    assert (drink.playbook_version, drink.playbook_label) == (V1, "2026.10")
    # The facts its conditions test come first and are marked.
    assert [(f.name, f.value, f.tested) for f in drink.facts] == [
        ("is_waiting", True, True),
        ("preferred_drink", "oat flat white", True),
    ]
    touch = load_playbook().touch("drink_known")
    assert touch is not None and drink.conditions == describe_conditions(touch.conditions)
    assert drink.conditions_note is not None
    assert drink.conditions_note.startswith("conditions of the current playbook ")
    assert drink.conditions_note.endswith(f"this suggestion was made under 2026.10 ({V1})")
    assert [(r.by, r.rating, r.comment) for r in drink.ratings] == [
        ("Tom Richter", "not_appropriate", "customer was on the phone")
    ]
    assert recall.outcome == "not_applicable" and recall.ratings == ()
    body = review.to_dict()
    assert body["survey"] == {"score": 6, "comment": None}
    assert body["suggestions"][0]["facts"][0] == {  # type: ignore[index]
        "name": "is_waiting",
        "value": True,
        "tested": True,
    }


def test_opening_a_visit_is_audited(store: Store, world: ReportWorld) -> None:
    open_visit(store, "U300", "V1")  # the end of the repair-order number is enough
    with store.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "review")).one()
    assert (entry.actor, entry.staff_id, entry.how) == ("slack:T1/U300", world.staff["tom"], "ro")
    assert entry.customer_id is not None
    assert entry.detail == {"ro_number": "RO-HAM1-V1", "suggestions": 2}


@pytest.mark.parametrize(
    ("who", "ro", "error", "message"),
    [
        ("U100", "RO-HAM1-V1", AccessDenied, "reviews are for trainers and admins"),
        ("U200", "RO-HAM1-V1", AccessDenied, "reviews are for trainers and admins"),
        ("U600", "RO-HAM1-V1", AccessDenied, "repair order RO-HAM1-V1 is a visit of another"),
        ("U300", "RO-NOPE-1", InvalidInput, "no repair order RO-NOPE-1"),
        ("U300", "", InvalidInput, "'' is not a repair-order number"),
    ],
)
def test_who_may_open_which_visit(
    store: Store, world: ReportWorld, who: str, ro: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as err:
        open_visit(store, who, ro)
    assert str(err.value).startswith(message)


def test_the_other_trainer_and_the_operator(store: Store, world: ReportWorld) -> None:
    assert len(open_visit(store, "U600", "RO-MUC1-V8").suggestions) == 1
    assert open_visit(store, None, "RO-MUC1-V8").dealer_code == "MUC1"
    assert open_visit(store, "U300", "RO-HAM1-V7").suggestions == ()


def test_rating_a_suggestion(store: Store, world: ReportWorld) -> None:
    s5 = world.suggestions["S5"]
    first = rate(store, "U300", s5, "good")
    assert first.message == f"suggestion #{s5} ('drink_known') rated good"
    again = rate(store, "U300", s5, "Good")
    assert again.message == f"suggestion #{s5} ('drink_known') was already rated good"
    with pytest.raises(InvalidInput, match=r"say why it was not appropriate \(--comment …\)"):
        rate(store, "U300", s5, "not appropriate")
    changed = rate(store, "U300", s5, "not-appropriate", comment="  she   was on a call ")
    assert changed.message == (
        f"suggestion #{s5} ('drink_known') rated not appropriate (she was on a call), was good"
    )
    with store.sessions() as session:
        rows = session.scalars(
            select(SuggestionRating).where(SuggestionRating.suggestion_id == s5)
        ).all()
    assert [(r.rating, r.comment, r.rated_at) for r in rows] == [
        ("not_appropriate", "she was on a call", NOW)
    ]
    # The admin's rating is a second one; both count in the report.
    rate(store, "U400", s5, "good")
    with store.sessions() as session:
        viewer = viewer_for_slack_id(session, "U300", channel="t")
        report = report_for(session, viewer, since=PERIOD, now=NOW)
    drink = report.touch("drink_known")
    assert drink is not None
    assert (drink.ratings.good, drink.ratings.not_appropriate) == (2, 3)
    assert drink.ratings.comments[0].text == "she was on a call"


@pytest.mark.parametrize(
    ("who", "suggestion", "rating", "error", "message"),
    [
        ("U100", "S1", "good", AccessDenied, "reviews are for trainers and admins"),
        ("U600", "S1", "good", AccessDenied, "suggestion #{S1} belongs to another dealer group"),
        (None, "S1", "good", InvalidInput, "a rating is a trainer's: say who rates"),
        ("U300", "S1", "great", InvalidInput, "unknown rating 'great': use good or"),
        ("U300", None, "good", InvalidInput, "no suggestion #999999"),
    ],
)
def test_who_may_rate(
    store: Store,
    world: ReportWorld,
    who: str | None,
    suggestion: str | None,
    rating: str,
    error: type[Exception],
    message: str,
) -> None:
    sid = world.suggestions[suggestion] if suggestion else 999999
    with pytest.raises(error) as err:
        rate(store, who, sid, rating)
    assert str(err.value).startswith(message.replace("{S1}", str(world.suggestions["S1"])))
    with store.sessions() as session:
        assert len(session.scalars(select(SuggestionRating)).all()) == 4  # the fixture's


def test_a_stale_viewer_cannot_rate(store: Store, world: ReportWorld) -> None:
    viewer = Viewer("slack:T1/U999", "trainer", staff_id=424242, dealer_id=world.dealers["HAM1"])
    with store.sessions.begin() as session, pytest.raises(AccessDenied):
        rate_suggestion(session, viewer, world.suggestions["S1"], "good", now=NOW)


def test_the_facts_a_condition_tests() -> None:
    conditions = {
        "is_waiting": True,
        "any": [{"preferred_drink": {"present": True}}, {"not": {"visit_count": {"gt": 3}}}],
        "all": [{"customer_age_years": {"gte": 18}}],
    }
    assert condition_facts(conditions) == {
        "is_waiting",
        "preferred_drink",
        "visit_count",
        "customer_age_years",
    }
