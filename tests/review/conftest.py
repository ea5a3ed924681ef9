"""Shared review fixtures: users of each line and three flags owned by PO-001."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.review.users import load_users
from riskmon.store.tables import Flag, table_of
from tests.helpers import NOW, USERS, error_report, run, shipped, write_jsonl

CAL = BusinessCalendar()


@pytest.fixture
def flags(engine: Engine, units_file: Path, tmp_path: Path) -> dict[str, int]:
    """Three flags owned by PO-001: a high one (R01 not notified), a critical one (R02) and a medium one."""
    events = [error_report("E1", "C1", category="data_entry_error", discovered_at="2025-04-08T10:00:00"),
              error_report("E2", "C2", category="misissuance"),
              error_report("E3", "C3", category="record_error")]  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", events))
    users = tmp_path / "users.csv"
    users.write_text(USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (7, [])
    evaluate(engine, shipped("R01", "R02", "R03"), NOW, CAL)
    t = table_of(Flag)
    with engine.connect() as conn:
        rows = {(r.rule_id, r.subject): (r.id, r.severity) for r in conn.execute(select(t.c.id, t.c.rule_id, t.c.subject, t.c.severity))}
    assert rows[("R01", "C1")][1] == "high" and rows[("R02", "C2")][1] == "critical" and rows[("R03", "C3")][1] == "medium"
    return {"high": rows[("R01", "C1")][0], "critical": rows[("R02", "C2")][0], "medium": rows[("R03", "C3")][0]}
