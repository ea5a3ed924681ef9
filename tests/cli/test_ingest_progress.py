"""The progress bar a person sees at a terminal must not keep large files from the workers."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO
from riskmon.cli.cmd_store import _Bar
from riskmon.cli.common import AppContext
from riskmon.config import Settings
from riskmon.ingest.pipeline import ingest
from riskmon.store.migrate import upgrade
from tests.helpers import daily, write_jsonl


def test_ingest_at_a_terminal_draws_the_bar_and_still_uses_workers(
    sqlite_engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int]
) -> None:
    upgrade(sqlite_engine)
    ingest(sqlite_engine, [units_file], tz=TOKYO)
    screen = io.StringIO()
    app = AppContext(Settings(), "ja", err=Console(file=screen, force_terminal=True, width=100))
    path = write_jsonl(tmp_path / "a.jsonl", [daily(f"d{i:03d}") for i in range(30)])
    with _Bar(app) as bar:
        report = ingest(sqlite_engine, [path], tz=TOKYO, batch_size=10, workers=2, progress=bar)
    assert report.accepted == {"daily_report": 30}
    assert in_workers == [1]  # no refresh thread beside the ingest: forking workers was safe
    assert "a.jsonl" in screen.getvalue()
