"""``riskmon users set-password`` and ``revoke-sessions`` as real subprocesses, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from riskmon.accounts.auth import Accounts
from riskmon.accounts.passwords import verify_password
from riskmon.config import WebConfig
from riskmon.store.tables import AuditEntry, WebCredential, table_of
from tests.web.support import seed

RISKMON = str(Path(sys.executable).with_name("riskmon"))


def cli(engine: Engine, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RISKMON_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    env.pop("RISKMON_CONFIG", None)
    return subprocess.run([RISKMON, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False)


def credential(engine: Engine, user_id: str) -> dict[str, object]:
    t = table_of(WebCredential)
    with engine.connect() as conn:
        return dict(conn.execute(select(t).where(t.c.user_id == user_id)).mappings().one())


def test_set_password_from_stdin_and_generated(engine: Engine, tmp_path: Path) -> None:
    seed(engine, tmp_path)
    r = cli(engine, "users", "set-password", "po1", "--password-stdin", stdin="a long enough passphrase\n")
    assert (r.returncode, r.stdout.strip()) == (0, "po1のパスワードを設定しました")
    cred = credential(engine, "po1")
    assert cred["must_change"] is False and str(cred["password_hash"]).startswith("$argon2id$")
    assert verify_password(str(cred["password_hash"]), "a long enough passphrase")
    g = cli(engine, "--lang", "en", "users", "set-password", "po2", "--generate")
    assert g.returncode == 0
    note, one_time = g.stdout.strip().splitlines()
    assert note == "one-time password for po2 (shown only now; it must be changed at first login):" and len(one_time) == 16
    assert credential(engine, "po2")["must_change"] is True
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, t.c.subject, t.c.payload).where(t.c.action == "password_set").order_by(t.c.seq)).all()
    assert [(a, s, p["channel"], p["generated"]) for a, s, p in rows] == [("password_set", "user:po1", "cli", False),
                                                                       ("password_set", "user:po2", "cli", True)]  # fmt: skip


def test_set_password_refusals_are_messages_not_tracebacks(engine: Engine, tmp_path: Path) -> None:
    seed(engine, tmp_path)
    weak = cli(engine, "users", "set-password", "po1", "--password-stdin", stdin="password123\n")
    assert weak.returncode == 1 and "Traceback" not in weak.stderr
    assert "パスワードは12文字以上にしてください（現在11文字）" in weak.stderr and "よく使われるパスワードのため使えません" in weak.stderr
    unknown = cli(engine, "--lang", "en", "users", "set-password", "nobody", "--password-stdin", stdin="a long enough passphrase\n")
    assert unknown.returncode == 1 and "no user nobody (users are added with riskmon users load)" in unknown.stderr
    both = cli(engine, "users", "set-password", "po1", "--password-stdin", "--generate")
    assert both.returncode == 2 and "--password-stdin と --generate は同時に指定できません" in both.stderr


def test_revoke_sessions_from_the_cli(engine: Engine, tmp_path: Path) -> None:
    seed(engine, tmp_path)
    accounts = Accounts(engine, WebConfig(), lambda: datetime.now(UTC))  # the CLI revokes at the real time
    accounts.set_password("po1", "a long enough passphrase", by="test")
    cookies = [accounts.login("po1", "a long enough passphrase", "127.0.0.1").cookie for _ in range(2)]
    assert all(accounts.sessions.lookup(c) is not None for c in cookies)
    r = cli(engine, "--lang", "en", "users", "revoke-sessions", "po1")
    assert (r.returncode, r.stdout.strip()) == (0, "2 session(s) of po1 revoked")
    assert [accounts.sessions.lookup(c) for c in cookies] == [None, None]
