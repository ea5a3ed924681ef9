"""error reports: 事象 (impact_kind: 未払い・過払い・過徴収・未徴収・誤還付) and 制度 (scheme) for the 月次公表

Revision ID: 0020_error_impact
Revises: 0019_change_records
Create Date: 2026-12-02 04:00:00

Two nullable columns on ``error_reports`` (issue #13): the publication counts cases and amounts by
事象 and cases by 制度 (S1:2090, S1:2642-2647), which ``amount_impact_jpy`` alone cannot tell (a
過払 and a 未払 of the same sum are opposite errors). Reports stored before keep NULL: nobody
classified them, and the publication shows them as 未記録 rather than guessing. The lead re-chains ``down_revision``.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020_error_impact"
down_revision = "0019_change_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("error_reports") as batch:
        batch.add_column(sa.Column("impact_kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("scheme", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("error_reports") as batch:
        batch.drop_column("scheme")
        batch.drop_column("impact_kind")
