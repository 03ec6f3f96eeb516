"""trainers: suggestion reviews and survey imports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating IN ('good', 'not_appropriate')", name=op.f("ck_suggestion_rating_rating")
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["touch_suggestion.id"],
            name=op.f("fk_suggestion_rating_suggestion_id_touch_suggestion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_member.id"],
            name=op.f("fk_suggestion_rating_staff_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_rating")),
        sa.UniqueConstraint(
            "suggestion_id", "staff_id", name=op.f("uq_suggestion_rating_suggestion_id_staff_id")
        ),
    )
    with op.batch_alter_table("suggestion_rating", schema=None) as batch_op:
        batch_op.create_index("ix_suggestion_rating_staff_id", ["staff_id"], unique=False)

    op.create_table(
        "survey_import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("written", sa.Boolean(), nullable=False),
        sa.Column(
            "rejects",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_member.id"],
            name=op.f("fk_survey_import_run_staff_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_import_run")),
    )
    with op.batch_alter_table("survey_import_run", schema=None) as batch_op:
        batch_op.create_index("ix_survey_import_run_file_sha256", ["file_sha256"], unique=False)

    # Indexes the report reads on tables of other modules.
    with op.batch_alter_table("touch_suggestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touch_suggestion_report",
            [
                "touch_id",
                "playbook_version",
                "outcome",
                "shown_at",
                "staff_id",
                "visit_id",
                "playbook_label",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_touch_suggestion_staff_report",
            ["staff_id", "outcome", "shown_at", "touch_id", "playbook_version", "visit_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_touch_suggestion_skips",
            ["outcome", "touch_id", "outcome_reason", "shown_at", "staff_id", "visit_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_touch_suggestion_visit_outcome",
            ["visit_id", "outcome", "touch_id", "playbook_version"],
            unique=False,
        )
    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_visit_dealer_opened", ["dealer_id", "opened_at"], unique=False
        )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_report", ["surveyed_on", "visit_id", "score"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_report")
    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_service_visit_dealer_opened")
    with op.batch_alter_table("touch_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_touch_suggestion_visit_outcome")
        batch_op.drop_index("ix_touch_suggestion_skips")
        batch_op.drop_index("ix_touch_suggestion_staff_report")
        batch_op.drop_index("ix_touch_suggestion_report")

    with op.batch_alter_table("survey_import_run", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_import_run_file_sha256")
    op.drop_table("survey_import_run")

    with op.batch_alter_table("suggestion_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_rating_staff_id")
    op.drop_table("suggestion_rating")
