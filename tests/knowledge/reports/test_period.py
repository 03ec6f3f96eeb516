"""Periods as staff type them, and ISO weeks in local time."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.errors import InvalidInput
from knowledge.reports.period import parse_period, week_index, week_label, week_monday

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "until", "first", "last", "label"),
    [
        ("30d", None, dt.date(2026, 10, 25), TODAY, "last 30 days"),
        ("1d", None, TODAY, TODAY, "last 1 days"),
        ("12w", None, dt.date(2026, 9, 1), TODAY, "last 12 weeks"),
        ("7 days", None, dt.date(2026, 11, 17), TODAY, "last 7 days"),
        ("today", None, TODAY, TODAY, "today"),
        ("yesterday", None, dt.date(2026, 11, 22), dt.date(2026, 11, 22), "yesterday"),
        ("this-week", None, TODAY, TODAY, "this week"),
        ("last-week", None, dt.date(2026, 11, 16), dt.date(2026, 11, 22), "last week"),
        ("This Month", None, dt.date(2026, 11, 1), TODAY, "this month"),
        ("last-month", None, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "last month"),
        ("this-year", None, dt.date(2026, 1, 1), TODAY, "this year"),
        ("2026-10", None, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "October 2026"),
        ("2026-02", None, dt.date(2026, 2, 1), dt.date(2026, 2, 28), "February 2026"),
        ("2026-W44", None, dt.date(2026, 10, 26), dt.date(2026, 11, 1), "2026-W44"),
        (
            "2026-10-01..2026-10-31",
            None,
            dt.date(2026, 10, 1),
            dt.date(2026, 10, 31),
            "2026-10-01..2026-10-31",
        ),
        ("2026-11-01", None, dt.date(2026, 11, 1), TODAY, "since 2026-11-01"),
        (
            "2026-10-01",
            "2026-10-15",
            dt.date(2026, 10, 1),
            dt.date(2026, 10, 15),
            "2026-10-01..2026-10-15",
        ),
    ],
)
def test_periods(text: str, until: str | None, first: dt.date, last: dt.date, label: str) -> None:
    period = parse_period(text, until=until, today=TODAY)
    assert (period.first, period.last, period.label) == (first, last, label)


def test_this_week_on_a_sunday_starts_on_monday() -> None:
    sunday = dt.date(2026, 11, 22)
    period = parse_period("this-week", today=sunday)
    assert (period.first, period.last) == (dt.date(2026, 11, 16), sunday)


def test_a_period_in_local_time() -> None:
    period = parse_period("2026-11-02..2026-11-15", today=TODAY).in_zone("Europe/Berlin")
    assert period.start == dt.datetime(2026, 11, 1, 23, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 11, 15, 23, tzinfo=dt.UTC)
    assert period.days == 14
    summer = parse_period("2026-07", today=TODAY).in_zone("Europe/Berlin")
    assert summer.start == dt.datetime(2026, 6, 30, 22, tzinfo=dt.UTC)
    assert period.text == "2026-11-02..2026-11-15 (2026-11-02 – 2026-11-15, Europe/Berlin)"


def test_iso_weeks() -> None:
    assert week_monday(week_index(dt.date(2026, 11, 23))) == dt.date(2026, 11, 23)
    assert week_monday(week_index(dt.date(2026, 11, 29))) == dt.date(2026, 11, 23)
    assert week_label(week_index(dt.date(2026, 11, 29))) == "2026-W48"
    # 2027-01-01 is a Friday of ISO week 53 of 2026.
    assert week_label(week_index(dt.date(2027, 1, 1))) == "2026-W53"
    assert week_index(dt.date(1970, 1, 1)) == 0 and week_monday(0) == dt.date(1969, 12, 29)


@pytest.mark.parametrize(
    ("text", "until", "message"),
    [
        ("", None, "name a period: 30d"),
        ("last tuesday", None, "'last tuesday' is not a period: use 30d"),
        ("0d", None, "'0d' is an empty period: give at least 1 day"),
        ("2000d", None, "'2000d' is longer than 1098 days"),
        ("2026-13", None, "'2026-13' is not a month"),
        ("2026-W60", None, "'2026-W60' is not an ISO week of 2026"),
        ("2026-02-30..2026-03-01", None, "the start '2026-02-30' is not a date"),
        ("2026-10-31..2026-10-01", None, "the period ends (2026-10-01) before it starts"),
        ("2026-12-01", None, "the period starts in the future (2026-12-01)"),
        ("30d", "2026-11-01", "--until only ends a start date"),
        ("2026-10-01", "soon", "--until 'soon' is not a date"),
        ("2020-01-01", None, "the period is longer than 1098 days"),
    ],
)
def test_bad_periods_are_one_clear_line(text: str, until: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_period(text, until=until, today=TODAY)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_an_unknown_zone() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Olympus'"):
        parse_period("30d", today=TODAY).in_zone("Mars/Olympus")
