"""Personal API tokens for CLI tests, issued through the real token service on the real database
(the password-proving ``users token create`` itself is tested in test_cli_tokens.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.accounts.tokens import Tokens
from riskmon.cli.app import app
from riskmon.store.db import make_engine
from riskmon.store.tables import Flag, table_of
from tests.helpers import ROOT, USERS


def token_for(db: Path | str, user_id: str) -> str:
    """A fresh token of ``user_id`` in the SQLite file ``db`` (or at the database URL ``db``)."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    engine = make_engine(url)
    try:
        return Tokens(engine, lambda: datetime.now(UTC)).issue(user_id)[0]
    finally:
        engine.dispose()


def token_cli_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``tmp_path`` as the folder a token-using CLI test runs in: the shipped config.toml and rules,
    the test users file, and no token, config or language from the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("RISKMON_CONFIG", "RISKMON_TOKEN", "RISKMON_LANG"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "config.toml").write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "rules").symlink_to(ROOT / "rules")
    (tmp_path / "users.csv").write_text(USERS, encoding="utf-8")


class Cli:
    """The CLI on one database (the ``engine`` fixture's), run in a folder with the shipped config and rules."""

    def __init__(self, runner: CliRunner, url: str) -> None:
        self.runner, self.env, self.url = runner, {"RISKMON_DATABASE_URL": url}, url

    def __call__(self, *args: str, as_user: str | None = None) -> Any:
        """Run a command; ``as_user``: with a fresh personal API token of that user in RISKMON_TOKEN."""
        token = {"RISKMON_TOKEN": token_for(self.url, as_user)} if as_user else {}
        return self.runner.invoke(app, list(args), env={**self.env, **token})


def flag_of(engine: Engine, unit: str) -> int:
    """The first flag owned by ``unit``."""
    t = table_of(Flag)
    with engine.connect() as conn:
        return int(conn.execute(select(t.c.id).where(t.c.owner_unit == unit).order_by(t.c.id).limit(1)).scalar_one())
