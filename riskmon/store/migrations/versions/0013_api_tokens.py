"""personal API tokens for the CLI (hashed, with expiry, last use and revocation)

Revision ID: 0013_api_tokens
Revises: 0012_web_pages
Create Date: 2026-12-01 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types


revision = "0013_api_tokens"
down_revision = "0012_web_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", riskmon.store.types.TZDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", riskmon.store.types.TZDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
