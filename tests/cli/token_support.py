"""Personal API tokens for CLI tests, issued through the real token service on the real database
(the password-proving ``users token create`` itself is tested in test_cli_tokens.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from riskmon.accounts.tokens import Tokens
from riskmon.store.db import make_engine


def token_for(db: Path | str, user_id: str) -> str:
    """A fresh token of ``user_id`` in the SQLite file ``db`` (or at the database URL ``db``)."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    engine = make_engine(url)
    try:
        return Tokens(engine, lambda: datetime.now(UTC)).issue(user_id)[0]
    finally:
        engine.dispose()
