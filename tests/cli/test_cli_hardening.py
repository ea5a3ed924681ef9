"""Errors and defaults a user trips over (issue #9): refusals, vocabularies, limits, the wrong folder,
a busy database — on SQLite and PostgreSQL where the store is involved, and through the real
``riskmon`` executable where what matters is what a shell shows."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from riskmon import app as riskmon_app
from riskmon.cli.app import app
from riskmon.cli.errors import ExitCode, classify
from riskmon.store.tables import AuditEntry, Flag, table_of
from tests.cli.token_support import Cli, flag_of
from tests.helpers import cli_folder, error_report, write_jsonl

RISKMON = Path(sys.executable).parent / "riskmon"


def _audit(engine: Engine, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.actor, r.subject, r.payload) for r in conn.execute(select(t).where(t.c.action == action).order_by(t.c.seq))]


# -- refusals: a message, an exit status, and an audit entry -------------------------------------


def test_history_of_someone_elses_flag_is_refused_audited_and_no_traceback(cli: Cli, engine: Engine) -> None:
    flag = flag_of(engine, "PO-001")
    result = cli("--lang", "en", "flags", "history", str(flag), as_user="po2")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == f"error: flag {flag} does not exist\n"  # answered as a missing flag: no existence leak
    assert [(a, s, p["reason"], p["channel"]) for a, s, p in _audit(engine, "refused:history")] == [
        ("po2", f"flag:{flag}", f"flag {flag} is outside the units of PO-002; answered as missing", "api")
    ]


def test_history_of_an_unknown_flag_is_refused_and_audited(cli: Cli, engine: Engine) -> None:
    result = cli("flags", "history", "4242", as_user="auditor")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == "エラー：フラグ4242はありません\n"
    assert [(a, s, p["reason"]) for a, s, p in _audit(engine, "refused:history")] == [("auditor", "flag:4242", "flag 4242 does not exist")]


def test_an_unknown_assignee_is_a_refusal_not_a_traceback(cli: Cli, engine: Engine) -> None:
    flag = flag_of(engine, "PO-001")
    result = cli("flags", "take", str(flag), "--assignee", "po9", as_user="risk1")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == f"{flag}: 利用者 'po9' は登録されていないか無効です\n"
    assert [(a, s, p["reason"]) for a, s, p in _audit(engine, "refused:take_on")] == [
        ("risk1", f"flag:{flag}", "unknown or inactive user 'po9'")
    ]
    t = table_of(Flag)
    with engine.connect() as conn:
        assert conn.execute(select(t.c.review_status, t.c.assignee).where(t.c.id == flag)).one() == ("open", None)


def test_a_claimed_user_is_refused_with_the_way_to_a_token(cli: Cli) -> None:
    result = cli("--lang", "en", "review", "--user", "auditor")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("error: --user auditor is no longer accepted (it proves nothing). this needs your personal API token")


# -- filter values against their vocabulary -------------------------------------------------------


VOCABULARY_ERRORS = [
    (["flags", "list", "--severity", "Critical"],
     "error: --severity: no such value 'Critical' (did you mean 'critical'?); allowed values: info, low, medium, high, critical"),
    (["flags", "list", "--line", "1"], "error: --line: no such value '1' (did you mean 'first'?); allowed values: first, second, third"),
    (["flags", "list", "--status", "resolved"], "error: --status: no such value 'resolved'; allowed values: open, cleared, retired, all"),
    (["flags", "list", "--rule", "r01"], "error: --rule: no such value 'r01' (did you mean 'R01'?)"),
    (["flags", "list", "--unit", "PO-01"],
     "error: --unit: no such value 'PO-01' (did you mean 'PO-001'?); allowed values: AUD, HQ-NP, PO-001, PO-002, RD01, RMD"),
    (["units", "list", "--line", "2nd"],
     "error: --line: no such value '2nd' (did you mean 'second'?); allowed values: first, second, third, governance, external"),
    (["units", "list", "--type", "年金事務所"], "error: --type: no such value '年金事務所' (did you mean 'pension_office'?)"),
    (["events", "list", "--type", "eror_report"], "error: --type: no such value 'eror_report' (did you mean 'error_report'?)"),
    (["events", "list", "--type", "daily"], "error: --type: no such value 'daily' (did you mean 'daily_report'?)"),
    (["flags", "ack", "--severity", "HIGH"], "error: --severity: no such value 'HIGH' (did you mean 'high'?)"),
]  # fmt: skip


def test_filter_values_are_checked_against_their_vocabulary(cli: Cli) -> None:
    for args, message in VOCABULARY_ERRORS:
        result = cli("--lang", "en", *args, as_user="risk1" if args[1] == "ack" else None)
        assert (result.exit_code, result.stdout) == (ExitCode.USAGE, ""), args
        assert result.stderr.startswith(message), result.stderr


def test_a_valid_filter_with_no_match_is_still_an_empty_list(cli: Cli) -> None:
    result = cli("flags", "list", "--severity", "info", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


# -- no silent truncation -------------------------------------------------------------------------


def test_a_cut_table_says_n_of_m_on_stderr_in_both_languages(cli: Cli, engine: Engine) -> None:
    with engine.connect() as conn:
        open_flags = len(conn.execute(select(table_of(Flag).c.id).where(table_of(Flag).c.status == "open")).all())
    assert open_flags >= 2
    result = cli("flags", "list", "--limit", "1")
    assert result.exit_code == 0
    assert result.stderr == f"{open_flags}件中1件を表示（すべて表示するには --limit {open_flags}）\n"
    result = cli("--lang", "en", "events", "list", "--limit", "1")
    assert result.stderr == "showing 1 of 2 (--limit 2 for all)\n"
    result = cli("events", "list")
    assert result.exit_code == 0 and result.stderr == ""


def test_json_and_csv_have_no_default_limit(cli: Cli, engine: Engine) -> None:
    events = write_jsonl(Path("more.jsonl"), [error_report(f"X{i}", f"CX{i}") for i in range(220)])
    assert cli("ingest", str(events)).exit_code == 0
    assert cli("events", "list").stderr == "222件中50件を表示（すべて表示するには --limit 222）\n"
    assert len(json.loads(cli("events", "list", "--format", "json").stdout)) == 222
    cut = cli("events", "list", "--format", "json", "--limit", "3")
    assert len(json.loads(cut.stdout)) == 3 and cut.stderr == "222件中3件を表示（すべて表示するには --limit 222）\n"
    assert cli("evaluate", "--as-of", "2025-04-10T12:00").exit_code == 0
    with engine.connect() as conn:
        open_flags = len(conn.execute(select(table_of(Flag).c.id).where(table_of(Flag).c.status == "open")).all())
    assert open_flags > 200
    assert cli("flags", "list").stderr == f"{open_flags}件中200件を表示（すべて表示するには --limit {open_flags}）\n"
    as_json = cli("flags", "list", "--format", "json")
    assert len(json.loads(as_json.stdout)) == open_flags and as_json.stderr == ""
    as_csv = cli("flags", "list", "--format", "csv")
    assert len(list(csv.reader(io.StringIO(as_csv.stdout)))) == open_flags + 1 and as_csv.stderr == ""


def test_limit_below_one_is_an_error(cli: Cli) -> None:
    for command in (["flags", "list"], ["events", "list"], ["rejects", "list"], ["review"]):
        for limit in ("0", "-5"):
            result = cli("--lang", "en", *command, "--limit", limit, as_user="risk1" if command == ["review"] else None)
            assert result.exit_code == ExitCode.USAGE, command
            assert result.stderr == f"error: --limit must be 1 or more, not {limit}\n"


def test_review_json_carries_the_total(cli: Cli) -> None:
    full = json.loads(cli("review", "--as-of", "2025-04-10T13:00", "--format", "json", as_user="risk1").stdout)
    assert full["total"] == len(full["items"]) >= 2
    cut = cli("review", "--as-of", "2025-04-10T13:00", "--format", "json", "--limit", "1", as_user="risk1")
    assert json.loads(cut.stdout)["total"] == full["total"] and len(json.loads(cut.stdout)["items"]) == 1
    assert cut.stderr == f"{full['total']}件中1件を表示（すべて表示するには --limit {full['total']}）\n"


# -- outside a riskmon folder (the real executable) -----------------------------------------------


def _riskmon(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"}
    return subprocess.run([str(RISKMON), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_outside_a_riskmon_folder_nothing_is_created_and_both_paths_are_named(tmp_path: Path) -> None:
    for args in (["events", "list"], ["db", "status"], ["rules", "check"], ["--lang", "en", "flags", "list"]):
        proc = _riskmon(tmp_path, *args)
        assert "Traceback" not in proc.stderr
        assert list(tmp_path.iterdir()) == [], args
    proc = _riskmon(tmp_path, "events", "list")
    assert proc.returncode == ExitCode.USAGE and proc.stdout == ""
    assert proc.stderr == (
        f"エラー：データベースがありません：{tmp_path}/var/riskmon.db\n"
        f"  設定ファイル{tmp_path}/config.tomlがないため既定値を使いました（--config または RISKMON_CONFIG で指定できます）\n"
        "  riskmon のフォルダで実行するか --config で設定を指定してください。新しく作るときは riskmon db upgrade\n"
    )
    proc = _riskmon(tmp_path, "--lang", "en", "flags", "list")
    assert proc.returncode == ExitCode.USAGE
    assert proc.stderr.splitlines()[:2] == [
        f"error: no database at {tmp_path}/var/riskmon.db",
        f"  no config file at {tmp_path}/config.toml, so the defaults were used (name one with --config or RISKMON_CONFIG)",
    ]
    assert _riskmon(tmp_path, "db", "upgrade").returncode == 0  # the one command that creates it
    assert (tmp_path / "var" / "riskmon.db").is_file()
    proc = _riskmon(tmp_path, "events", "list", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


def test_a_config_naming_a_missing_database_names_the_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///data/rm.db"\n', encoding="utf-8")
    proc = _riskmon(tmp_path / "..", "--config", str(tmp_path / "config.toml"), "--lang", "en", "jobs", "list")
    assert proc.returncode == ExitCode.USAGE
    assert proc.stderr.splitlines()[:2] == [f"error: no database at {tmp_path}/data/rm.db", f"  config: {tmp_path}/config.toml"]
    assert not (tmp_path / "data").exists()


def test_a_missing_or_unreadable_config_is_a_message(tmp_path: Path) -> None:
    proc = _riskmon(tmp_path, "--config", "nope.toml", "events", "list")
    assert (proc.returncode, proc.stderr) == (ExitCode.USAGE, "エラー：nope.toml: 設定ファイルが見つかりません\n")
    (tmp_path / "config.toml").write_bytes("[display]\nlang = '日本'\n".encode("cp932"))
    proc = _riskmon(tmp_path, "--lang", "en", "events", "list")
    assert (proc.returncode, proc.stderr) == (ExitCode.USAGE, "error: config.toml: not UTF-8 (byte 18)\n")
    (tmp_path / "config.toml").unlink()
    (tmp_path / "config.toml").mkdir()
    proc = _riskmon(tmp_path, "events", "list")
    assert (proc.returncode, proc.stderr) == (ExitCode.USAGE, "エラー：config.toml: 読めません：Is a directory\n")


# -- a busy database -------------------------------------------------------------------------------


def test_a_locked_sqlite_database_is_a_message_and_exit_75(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, units_file: Path) -> None:
    """Another process holds the write lock: the command waits (here 50 ms instead of the configured
    wait, to keep the test short), then says so instead of printing SQLite's traceback."""
    runner = cli_folder(tmp_path, monkeypatch)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    real = riskmon_app.make_engine

    def short_wait(url: str, **kw: Any) -> Engine:
        eng = real(url, **kw)
        event.listen(eng, "connect", lambda dbapi_conn, _rec: dbapi_conn.execute("PRAGMA busy_timeout=50"))
        return eng

    monkeypatch.setattr(riskmon_app, "make_engine", short_wait)
    holder = sqlite3.connect(tmp_path / "var" / "t.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = runner.invoke(app, ["ingest", str(units_file)])
        en = runner.invoke(app, ["--lang", "en", "ingest", str(units_file)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == ExitCode.BUSY == 75, result.output
    db = tmp_path / "var" / "t.db"
    assert result.stderr == (
        f"エラー：データベースが使用中です（sqlite:///{db}）。別の riskmon の処理が書き込み中です。"
        "しばらく待ってから同じコマンドを再実行してください\n"
    )
    assert en.exit_code == ExitCode.BUSY
    assert en.stderr == (
        f"error: the database is busy (sqlite:///{db}): another riskmon process is writing. Run the same command again in a moment\n"
    )
    assert runner.invoke(app, ["ingest", str(units_file)]).exit_code == 0  # and once the lock is gone, it works


def test_the_stores_own_busy_error_is_mapped_the_same_way() -> None:
    """riskmon.store.db may raise a typed DatabaseBusy (the concurrency work of issue #9); it is
    recognised by name, or through its cause, so the mapping does not depend on the merge order."""

    class DatabaseBusy(Exception):
        pass

    error = classify(DatabaseBusy("waited 30 s"), "sqlite:////x/riskmon.db")
    assert error is not None and error.code == ExitCode.BUSY
    assert error.en.startswith("the database is busy (sqlite:////x/riskmon.db)")
    assert classify(ValueError("a bug")) is None  # not expected: keeps its traceback
