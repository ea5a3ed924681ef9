"""The seeded CLI the hardening and hidden-flag tests share (a module's own ``cli`` fixture wins
over this one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.cli.token_support import Cli, token_cli_folder
from tests.helpers import error_report, write_jsonl


@pytest.fixture
def cli(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """Units, two error reports (E1 at PO-001, E2 at PO-002), their flags as of 2025-04-10, the users."""
    token_cli_folder(tmp_path, monkeypatch)
    run = Cli(CliRunner(), engine.url.render_as_string(hide_password=False))
    events = write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1"), error_report("E2", "C2", unit_id="PO-002")])
    for args in (["ingest", str(units_file), str(events)], ["evaluate", "--as-of", "2025-04-10T12:00"], ["users", "load", "users.csv"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
    yield run
