"""feeds the seeds name (issue #12): お客様の声, 監査 findings and their follow-up, 情報セキュリティインシデント,
調達企画部 審査 of contractor inspections, new contractors' security checks, new officers' site visits

Revision ID: 0017_feeds
Revises: 0013_api_tokens
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types


revision = "0017_feeds"
down_revision = "0016_daily_processing"
branch_labels = None
depends_on = None

_ID = sqlmodel.sql.sqltypes.AutoString


def _event_key() -> list[sa.SchemaItem]:
    return [
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("unit_id", _ID(length=128), nullable=False),
    ]


def _tail() -> list[sa.SchemaItem]:
    return [sa.ForeignKeyConstraint(["event_id"], ["events.event_id"], ondelete="CASCADE"), sa.PrimaryKeyConstraint("event_id")]


def upgrade() -> None:
    op.create_table(
        "customer_voices",
        *_event_key(),
        sa.Column("voice_id", _ID(length=128), nullable=False),
        sa.Column("received_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("category", _ID(length=32), nullable=False),
        sa.Column("suggests_error", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("linked_case_id", _ID(length=128), nullable=True),
        *_tail(),
        sa.UniqueConstraint("voice_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("customer_voices") as batch:
        batch.create_index("ix_customer_voices_unit_received", ["unit_id", "received_at"], unique=False)

    op.create_table(
        "audit_findings",
        *_event_key(),
        sa.Column("finding_id", _ID(length=128), nullable=False),
        sa.Column("auditor_unit_id", _ID(length=128), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("level", _ID(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("audit_id", _ID(length=128), nullable=True),
        *_tail(),
        sa.UniqueConstraint("finding_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("audit_findings") as batch:
        batch.create_index(batch.f("ix_audit_findings_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "audit_followups",
        *_event_key(),
        sa.Column("finding_id", _ID(length=128), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("step", _ID(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_tail(),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("audit_followups") as batch:
        batch.create_index("ix_audit_followups_finding_step", ["finding_id", "step"], unique=False)

    op.create_table(
        "infosec_incidents",
        *_event_key(),
        sa.Column("incident_id", _ID(length=128), nullable=False),
        sa.Column("detected_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("kind", _ID(length=32), nullable=False),
        sa.Column("personal_info_leaked", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("my_number_involved", sa.Boolean(), nullable=False),
        sa.Column("affected_persons", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("occurred_at", riskmon.store.types.TZDateTime(timezone=True), nullable=True),
        *_tail(),
        sa.UniqueConstraint("incident_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "infosec_updates",
        *_event_key(),
        sa.Column("incident_id", _ID(length=128), nullable=False),
        sa.Column("at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("step", _ID(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_tail(),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("infosec_updates") as batch:
        batch.create_index("ix_infosec_updates_incident_step", ["incident_id", "step"], unique=False)

    count = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "procurement_reviews",
        *_event_key(),
        sa.Column("review_id", _ID(length=128), nullable=False),
        sa.Column("inspection_id", _ID(length=128), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("problem_found", sa.Boolean(), nullable=False),
        sa.Column("risk_reported_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_tail(),
        sa.UniqueConstraint("review_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("procurement_reviews") as batch:
        batch.create_index(batch.f("ix_procurement_reviews_inspection_id"), ["inspection_id"], unique=False)
    op.create_table(
        "security_site_checks",
        *_event_key(),
        sa.Column("check_id", _ID(length=128), nullable=False),
        sa.Column("contract_id", _ID(length=128), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("issues_found", count, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_tail(),
        sa.UniqueConstraint("check_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("security_site_checks") as batch:
        batch.create_index(batch.f("ix_security_site_checks_contract_id"), ["contract_id"], unique=False)
    op.create_table(
        "procurement_officers",
        *_event_key(),
        sa.Column("officer_id", _ID(length=128), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("name", _ID(length=200), nullable=True),
        *_tail(),
        sa.UniqueConstraint("officer_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "site_visits",
        *_event_key(),
        sa.Column("visit_id", _ID(length=128), nullable=False),
        sa.Column("officer_id", _ID(length=128), nullable=False),
        sa.Column("contractor_id", _ID(length=128), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("contract_id", _ID(length=128), nullable=True),
        *_tail(),
        sa.UniqueConstraint("visit_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("site_visits") as batch:
        batch.create_index(batch.f("ix_site_visits_officer_id"), ["officer_id"], unique=False)


def downgrade() -> None:
    for table in ("site_visits", "procurement_officers", "security_site_checks", "procurement_reviews"):
        op.drop_table(table)
    op.drop_table("infosec_updates")
    op.drop_table("infosec_incidents")
    op.drop_table("audit_followups")
    op.drop_table("audit_findings")
    op.drop_table("customer_voices")
