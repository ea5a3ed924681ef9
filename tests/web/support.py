"""Seed data and a movable clock for the web tests (imported by tests/web only).

Units: two offices under one 地域部, the risk department and audit. PO-002's name carries a script
tag, so every page that shows unit names proves it escapes them. Flags: three owned by PO-001
(cases C1, C2) and two by PO-002 (case C3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.config import load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.flags.evaluation import evaluate
from riskmon.review.users import load_users
from riskmon.store.tables import Flag, table_of
from tests.helpers import ROOT, error_report, office_owned_r02, run, write_jsonl

NOW = datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO)
EVIL = "<script>alert(1)</script>"
UNITS = f"""unit_id,name_ja,name_en,unit_type,line,parent_unit_id,prefecture,active
RD01,北海道地域部,Hokkaido RD,regional_division,,,,true
PO-001,札幌中央年金事務所,Sapporo,pension_office,,RD01,北海道,true
PO-002,{EVIL}事務所,{EVIL} office,pension_office,,RD01,北海道,true
RMD,リスク統括部,Risk Mgmt,risk_management_department,,,,true
AUD,監査部,Audit,audit_department,,,,true
"""
USERS = """user_id,name,unit_id,role
po1,佐藤所長,PO-001,site_manager
po2,鈴木所長,PO-002,site_manager
risk1,リスク担当,RMD,risk_officer
auditor,監査担当,AUD,auditor
"""
PASSWORD = "correct horse battery"  # a test's own password: passes the policy


@dataclass
class Clock:
    """The time the web application sees; tests move it."""

    now: datetime = field(default_factory=lambda: NOW.astimezone(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def seed(engine: Engine, folder: Path) -> dict[str, int]:
    """Units, users and five open flags; returns flag ids by ``rule:case``."""
    units = folder / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    events = [error_report("E1", "C1", category="data_entry_error", discovered_at="2025-04-08T10:00:00"),
              error_report("E2", "C2", category="misissuance"),
              error_report("E3", "C3", category="record_error", unit_id="PO-002")]  # fmt: skip
    run(engine, units, write_jsonl(folder / "e.jsonl", events))
    users = folder / "users.csv"
    users.write_text(USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (4, [])
    settings = load_settings(ROOT / "config.toml")
    rules = office_owned_r02(r for r in load_rules(ROOT / "rules", settings.rule_values).rules if r.id in ("R01", "R02", "R03"))
    evaluate(engine, rules, NOW, BusinessCalendar())
    t = table_of(Flag)
    with engine.connect() as conn:
        rows = {
            f"{r.rule_id}:{r.subject}": (r.id, r.owner_unit) for r in conn.execute(select(t.c.id, t.c.rule_id, t.c.subject, t.c.owner_unit))
        }
    # R01 (risk dept. not notified) fires for all three cases; R02 for C2, R03 for C3
    assert sorted(rows) == ["R01:C1", "R01:C2", "R01:C3", "R02:C2", "R03:C3"]
    assert sorted(unit for _, unit in rows.values()) == ["PO-001", "PO-001", "PO-001", "PO-002", "PO-002"]
    return {key: flag_id for key, (flag_id, _) in rows.items()}


def csrf_of(html: str) -> str:
    """The page's CSRF token (from its meta tag)."""
    import re

    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', html)
    assert found, "no csrf meta tag"
    return found.group(1)


def login(client: object, user_id: str, password: str = PASSWORD) -> object:
    """GET the login form, then POST it with its token; returns the POST's response."""
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    form = client.get("/login")
    return client.post("/login", data={"user_id": user_id, "password": password, "csrf_token": csrf_of(form.text), "next": "/"})
