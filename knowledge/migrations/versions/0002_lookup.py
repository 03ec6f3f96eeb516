"""lookup: search keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_search_key",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_search_key_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "kind", "key", name=op.f("pk_customer_search_key")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_customer_search_key_lookup",
        "customer_search_key",
        ["kind", "key", "customer_id"],
        unique=False,
    )
    op.create_table(
        "search_term",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("phonetic", sa.String(length=64), nullable=False),
        sa.Column("freq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_term")),
    )
    op.create_index(op.f("ix_search_term_phonetic"), "search_term", ["phonetic"], unique=False)
    op.create_table(
        "search_term_variant",
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("variant", "term", name=op.f("pk_search_term_variant")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_vehicle_vin_tail", "vehicle", [sa.text("substr(vin, 12)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_vehicle_vin_tail", table_name="vehicle")
    op.drop_table("search_term_variant")
    op.drop_index(op.f("ix_search_term_phonetic"), table_name="search_term")
    op.drop_table("search_term")
    op.drop_index("ix_customer_search_key_lookup", table_name="customer_search_key")
    op.drop_table("customer_search_key")
