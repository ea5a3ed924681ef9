"""daily reports: 資格取得届 / 被扶養者異動届 processed and their total processing days by medium (R14)

Revision ID: 0016_daily_processing
Revises: 0013_api_tokens
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_daily_processing"
down_revision = "0015_error_lifecycle"
branch_labels = None
depends_on = None

COLUMNS = [f"{form}_{medium}_{what}" for form in ("acquisition", "dependent")
           for medium in ("e_application", "e_media", "paper") for what in ("processed", "days")]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("daily_reports") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("daily_reports") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
