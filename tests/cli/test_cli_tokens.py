"""Personal API tokens on the command line, on SQLite and PostgreSQL (docs/security.md).

Each test is one claim of the security model as a person at a shell meets it: how a token is
created (only by its owner, proving their password), where the CLI reads it from (never an option
value), that case actions need one and record it, that reads with a token see what the policy
lets its owner see while the operator's shell sees everything, and that the users master is
loaded only by a user_admin.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.accounts.tokens import REF_LENGTH, hash_token
from riskmon.cli.app import app
from riskmon.cli.errors import ExitCode
from riskmon.store.tables import ApiToken, AuditEntry, Flag, table_of
from tests.cli.token_support import token_cli_folder, token_for
from tests.helpers import USERS, error_report, write_jsonl

PASSWORD = "a long enough passphrase"


class Cli:
    def __init__(self, url: str) -> None:
        self.url, self.runner = url, CliRunner()

    def __call__(self, *args: str, token: str | None = None, stdin: str | None = None) -> Any:
        env = {"RISKMON_DATABASE_URL": self.url, **({"RISKMON_TOKEN": token} if token else {})}
        return self.runner.invoke(app, ["--lang", "en", *args], env=env, input=stdin)

    def token(self, user_id: str) -> str:
        return token_for(self.url, user_id)


@pytest.fixture
def cli(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """Units, an error report at PO-001 and one at PO-002 with their flags, the users."""
    token_cli_folder(tmp_path, monkeypatch)
    run = Cli(engine.url.render_as_string(hide_password=False))
    events = write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1"), error_report("E2", "C2", unit_id="PO-002")])
    for args in (["ingest", str(units_file), str(events)], ["evaluate", "--as-of", "2025-04-10T12:00"], ["users", "load", "users.csv"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
    yield run


def audit_rows(engine: Engine, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.actor, r.subject, r.payload) for r in conn.execute(select(t).where(t.c.action == action).order_by(t.c.seq))]


def flags_of(engine: Engine) -> dict[str, list[int]]:
    t = table_of(Flag)
    out: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for fid, unit in conn.execute(select(t.c.id, t.c.owner_unit).order_by(t.c.id)):
            out.setdefault(unit, []).append(fid)
    return out


# -- creating a token ----------------------------------------------------------------------------


def test_the_owner_creates_a_token_with_their_password_and_sees_it_once(cli: Cli, engine: Engine) -> None:
    assert cli("users", "set-password", "po1", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    made = cli("users", "token", "create", "po1", "--name", "laptop", "--expires-days", "30", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert re.fullmatch(r"rmt_[A-Za-z0-9_-]{43}", secret)
    ref = hash_token(secret)[:REF_LENGTH]
    assert made.stderr.startswith(f"token {ref} (until ") and "shown only now" in made.stderr
    listed = cli("users", "token", "list", "--format", "json")
    assert listed.exit_code == 0 and secret not in listed.output
    assert [(t["id"], t["user_id"], t["name"], t["state"]) for t in json.loads(listed.stdout)] == [(ref, "po1", "laptop", "active")]
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(select(table_of(ApiToken).c.id_hash))] == [hash_token(secret)]
    # the proof is a login on channel cli; its session ends at once; the token is named by its prefix
    login, logout, created = audit_rows(engine, "login")[-1], audit_rows(engine, "logout")[-1], audit_rows(engine, "token_created")[-1]
    assert (login[2]["channel"], logout[2]["channel"], logout[2]["session"]) == ("cli", "cli", login[2]["session"])
    assert (created[0], created[2]["token"], created[2]["session"]) == ("po1", ref, login[2]["session"])
    acked = cli("flags", "ack", str(flags_of(engine)["PO-001"][0]), token=secret)
    assert acked.exit_code == 0, acked.output
    assert {k: audit_rows(engine, "acknowledge")[-1][2][k] for k in ("channel", "token")} == {"channel": "api", "token": ref}


def test_a_wrong_password_creates_no_token(cli: Cli, engine: Engine) -> None:
    assert cli("users", "set-password", "po1", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    refused = cli("users", "token", "create", "po1", "--password-stdin", stdin="not my password at all\n")
    assert (refused.exit_code, refused.stdout, refused.stderr) == (ExitCode.ERROR, "", "error: wrong user id or password\n")
    assert audit_rows(engine, "login_failed")[-1][2]["channel"] == "cli"
    with engine.connect() as conn:
        assert conn.execute(select(table_of(ApiToken))).all() == []


def test_a_one_time_password_must_be_changed_on_the_web_first(cli: Cli) -> None:
    one_time = cli("users", "set-password", "po1", "--generate").stdout.strip().splitlines()[-1]
    refused = cli("users", "token", "create", "po1", "--password-stdin", stdin=one_time + "\n")
    assert refused.exit_code == ExitCode.ERROR
    assert refused.stderr == "error: your password is a one-time password: log in on the web and change it first\n"


# -- where the CLI takes the token from ----------------------------------------------------------


def test_case_actions_without_a_token_or_with_user_are_refused(cli: Cli, engine: Engine) -> None:
    flag = str(flags_of(engine)["PO-001"][0])
    bare = cli("flags", "ack", flag)
    assert bare.exit_code == ExitCode.USAGE and bare.stderr.startswith("error: this needs your personal API token")
    claimed = cli("flags", "ack", flag, "--user", "po1")
    assert claimed.exit_code == ExitCode.USAGE and "--user po1 is no longer accepted (it proves nothing)" in claimed.stderr
    on_the_line = cli("flags", "ack", flag, "--token", cli.token("po1"))  # an option would be visible in ps
    assert on_the_line.exit_code == ExitCode.USAGE and "No such option: --token" in on_the_line.output
    assert audit_rows(engine, "acknowledge") == []


def test_a_token_file_must_be_private(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(cli.token("po1") + "\n", encoding="utf-8")
    os.chmod(path, 0o644)
    flag = str(flags_of(engine)["PO-001"][0])
    shared = cli("flags", "ack", flag, "--token-file", str(path))
    assert (shared.exit_code, shared.stderr) == (
        ExitCode.USAGE,
        f"error: {path}: the token file is readable by others; run chmod 600 {path}\n",
    )
    os.chmod(path, 0o600)
    assert cli("flags", "ack", flag, "--token-file", str(path)).exit_code == 0


def test_a_revoked_token_is_refused_and_the_operator_can_revoke(cli: Cli, engine: Engine) -> None:
    secret = cli.token("po1")
    ref = hash_token(secret)[:REF_LENGTH]
    done = cli("users", "token", "revoke", ref)
    assert (done.exit_code, done.stdout.strip()) == (0, f"1 token(s) revoked: {ref}")
    assert audit_rows(engine, "tokens_revoked")[-1][0].startswith("cli:")
    refused = cli("review", token=secret)
    assert refused.exit_code == ExitCode.USAGE and refused.stderr.startswith("error: the API token is not valid")


# -- reads follow the policy with a token; the operator's shell reads everything -------------------


# RMD owns the second line's flags (R02's triage, R16's 役員等への報告): the second and third lines see
# them, the first line's office and 地域部 do not
READERS = [(None, {"PO-001", "PO-002", "RMD"}), ("po2", {"PO-002"}), ("rd1", {"PO-001", "PO-002"}), ("hq1", set()),
           ("risk1", {"PO-001", "PO-002", "RMD"}), ("auditor", {"PO-001", "PO-002", "RMD"})]  # fmt: skip


@pytest.mark.parametrize(("user", "units"), READERS, ids=[u or "operator" for u, _ in READERS])
def test_reads_show_what_the_token_may_see(user: str | None, units: set[str], cli: Cli, engine: Engine) -> None:
    token = cli.token(user) if user else None
    flags = flags_of(engine)
    listed = cli("flags", "list", "--status", "all", "--format", "json", token=token)
    assert listed.exit_code == 0, listed.output
    assert {f["owner_unit"] for f in json.loads(listed.stdout)} == units
    assert len(json.loads(listed.stdout)) == sum(len(flags[u]) for u in units)
    for unit, ids in flags.items():
        shown = cli("flags", "show", str(ids[0]), "--format", "json", token=token)
        assert (shown.exit_code == 0) is (unit in units), (unit, shown.output)
        if unit not in units:  # someone else's flag is answered like a missing one
            assert shown.stderr == f"error: no such flag: {ids[0]}\n"
    events = cli("events", "list", "--format", "json", token=token)
    assert events.exit_code == 0 and {e["unit_id"] for e in json.loads(events.stdout)} == units - {"RMD"}  # the events are the offices'
    for event_id, unit in (("E1", "PO-001"), ("E2", "PO-002")):
        shown = cli("events", "show", event_id, "--format", "json", token=token)
        assert (shown.exit_code == 0) is (unit in units)
        if unit not in units:
            assert shown.stderr == f"error: no such event: {event_id}\n"


def test_the_third_line_reads_with_a_token_and_changes_nothing(cli: Cli, engine: Engine) -> None:
    flag = str(flags_of(engine)["PO-001"][0])
    auditor = cli.token("auditor")
    assert cli("flags", "history", flag, token=auditor).exit_code == 0
    assert cli("flags", "history", flag).exit_code == 0  # the operator's shell reads every case, tokenless
    assert cli("flags", "history", flag, token=cli.token("po2")).exit_code == ExitCode.ERROR  # PO-001's case
    refused = cli("flags", "ack", flag, token=auditor)
    assert refused.exit_code == ExitCode.ERROR
    assert refused.stderr == f"{flag}: the third line and governance read everything and change nothing\n"
    assert audit_rows(engine, "refused:acknowledge")[-1][2]["channel"] == "api"


def test_a_bulk_action_only_reaches_the_flags_its_owner_may_see(cli: Cli, engine: Engine) -> None:
    flags = flags_of(engine)
    result = cli("flags", "ack", "--rule", "R01", token=cli.token("po2"))
    assert result.exit_code == 0, result.output
    acked = {int(s.split(":")[1]) for _, s, _ in audit_rows(engine, "acknowledge")}
    assert acked and acked <= set(flags["PO-002"])
    # named by id, another office's flag answers as a missing one (ReviewService.bulk, as on the web)
    other = flags["PO-001"][0]
    named = cli("flags", "ack", str(other), token=cli.token("po2"))
    assert (named.exit_code, named.stderr) == (ExitCode.ERROR, f"{other}: flag {other} does not exist\n")


# -- four eyes cannot be faked from the shell any more ----------------------------------------------


def test_four_eyes_needs_two_tokens_of_two_people(cli: Cli, engine: Engine) -> None:
    t = table_of(Flag)
    with engine.connect() as conn:
        critical = conn.execute(select(t.c.id).where(t.c.severity == "critical", t.c.owner_unit == "PO-001").limit(1)).scalar_one()
    risk1, risk2 = cli.token("risk1"), cli.token("risk2")
    proposed = cli("flags", "resolve", str(critical), "--resolution", "remediated", "--note", "再送付済み", token=risk1)
    assert proposed.exit_code == 0, proposed.output
    digest = proposed.stdout.strip().rsplit("proposal ", 1)[1]
    shown = cli("flags", "show", str(critical), "--format", "json", token=risk2)
    assert json.loads(shown.stdout)["proposal_id"] == digest
    own = cli("flags", "confirm", str(critical), "--proposal", digest, token=risk1)
    assert own.exit_code == ExitCode.ERROR and "the proposer cannot confirm their own closure (four eyes)" in own.stderr
    other = cli("flags", "confirm", str(critical), "--proposal", digest, token=risk2)
    assert other.exit_code == 0, other.output
    confirmed = audit_rows(engine, "confirm")[-1]
    assert (confirmed[0], confirmed[2]["token"]) == ("risk2", hash_token(risk2)[:REF_LENGTH])


# -- the users master --------------------------------------------------------------------------------


def test_users_load_needs_a_user_admin_token_once_one_exists(cli: Cli, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text(USERS + "adm1,管理者,RMD,user_admin\n", encoding="utf-8")
    assert cli("users", "load", str(path)).exit_code == 0  # the bootstrap: no user_admin yet
    again = cli("users", "load", str(path))
    assert (again.exit_code, again.stderr) == (
        ExitCode.ERROR,
        "error: loading the users master needs a user_admin's personal API token (RISKMON_TOKEN)\n",
    )
    not_admin = cli("users", "load", str(path), token=cli.token("risk1"))
    assert (not_admin.exit_code, not_admin.stderr) == (ExitCode.ERROR, "error: only a user_admin may manage users\n")
    po1 = cli.token("po1")
    path.write_text(USERS.replace("po1,事務所長,PO-001,site_manager", "po1,事務所長,PO-001,member") + "adm1,管理者,RMD,user_admin\n",
                    encoding="utf-8")  # fmt: skip
    loaded = cli("users", "load", str(path), token=cli.token("adm1"))
    assert (loaded.exit_code, loaded.stdout) == (0, "8 users loaded\n")
    assert [(a, s, p["before"], p["after"], p["channel"]) for a, s, p in audit_rows(engine, "role_change")] == [
        ("adm1", "user:po1", "site_manager", "member", "api")
    ]
    assert cli("review", token=po1).exit_code == 0  # a role change keeps the token; it is read at each use
