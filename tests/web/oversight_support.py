"""A client for the oversight pages' tests (レポート, ダッシュボード, 監査): settings whose reports
folder is the test's own and whose packs are written without a PDF (no browser in the route tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.config import PathsConfig, ReportsConfig, Settings
from riskmon.web.app import create_app
from tests.helpers import ROOT
from tests.web.support import Clock, login


def oversight_settings(folder: Path, pdf: bool = False) -> Settings:
    return Settings(paths=PathsConfig(rules=ROOT / "rules", reports=folder / "reports", outbox=folder / "outbox", inbox=folder / "inbox"),
                    reports=ReportsConfig(pdf=pdf))  # fmt: skip


def client_factory(engine: Engine, clock: Clock, folder: Path) -> Callable[[str | None], TestClient]:
    """``make(user)``: a client logged in as ``user`` (None: anonymous)."""

    def make(user: str | None) -> TestClient:
        client = TestClient(create_app(oversight_settings(folder), engine=engine, clock=clock), follow_redirects=False)
        if user is not None:
            assert login(client, user).status_code == 303  # type: ignore[attr-defined]
        return client

    return make
