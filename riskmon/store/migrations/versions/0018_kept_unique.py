"""one row per generated report: a unique index on (kind, period, as_of, data_hash) of ``reports``

Revision ID: 0018_kept_unique
Revises: 0017_feeds
Create Date: 2026-12-01 23:30:00

``riskmon.reports.kept.keep`` read the kept reports and then inserted, with nothing in the
database to stop two people generating the same pack at the same moment from both storing it.
A database that already went through such a race holds duplicates, which the index would refuse:
they are deleted first, keeping the earliest row (lowest id) of each — the one a regeneration
already agrees with (``first_generation`` orders by id), so no version number changes. The
DELETE is plain SQL both SQLite and PostgreSQL run. It follows 0017_feeds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_kept_unique"
down_revision = "0017_feeds"
branch_labels = None
depends_on = None

_KEY = ["kind", "period_from", "period_to", "as_of", "data_hash"]


def upgrade() -> None:
    op.execute(sa.text(f"DELETE FROM reports WHERE id NOT IN (SELECT MIN(id) FROM reports GROUP BY {', '.join(_KEY)})"))
    op.create_index("uq_reports_kept", "reports", _KEY, unique=True)


def downgrade() -> None:
    op.drop_index("uq_reports_kept", table_name="reports")  # the deleted duplicates stay deleted
