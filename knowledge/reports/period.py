"""Report periods: what "30d", "this-week" or "2026-10-01..2026-10-31" mean, in local time.

A period is a range of whole local days (both ends included) at the dealer's time zone.
Weeks are ISO weeks (Monday to Sunday) in that zone: each week's start is the UTC instant
of its local Monday midnight, so SQLite and PostgreSQL put every event in the same week,
daylight saving time included.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge.errors import InvalidInput

# Longer periods are not a report but an archive query; keep the scans bounded.
MAX_DAYS = 3 * 366
EPOCH = dt.date(1970, 1, 1)  # a Thursday: ISO weeks start three days earlier

_LAST_N = re.compile(r"^(\d{1,4})\s*(d|day|days|w|week|weeks)$")
_DATE = r"\d{4}-\d{2}-\d{2}"
_RANGE = re.compile(rf"^({_DATE})\s*\.\.\s*({_DATE})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ISO_WEEK = re.compile(r"^(\d{4})-w(\d{1,2})$")

PERIOD_HELP = (
    "30d (the last 30 days up to today), 12w, today, yesterday, this-week, last-week, "
    "this-month, last-month, this-year, 2026-10 (a month), 2026-W44 (an ISO week), "
    "2026-10-01 (from that day on) or 2026-10-01..2026-10-31"
)


@dataclass(frozen=True)
class DateRange:
    first: dt.date
    last: dt.date  # included
    label: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def in_zone(self, timezone: str) -> Period:
        zone = zone_named(timezone)
        start = dt.datetime.combine(self.first, dt.time(), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), zone)
        return Period(self.first, self.last, self.label, timezone, start, end.astimezone(dt.UTC))


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  # included
    label: str
    timezone: str
    start: dt.datetime  # UTC, the first day's local midnight
    end: dt.datetime  # UTC, excluded: the local midnight after the last day

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def text(self) -> str:
        return f"{self.label} ({self.first.isoformat()} – {self.last.isoformat()}, {self.timezone})"

    def weeks(self) -> list[int]:
        """Every week index the period touches, in order."""
        return list(range(week_index(self.first), week_index(self.last) + 1))


def zone_named(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {timezone!r}") from None


def week_index(day: dt.date) -> int:
    """Weeks since the ISO week holding 1970-01-01; equal for every day of one ISO week."""
    return ((day - EPOCH).days + 3) // 7


def week_monday(index: int) -> dt.date:
    return EPOCH + dt.timedelta(days=index * 7 - 3)


def week_label(index: int) -> str:
    year, week, _ = week_monday(index).isocalendar()
    return f"{year}-W{week:02d}"


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date (use YYYY-MM-DD)") from None


def parse_period(since: str, *, until: str | None = None, today: dt.date) -> DateRange:
    """Parse a period as staff type it (see ``PERIOD_HELP``); ``until`` ends a start date."""
    text = (since or "").strip().lower()
    if not text:
        raise InvalidInput(f"name a period: {PERIOD_HELP}")
    first: dt.date
    last: dt.date = today
    label: str
    open_ended = False
    if m := _LAST_N.match(text):
        n = int(m.group(1))
        days = n * 7 if m.group(2).startswith("w") else n
        if days < 1:
            raise InvalidInput(f"{since!r} is an empty period: give at least 1 day")
        if days > MAX_DAYS:
            raise InvalidInput(f"{since!r} is longer than {MAX_DAYS} days")
        first = today - dt.timedelta(days=days - 1)
        unit = "weeks" if m.group(2).startswith("w") else "days"
        label = f"last {n} {unit}"
    elif text == "today":
        first, label = today, "today"
    elif text == "yesterday":
        first = last = today - dt.timedelta(days=1)
        label = "yesterday"
    elif text in ("this-week", "this week"):
        first, label = today - dt.timedelta(days=today.weekday()), "this week"
    elif text in ("last-week", "last week"):
        last = today - dt.timedelta(days=today.weekday() + 1)
        first, label = last - dt.timedelta(days=6), "last week"
    elif text in ("this-month", "this month"):
        first, label = today.replace(day=1), "this month"
    elif text in ("last-month", "last month"):
        last = today.replace(day=1) - dt.timedelta(days=1)
        first, label = last.replace(day=1), "last month"
    elif text in ("this-year", "this year"):
        first, label = today.replace(month=1, day=1), "this year"
    elif m := _RANGE.match(text):
        first, last = _date(m.group(1), "the start"), _date(m.group(2), "the end")
        label = f"{first.isoformat()}..{last.isoformat()}"
    elif m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise InvalidInput(f"{since!r} is not a month (use YYYY-MM, e.g. 2026-10)")
        first, last = _month_range(year, month)
        label = first.strftime("%B %Y")
    elif m := _ISO_WEEK.match(text):
        year, week = int(m.group(1)), int(m.group(2))
        try:
            first = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidInput(f"{since!r} is not an ISO week of {year}") from None
        last = first + dt.timedelta(days=6)
        label = f"{year}-W{week:02d}"
    elif re.fullmatch(_DATE, text):
        first, open_ended = _date(text, "the start"), True
        label = f"since {first.isoformat()}"
    else:
        raise InvalidInput(f"{since!r} is not a period: use {PERIOD_HELP}")
    if until is not None and until.strip():
        if not open_ended:
            raise InvalidInput(
                f"--until only ends a start date (e.g. --since 2026-10-01 --until 2026-10-31); "
                f"{since!r} already has an end"
            )
        last = _date(until.strip(), "--until")
        label = f"{first.isoformat()}..{last.isoformat()}"
    if first > today:
        raise InvalidInput(f"the period starts in the future ({first.isoformat()})")
    if last < first:
        raise InvalidInput(
            f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})"
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days: choose a shorter one")
    return DateRange(first, last, label)
