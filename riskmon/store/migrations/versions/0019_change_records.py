"""change records of the rule book and the config values evaluation reads (issue #12)

Revision ID: 0019_change_records
Revises: 0018_kept_unique
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types

revision = "0019_change_records"
down_revision = "0018_kept_unique"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "change_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("key", _S(length=128), nullable=False),
        sa.Column("change", _S(length=16), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("rule_version", _S(length=32), nullable=True),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("changed_by", _S(length=128), nullable=False),
        sa.Column("changed_at", riskmon.store.types.TZDateTime(), nullable=False),
        sa.Column("approved_by", _S(length=128), nullable=True),
        sa.Column("approved_at", riskmon.store.types.TZDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("change_records") as batch:
        batch.create_index("ix_change_records_kind_key", ["kind", "key"], unique=False)
        batch.create_index("ix_change_records_changed_at", ["changed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("change_records")
