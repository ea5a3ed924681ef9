"""users.person_id: accounts of one person, so they never make two pairs of eyes

Revision ID: 0011_domain_person_link
Revises: 0010_web_accounts_and_sessions
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_domain_person_link"
down_revision = "0010_web_accounts_and_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("person_id")
