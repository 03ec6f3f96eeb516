"""foundation: the unified customer and vehicle store

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_meta")),
    )
    op.create_table(
        "dealer_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dealer_group")),
        sa.UniqueConstraint("name", name=op.f("uq_dealer_group_name")),
    )
    op.create_table(
        "recall_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("make", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("remedy_minutes", sa.Integer(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_campaign")),
        sa.UniqueConstraint("code", name=op.f("uq_recall_campaign_code")),
    )
    op.create_table(
        "source_system",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("trust_rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_system")),
        sa.UniqueConstraint("name", name=op.f("uq_source_system_name")),
    )
    op.create_table(
        "dealer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("main_phone", sa.String(length=20), nullable=True),
        sa.Column("brands", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["dealer_group.id"], name=op.f("fk_dealer_group_id_dealer_group")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dealer")),
        sa.UniqueConstraint("code", name=op.f("uq_dealer_code")),
    )
    with op.batch_alter_table("dealer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dealer_group_id"), ["group_id"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("preferred_name", sa.String(length=100), nullable=True),
        sa.Column("salutation", sa.String(length=32), nullable=True),
        sa.Column("pronunciation", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("customer_since", sa.Date(), nullable=True),
        sa.Column("home_dealer_id", sa.Integer(), nullable=True),
        sa.Column("marketing_consent", sa.Boolean(), nullable=False),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('person', 'company')", name=op.f("ck_customer_kind")),
        sa.ForeignKeyConstraint(
            ["home_dealer_id"], ["dealer.id"], name=op.f("fk_customer_home_dealer_id_dealer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_home_dealer_id"), ["home_dealer_id"], unique=False
        )

    op.create_table(
        "staff_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.Column("slack_team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('advisor', 'call_center', 'trainer', 'admin')",
            name=op.f("ck_staff_member_role"),
        ),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["dealer.id"], name=op.f("fk_staff_member_dealer_id_dealer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        sa.UniqueConstraint(
            "slack_team_id",
            "slack_user_id",
            name=op.f("uq_staff_member_slack_team_id_slack_user_id"),
        ),
    )
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_member_dealer_id"), ["dealer_id"], unique=False)

    op.create_table(
        "vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("make", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("model_year", sa.Integer(), nullable=True),
        sa.Column("trim", sa.String(length=60), nullable=True),
        sa.Column("colour", sa.String(length=40), nullable=True),
        sa.Column("plate", sa.String(length=20), nullable=True),
        sa.Column("plate_normalized", sa.String(length=20), nullable=True),
        sa.Column("odometer_km", sa.Integer(), nullable=True),
        sa.Column("in_service_date", sa.Date(), nullable=True),
        sa.Column("warranty_end", sa.Date(), nullable=True),
        sa.Column("next_service_due", sa.Date(), nullable=True),
        sa.Column("sold_by_dealer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sold_by_dealer_id"], ["dealer.id"], name=op.f("fk_vehicle_sold_by_dealer_id_dealer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle")),
        sa.UniqueConstraint("vin", name=op.f("uq_vehicle_vin")),
    )
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_make"), ["make"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vehicle_plate_normalized"), ["plate_normalized"], unique=False
        )

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("how", sa.String(length=64), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_audit_entry_customer_id_customer"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name=op.f("fk_audit_entry_staff_id_staff_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_customer_at", ["customer_id", "at"], unique=False)
        batch_op.create_index("ix_audit_entry_staff_at", ["staff_id", "at"], unique=False)

    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('phone', 'sms', 'email', 'whatsapp', 'post')",
            name=op.f("ck_contact_log_channel"),
        ),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound')", name=op.f("ck_contact_log_direction")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_log_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name=op.f("fk_contact_log_staff_id_staff_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_log")),
    )
    with op.batch_alter_table("contact_log", schema=None) as batch_op:
        batch_op.create_index("ix_contact_log_customer_at", ["customer_id", "at"], unique=False)

    op.create_table(
        "contact_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('phone', 'email', 'address')", name=op.f("ck_contact_point_kind")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_contact_point_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_point")),
        sa.UniqueConstraint(
            "customer_id",
            "kind",
            "normalized",
            name=op.f("uq_contact_point_customer_id_kind_normalized"),
        ),
    )
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_point_kind_normalized", ["kind", "normalized"], unique=False
        )

    op.create_table(
        "customer_relationship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("related_customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('spouse', 'family', 'fleet_driver')",
            name=op.f("ck_customer_relationship_kind"),
        ),
        sa.CheckConstraint(
            "customer_id <> related_customer_id", name=op.f("ck_customer_relationship_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_relationship_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_relationship_related_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_relationship")),
        sa.UniqueConstraint(
            "customer_id",
            "related_customer_id",
            "kind",
            name=op.f("uq_customer_relationship_customer_id_related_customer_id_kind"),
        ),
    )
    with op.batch_alter_table("customer_relationship", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_relationship_related", ["related_customer_id"], unique=False
        )

    op.create_table(
        "ownership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'co_owner', 'main_driver')", name=op.f("ck_ownership_role")
        ),
        sa.CheckConstraint("until IS NULL OR until >= since", name=op.f("ck_ownership_dates")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_ownership_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_ownership_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership")),
    )
    with op.batch_alter_table("ownership", schema=None) as batch_op:
        batch_op.create_index("ix_ownership_customer", ["customer_id", "vehicle_id"], unique=False)
        batch_op.create_index("ix_ownership_vehicle", ["vehicle_id", "customer_id"], unique=False)

    op.create_table(
        "preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('drink', 'name_pronunciation', 'contact_channel', 'contact_hours', 'language', 'accessibility', 'note')",
            name=op.f("ck_preference_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_preference_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_member.id"],
            name=op.f("fk_preference_recorded_by_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preference")),
    )
    with op.batch_alter_table("preference", schema=None) as batch_op:
        batch_op.create_index(
            "ix_preference_customer_kind", ["customer_id", "kind", "recorded_at"], unique=False
        )

    op.create_table(
        "service_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ro_number", sa.String(length=32), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("wait_mode", sa.String(length=16), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("odometer_km", sa.Integer(), nullable=True),
        sa.Column("concerns", sa.Text(), nullable=True),
        sa.Column("work_done", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('booked', 'arrived', 'waiting', 'in_progress', 'ready', 'closed')",
            name=op.f("ck_service_visit_status"),
        ),
        sa.CheckConstraint(
            "wait_mode IN ('waiting', 'drop_off', 'loaner', 'shuttle')",
            name=op.f("ck_service_visit_wait_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["staff_member.id"],
            name=op.f("fk_service_visit_advisor_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_service_visit_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["dealer.id"], name=op.f("fk_service_visit_dealer_id_dealer")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_service_visit_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_visit")),
        sa.UniqueConstraint(
            "dealer_id", "ro_number", name=op.f("uq_service_visit_dealer_id_ro_number")
        ),
    )
    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_visit_advisor_opened", ["advisor_id", "opened_at"], unique=False
        )
        batch_op.create_index(
            "ix_service_visit_customer_opened", ["customer_id", "opened_at"], unique=False
        )
        batch_op.create_index(
            "ix_service_visit_dealer_status", ["dealer_id", "status"], unique=False
        )
        batch_op.create_index("ix_service_visit_ro_number", ["ro_number"], unique=False)
        batch_op.create_index(
            "ix_service_visit_vehicle_opened", ["vehicle_id", "opened_at"], unique=False
        )

    op.create_table(
        "vehicle_option",
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_vehicle_option_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vehicle_id", "code", name=op.f("pk_vehicle_option")),
    )
    with op.batch_alter_table("vehicle_option", schema=None) as batch_op:
        batch_op.create_index("ix_vehicle_option_code", ["code", "vehicle_id"], unique=False)

    op.create_table(
        "vehicle_recall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'done_here', 'done_elsewhere', 'not_applicable')",
            name=op.f("ck_vehicle_recall_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["recall_campaign.id"],
            name=op.f("fk_vehicle_recall_campaign_id_recall_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_vehicle_recall_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_recall")),
        sa.UniqueConstraint(
            "vehicle_id", "campaign_id", name=op.f("uq_vehicle_recall_vehicle_id_campaign_id")
        ),
    )
    with op.batch_alter_table("vehicle_recall", schema=None) as batch_op:
        batch_op.create_index(
            "ix_vehicle_recall_campaign_status",
            ["campaign_id", "status", "vehicle_id"],
            unique=False,
        )

    op.create_table(
        "declined_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("estimate_cents", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'dismissed')", name=op.f("ck_declined_work_status")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_declined_work_vehicle_id_vehicle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["service_visit.id"],
            name=op.f("fk_declined_work_visit_id_service_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declined_work")),
    )
    with op.batch_alter_table("declined_work", schema=None) as batch_op:
        batch_op.create_index(
            "ix_declined_work_vehicle", ["vehicle_id", "status", "due_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_declined_work_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "source_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_system_id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("payload_hash", sa.String(length=64), nullable=False),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("match_reason", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entity_type IN ('customer', 'vehicle', 'visit', 'recall')",
            name=op.f("ck_source_record_entity_type"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_source_record_customer_id_customer"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_system_id"],
            ["source_system.id"],
            name=op.f("fk_source_record_source_system_id_source_system"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicle.id"],
            name=op.f("fk_source_record_vehicle_id_vehicle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["service_visit.id"],
            name=op.f("fk_source_record_visit_id_service_visit"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_record")),
        sa.UniqueConstraint(
            "source_system_id",
            "entity_type",
            "source_id",
            name=op.f("uq_source_record_source_system_id_entity_type_source_id"),
        ),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index("ix_source_record_customer", ["customer_id"], unique=False)
        batch_op.create_index("ix_source_record_vehicle", ["vehicle_id"], unique=False)

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("surveyed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_survey_score")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["service_visit.id"],
            name=op.f("fk_survey_visit_id_service_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_survey_visit_id")),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_table("survey")
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_vehicle")
        batch_op.drop_index("ix_source_record_customer")

    op.drop_table("source_record")
    with op.batch_alter_table("declined_work", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declined_work_visit_id"))
        batch_op.drop_index("ix_declined_work_vehicle")

    op.drop_table("declined_work")
    with op.batch_alter_table("vehicle_recall", schema=None) as batch_op:
        batch_op.drop_index("ix_vehicle_recall_campaign_status")

    op.drop_table("vehicle_recall")
    with op.batch_alter_table("vehicle_option", schema=None) as batch_op:
        batch_op.drop_index("ix_vehicle_option_code")

    op.drop_table("vehicle_option")
    with op.batch_alter_table("service_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_service_visit_vehicle_opened")
        batch_op.drop_index("ix_service_visit_ro_number")
        batch_op.drop_index("ix_service_visit_dealer_status")
        batch_op.drop_index("ix_service_visit_customer_opened")
        batch_op.drop_index("ix_service_visit_advisor_opened")

    op.drop_table("service_visit")
    with op.batch_alter_table("preference", schema=None) as batch_op:
        batch_op.drop_index("ix_preference_customer_kind")

    op.drop_table("preference")
    with op.batch_alter_table("ownership", schema=None) as batch_op:
        batch_op.drop_index("ix_ownership_vehicle")
        batch_op.drop_index("ix_ownership_customer")

    op.drop_table("ownership")
    with op.batch_alter_table("customer_relationship", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_relationship_related")

    op.drop_table("customer_relationship")
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_point_kind_normalized")

    op.drop_table("contact_point")
    with op.batch_alter_table("contact_log", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_log_customer_at")

    op.drop_table("contact_log")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_staff_at")
        batch_op.drop_index("ix_audit_entry_customer_at")

    op.drop_table("audit_entry")
    with op.batch_alter_table("vehicle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_plate_normalized"))
        batch_op.drop_index(batch_op.f("ix_vehicle_make"))

    op.drop_table("vehicle")
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_member_dealer_id"))

    op.drop_table("staff_member")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_home_dealer_id"))

    op.drop_table("customer")
    with op.batch_alter_table("dealer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dealer_group_id"))

    op.drop_table("dealer")
    op.drop_table("source_system")
    op.drop_table("recall_campaign")
    op.drop_table("dealer_group")
