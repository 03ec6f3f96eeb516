"""Closing the loop: trainers' ratings of suggestions, and survey imports.

The indexes at the end serve the trainers' report on tables other modules own; they are
declared here (attached to those tables) so the reports' needs stay in one place.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models.base import Base, JSONType, UTCDateTime, utcnow
from knowledge.models.enums import check_in
from knowledge.models.touch import TouchSuggestion
from knowledge.models.visit import ServiceVisit, Survey


class Rating(StrEnum):
    GOOD = "good"
    NOT_APPROPRIATE = "not_appropriate"


class SuggestionRating(Base):
    """A trainer's verdict on one suggestion; one per trainer and suggestion (re-rating
    replaces it)."""

    __tablename__ = "suggestion_rating"
    __table_args__ = (
        CheckConstraint(check_in("rating", Rating), name="rating"),
        UniqueConstraint("suggestion_id", "staff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("touch_suggestion.id", ondelete="CASCADE")
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    rating: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyImportRun(Base):
    """One ``concierge surveys import`` of one file: what it held and what became of it."""

    __tablename__ = "survey_import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    # False when --strict refused the whole file because of rejects: no survey was written.
    written: Mapped[bool] = mapped_column(Boolean)
    # The first rejects (line, RO, reason), as evidence; the full list goes to the user.
    rejects: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)


# --- indexes the report needs on other modules' tables ---------------------------------------

_ts = TouchSuggestion.__table__
_sv = ServiceVisit.__table__
_su = Survey.__table__

# The report counts suggestions by touch, playbook version, outcome and week as index range
# counts (no sorting, no date arithmetic per row), filtering the scope on the same entries.
Index(
    "ix_touch_suggestion_report",
    _ts.c.touch_id,
    _ts.c.playbook_version,
    _ts.c.outcome,
    _ts.c.shown_at,
    _ts.c.staff_id,
    _ts.c.visit_id,
    _ts.c.playbook_label,
)
# Per staff member, and every figure of a rooftop's or an advisor's report: one range of
# this index per staff member, outcome and period.
Index(
    "ix_touch_suggestion_staff_report",
    _ts.c.staff_id,
    _ts.c.outcome,
    _ts.c.shown_at,
    _ts.c.touch_id,
    _ts.c.playbook_version,
    _ts.c.visit_id,
)
# Skip reasons per touch, read in grouping order from the index alone.
Index(
    "ix_touch_suggestion_skips",
    _ts.c.outcome,
    _ts.c.touch_id,
    _ts.c.outcome_reason,
    _ts.c.shown_at,
    _ts.c.staff_id,
    _ts.c.visit_id,
)
# "Was any touch (this touch, a touch of this version) done at this visit?" for every
# surveyed visit, from the index alone.
Index(
    "ix_touch_suggestion_visit_outcome",
    _ts.c.visit_id,
    _ts.c.outcome,
    _ts.c.touch_id,
    _ts.c.playbook_version,
)
# Surveyed visits of the rooftops in scope, week by week.
Index("ix_service_visit_dealer_opened", _sv.c.dealer_id, _sv.c.opened_at)
# Surveys answered since a day (a survey never predates its visit), with their scores.
Index("ix_survey_report", _su.c.surveyed_on, _su.c.visit_id, _su.c.score)
