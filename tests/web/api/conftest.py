"""The API's fixtures: the pages' seed (tests.web.pages_support: po1/po2 first line, risk1/risk2
second, auditor third, exec1, admin1 user_admin), a TestClient of the whole application (the API
mounted at /api/v1 as ``riskmon serve`` serves it) and tokens issued through the library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.accounts.tokens import SCOPES, Tokens
from riskmon.web.app import create_app
from tests.web.api.api_support import Token, api_settings
from tests.web.support import Clock


@pytest.fixture
def api(engine: Engine, clock: Clock, flags: dict[str, int], tmp_path: Path) -> Iterator[TestClient]:
    client = TestClient(create_app(api_settings(tmp_path), engine=engine, clock=clock), follow_redirects=False)
    yield client
    client.close()


@pytest.fixture
def token(engine: Engine, clock: Clock) -> Token:
    """``token("po1", "read")``: the Authorization header of a new token of ``po1`` with those scopes."""

    def make(user: str, *scopes: str, days: int = 30) -> dict[str, str]:
        secret, _ = Tokens(engine, clock).issue(user, name="test", days=days, scopes=frozenset(scopes or SCOPES))
        return {"Authorization": f"Bearer {secret}"}

    return make
