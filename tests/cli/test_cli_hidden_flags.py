"""Through the CLI with a personal API token, a first-line user naming another unit's flag sees
exactly what they see for a flag id that exists nowhere — same output, same exit status — and the
refusal is audited (issue #11), on SQLite and PostgreSQL. The policy itself is tested in
tests/review/test_hidden_flags.py; this checks what a shell shows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from riskmon.cli.errors import ExitCode
from riskmon.store.tables import AuditEntry, table_of
from tests.cli.token_support import Cli, flag_of

MISSING = 9_000_000  # a flag id that exists nowhere
#: every command that names one flag (or, for ack/resolve/dismiss, flags by id: the bulk path)
COMMANDS: dict[str, tuple[str, ...]] = {
    "ack": ("flags", "ack", "{id}"),
    "take": ("flags", "take", "{id}"),
    "comment": ("flags", "comment", "{id}", "確認中"),
    "respond": ("flags", "respond", "{id}", "連絡済み"),
    "propose": ("flags", "propose", "{id}", "--resolution", "remediated", "--note", "再送付済み"),
    "resolve": ("flags", "resolve", "{id}", "--resolution", "remediated", "--note", "確認済み"),
    "confirm": ("flags", "confirm", "{id}", "--proposal", "0000000000000000"),
    "dismiss": ("flags", "dismiss", "{id}", "--reason", "誤検知"),
    "reopen": ("flags", "reopen", "{id}", "--reason", "再発"),
    "history": ("flags", "history", "{id}"),
}
AUDITED = {"ack": "acknowledge", "take": "take_on", "respond": "response"}  # the audit log's name, where it differs


def shown(cli: Cli, command: str, flag_id: int, lang: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of the command on ``flag_id``, the id written as ``<id>``."""
    args = [a.format(id=flag_id) for a in COMMANDS[command]]
    result: Any = cli("--lang", lang, *args, as_user="po2")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout.replace(str(flag_id), "<id>"), result.stderr.replace(str(flag_id), "<id>")


def refusals(engine: Engine, subject: str) -> list[tuple[str, str, str, str]]:
    """The audited refusals about ``subject``: who, which action, why, through which channel."""
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        q = select(t.c.actor, t.c.action, t.c.payload).where(t.c.subject == subject, t.c.action.like("refused:%"))
        rows = conn.execute(q.order_by(t.c.seq))
        return [(r.actor, r.action, r.payload["reason"], r.payload["channel"]) for r in rows]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_another_units_flag_looks_exactly_like_a_missing_one(cli: Cli, engine: Engine, command: str) -> None:
    theirs = flag_of(engine, "PO-001")
    hidden, missing = shown(cli, command, theirs, "ja"), shown(cli, command, MISSING, "ja")
    assert hidden == missing
    assert hidden[0] == ExitCode.ERROR and "フラグ<id>はありません" in hidden[2]
    assert "PO-002" not in hidden[2] and "担当" not in hidden[2]
    action = AUDITED.get(command, command)
    assert refusals(engine, f"flag:{theirs}") == [
        ("po2", f"refused:{action}", f"flag {theirs} is outside the units of PO-002; answered as missing", "api")
    ]
    assert refusals(engine, f"flag:{MISSING}") == [("po2", f"refused:{action}", f"flag {MISSING} does not exist", "api")]


def test_the_exact_words_in_both_languages(cli: Cli, engine: Engine) -> None:
    theirs = flag_of(engine, "PO-001")
    assert shown(cli, "respond", theirs, "ja") == (ExitCode.ERROR, "", "<id>: フラグ<id>はありません\n")
    assert shown(cli, "respond", theirs, "en") == (ExitCode.ERROR, "", "<id>: flag <id> does not exist\n")
    assert shown(cli, "history", theirs, "ja") == (ExitCode.ERROR, "", "エラー：フラグ<id>はありません\n")
    assert shown(cli, "history", theirs, "en") == (ExitCode.ERROR, "", "error: flag <id> does not exist\n")


def test_the_own_unit_still_acts(cli: Cli, engine: Engine) -> None:
    mine = flag_of(engine, "PO-002")
    result = cli("flags", "respond", str(mine), "連絡済み", as_user="po2")
    assert (result.exit_code, result.stdout) == (0, f"{mine}: 記録しました\n")
    assert refusals(engine, f"flag:{mine}") == []
