"""Web fixtures: a seeded database on both backends, a TestClient with a movable clock, and the
pages' seed with a logged-in client per user (``flags``, ``as_``; the permission matrix has its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.accounts.auth import Accounts
from riskmon.config import Settings, WebConfig
from riskmon.web.app import create_app
from tests.web.pages_support import seed_pages
from tests.web.support import PASSWORD, Clock, login, seed


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def seeded(engine: Engine, tmp_path: Path) -> dict[str, int]:
    flags = seed(engine, tmp_path)
    accounts = Accounts(engine, WebConfig(), Clock())
    for user in ("po1", "po2", "risk1", "auditor"):
        accounts.set_password(user, PASSWORD, by="test")
    return flags


@pytest.fixture
def make_client(engine: Engine, clock: Clock, seeded: dict[str, int]) -> Iterator[Callable[..., TestClient]]:
    """A TestClient factory: ``make_client(https=True, lockout_threshold=3, ...)`` sets ``[web]`` keys."""
    clients: list[TestClient] = []

    def make(**web: object) -> TestClient:
        settings = Settings(web=WebConfig.model_validate(web))
        client = TestClient(create_app(settings, engine=engine, clock=clock), base_url="https://testserver" if web.get("https") else "http://testserver",
                            follow_redirects=False)  # fmt: skip
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def flags(engine: Engine, tmp_path: Path, seeded: dict[str, int]) -> dict[str, int]:
    return seed_pages(engine, tmp_path)


@pytest.fixture
def as_(make_client: Callable[..., TestClient], flags: dict[str, int]) -> Callable[[str], TestClient]:
    def make(user: str) -> TestClient:
        client = make_client()
        assert login(client, user).status_code == 303  # type: ignore[attr-defined]
        return client

    return make
