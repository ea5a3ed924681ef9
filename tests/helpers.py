"""Helpers the tests share: sample records, the shipped rules, users, event files. Test modules
import helpers from here, never from one another (issue #10)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from riskmon.app import Riskmon
from riskmon.business_calendar import TOKYO
from riskmon.config import Settings, load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.jobs.service import Jobs
from riskmon.rules.spec import Rule
from riskmon.store.tables import Reject, table_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_events"
#: the moment the review tests act at
NOW = datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO)
USERS = """user_id,name,unit_id,role
po1,事務所長,PO-001,site_manager
po2,別の事務所長,PO-002,site_manager
rd1,地域部,RD01,regional_manager
hq1,事業部,HQ-NP,member
risk1,リスク1,RMD,risk_officer
risk2,リスク2,RMD,risk_officer
auditor,監査,AUD,auditor
"""

UNITS_CSV = """unit_id,name_ja,name_en,unit_type,line,parent_unit_id,prefecture,active
RD01,北海道地域部,Hokkaido RD,regional_division,,,,true
PO-001,札幌中央年金事務所,Sapporo,pension_office,,RD01,北海道,true
PO-002,札幌東年金事務所,Sapporo-East,pension_office,,RD01,北海道,true
HQ-NP,国民年金部,NP Dept.,hq_business_department,,,,true
RMD,リスク統括部,Risk Mgmt,risk_management_department,,,,true
AUD,監査部,Audit,audit_department,,,,true
"""


def daily(event_id: str, unit: str = "PO-001", day: str = "2025-04-01", **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "daily_report", "unit_id": unit, "business_date": day,
        "forms_received": 10, "forms_processed": 8, "forms_pending": 2, "oldest_pending_days": 1,
        "complaints": 0, "suspected_errors": 0, "note": "",
    }  # fmt: skip
    rec.update(kw)
    return rec


def error_report(event_id: str, case_id: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "error_report", "unit_id": "PO-001", "case_id": case_id,
        "discovered_at": "2025-04-01T10:00:00", "category": "misdelivery", "affected_customers": 1,
        "personal_info_involved": True, "summary": "通知書を別のお客様へ送付",
    }  # fmt: skip
    rec.update(kw)
    return rec


def shipped(*ids: str) -> list[Rule]:
    """The shipped rules (all, or those named), checked as the CLI checks them."""
    s = load_settings(ROOT / "config.toml")
    book = load_rules(ROOT / "rules", s.rule_values)
    assert book.problems == []
    return [r for r in book.rules if not ids or r.id in ids]


def write_jsonl(path: Path, records: Iterable[dict[str, object] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(engine: Engine, *paths: Path, batch_size: int = 5000) -> IngestReport:
    return ingest(engine, list(paths), tz=TOKYO, batch_size=batch_size)


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table_of(model))).scalar_one())


def open_rejects(engine: Engine) -> list[dict[str, object]]:
    t = table_of(Reject)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).where(t.c.resolved_at.is_(None)).order_by(t.c.line_no)).mappings()]


def jobs_of(settings: Settings, engine: Engine, now: datetime | None = None) -> Jobs:
    """``rm.jobs`` over a test store; ``now`` pins the clock its run records and locks use."""
    return Riskmon(settings, engine=engine, clock=(lambda: now) if now is not None else None).jobs


def riskmon_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as a riskmon folder a CLI test runs in: the shipped config.toml and rules,
    the current directory, and none of the environment variables that would point riskmon (or
    its acting user) somewhere else."""
    monkeypatch.chdir(tmp_path)
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_USER"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path
