"""free-text search served by an index: FTS5 trigram table on SQLite, pg_trgm GIN indexes on PostgreSQL

Revision ID: 0014_text_search
Revises: 0013_api_tokens
Create Date: 2026-12-01 20:30:00

The objects and why they exist: riskmon.store.text_search. On a SQLite without FTS5's trigram
tokenizer (before 3.34) nothing is made and the search scans, as before.
"""

from __future__ import annotations

from alembic import op

from riskmon.store import text_search

revision = "0014_text_search"
down_revision = "0013_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        text_search.sqlite_create(conn)
    else:
        text_search.postgresql_create(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        text_search.sqlite_drop(conn)
    else:
        text_search.postgresql_drop(conn)
