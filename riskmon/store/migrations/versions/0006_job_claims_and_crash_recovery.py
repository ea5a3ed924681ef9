"""job claims and crash recovery

Each run record gets its holder (host:pid:start) so a crashed run can be recognised and marked
``crashed``; ``job_claims`` makes one scheduled fire time of a job run at most once across
scheduler instances (riskmon.scheduler.claims).

Revision ID: 0006_job_claims_crash_recovery
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types

# The id given for this change, "0006_job_claims_and_crash_recovery", is 34 characters: it does not fit
# alembic_version.version_num (VARCHAR(32)) on PostgreSQL, so the revision is spelt 30 characters.
revision = "0006_job_claims_crash_recovery"
down_revision = "0005_audit_hardening"
branch_labels = None
depends_on = None

_RUN_TABLES = ("ingest_runs", "evaluation_runs", "job_runs")


def upgrade() -> None:
    for table in _RUN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("holder", sa.String(length=128), nullable=True))
    op.create_table(
        "job_claims",
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("fire_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("claimed_at", riskmon.store.types.TZDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "fire_at"),
    )


def downgrade() -> None:
    op.drop_table("job_claims")
    for table in reversed(_RUN_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("holder")
