"""``riskmon report …`` records who generated a kept report (docs/reports.md): the person whose
token the command was given, else the operator's shell as ``cli:<login name>`` — the names the
audit log gives the same callers (riskmon.cli.common.caller); ``--user`` proves nothing and is refused."""

from __future__ import annotations

from sqlalchemy import Engine, select

from riskmon.cli.common import operator_name
from riskmon.store.tables import Report, table_of
from tests.cli.token_support import Cli


def _makers(engine: Engine) -> list[tuple[str, str, str | None]]:
    r = table_of(Report)
    with engine.connect() as conn:
        return [(k, d.isoformat(), m) for k, d, m in conn.execute(select(r.c.kind, r.c.period_from, r.c.made_by).order_by(r.c.id))]


def test_a_token_names_its_person_and_the_shell_its_login(cli: Cli, engine: Engine) -> None:
    assert cli("report", "monthly", "--month", "2025-04", as_user="risk1").exit_code == 0
    again = cli("report", "monthly", "--month", "2025-04", as_user="risk2")  # identical: the first maker stays
    assert again.exit_code == 0, again.output
    assert cli("report", "monthly", "--month", "2025-05").exit_code == 0
    assert _makers(engine) == [("monthly", "2025-04-01", "risk1"), ("monthly", "2025-05-01", operator_name())]
    assert operator_name().startswith("cli:")


def test_user_is_refused_and_nothing_is_kept(cli: Cli, engine: Engine) -> None:
    refused = cli("report", "annual", "--fy", "2025", "--user", "risk1")
    assert refused.exit_code == 2
    assert "--user risk1は使えなくなりました（本人確認になりません）。" in refused.output
    assert _makers(engine) == []


def test_the_third_lines_document_is_kept_with_its_maker(cli: Cli, engine: Engine) -> None:
    done = cli("report", "assurance", "--period", "2025-04-01..2025-04-30", "--as-of", "2025-04-30T23:59", as_user="auditor")
    assert done.exit_code == 0, done.output
    assert _makers(engine) == [("assurance", "2025-04-01", "auditor")]
