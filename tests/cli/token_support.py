"""Personal API tokens for CLI tests, issued through the real token service on the real database
(the password-proving ``users token create`` itself is tested in test_cli_tokens.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.accounts.tokens import Tokens
from riskmon.store.db import make_engine
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
