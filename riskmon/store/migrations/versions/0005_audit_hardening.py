"""audit log: append-only on PostgreSQL

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of ``audit_log`` for every role that
does not first disable it: the application role can add to the audit trail but not rewrite it.
(Disabling a trigger needs table ownership or superuser: run migrations as an owner role and the
application as a role with INSERT/SELECT only, see docs/audit.md.) SQLite has no roles: anyone
with the database file can edit it; there the keyed chain and the external anchors detect it.

Revision ID: 0005_audit_hardening
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005_audit_hardening"
down_revision = "0004"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION riskmon_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused (監査証跡は追記のみです)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION riskmon_audit_log_append_only()")  # fmt: skip
    op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
               "FOR EACH STATEMENT EXECUTE FUNCTION riskmon_audit_log_append_only()")  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS riskmon_audit_log_append_only()")
