"""who generated each kept report: ``reports.made_by``

Revision ID: 0021_report_maker
Revises: 0020_error_impact
Create Date: 2026-12-02 04:00:00

The レポート page said who generated a pack only for packs made on the page (it read the audit
log's ``report_generated`` entries); packs from ``riskmon report …`` and the scheduler showed
nothing. The maker is now stored with the report: a user id (the web, or a CLI caller with a
token), ``cli:<login name>`` (the operator's shell), or ``scheduler`` (a job). Rows kept before
this revision have no maker (NULL), which the page shows as 「不明（記録前）」: nothing is guessed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_report_maker"
down_revision = "0020_error_impact"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("made_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("made_by")
