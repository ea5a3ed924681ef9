"""ingest hardening: counts from the field are 64-bit on PostgreSQL too

The event models accept whole numbers up to 2**63-1 (docs/events.md). SQLite's INTEGER already
holds them; PostgreSQL's INTEGER is 32-bit, so a count above 2,147,483,647 was stored by one
backend and refused by the other. On SQLite nothing changes.

Revision ID: 0007_ingest_hardening
Revises: 0004
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_ingest_hardening"
down_revision = "0006_job_claims_crash_recovery"
branch_labels = None
depends_on = None

COUNTS = {
    "daily_reports": [
        ("forms_received", False),
        ("forms_processed", False),
        ("forms_pending", False),
        ("oldest_pending_days", False),
        ("complaints", False),
        ("suspected_errors", False),
        ("visitors", True),
        ("max_wait_minutes", True),
    ],
    "error_reports": [("affected_customers", False), ("amount_impact_jpy", True)],
}


def _alter(to: sa.types.TypeEngine[int], from_: sa.types.TypeEngine[int]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: INTEGER is 64-bit already
    for table, columns in COUNTS.items():
        for column, nullable in columns:
            op.alter_column(table, column, type_=to, existing_type=from_, existing_nullable=nullable)


def upgrade() -> None:
    _alter(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _alter(sa.Integer(), sa.BigInteger())
