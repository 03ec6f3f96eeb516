"""identity resolution: reviews, merges, import runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_system_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_import_run_status")
        ),
        sa.ForeignKeyConstraint(
            ["source_system_id"],
            ["source_system.id"],
            name=op.f("fk_import_run_source_system_id_source_system"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    op.create_index("ix_import_run_source_file", "import_run", ["source_system_id", "file_sha256"])

    op.create_table(
        "import_reject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["import_run.id"],
            name=op.f("fk_import_reject_run_id_import_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_reject")),
        sa.UniqueConstraint("run_id", "line", name=op.f("uq_import_reject_run_id_line")),
    )

    op.create_table(
        "identity_member",
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_identity_member_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_record.id"],
            name=op.f("fk_identity_member_source_record_id_source_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_record_id", name=op.f("pk_identity_member")),
    )
    op.create_index("ix_identity_member_customer", "identity_member", ["customer_id"])

    op.create_table(
        "identity_key",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_identity_key_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "customer_id", name=op.f("pk_identity_key")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_identity_key_customer", "identity_key", ["customer_id"])

    op.create_table(
        "identity_shared_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('phone', 'email')", name=op.f("ck_identity_shared_value_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_shared_value")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_identity_shared_value_kind_value")),
    )

    op.create_table(
        "identity_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_customer_id", sa.Integer(), nullable=False),
        sa.Column("source_record_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'merged', 'dismissed')", name=op.f("ck_identity_review_status")
        ),
        sa.CheckConstraint(
            "customer_id < other_customer_id", name=op.f("ck_identity_review_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_identity_review_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_customer_id"],
            ["customer.id"],
            name=op.f("fk_identity_review_other_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_record.id"],
            name=op.f("fk_identity_review_source_record_id_source_record"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_review")),
        sa.UniqueConstraint(
            "customer_id",
            "other_customer_id",
            name=op.f("uq_identity_review_customer_id_other_customer_id"),
        ),
    )
    op.create_index("ix_identity_review_status", "identity_review", ["status", "id"])
    op.create_index("ix_identity_review_other", "identity_review", ["other_customer_id"])

    op.create_table(
        "identity_merge_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kept_customer_id", sa.Integer(), nullable=False),
        sa.Column("other_customer_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("detail", _JSON, nullable=False),
        sa.CheckConstraint(
            "action IN ('merge', 'split')", name=op.f("ck_identity_merge_log_action")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["identity_review.id"],
            name=op.f("fk_identity_merge_log_review_id_identity_review"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"],
            ["identity_merge_log.id"],
            name=op.f("fk_identity_merge_log_undoes_id_identity_merge_log"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_merge_log")),
    )
    op.create_index("ix_identity_merge_log_kept", "identity_merge_log", ["kept_customer_id"])
    op.create_index("ix_identity_merge_log_other", "identity_merge_log", ["other_customer_id"])

    op.create_table(
        "identity_name_freq",
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "token", name=op.f("pk_identity_name_freq")),
    )


def downgrade() -> None:
    op.drop_table("identity_name_freq")
    op.drop_index("ix_identity_merge_log_other", table_name="identity_merge_log")
    op.drop_index("ix_identity_merge_log_kept", table_name="identity_merge_log")
    op.drop_table("identity_merge_log")
    op.drop_index("ix_identity_review_other", table_name="identity_review")
    op.drop_index("ix_identity_review_status", table_name="identity_review")
    op.drop_table("identity_review")
    op.drop_table("identity_shared_value")
    op.drop_index("ix_identity_key_customer", table_name="identity_key")
    op.drop_table("identity_key")
    op.drop_index("ix_identity_member_customer", table_name="identity_member")
    op.drop_table("identity_member")
    op.drop_table("import_reject")
    op.drop_index("ix_import_run_source_file", table_name="import_run")
    op.drop_table("import_run")
