"""More seed for the page tests, on top of :func:`tests.web.support.seed`.

Adds a second risk officer (four eyes), an executive (governance), a user administrator, the
regional division's own user, and events that pages show: a case C9 at PO-002 whose summary is a
script tag (and its R01 flag), the lifecycle steps of case C1, an inspection whose 不適事項
description is a script tag, and a file with one bad record (the quarantine).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.accounts.passwords import hash_password
from riskmon.business_calendar import BusinessCalendar
from riskmon.config import load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.flags.evaluation import evaluate
from riskmon.review.users import load_users
from riskmon.rules.spec import Rule
from riskmon.store.tables import AuditEntry, Flag, WebCredential, table_of
from tests.helpers import ROOT, error_report, office_owned_r02, run, write_jsonl
from tests.web.support import EVIL, NOW, PASSWORD, UNITS, USERS, csrf_of

MORE_UNITS = UNITS + "EXE,役員,Executives,executive,,,,true\n"
MORE_USERS = (
    USERS
    + """risk2,リスク担当二,RMD,risk_officer
exec1,役員一,EXE,executive
admin1,管理担当,RMD,user_admin
rd1,地域部長,RD01,site_manager
"""
)
EVERYONE = ("po1", "po2", "risk1", "risk2", "auditor", "exec1", "admin1", "rd1")


@cache
def rules_r01_r03() -> list[Rule]:
    settings = load_settings(ROOT / "config.toml")
    return office_owned_r02(r for r in load_rules(ROOT / "rules", settings.rule_values).rules if r.id in ("R01", "R02", "R03"))


@cache
def _hash() -> str:
    return hash_password(PASSWORD)


def give_passwords(engine: Engine, users: list[str]) -> None:
    """The test password for ``users``. argon2 costs half a second a hash on a busy machine, so
    they share one hash (computed once per test run) instead of going through ``set_password``."""
    c = table_of(WebCredential)
    with engine.begin() as conn:
        conn.execute(c.insert(), [{"user_id": u, "password_hash": _hash(), "must_change": False, "changed_at": NOW, "lang": None}
                                  for u in users])  # fmt: skip


def seed_pages(engine: Engine, folder: Path) -> dict[str, int]:
    """Extends the basic seed (which must have run); returns every flag id by ``rule:case``."""
    units = folder / "units2.csv"
    units.write_text(MORE_UNITS, encoding="utf-8")
    events = [
        error_report("E9", "C9", unit_id="PO-002", summary=EVIL, category="misdelivery"),
        {"event_id": "U1", "type": "error_update", "unit_id": "PO-001", "case_id": "C1", "at": "2025-04-08T15:00:00",
         "step": "customer_response_done", "note": "お客様へ説明済み"},
        {"event_id": "U2", "type": "error_update", "unit_id": "PO-001", "case_id": "C1", "at": "2025-04-09T11:00:00",
         "step": "cause_analyzed", "cause_category": "human_error", "note": EVIL},
        {"event_id": "I1", "type": "inspection_result", "unit_id": "PO-002", "inspection_id": "INS-1", "contract_id": "K-1",
         "inspection_type": "in_performance", "inspected_on": "2025-04-07",
         "nonconformities": [{"nc_id": "NC-1", "aspect": "personal_info_protection", "description": EVIL, "due_on": "2025-05-01"}]},
    ]  # fmt: skip
    bad = folder / "bad.jsonl"
    bad.write_text(json.dumps({"event_id": "X1", "type": "error_report", "unit_id": "PO-001"}) + "\n", encoding="utf-8")
    run(engine, units, write_jsonl(folder / "more.jsonl", events), bad)
    users = folder / "users2.csv"
    users.write_text(MORE_USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (8, [])
    evaluate(engine, rules_r01_r03(), NOW, BusinessCalendar())
    give_passwords(engine, [u for u in EVERYONE if u not in ("po1", "po2", "risk1", "auditor")])
    t = table_of(Flag)
    with engine.connect() as conn:
        return {f"{r.rule_id}:{r.subject}": r.id for r in conn.execute(select(t.c.id, t.c.rule_id, t.c.subject))}


# -- talking to the pages over HTTP (TestClient) ---------------------------------------------


def ids(html: str) -> list[int]:
    """The flag ids a page lists (``data-flag`` attributes), sorted."""
    return sorted(int(n) for n in re.findall(r'data-flag="(\d+)"', html))


def audit_actions(engine: Engine, actor: str) -> list[tuple[str, str]]:
    """``(action, subject)`` of every audit entry by ``actor``, in order."""
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.action, r.subject) for r in conn.execute(select(t.c.action, t.c.subject).where(t.c.actor == actor).order_by(t.c.seq))]


def post(client: TestClient, path: str, data: dict[str, Any], page: str = "/", htmx: bool = False) -> Any:
    """POST a form with the CSRF token read from ``page``, as the browser would."""
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, headers={"HX-Request": "true"} if htmx else {})


def copies_of(engine: Engine, flag_id: int, n: int) -> None:
    """``n`` more flags like ``flag_id`` (subjects X00, X01, …): enough rows for several pages."""
    t = table_of(Flag)
    with engine.begin() as conn:
        template = dict(conn.execute(select(t).where(t.c.id == flag_id)).mappings().one())
        template.pop("id")
        conn.execute(t.insert(), [{**template, "key": f"{template['rule_id']}|X{i}", "subject": f"X{i:02d}"} for i in range(n)])


def flag_row(engine: Engine, flag_id: int) -> dict[str, Any]:
    t = table_of(Flag)
    with engine.connect() as conn:
        return dict(conn.execute(select(t).where(t.c.id == flag_id)).mappings().one())
