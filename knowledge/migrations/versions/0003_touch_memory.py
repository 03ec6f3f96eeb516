"""playbook: suggestions and their outcomes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "touch_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("touch_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("occasion", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shown_count", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("playbook_version", sa.String(length=64), nullable=False),
        sa.Column("playbook_label", sa.String(length=64), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "facts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_staff_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('done', 'skipped', 'not_applicable')",
            name=op.f("ck_touch_suggestion_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_touch_suggestion_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["service_visit.id"],
            name=op.f("fk_touch_suggestion_visit_id_service_visit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_member.id"],
            name=op.f("fk_touch_suggestion_staff_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_staff_id"],
            ["staff_member.id"],
            name=op.f("fk_touch_suggestion_outcome_staff_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touch_suggestion")),
    )
    with op.batch_alter_table("touch_suggestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touch_suggestion_customer_touch",
            ["customer_id", "touch_id", "occasion"],
            unique=False,
        )
        batch_op.create_index("ix_touch_suggestion_shown_at", ["shown_at"], unique=False)
        batch_op.create_index(
            "ix_touch_suggestion_staff_shown", ["staff_id", "shown_at"], unique=False
        )
        batch_op.create_index(
            "ix_touch_suggestion_touch_shown", ["touch_id", "shown_at"], unique=False
        )
        batch_op.create_index("ix_touch_suggestion_visit", ["visit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("touch_suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_touch_suggestion_visit")
        batch_op.drop_index("ix_touch_suggestion_touch_shown")
        batch_op.drop_index("ix_touch_suggestion_staff_shown")
        batch_op.drop_index("ix_touch_suggestion_shown_at")
        batch_op.drop_index("ix_touch_suggestion_customer_touch")

    op.drop_table("touch_suggestion")
