"""the 事務処理誤り lifecycle: joint steps, マニュアル改正 requirement and 公表判断 on error updates

Revision ID: 0015_error_lifecycle
Revises: 0013_api_tokens
Create Date: 2026-12-01 20:30:00

Four nullable columns on ``error_updates`` (issue #12): the unit a step was taken jointly with
(原因分析・再発防止策 「リスク部門と共同して」, S1:2171), whether a 再発防止策 requires a manual
revision (S1:2175-2177), and the publish / withhold decision with its reason (S1:2090, S1:2642-2647).
Existing rows keep NULL: nothing was recorded for them. The lead re-chains ``down_revision``.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015_error_lifecycle"
down_revision = "0014_text_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("error_updates") as batch:
        batch.add_column(sa.Column("joint_unit_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch.add_column(sa.Column("manual_revision_required", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("publication_decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.add_column(sa.Column("publication_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("error_updates") as batch:
        batch.drop_column("publication_reason")
        batch.drop_column("publication_decision")
        batch.drop_column("manual_revision_required")
        batch.drop_column("joint_unit_id")
