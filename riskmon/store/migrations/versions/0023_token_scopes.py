"""API token scopes and service tokens (issue #14)

Revision ID: 0023_token_scopes
Revises: 0022_ingest_uploader
Create Date: 2026-12-02 04:00:00

``scopes`` limits what a token may do on top of its user's powers (read / ingest / review, comma
separated); tokens issued before it keep every scope, as they could do everything before.
``issued_by`` names the user_admin who issued a service token for a service account (NULL: the
owner issued it after proving their password). The lead re-chains ``down_revision``.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0023_token_scopes"
down_revision = "0022_ingest_uploader"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                   server_default="read,ingest,review"))  # fmt: skip
        batch.add_column(sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("issued_by")
        batch.drop_column("scopes")
