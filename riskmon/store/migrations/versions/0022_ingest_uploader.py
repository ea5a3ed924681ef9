"""who uploaded an ingest run from the web's 取込 page (issue #14)

Revision ID: 0022_ingest_uploader
Revises: 0021_report_maker
Create Date: 2026-12-02 04:00:00

One nullable column on ``ingest_runs``: the user id of the person who sent the files through the
取込 page or the 日次業務報告 form (riskmon.app_ingest). Runs of ``riskmon ingest`` and the nightly
job keep NULL: a shell on the server names no riskmon user.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0022_ingest_uploader"
down_revision = "0021_report_maker"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("uploaded_by")
