"""Identity resolution: import runs, their rejects, match keys, reviews and the merge log.

Golden customers live in ``customer``; every imported record is a ``source_record``. These
tables hold what joining them needs: the comparable form of each imported person record
(``identity_member``), the blocking keys that find candidates fast (``identity_key``), values
too shared to identify anyone (``identity_shared_value``), uncertain pairs for a human
(``identity_review``) and every manual merge and split (``identity_merge_log``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
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


class ImportStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReviewStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


class MergeAction(StrEnum):
    MERGE = "merge"
    SPLIT = "split"


class ImportRun(Base):
    """One ``concierge import`` of one file; committed batch by batch so a re-run resumes."""

    __tablename__ = "import_run"
    __table_args__ = (
        CheckConstraint(check_in("status", ImportStatus), name="status"),
        Index("ix_import_run_source_file", "source_system_id", "file_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_system_id: Mapped[int] = mapped_column(ForeignKey("source_system.id"))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.RUNNING.value)
    actor: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Rows of the file fully processed and committed; a resumed run skips them.
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    reviewed: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class ImportReject(Base):
    """A row of an import that could not be used, with its line number and why."""

    __tablename__ = "import_reject"
    __table_args__ = (UniqueConstraint("run_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("import_run.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)


class IdentityMember(Base):
    """The comparable form of one imported person record, and the golden customer it joined.

    ``features`` is compact JSON (normalised names, birth date, phones, e-mails, address,
    trust rank and recency): what clustering compares and survivorship picks from.
    """

    __tablename__ = "identity_member"
    __table_args__ = (Index("ix_identity_member_customer", "customer_id"),)

    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_record.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    features: Mapped[str] = mapped_column(Text)


class IdentityKey(Base):
    """A blocking key (64-bit hash of e.g. a phone, or family name + birth date) of a customer."""

    __tablename__ = "identity_key"
    __table_args__ = (
        Index("ix_identity_key_customer", "customer_id"),
        # The primary key is the lookup path; SQLite stores such a table as one B-tree.
        {"sqlite_with_rowid": False},
    )

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class SharedValue(Base):
    """A phone or e-mail that identifies nobody: junk, the dealer's own, or shared by many."""

    __tablename__ = "identity_shared_value"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        CheckConstraint("kind IN ('phone', 'email')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(300))
    people: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200))
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchReview(Base):
    """Two customers that may be one person: a human decides (merge or dismiss).

    The pair is stored low id first, so it is raised once however it was found.
    """

    __tablename__ = "identity_review"
    __table_args__ = (
        CheckConstraint(check_in("status", ReviewStatus), name="status"),
        CheckConstraint("customer_id < other_customer_id", name="ordered"),
        UniqueConstraint("customer_id", "other_customer_id"),
        Index("ix_identity_review_status", "status", "id"),
        Index("ix_identity_review_other", "other_customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    other_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    source_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_record.id", ondelete="SET NULL")
    )
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class MergeLogEntry(Base):
    """Every manual merge and split: who, when, why, and exactly which rows moved.

    ``detail`` holds the moved row ids per table and the merged-away customer's fields, so a
    split of a merge restores both customers as they were.
    """

    __tablename__ = "identity_merge_log"
    __table_args__ = (
        CheckConstraint(check_in("action", MergeAction), name="action"),
        Index("ix_identity_merge_log_kept", "kept_customer_id"),
        Index("ix_identity_merge_log_other", "other_customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    # Plain integers, not foreign keys: the log outlives the customers it names.
    kept_customer_id: Mapped[int] = mapped_column(Integer)
    other_customer_id: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_review.id", ondelete="SET NULL")
    )
    undoes_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_merge_log.id", ondelete="SET NULL")
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)


class NameFrequency(Base):
    """How many imported person records carry a name token (kind 'g' given, 'f' family;
    kind 't' with an empty token holds the total). An exact full-name match is evidence in
    proportion to how rare the name is — Müller is no evidence, Brodersen is."""

    __tablename__ = "identity_name_freq"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
