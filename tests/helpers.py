"""Helpers the tests share: sample records, the shipped rules, users, event files. Test modules
import helpers from here, never from one another (issue #10)."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from riskmon.app import Riskmon
from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.config import Settings, load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.flags.evaluation import evaluate
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.jobs.service import Jobs
from riskmon.review.users import load_users
from riskmon.rules.checker import Probe
from riskmon.rules.checker import load_rules as check_rules
from riskmon.rules.spec import Rule
from riskmon.store.tables import Flag, Reject, table_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_events"
#: the moment the review tests act at
NOW = datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO)


def at(text: str) -> datetime:
    """A wall-clock time in Tokyo, as the tests write moments (``at("2025-04-10T12:00:00")``)."""
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


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
        "personal_info_involved": True, "my_number_involved": True, "summary": "通知書を別のお客様へ送付",
    }  # fmt: skip
    # personal information with My Number sent to a third party: R02 makes it critical (rules/r02)
    rec.update(kw)
    return rec


def shipped(*ids: str) -> list[Rule]:
    """The shipped rules (all, or those named), checked as the CLI checks them."""
    s = load_settings(ROOT / "config.toml")
    book = load_rules(ROOT / "rules", s.rule_values)
    assert book.problems == []
    return [r for r in book.rules if not ids or r.id in ids]


def rule_yaml(rule_id: str, kind: str, middle: str, severity: str = "{default: high}") -> str:
    """One valid rule file's text: the lines every kind shares around the kind's own (``middle``).
    Tests change one line of it and expect that line's problem, or none, so it must stay valid."""
    return (f"id: {rule_id}\ntitle: {{ja: テスト, en: test}}\ndescription: d\nkind: {kind}\nevent: error_report\n{middle}"
            f"severity: {severity}\nrisk_category: administrative\nowner: {{line: first, unit: \"{{{{ unit_id }}}}\"}}\n"
            'escalation: [risk_management_department]\nmessage: {ja: "{{ case_id }}", en: "{{ case_id }}"}\n'
            'sources: ["S1:2164"]\n')  # fmt: skip


def deadline_rule(rule_id: str = "T1", within: str = "{business_days: 5}") -> str:
    """A valid deadline rule (R01's shape: 発見 to リスク管理部への報告)."""
    return rule_yaml(rule_id, "deadline", f"start: discovered_at\nstop: risk_notified_at\nwithin: {within}\n")


def rule_check(folder: Path, text: str, config: dict[str, Any] | None = None, units: list[str] | None = None,
               probe: Probe | None = None) -> tuple[list[str], list[str]]:  # fmt: skip
    """``text`` as the only rule file of ``folder``, checked: its problems (paths relative to the
    folder, so they can be compared exactly) and the ids of the rules it yields."""
    (folder / "r.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    book = check_rules(folder, config or {}, units, probe=probe)
    return [str(p).replace(f"{folder}/", "") for p in book.problems], [r.id for r in book.rules]


def write_jsonl(path: Path, records: Iterable[dict[str, object] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(engine: Engine, *paths: Path, batch_size: int = 5000) -> IngestReport:
    return ingest(engine, list(paths), tz=TOKYO, batch_size=batch_size)


def raise_flags(engine: Engine, units_file: Path, folder: Path, events: list[dict[str, object]], rule_ids: Iterable[str],
                users: str = USERS) -> dict[str, tuple[int, str]]:  # fmt: skip
    """The morning review and as-of tests start here: ``events`` ingested, every user of ``users``
    loaded, the shipped rules ``rule_ids`` evaluated at :data:`NOW`. The flags raised, by key
    (``rule:subject``) → (id, severity)."""
    run(engine, units_file, write_jsonl(folder / "e.jsonl", events))
    path = folder / "users.csv"
    path.write_text(users, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, path) == (users.count("\n") - 1, [])  # one a line after the header
    evaluate(engine, shipped(*rule_ids), NOW, BusinessCalendar())
    t = table_of(Flag)
    with engine.connect() as conn:
        return {r.key: (r.id, r.severity) for r in conn.execute(select(t.c.key, t.c.id, t.c.severity))}


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
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_USER", "RISKMON_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def office_owned_r02(rules: Iterable[Rule]) -> list[Rule]:
    """The web pages' fixtures were written when R02 was the office's: the same rule owned by the
    office (R02 is the second line's since issue #12), so their per-office visibility still holds."""
    import dataclasses

    return [dataclasses.replace(r, owner_line="first", owner_unit="{{ unit_id }}") if r.id == "R02" else r for r in rules]


def cli_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CliRunner working in ``tmp_path``, whose config.toml names a SQLite file there and no
    RISKMON_* variable from the developer's shell leaks in: the CLI as a new user starts it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKMON_DATABASE_URL", raising=False)
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///var/t.db"\n', encoding="utf-8")
    return CliRunner()
