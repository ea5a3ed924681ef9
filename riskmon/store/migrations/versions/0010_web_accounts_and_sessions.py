"""web accounts, sessions and login throttling

Revision ID: 0010_web_accounts_and_sessions
Revises: 0004
Create Date: 2026-12-01 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import riskmon.store.types


revision = '0010_web_accounts_and_sessions'
down_revision = '0007_ingest_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_credentials',
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('must_change', sa.Boolean(), nullable=False),
    sa.Column('changed_at', riskmon.store.types.TZDateTime(timezone=True), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('web_sessions',
    sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', riskmon.store.types.TZDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', riskmon.store.types.TZDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', riskmon.store.types.TZDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', riskmon.store.types.TZDateTime(timezone=True), nullable=True),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id_hash')
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_table('login_throttle',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', riskmon.store.types.TZDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', riskmon.store.types.TZDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('web_credentials')
