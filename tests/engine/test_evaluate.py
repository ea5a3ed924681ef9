"""Evaluation on real SQLite and PostgreSQL with the shipped rules and the real engine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.engine import facts as facts_module
from riskmon.flags.evaluation import evaluate
from riskmon.flags.store import FlagFilter, as_json, list_flags
from riskmon.rules.spec import Rule
from riskmon.store.tables import EvaluationRun, table_of
from tests.helpers import ROOT, at, error_report, run, shipped, write_jsonl

CAL = BusinessCalendar()


def flags(engine: Engine, status: str = "open") -> list[dict[str, object]]:
    with engine.connect() as conn:
        return list_flags(conn, FlagFilter(status=status))


def test_flag_has_the_public_json_shape_and_evidence(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")]))
    result = evaluate(engine, shipped("R01", "R02"), at("2025-04-10T12:00"), CAL)
    assert result.errors == {}
    by_rule = {f["rule_id"]: as_json(f) for f in flags(engine)}
    assert set(by_rule) == {"R01", "R02"}
    r01 = by_rule["R01"]
    for key in ("id", "rule_id", "rule_version", "subject", "severity", "status", "owner_line", "owner_unit", "due_at",
                "first_seen", "last_seen"):  # fmt: skip
        assert key in r01
    assert r01["evidence"]["event_ids"] == ["E1"]
    assert r01["owner_unit"] == "PO-001" and r01["owner_line"] == "first"
    assert r01["escalation"] == ["RD01", "RMD"]  # the office's 地域部, then リスク統括部 (a unit type resolved)
    assert r01["due_at"] == datetime(2025, 4, 1, 23, 59, 59, tzinfo=TOKYO)
    assert r01["severity"] == "critical"  # late, and My Number given to a third party (lateness alone is high)
    assert "札幌中央年金事務所" in r01["message"]["ja"]
    assert by_rule["R02"]["severity"] == "critical"  # personal information with My Number, given to a third party
    assert by_rule["R02"]["owner_unit"] == "RMD" and by_rule["R02"]["owner_line"] == "second"
    # the evidence names the alternative that held, and only that one
    because = by_rule["R02"]["evidence"]["conditions"]["severity_because"]
    assert "my_number_involved" in because["en"] and "affected_customers" not in because["en"]
    r01_because = r01["evidence"]["conditions"]["severity_because"]["en"]
    assert "my_number_involved" in r01_because and "overdue" not in r01_because and "affected_customers" not in r01_because


def test_evaluation_is_idempotent_and_a_cleared_condition_is_kept(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="data_entry_error")]))
    rules = shipped("R01")
    first = evaluate(engine, rules, at("2025-04-03T12:00"), CAL)
    second = evaluate(engine, rules, at("2025-04-03T12:00"), CAL)
    assert first.counts["raised"] == 1 and second.counts == {"raised": 0, "updated": 1, "reopened": 0, "cleared": 0}
    [flag] = flags(engine)
    assert flag["severity"] == "high"
    later = evaluate(engine, rules, at("2025-04-10T12:00"), CAL)  # 6 business days late: lateness alone stays high (#12)
    assert later.counts["updated"] == 1
    [flag] = flags(engine)
    assert flag["severity"] == "high" and flag["first_seen"] == at("2025-04-03T12:00")
    run(engine, write_jsonl(tmp_path / "u.jsonl", [{
        "event_id": "U1", "type": "error_update", "unit_id": "PO-001", "case_id": "C1", "at": "2025-04-10T13:00:00",
        "step": "risk_notified"}]))  # fmt: skip
    # notified late: the breach stands (it was late), so the flag stays open with the final lateness
    evaluate(engine, rules, at("2025-04-11T12:00"), CAL)
    [flag] = flags(engine)
    assert flag["evidence"]["observed"]["done_at"].startswith("2025-04-10")


def test_a_condition_that_no_longer_holds_clears_the_flag_without_deleting_it(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    daily = {"type": "daily_report", "unit_id": "PO-001", "forms_received": 5, "forms_processed": 5, "complaints": 0,
             "suspected_errors": 0, "note": ""}  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "d.jsonl", [
        {**daily, "event_id": "D1", "business_date": "2025-06-12", "forms_pending": 9, "oldest_pending_days": 9},
    ]))  # fmt: skip
    rules = shipped("R14P")  # the oldest pending form: 8 days (assumed) and over
    evaluate(engine, rules, at("2025-06-12T20:00"), CAL)
    assert [f["severity"] for f in flags(engine)] == ["medium"]
    run(engine, write_jsonl(tmp_path / "d2.jsonl", [
        {**daily, "event_id": "D2", "business_date": "2025-06-13", "forms_pending": 0, "oldest_pending_days": 0},
    ]))  # fmt: skip
    result = evaluate(engine, rules, at("2025-06-13T20:00"), CAL)
    assert result.counts["cleared"] == 1
    assert flags(engine) == []
    [cleared] = flags(engine, "cleared")
    assert cleared["cleared_at"] == at("2025-06-13T20:00")


def test_a_failing_rule_is_reported_and_the_others_still_run(
    engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")]))
    real = facts_module.build

    def broken(rule: Rule, *args: object) -> object:  # same signature as facts.build
        if rule.id == "R01":
            raise RuntimeError("view failed")
        return real(rule, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(facts_module, "build", broken)
    result = evaluate(engine, shipped("R01", "R02"), at("2025-04-10T12:00"), CAL)
    assert "view failed" in result.errors["R01"]
    assert [f["rule_id"] for f in flags(engine)] == ["R02"]
    with engine.connect() as conn:
        row = conn.execute(select(table_of(EvaluationRun)).where(table_of(EvaluationRun).c.id == result.run_id)).mappings().one()
    assert row["status"] == "completed_with_errors"
    assert set(row["rule_versions"]) == {"R01", "R02"}


def test_the_sample_year_raises_every_kind_of_finding(engine: Engine) -> None:
    run(engine, ROOT / "sample_events")
    result = evaluate(engine, shipped(), at("2026-03-31T23:00"), CAL)
    assert result.errors == {}
    for rule_id in ("R01", "R02", "R03", "R04", "R05", "R07", "R08", "R09", "R10", "R11", "R12", "R13", "R14", "R14P",
                    "R20", "R21"):  # fmt: skip
        assert result.per_rule[rule_id] > 0, rule_id
    assert result.per_rule["R08"] == 6  # 1 + 3 (H1 FY2024/FY2025, S2:271-276) + 2 in FY2025 H2
    with engine.connect() as conn:
        raised = list_flags(conn, FlagFilter(status="open", limit=None))
    critical = [f for f in raised if f["severity"] == "critical"]
    assert len(critical) <= 0.10 * len(raised)  # critical means a committee matter (issue #12)
    for f in critical:  # and each says why
        if f["rule_id"] == "R02":
            assert f["evidence"]["conditions"]["severity_because"]["ja"]


def test_a_unit_without_a_region_is_escalated_to_the_next_unit_not_to_none(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    # 本部 departments have no 地域部: the rules' "{{ region_id or '' }}" renders empty and the entry is dropped
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", unit_id="HQ-NP", category="record_error")]))
    evaluate(engine, shipped("R01", "R03"), at("2025-04-10T12:00"), CAL)
    assert {f["rule_id"]: f["escalation"] for f in map(as_json, flags(engine))} == {"R01": ["RMD"], "R03": ["RMD"]}


def test_a_rule_without_an_escalation_path_gets_the_configured_default(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    import dataclasses

    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")]))
    [rule] = shipped("R02")
    bare = dataclasses.replace(rule, escalation=())
    evaluate(engine, [bare], at("2025-04-10T12:00"), CAL, ("{{ region_id }}", "risk_management_department"))
    [flag] = flags(engine)
    assert flag["escalation"] == ["RD01", "RMD"]


def test_two_evaluations_at_once_never_duplicate_a_flag(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    import threading

    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", [error_report(f"E{i}", f"C{i}") for i in range(20)]))
    rules = shipped("R01", "R02")
    errors: list[BaseException] = []

    def go() -> None:
        try:
            evaluate(engine, rules, at("2025-04-10T12:00"), CAL)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(flags(engine)) == 40  # 20 cases × (R01, R02), each once
