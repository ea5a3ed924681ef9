"""What the API tests share besides fixtures (tests/web/api/conftest.py holds those): the
settings of a test's application, the ``token`` fixture's type, and the check of a problem details answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from riskmon.config import PathsConfig, Settings, WebConfig
from tests.helpers import ROOT

Token = Callable[..., dict[str, str]]


def api_settings(folder: Path, **web: Any) -> Settings:
    """The shipped rules; reports, the inbox and the uploads in the test's folder (never the working tree's var/)."""
    paths = PathsConfig(rules=ROOT / "rules", reports=folder / "reports", outbox=folder / "outbox", inbox=folder / "inbox",
                        uploads=folder / "uploads")
    return Settings(paths=paths, web=WebConfig.model_validate({"api_burst": 1000, **web}))


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The response is problem details of ``kind`` with ``status``; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://riskmon.invalid/problems/{kind}"
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    return body
