"""the cells of a record as written in its file, where the reader read them into another form (issue #14)

Revision ID: 0024_raw_text
Revises: 0023_token_scopes
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_raw_text"
down_revision = "0023_token_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_raw_text",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.event_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("event_raw_text")
