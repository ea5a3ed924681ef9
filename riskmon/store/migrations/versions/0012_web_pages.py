"""quarantine: who marked a rejected record as dealt with, and when (the 取込エラー page)

Revision ID: 0012_web_pages
Revises: 0011_domain_person_link
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types


revision = "0012_web_pages"
down_revision = "0011_domain_person_link"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rejects") as batch:
        batch.add_column(sa.Column("handled_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("handled_at", riskmon.store.types.TZDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handled_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rejects") as batch:
        batch.drop_column("handled_note")
        batch.drop_column("handled_at")
        batch.drop_column("handled_by")
