"""The figures of a trainers' report, as plain data every renderer (JSON, CSV, HTML, Slack)
reads. Nothing here touches the database.

Definitions (shown in every rendering):

- *suggested*: suggestions shown in the period (a touch shown again on the same occasion is
  one suggestion); *done*, *skipped*, *not applicable*: their recorded outcomes; *open*: no
  outcome recorded; *done rate*: done ÷ suggested.
- *satisfaction*: surveyed visits opened in the period, split into visits where at least
  one touch was done, visits with touches suggested but none done, and visits without
  suggestions; each average comes with the number of visits behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from knowledge.reports.period import Period, week_label, week_monday
from knowledge.reports.scope import Scope

# Fewer surveyed visits than this and an average is flagged as too few to read much into.
SMALL_SAMPLE = 30
TOP_REASONS = 3
TOP_COMMENTS = 3


@dataclass(frozen=True)
class Counts:
    suggested: int = 0
    done: int = 0
    skipped: int = 0
    not_applicable: int = 0

    @property
    def open(self) -> int:
        return self.suggested - self.done - self.skipped - self.not_applicable

    @property
    def done_rate(self) -> float | None:
        return self.done / self.suggested if self.suggested else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.suggested + other.suggested,
            self.done + other.done,
            self.skipped + other.skipped,
            self.not_applicable + other.not_applicable,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "suggested": self.suggested,
            "done": self.done,
            "skipped": self.skipped,
            "not_applicable": self.not_applicable,
            "open": self.open,
            "done_rate": self.done_rate,
        }


def total(counts: list[Counts] | tuple[Counts, ...]) -> Counts:
    out = Counts()
    for c in counts:
        out = out + c
    return out


@dataclass(frozen=True)
class Mean:
    """An average score and the number of surveyed visits behind it."""

    visits: int = 0
    score_sum: int = 0

    @property
    def average(self) -> float | None:
        return self.score_sum / self.visits if self.visits else None

    @property
    def small(self) -> bool:
        return self.visits < SMALL_SAMPLE

    def __add__(self, other: Mean) -> Mean:
        return Mean(self.visits + other.visits, self.score_sum + other.score_sum)

    def to_dict(self) -> dict[str, object]:
        avg = self.average
        return {
            "visits": self.visits,
            "average": round(avg, 4) if avg is not None else None,
            "small_sample": self.small,
        }


@dataclass(frozen=True)
class Satisfaction:
    touches_done: Mean = Mean()
    suggested_none_done: Mean = Mean()
    nothing_suggested: Mean = Mean()

    @property
    def without_touches(self) -> Mean:
        """Every surveyed visit where no touch was done."""
        return self.suggested_none_done + self.nothing_suggested

    @property
    def difference(self) -> float | None:
        a, b = self.touches_done.average, self.without_touches.average
        return a - b if a is not None and b is not None else None

    def __add__(self, other: Satisfaction) -> Satisfaction:
        return Satisfaction(
            self.touches_done + other.touches_done,
            self.suggested_none_done + other.suggested_none_done,
            self.nothing_suggested + other.nothing_suggested,
        )

    def to_dict(self) -> dict[str, object]:
        diff = self.difference
        return {
            "touches_done": self.touches_done.to_dict(),
            "without_touches": self.without_touches.to_dict(),
            "suggested_none_done": self.suggested_none_done.to_dict(),
            "nothing_suggested": self.nothing_suggested.to_dict(),
            "difference": round(diff, 4) if diff is not None else None,
        }


@dataclass(frozen=True)
class Reason:
    text: str
    count: int


@dataclass(frozen=True)
class RatingComment:
    suggestion_id: int
    by: str
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class Ratings:
    good: int = 0
    not_appropriate: int = 0
    # The latest "not appropriate" comments, newest first.
    comments: tuple[RatingComment, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "good": self.good,
            "not_appropriate": self.not_appropriate,
            "comments": [
                {
                    "suggestion_id": c.suggestion_id,
                    "by": c.by,
                    "at": c.at.isoformat(),
                    "text": c.text,
                }
                for c in self.comments
            ],
        }


@dataclass(frozen=True)
class TouchRow:
    touch_id: str
    title: str
    category: str | None
    counts: Counts
    skip_reasons: tuple[Reason, ...]  # the most frequent first
    ratings: Ratings
    # Surveyed visits where this touch was done, and where it was suggested but not done
    # (None unless the report was asked for satisfaction per touch).
    when_done: Mean | None = None
    when_not_done: Mean | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "touch_id": self.touch_id,
            "title": self.title,
            "category": self.category,
            **self.counts.to_dict(),
            "top_skip_reasons": [{"reason": r.text, "count": r.count} for r in self.skip_reasons],
            "ratings": self.ratings.to_dict(),
            "satisfaction_when_done": self.when_done.to_dict() if self.when_done else None,
            "satisfaction_when_not_done": (
                self.when_not_done.to_dict() if self.when_not_done else None
            ),
        }


@dataclass(frozen=True)
class StaffRow:
    staff_id: int | None
    name: str
    role: str | None
    dealer_code: str | None
    counts: Counts

    def to_dict(self) -> dict[str, object]:
        return {
            "staff_id": self.staff_id,
            "name": self.name,
            "role": self.role,
            "dealer": self.dealer_code,
            **self.counts.to_dict(),
        }


@dataclass(frozen=True)
class WeekRow:
    index: int
    counts: Counts
    satisfaction: Satisfaction

    @property
    def label(self) -> str:
        return week_label(self.index)

    @property
    def monday(self) -> dt.date:
        return week_monday(self.index)

    def to_dict(self) -> dict[str, object]:
        return {
            "week": self.label,
            "starts": self.monday.isoformat(),
            **self.counts.to_dict(),
            "satisfaction": self.satisfaction.to_dict(),
        }


@dataclass(frozen=True)
class VersionInfo:
    version: str
    label: str | None
    counts: Counts

    @property
    def display(self) -> str:
        return f"{self.label} ({self.version})" if self.label else self.version


@dataclass(frozen=True)
class VersionSide:
    info: VersionInfo
    touches: dict[str, Counts]
    satisfaction: Satisfaction

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.info.version,
            "label": self.info.label,
            **self.info.counts.to_dict(),
            "satisfaction": self.satisfaction.to_dict(),
            "touches": {k: v.to_dict() for k, v in sorted(self.touches.items())},
        }


@dataclass(frozen=True)
class Comparison:
    a: VersionSide
    b: VersionSide

    def touch_ids(self) -> list[str]:
        return sorted(set(self.a.touches) | set(self.b.touches))

    def to_dict(self) -> dict[str, object]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict()}


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    period: Period
    scope: Scope
    totals: Counts
    touches: tuple[TouchRow, ...]  # most suggested first
    staff: tuple[StaffRow, ...]  # most suggested first
    weeks: tuple[WeekRow, ...]  # every week of the period, in order
    # Per touch, its counts in each week of ``weeks`` (same order).
    touch_weeks: dict[str, tuple[Counts, ...]]
    satisfaction: Satisfaction
    versions: tuple[VersionInfo, ...]  # playbook versions seen in the period
    comparison: Comparison | None = None
    notes: tuple[str, ...] = field(default=())
    # Whether the touches carry satisfaction per touch (asked for: it costs the most).
    touch_satisfaction: bool = False

    def touch(self, touch_id: str) -> TouchRow | None:
        return next((t for t in self.touches if t.touch_id == touch_id), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "period": {
                "label": self.period.label,
                "first_day": self.period.first.isoformat(),
                "last_day": self.period.last.isoformat(),
                "timezone": self.period.timezone,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "scope": self.scope.to_dict(),
            "totals": self.totals.to_dict(),
            "satisfaction": self.satisfaction.to_dict(),
            "touches": [t.to_dict() for t in self.touches],
            "staff": [s.to_dict() for s in self.staff],
            "weeks": [w.to_dict() for w in self.weeks],
            "touch_weeks": {
                touch_id: [
                    {"week": w.label, **c.to_dict()} for w, c in zip(self.weeks, cells, strict=True)
                ]
                for touch_id, cells in self.touch_weeks.items()
            },
            "playbook_versions": [
                {"version": v.version, "label": v.label, **v.counts.to_dict()}
                for v in self.versions
            ],
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "notes": list(self.notes),
            "definitions": DEFINITIONS,
        }


DEFINITIONS = {
    "suggested": "suggestions shown in the period (shown again on the same occasion: counted once)",
    "done": "suggestions staff marked done",
    "skipped": "suggestions staff skipped, with a reason",
    "not_applicable": "suggestions staff marked not applicable",
    "open": "suggestions with no outcome recorded",
    "done_rate": "done ÷ suggested",
    "satisfaction": (
        "average survey score (0–10) of visits opened in the period: with at least one touch "
        "done, versus without (touches suggested but none done, or nothing suggested); "
        f"fewer than {SMALL_SAMPLE} visits is flagged as a small sample"
    ),
    "rooftop": (
        "a suggestion counts for the rooftop of the staff member it was shown to (or of its "
        "visit when shown to nobody in particular)"
    ),
}
