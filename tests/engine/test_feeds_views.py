"""The feeds' views (お客様の声, 監査 findings) on SQLite and PostgreSQL: which error report answers a
voice, what an evaluation as of an earlier moment sees, and the sample year's R30–R33 (issue #12)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine.sources import VIEWS
from riskmon.flags.evaluation import evaluate
from tests.feeds_support import finding, followup, incident, incident_step, voice
from tests.helpers import ROOT, at, error_report, run, shipped, write_jsonl

CAL = BusinessCalendar()


def _voices(engine: Engine, when: str) -> dict[str, tuple[object, object]]:
    with engine.connect() as conn:
        rows = VIEWS["customer_voice"].rows(conn, at(when), None)
        return {
            r["voice_id"]: (r["error_case_id"], r["error_reported_at"] and r["error_reported_at"].astimezone(CAL.tz).isoformat())
            for r in rows
        }


def test_a_voice_is_answered_by_its_linked_case_or_the_units_next_report(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = [
        error_report("E0", "C0", discovered_at="2025-04-25T10:00:00"),  # before the voices, linked by V2
        error_report("E1", "C1", discovered_at="2025-05-07T10:00:00"),
        error_report("E2", "C2", discovered_at="2025-05-09T10:00:00"),
        error_report("E3", "C3", unit_id="PO-002", discovered_at="2025-05-02T10:00:00"),
        voice("V1"), voice("V2", linked_case_id="C0"), voice("V3", unit_id="PO-002", received_at="2025-05-08T10:00:00"),
    ]  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", events))
    assert _voices(engine, "2025-05-20T12:00:00") == {
        "V1": ("C1", "2025-05-07T10:00:00+09:00"),  # the first report of PO-001 at or after the voice
        "V2": ("C0", "2025-04-25T10:00:00+09:00"),  # the linked case, although found before
        "V3": (None, None),  # PO-002's only report came before the voice and is not linked
    }
    # as of 5/8 the case found on 5/7 is known, the one of 5/9 is not; as of 5/5 neither
    assert _voices(engine, "2025-05-08T12:00:00")["V1"] == ("C1", "2025-05-07T10:00:00+09:00")
    assert _voices(engine, "2025-05-05T12:00:00")["V1"] == (None, None)


def test_a_findings_steps_count_only_once_done(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = [finding("F1"), followup("P", "F1", "improvement_plan", "2025-06-20"), followup("R", "F1", "followup_report", "2025-09-01")]
    run(engine, units_file, write_jsonl(tmp_path / "f.jsonl", events))
    with engine.connect() as conn:
        [early] = VIEWS["audit_finding"].rows(conn, at("2025-07-01T12:00:00"), None)
        [late] = VIEWS["audit_finding"].rows(conn, at("2025-09-30T12:00:00"), None)
    assert (str(early["improvement_plan_on"]), early["followup_report_on"], early["confirmed"]) == ("2025-06-20", None, False)
    assert (str(late["followup_report_on"]), late["level_label"]) == ("2025-09-01", "重要")


def test_an_incidents_steps_count_only_once_known(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = [incident("I1"), incident_step("S1", "I1", "csirt_responded", "2025-06-10T10:20:00"),
              incident_step("S2", "I1", "infosec_hq_reported", "2025-07-16T15:00:00")]  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "i.jsonl", events))
    with engine.connect() as conn:
        [row] = VIEWS["infosec_incident"].rows(conn, at("2025-07-01T12:00:00"), None)
    assert row["csirt_responded_at"] == at("2025-06-10T10:20:00")
    assert (row["contained_at"], row["infosec_hq_reported_at"], row["kind_label"]) == (None, None, "メール誤送信")


def test_the_sample_year_raises_the_feeds_rules(engine: Engine) -> None:
    run(engine, ROOT / "sample_events")
    ids = ("R30", "R31", "R32", "R33", "R34", "R35", "R36", "R37")
    result = evaluate(engine, shipped(*ids), at("2026-03-31T23:00"), CAL)
    assert result.errors == {}
    assert {r: result.per_rule[r] for r in ids} == {"R30": 26, "R31": 1, "R32": 10, "R33": 12, "R34": 2, "R35": 1, "R36": 5, "R37": 14}


def test_audit_follow_up_rules_belong_to_the_audited_unit_and_never_escalate_to_the_third_line() -> None:
    for rule in shipped("R32", "R33"):
        assert rule.owner_unit == "{{ unit_id }}"
        assert rule.escalation == ("{{ region_id }}", "risk_management_department")
