"""Shared review fixtures: users of each line and three flags owned by PO-001."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers import error_report, raise_flags


@pytest.fixture
def flags(engine: Engine, units_file: Path, tmp_path: Path) -> dict[str, int]:
    """Three flags owned by PO-001: a high one (R01 not notified), a critical one (R01, 7 business days
    late) and a medium one. (R02 raises one too, but R02 is the second line's: not among them.)"""
    events = [error_report("E1", "C1", category="data_entry_error", discovered_at="2025-04-08T10:00:00"),
              error_report("E2", "C2", category="misissuance"),
              error_report("E3", "C3", category="record_error")]  # fmt: skip
    rows = raise_flags(engine, units_file, tmp_path, events, ["R01", "R02", "R03"])  # all 7 users of USERS
    assert rows["R01:C1"][1] == "high" and rows["R01:C2"][1] == "critical" and rows["R03:C3"][1] == "medium"
    return {"high": rows["R01:C1"][0], "critical": rows["R01:C2"][0], "medium": rows["R03:C3"][0]}
