"""suggest_touches, log_touch, skip_touch and touch_report, called directly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import log_touch, skip_touch, suggest_touches, touch_report
from actions.context import ConversationContext
from actions.results import Confirmation, Question, TouchList, TouchReport
from actions.turn import Turn
from knowledge.db import Store
from knowledge.errors import AccessDenied
from knowledge.models import TouchSuggestion
from tests.actions.cast import Cast, ent, turn_for
from tests.knowledge.lookup.world import NOW


def _shown(
    store: Store, cast: Cast, staff: int | None = None
) -> tuple[ConversationContext, TouchList]:
    """Touches for Maria, shown to the advisor in a conversation about her."""
    with store.sessions.begin() as s:
        context = ConversationContext(key="unit", channel="terminal", staff_id=cast.advisor)
        context.set_customer(cast.maria, "Maria Gonzales")
        turn = turn_for(
            s, staff or cast.advisor, "what can i do for her?", "suggest_touches", context=context
        )
        [listed] = suggest_touches.handle(turn)
        assert isinstance(listed, TouchList)
        return context, listed


def _outcomes(store: Store) -> dict[int, tuple[str | None, str | None, int | None]]:
    with store.sessions() as s:
        return {
            t.id: (t.outcome, t.outcome_reason, t.outcome_staff_id)
            for t in s.scalars(select(TouchSuggestion))
        }


def test_suggest_touches_numbers_and_records_what_was_shown(store: Store, cast: Cast) -> None:
    context, listed = _shown(store, cast)
    assert listed.customer.customer_id == cast.maria
    assert 1 <= len(listed.touches) <= 3
    assert [t.number for t in listed.touches] == list(range(1, len(listed.touches) + 1))
    assert [(o.number, o.id) for o in context.touches] == [
        (t.number, t.suggestion_id) for t in listed.touches
    ]
    assert context.touches_customer_id == cast.maria
    with store.sessions() as s:
        shown = s.scalars(select(TouchSuggestion).order_by(TouchSuggestion.rank)).all()
        assert [r.touch_id for r in shown] == [t.touch_id for t in listed.touches]
        assert {r.staff_id for r in shown} == {cast.advisor}


def _turn(
    session: Session,
    cast: Cast,
    context: ConversationContext,
    text: str,
    intent: str,
    entities: list[dict[str, object]] | None = None,
) -> Turn:
    return turn_for(session, cast.advisor, text, intent, entities or [], context=context)


def test_log_touch_by_number_marks_exactly_that_suggestion(store: Store, cast: Cast) -> None:
    context, listed = _shown(store, cast)
    first = listed.touches[0]
    with store.sessions.begin() as s:
        turn = _turn(s, cast, context, "1 done", "log_touch", [ent("ordinal", "1")])
        [done] = log_touch.handle(turn)
        assert isinstance(done, Confirmation)
        assert done.text == f"Marked 1. {first.title} as done."
        assert done.suggestion_id == first.suggestion_id and done.changed and turn.wrote
    assert first.suggestion_id is not None
    assert _outcomes(store)[first.suggestion_id] == ("done", None, cast.advisor)
    with store.sessions.begin() as s:
        turn = _turn(s, cast, context, "1 done", "log_touch", [ent("ordinal", "1")])
        [again] = log_touch.handle(turn)
        assert isinstance(again, Confirmation)
        assert not again.changed and not turn.wrote
        assert again.text == f"1. {first.title} was already marked done."


def test_log_touch_by_name_matches_the_shown_touch(store: Store, cast: Cast) -> None:
    context, listed = _shown(store, cast)
    target = listed.touches[-1]
    name = target.title.split()[-1]  # one word of its title is enough
    with store.sessions.begin() as s:
        turn = _turn(s, cast, context, f"did the {name}", "log_touch", [ent("touch", name)])
        [done] = log_touch.handle(turn)
        assert isinstance(done, Confirmation)
        assert done.suggestion_id == target.suggestion_id


def test_a_number_that_was_not_shown_is_a_question_and_writes_nothing(
    store: Store, cast: Cast
) -> None:
    context, _ = _shown(store, cast)
    with store.sessions.begin() as s:
        turn = _turn(s, cast, context, "done 7", "log_touch", [ent("ordinal", "7")])
        [question] = log_touch.handle(turn)
        assert isinstance(question, Question)
        assert question.text.startswith("There is no touch 7 — the touches shown are: 1. ")
    assert all(o == (None, None, None) for o in _outcomes(store).values())


def test_skip_needs_a_reason_and_records_it(store: Store, cast: Cast) -> None:
    context, listed = _shown(store, cast)
    with store.sessions.begin() as s:
        turn = _turn(s, cast, context, "skip 1", "skip_touch", [ent("ordinal", "1")])
        [question] = skip_touch.handle(turn)
        assert isinstance(question, Question)
        assert question.text.startswith("Why skip it? Say e.g. 'skip 1 customer in a hurry'")
    assert all(o[0] is None for o in _outcomes(store).values())
    with store.sessions.begin() as s:
        text = "skipped #1, she was in a hurry"
        turn = _turn(s, cast, context, text, "skip_touch", [ent("ordinal", "#1")])
        [done] = skip_touch.handle(turn)
        assert isinstance(done, Confirmation)
        assert ("reason", "she was in a hurry") in done.written
    sid = listed.touches[0].suggestion_id
    assert sid is not None
    assert _outcomes(store)[sid] == ("skipped", "she was in a hurry", cast.advisor)


def test_touch_report_counts_this_weeks_outcomes_of_the_asker(store: Store, cast: Cast) -> None:
    context, listed = _shown(store, cast)
    assert len(listed.touches) == 2
    with store.sessions.begin() as s:
        log_touch.handle(_turn(s, cast, context, "1 done", "log_touch", [ent("ordinal", "1")]))
    with store.sessions.begin() as s:
        text = "skip 2 - no time"
        skip_touch.handle(_turn(s, cast, context, text, "skip_touch", [ent("ordinal", "2")]))
    _shown(store, cast, staff=cast.agent)  # someone else's suggestions do not count
    with store.sessions.begin() as s:
        later = NOW + dt.timedelta(hours=1)
        turn = turn_for(s, cast.advisor, "touch report", "touch_report", now=later)
        [report] = touch_report.handle(turn)
        assert isinstance(report, TouchReport)
        assert (report.staff_id, report.staff_name) == (cast.advisor, "Jonas Berg (HAM1)")
        today = dt.date(2026, 11, 23)  # a Monday: this week so far is today
        assert (report.period_start, report.period_end) == (today, today)
        assert (report.shown, report.done, report.skipped, report.open) == (2, 1, 1, 0)
        assert report.adoption == 1 / 2
        assert report.skip_reasons == (("no time", 1),)
        assert [(r.touch_id, r.done, r.skipped) for r in report.rows] == sorted(
            [(t.touch_id, int(t.number == 1), int(t.number == 2)) for t in listed.touches]
        )
        turn = turn_for(
            s,
            cast.advisor,
            "touch report last week",
            "touch_report",
            [ent("period", "last_week", start=13, end=22)],
        )
        [last_week] = touch_report.handle(turn)
        assert isinstance(last_week, TouchReport)
        assert last_week.shown == 0 and last_week.adoption is None
        assert (last_week.period_start, last_week.period_end) == (
            dt.date(2026, 11, 16),
            dt.date(2026, 11, 22),
        )


def test_report_periods_named_by_the_nlu() -> None:
    today = dt.date(2026, 11, 23)
    assert touch_report.period_text(None, today) == "this-week"
    assert touch_report.period_text("last_30_days", today) == "30d"
    assert touch_report.period_text("this_quarter", today) == "2026-10-01..2026-11-23"
    assert touch_report.period_text("last_quarter", today) == "2026-07-01..2026-09-30"


def test_who_sees_which_report(store: Store, cast: Cast) -> None:
    with store.sessions.begin() as s:
        text = "how is jonas berg doing"
        turn = turn_for(s, cast.trainer, text, "touch_report", [ent("person", "jonas berg")])
        [report] = touch_report.handle(turn)
        assert isinstance(report, TouchReport)
        assert (report.staff_id, report.staff_name) == (cast.advisor, "Jonas Berg (HAM1)")
        [team] = touch_report.handle(turn_for(s, cast.trainer, "touch report", "touch_report"))
        assert isinstance(team, TouchReport)
        assert (team.staff_id, team.staff_name) == (None, "dealer group Nordauto Gruppe")
        turn = turn_for(s, cast.agent, text, "touch_report", [ent("person", "jonas berg")])
        with pytest.raises(AccessDenied, match="reports are for trainers and admins"):
            touch_report.handle(turn)
        turn = turn_for(
            s,
            cast.advisor,
            "how is lea doing",
            "touch_report",
            [ent("person", "lea sommer", start=7, end=10)],
        )
        with pytest.raises(AccessDenied, match="advisors see only their own figures"):
            touch_report.handle(turn)
