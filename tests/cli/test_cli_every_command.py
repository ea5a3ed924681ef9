"""Every command, run the wrong way, answers with a message and a documented exit status.

The commands are enumerated from the typer app itself (like sqlite-utils' test_docs.py), so a new
command without bad-argument cases here fails ``test_every_command_has_bad_argument_cases``. Each
case runs the real command on a real SQLite file in a real folder; a traceback would show up as
an exception other than SystemExit (CliRunner catches what a shell would print as a traceback).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.cli.common import ExitCode
from tests.cli.token_support import token_for
from tests.helpers import ROOT, UNITS_CSV, USERS, error_report, write_jsonl


def all_commands() -> list[tuple[str, ...]]:
    """Every leaf command as its path of names, found by walking the click tree of the app."""
    found: list[tuple[str, ...]] = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        children = getattr(cmd, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*path, name))
        else:
            found.append(path)

    walk(typer.main.get_command(app), ())
    return sorted(found)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: ExitCode
    says: str  # a fragment of the message, exact
    where: str = "ready"  # "ready": a riskmon folder with data; "empty": a folder with no config and no database
    env: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.where}:{' '.join(self.args)}"


NO_DB = "データベースがありません"
NOT_CURRENT = "riskmon db upgrade"
UNREACHABLE_PG = {"RISKMON_DATABASE_URL": "postgresql://riskmon@127.0.0.1:1/none?connect_timeout=2"}

CASES: dict[tuple[str, ...], list[Case]] = {
    ("db", "upgrade"): [
        Case(("--config", "nowhere.toml", "db", "upgrade"), ExitCode.USAGE, "nowhere.toml: 設定ファイルが見つかりません"),
        Case(("db", "upgrade"), ExitCode.ERROR, "データベースに接続できないか、操作に失敗しました", env=UNREACHABLE_PG),
    ],
    ("db", "status"): [Case(("db", "status"), ExitCode.USAGE, NO_DB, "empty")],
    ("ingest",): [
        Case(("ingest", "nope.jsonl"), ExitCode.USAGE, "見つかりません：nope.jsonl"),
        Case(("ingest", str(ROOT / "sample_events" / "units.csv")), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("rejects", "list"): [
        Case(("rejects", "list", "--limit", "0"), ExitCode.USAGE, "--limit は1以上です（0は使えません）"),
        Case(("rejects", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("events", "list"): [
        Case(("events", "list", "--type", "dialy_report"), ExitCode.USAGE, "'dialy_report' はありません（もしかして 'daily_report'？）"),
        Case(("events", "list", "--unit", "PO-0O1"), ExitCode.USAGE, "--unit: 'PO-0O1' はありません（もしかして 'PO-001'？）"),
        Case(("events", "list", "--limit", "-1"), ExitCode.USAGE, "--limit は1以上です（-1は使えません）"),
        Case(("events", "list", "--since", "yesterday"), ExitCode.USAGE, "日付/日時として読めません：yesterday"),
        Case(("events", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("events", "show"): [
        Case(("events", "show", "NOPE"), ExitCode.ERROR, "イベントがありません：NOPE"),
        Case(("events", "show", "E1"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("units", "list"): [
        Case(("units", "list", "--line", "1"), ExitCode.USAGE, "--line: '1' はありません（もしかして 'first'？）"),
        Case(("units", "list", "--type", "Pension_Office"), ExitCode.USAGE, "（もしかして 'pension_office'？）"),
        Case(("units", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("templates", "write"): [Case(("templates", "write", "config.toml"), ExitCode.USAGE, "フォルダではありません：config.toml")],
    ("sample", "generate"): [
        Case(("sample", "generate", "--start", "2025-13-01"), ExitCode.USAGE, "--start: '2025-13-01' is not a date"),
        Case(("sample", "generate", "--offices", "0"), ExitCode.USAGE, "--offices"),
        Case(
            ("sample", "generate", "--out", "users.csv", "--offices", "1", "--days", "1"),
            ExitCode.ERROR,
            "users.csv: 読み書きできません：File exists",
        ),
    ],
    ("rules", "check"): [
        Case(("rules", "check", "nope.yaml"), ExitCode.ERROR, "nope.yaml:1:1: 見つかりません / not found"),
        Case(("rules", "check"), ExitCode.ERROR, "rules:1:1: 見つかりません", "empty"),
    ],
    ("rules", "list"): [Case(("rules", "list", "nope"), ExitCode.ERROR, "nope:1:1: 見つかりません")],
    ("rules", "test"): [Case(("rules", "test", "nope"), ExitCode.ERROR, "0 passed, 0 failed")],
    ("rules", "changes", "list"): [
        Case(("rules", "changes", "list", "--from", "yesterday"), ExitCode.USAGE, "日付/日時として読めません：yesterday"),
        Case(
            ("rules", "changes", "list", "--from", "2026-04-02", "--to", "2026-04-01"),
            ExitCode.USAGE,
            "--to（2026-04-01）が --from（2026-04-02）より前です",
        ),
        Case(
            ("rules", "changes", "list"),
            ExitCode.ERROR,
            "変更記録は第二線（リスク統括部等）と第三線（監査部）だけが閲覧できます",
            env={"RISKMON_TOKEN": "@po1"},
        ),
        Case(("rules", "changes", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("rules", "changes", "show"): [
        Case(("rules", "changes", "show", "999"), ExitCode.ERROR, "変更記録999はありません"),
        Case(
            ("--lang", "en", "rules", "changes", "show", "1"),
            ExitCode.ERROR,
            "error: only the second line (risk management) and the third line (audit) may read",
            env={"RISKMON_TOKEN": "@rd1"},
        ),
    ],
    ("rules", "changes", "approve"): [
        Case(("rules", "changes", "approve", "1", "--note", "x"), ExitCode.USAGE, "この操作には個人用APIトークンが必要です"),
        Case(
            ("rules", "changes", "approve", "999", "--note", "x"),
            ExitCode.ERROR,
            "999: 変更記録999はありません",
            env={"RISKMON_TOKEN": "@risk1"},
        ),
        Case(
            ("rules", "changes", "approve", "1", "--note", "x"),
            ExitCode.ERROR,
            "1: ルール・設定の変更の承認は第二線（リスク統括部等）だけが行えます",
            env={"RISKMON_TOKEN": "@po1"},
        ),
        Case(("rules", "changes", "approve", "1"), ExitCode.ERROR, "1: 承認の説明（--note）が必要です", env={"RISKMON_TOKEN": "@risk1"}),
    ],
    ("rules", "changes", "record"): [
        Case(
            ("rules", "changes", "record"),
            ExitCode.ERROR,
            "ルール・設定の変更の記録は第二線（リスク統括部等）だけが行えます",
            env={"RISKMON_TOKEN": "@po1"},
        ),
        Case(("rules", "changes", "record"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("evaluate",): [
        Case(("evaluate", "--as-of", "tomorrow"), ExitCode.USAGE, "日付/日時として読めません：tomorrow"),
        Case(("evaluate", "--rules", "nope"), ExitCode.ERROR, "ルールに問題があるため評価しません"),
        Case(("evaluate",), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("flags", "list"): [
        Case(("flags", "list", "--severity", "Critical"), ExitCode.USAGE, "--severity: 'Critical' はありません（もしかして 'critical'？）"),
        Case(("flags", "list", "--line", "1"), ExitCode.USAGE, "使える値：first, second, third"),
        Case(
            ("flags", "list", "--status", "resolved"),
            ExitCode.USAGE,
            "--status: 'resolved' はありません。使える値：open, cleared, retired, all",
        ),
        Case(("flags", "list", "--rule", "R1"), ExitCode.USAGE, "--rule: 'R1' はありません"),
        Case(("flags", "list", "--unit", "PO-999"), ExitCode.USAGE, "--unit: 'PO-999' はありません"),
        Case(("flags", "list", "--limit", "0"), ExitCode.USAGE, "--limit は1以上です"),
        Case(("flags", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("flags", "show"): [
        Case(("flags", "show", "999"), ExitCode.ERROR, "フラグがありません：999"),
        Case(("flags", "show", "abc"), ExitCode.USAGE, "Usage: riskmon flags show"),
    ],
    ("flags", "ack"): [
        Case(("flags", "ack", "999"), ExitCode.ERROR, "999: フラグ999はありません", env={"RISKMON_TOKEN": "@risk1"}),
        Case(("flags", "ack", "1"), ExitCode.USAGE, "APIトークンが無効です", env={"RISKMON_TOKEN": "rmt_not-a-token"}),
        Case(("flags", "ack", "1"), ExitCode.USAGE, "この操作には個人用APIトークンが必要です"),
        Case(("flags", "ack", "1", "--user", "risk1"), ExitCode.USAGE, "--user risk1は使えなくなりました（本人確認になりません）"),
        Case(("flags", "ack", "1", "--token-file", "nope.token"), ExitCode.USAGE, "nope.token: トークンファイルを読めません"),
        Case(("flags", "ack", "--severity", "Critical"), ExitCode.USAGE, "もしかして 'critical'", env={"RISKMON_TOKEN": "@risk1"}),
        Case(("flags", "ack", "1"), ExitCode.ERROR, "1: フラグ1はありません", env={"RISKMON_TOKEN": "@po2"}),
        Case(("flags", "ack", "1"), ExitCode.USAGE, NO_DB, "empty", env={"RISKMON_TOKEN": "rmt_x"}),
    ],
    ("flags", "take"): [
        Case(
            ("flags", "take", "1", "--assignee", "nobody"),
            ExitCode.ERROR,
            "1: 利用者 'nobody' は登録されていないか無効です",
            env={"RISKMON_TOKEN": "@risk1"},
        ),
        Case(("flags", "take", "999"), ExitCode.ERROR, "999: フラグ999はありません", env={"RISKMON_TOKEN": "@risk1"}),
    ],
    ("flags", "comment"): [
        Case(("flags", "comment", "999", "x"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@risk1"})
    ],
    ("flags", "respond"): [Case(("flags", "respond", "1", "x"), ExitCode.ERROR, "1: フラグ1はありません", env={"RISKMON_TOKEN": "@po2"})],
    ("flags", "propose"): [
        Case(
            ("flags", "propose", "1", "--resolution", "fixed", "--note", "x"),
            ExitCode.ERROR,
            "解決区分は次のいずれかです：remediated, explained, risk_accepted, duplicate",
            env={"RISKMON_TOKEN": "@po1"},
        ),
    ],
    ("flags", "resolve"): [
        Case(
            ("flags", "resolve", "999", "--resolution", "remediated", "--note", "x"),
            ExitCode.ERROR,
            "フラグ999はありません",
            env={"RISKMON_TOKEN": "@risk1"},
        ),
        Case(
            ("flags", "resolve", "--rule", "R99", "--resolution", "remediated", "--note", "x"),
            ExitCode.USAGE,
            "--rule: 'R99' はありません",
            env={"RISKMON_TOKEN": "@risk1"},
        ),
    ],
    ("flags", "confirm"): [Case(("flags", "confirm", "999"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@risk2"})],
    ("flags", "dismiss"): [
        Case(("flags", "dismiss", "--reason", "x"), ExitCode.USAGE, "フラグ番号か絞り込み", env={"RISKMON_TOKEN": "@risk1"}),
        Case(
            ("flags", "dismiss", "--unit", "po-001", "--reason", "x"),
            ExitCode.USAGE,
            "もしかして 'PO-001'",
            env={"RISKMON_TOKEN": "@risk1"},
        ),
    ],
    ("flags", "powers"): [Case(("flags", "powers", "999"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@risk1"})],
    ("flags", "approve"): [Case(("flags", "approve", "1"), ExitCode.ERROR, "リスク受容の承認は役員", env={"RISKMON_TOKEN": "@risk1"})],
    ("flags", "receipt"): [Case(("flags", "receipt", "1", "x"), ExitCode.ERROR, "ガバナンス", env={"RISKMON_TOKEN": "@risk1"})],
    ("flags", "decision"): [
        Case(("flags", "decision", "999", "x"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@auditor"})
    ],
    ("flags", "reopen"): [
        Case(("flags", "reopen", "999", "--reason", "x"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@risk1"})
    ],
    ("flags", "history"): [
        Case(("flags", "history", "1"), ExitCode.ERROR, "エラー：フラグ1はありません", env={"RISKMON_TOKEN": "@po2"}),
        Case(("flags", "history", "999"), ExitCode.ERROR, "フラグ999はありません", env={"RISKMON_TOKEN": "@auditor"}),
        Case(
            ("--lang", "en", "flags", "history", "999"), ExitCode.ERROR, "error: flag 999 does not exist", env={"RISKMON_TOKEN": "@auditor"}
        ),
    ],
    ("users", "load"): [
        Case(("users", "load", "nope.csv"), ExitCode.USAGE, "nope.csv: ファイルが見つかりません"),
        Case(("users", "load", "rules"), ExitCode.USAGE, "rules: ファイルではなくフォルダです"),
        Case(
            ("users", "load", "sjis.csv"),
            ExitCode.ERROR,
            "sjis.csv: 2 行目が UTF-8 ではありません（Shift_JIS などで保存されています）。利用者は1名も登録していません",
        ),
        Case(("users", "load", str(ROOT / "sample_events" / "users.csv")), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("users", "set-password"): [Case(("users", "set-password", "risk1", "--password-stdin"), ExitCode.USAGE, NO_DB, "empty")],
    ("users", "revoke-sessions"): [Case(("users", "revoke-sessions", "risk1"), ExitCode.USAGE, NO_DB, "empty")],
    ("users", "token", "create"): [
        Case(("users", "token", "create", "risk1", "--expires-days", "0"), ExitCode.USAGE, "有効期間は1〜366日です（0は使えません）"),
        Case(("users", "token", "create", "risk1", "--password-stdin"), ExitCode.ERROR, "利用者IDまたはパスワードが正しくありません"),
    ],
    ("users", "token", "service"): [
        Case(("users", "token", "service", "svc", "--name", "x", "--expires-days", "30", "--scope", "write"), ExitCode.USAGE,
             "write"),
        Case(("users", "token", "service", "svc", "--name", "x", "--expires-days", "30", "--scope", "read"), ExitCode.ERROR,
             "サービス用トークンを発行できるのは user_admin だけです", env={"RISKMON_TOKEN": "@po1"}),
    ],
    ("users", "token", "list"): [
        Case(
            ("users", "token", "list", "risk1"),
            ExitCode.ERROR,
            "他の利用者のトークンは user_admin だけが一覧できます",
            env={"RISKMON_TOKEN": "@po1"},
        ),
        Case(("users", "token", "list"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("users", "token", "revoke"): [
        Case(("users", "token", "revoke"), ExitCode.USAGE, "トークンIDか --all 利用者ID のどちらか一方を指定してください"),
        Case(("users", "token", "revoke", "abcdef123456"), ExitCode.ERROR, "トークン 'abcdef123456' はありません"),
    ],
    ("serve",): [Case(("serve",), ExitCode.USAGE, NO_DB, "empty")],
    ("escalate",): [
        Case(("escalate", "--as-of", "soon"), ExitCode.USAGE, "日付/日時として読めません：soon"),
        Case(("escalate",), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("review",): [
        Case(("review",), ExitCode.USAGE, "この操作には個人用APIトークンが必要です"),
        Case(("review", "--user", "nobody"), ExitCode.USAGE, "--user nobodyは使えなくなりました"),
        Case(("review", "--limit", "0"), ExitCode.USAGE, "--limit は1以上です", env={"RISKMON_TOKEN": "@risk1"}),
        Case(("review",), ExitCode.USAGE, NO_DB, "empty", env={"RISKMON_TOKEN": "rmt_x"}),
    ],
    ("report", "committee"): [
        Case(("report", "committee", "--from", "2025-13-01", "--to", "2025-09-30"), ExitCode.USAGE, "日付は YYYY-MM-DD で指定してください"),
        Case(("report", "committee", "--from", "2025-04-01", "--to", "2025-09-30"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("report", "monthly"): [Case(("report", "monthly", "--month", "2025-13"), ExitCode.USAGE, "月は YYYY-MM で指定してください")],
    ("report", "annual"): [
        Case(("report", "annual", "--fy", "令和7"), ExitCode.USAGE, "年度は 2025 または FY2025 の形で指定してください: 令和7"),
        Case(("report", "annual", "--fy", "2025"), ExitCode.USAGE, NO_DB, "empty"),
    ],
    ("report", "assurance"): [Case(("report", "assurance", "--period", "FY"), ExitCode.USAGE, "期間として読めません: FY")],
    ("audit", "verify"): [Case(("audit", "verify"), ExitCode.USAGE, NO_DB, "empty")],
    ("audit", "anchor"): [Case(("audit", "anchor"), ExitCode.USAGE, NO_DB, "empty")],  # added by the audit work (issue #9)
    ("scheduler", "run"): [Case(("scheduler", "run"), ExitCode.USAGE, NO_DB, "empty")],
    ("jobs", "list"): [Case(("jobs", "list"), ExitCode.USAGE, NO_DB, "empty")],
    ("jobs", "run"): [
        Case(("jobs", "run", "nightlly"), ExitCode.USAGE, "不明なジョブ：nightlly（もしかして 'nightly'？ "),
        Case(("jobs", "run", "nightly"), ExitCode.USAGE, NO_DB, "empty"),
    ],
}

COMMANDS = all_commands()


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A riskmon folder: config, rules, a database with units, one error report, its flags, users."""
    root = tmp_path_factory.mktemp("ready")
    shutil.copy(ROOT / "config.toml", root / "config.toml")
    shutil.copytree(ROOT / "rules", root / "rules")
    (root / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (root / "users.csv").write_text(USERS, encoding="utf-8")
    (root / "sjis.csv").write_bytes("user_id,name,unit_id,role\npo9,佐藤,PO-001,member\n".encode("cp932"))
    write_jsonl(root / "e.jsonl", [error_report("E1", "C1")])
    with _inside(root):
        for args in (["db", "upgrade"], ["ingest", "units.csv", "e.jsonl"], ["evaluate", "--as-of", "2025-04-10T12:00"],
                     ["users", "load", "users.csv"]):  # fmt: skip
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, result.output
    yield root


class _inside:
    """chdir for a module-scoped fixture (monkeypatch is function-scoped)."""

    def __init__(self, path: Path) -> None:
        self.path, self.old = path, Path.cwd()

    def __enter__(self) -> None:
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.old)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_TOKEN", "RISKMON_LANG"):
        monkeypatch.delenv(name, raising=False)


def test_every_command_has_bad_argument_cases() -> None:
    assert len(COMMANDS) >= 33
    assert [c for c in COMMANDS if c not in CASES] == []


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.output and f"riskmon {' '.join(command)}" in result.output


@pytest.mark.parametrize("case", [c for cmd in COMMANDS for c in CASES.get(cmd, [])], ids=str)
def test_bad_arguments_end_in_a_message_and_a_documented_status(
    case: Case, ready: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = ready if case.where == "ready" else tmp_path
    monkeypatch.chdir(folder)
    before = sorted(p.name for p in folder.iterdir())
    env = {k: token_for(ready / "var" / "riskmon.db", v[1:]) if v.startswith("@") else v for k, v in case.env.items()}
    result = CliRunner().invoke(app, list(case.args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == case.code, result.output
    assert result.exit_code in {int(c) for c in ExitCode if c is not ExitCode.OK}
    assert case.says in result.output
    if case.where == "empty":  # nothing was created: no var/ folder, no empty database
        assert sorted(p.name for p in folder.iterdir()) == before
