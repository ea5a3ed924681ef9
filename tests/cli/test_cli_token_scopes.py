"""Token scopes and service tokens on the command line (issue #14): ``token create --scope``,
``token service`` by a user_admin only, and ``token list`` showing scopes and who issued it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from riskmon.accounts.tokens import REF_LENGTH, hash_token
from riskmon.cli.errors import ExitCode
from tests.cli.token_support import Cli, token_cli_folder, token_for
from tests.helpers import USERS


@pytest.fixture
def cli(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    token_cli_folder(tmp_path, monkeypatch)
    (tmp_path / "users.csv").write_text(USERS + "admin1,管理,RMD,user_admin\nsvc1,基幹システム,RMD,risk_officer\n", encoding="utf-8")
    run = Cli(CliRunner(), engine.url.render_as_string(hide_password=False))
    for args in (["ingest", str(units_file)], ["users", "load", "users.csv"]):
        assert run(*args).exit_code == 0
    return run


def test_a_user_admin_issues_a_service_token(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "admin.token").write_text(token_for(cli.url, "admin1"), encoding="utf-8")
    (tmp_path / "admin.token").chmod(0o600)
    made = cli("--lang", "en", "users", "token", "service", "svc1", "--name", "core system", "--scope", "ingest", "--scope", "read",
               "--expires-days", "90", "--token-file", "admin.token")  # fmt: skip
    assert made.exit_code == 0, made.output
    ref = hash_token(made.stdout.strip())[:REF_LENGTH]
    assert made.stderr.startswith(f"token {ref} (until ")
    listed = json.loads(cli("users", "token", "list", "svc1", "--format", "json").stdout)
    assert [(t["id"], t["name"], t["scopes"], t["issued_by"], t["state"]) for t in listed] == [
        (ref, "core system", "read,ingest", "admin1", "active")
    ]


def test_only_a_user_admin_and_never_the_bare_shell(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "risk.token").write_text(token_for(cli.url, "risk1"), encoding="utf-8")
    (tmp_path / "risk.token").chmod(0o600)
    args = ["users", "token", "service", "svc1", "--name", "x", "--scope", "read", "--expires-days", "30"]
    refused = cli(*args, "--token-file", "risk.token")
    assert refused.exit_code == ExitCode.ERROR
    assert refused.stderr == ("エラー：サービス用トークンを発行できるのは user_admin だけです"
                              "（自分のトークンで --token-file を指定してください）\n")  # fmt: skip
    assert cli(*args).exit_code == ExitCode.USAGE  # no token: the shell is nobody


def test_scopes_and_expiry_are_checked_before_anything(cli: Cli) -> None:
    bad = cli("--lang", "en", "users", "token", "service", "svc1", "--name", "x", "--scope", "write", "--expires-days", "30")
    assert (bad.exit_code, bad.stderr) == (ExitCode.USAGE, "error: scope 'write' is not allowed; the scopes are read, ingest, review\n")
    missing = cli("users", "token", "service", "svc1", "--name", "x", "--scope", "read")
    assert missing.exit_code == ExitCode.USAGE  # --expires-days is required for a service token
