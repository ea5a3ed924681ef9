"""The review commands as people use them: acting with a personal API token, refusals, history,
audit verify."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.store.db import make_engine
from riskmon.store.tables import AuditEntry, table_of
from tests.cli.token_support import token_for
from tests.helpers import USERS, error_report, riskmon_folder, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units_file: Path) -> CliRunner:
    riskmon_folder(tmp_path, monkeypatch)
    runner = CliRunner()
    (tmp_path / "users.csv").write_text(USERS, encoding="utf-8")
    (tmp_path / "bad_users.csv").write_text(USERS + "bad,名前,PO-999,member\n", encoding="utf-8")
    for args in (["db", "upgrade"], ["ingest", str(units_file), str(write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1")]))],
                 ["evaluate", "--as-of", "2025-04-10T12:00"]):  # fmt: skip
        assert runner.invoke(app, args).exit_code == 0
    return runner


def invoke(cli: CliRunner, *args: str, token: str | None = None) -> tuple[int, str]:
    result = cli.invoke(app, list(args), env={"RISKMON_TOKEN": token} if token else None)
    return result.exit_code, result.output


def token(user_id: str) -> str:
    return token_for(Path("var") / "riskmon.db", user_id)


def test_users_file_errors_name_the_line_and_nothing_is_loaded(cli: CliRunner) -> None:
    code, out = invoke(cli, "users", "load", "bad_users.csv")
    assert (code, out) == (3, "bad_users.csv:9: unit_id: 'PO-999' は組織マスタ (units) にない組織コードです\n"
                              "利用者は1名も登録していません。ファイルを直して再度読み込んでください\n")  # fmt: skip
    with closing(sqlite3.connect(Path("var") / "riskmon.db")) as db:
        assert db.execute("SELECT count(*) FROM users").fetchone() == (0,)  # not even the eight good lines


def test_acting_needs_a_token_and_refusals_exit_non_zero(cli: CliRunner) -> None:
    invoke(cli, "users", "load", "users.csv")
    code, out = invoke(cli, "--lang", "en", "flags", "ack", "1")
    assert code == 2 and "this needs your personal API token" in out
    code, out = invoke(cli, "--lang", "en", "flags", "ack", "1", "--user", "po1")
    assert code == 2 and "--user po1 is no longer accepted (it proves nothing)" in out
    code, out = invoke(cli, "--lang", "en", "flags", "dismiss", "1", "--reason", "誤検知", token=token("po1"))
    assert code == 1 and "only the second line may" in out
    code, out = invoke(cli, "flags", "ack", "1", token=token("po1"))
    assert code == 0
    code, out = invoke(cli, "flags", "history", "1", "--format", "json", token=token("auditor"))
    assert [e["action"] for e in json.loads(out)] == ["acknowledge"]


def test_bulk_action_reports_each_flag(cli: CliRunner) -> None:
    invoke(cli, "users", "load", "users.csv")
    risk1 = token("risk1")
    code, out = invoke(cli, "--lang", "en", "flags", "ack", "--rule", "R01", "--rule", "R01", token=risk1)
    assert code == 0
    code, out = invoke(cli, "--lang", "en", "flags", "resolve", "--severity", "critical", "--resolution", "remediated",
                       "--note", "ok", token=risk1)  # fmt: skip
    assert code == 0 and "done" in out


def test_review_escalate_and_audit_verify(cli: CliRunner, tmp_path: Path) -> None:
    invoke(cli, "users", "load", "users.csv")
    code, out = invoke(cli, "review", "--as-of", "2025-04-10T13:00", "--format", "json", token=token("risk1"))
    assert code == 0 and json.loads(out)["items"]
    code, out = invoke(cli, "--lang", "en", "escalate", "--as-of", "2025-04-17T23:00", "--digests", str(tmp_path / "out"))
    assert code == 0 and "escalations" in out
    assert list((tmp_path / "out" / "2025-04-17").glob("*.md"))
    code, out = invoke(cli, "audit", "verify")
    assert code == 0 and "改ざんなし" in out
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'riskmon.db'}")
    with engine.begin() as conn:
        conn.execute(update(table_of(AuditEntry)).where(table_of(AuditEntry).c.seq == 1).values(subject="forged"))
    code, out = invoke(cli, "audit", "verify")
    assert code == 1 and "seq 1: edited" in out
