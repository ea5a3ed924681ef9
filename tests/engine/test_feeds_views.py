"""The feeds' views (お客様の声, 監査 findings) on SQLite and PostgreSQL: which error report answers a
voice, what an evaluation as of an earlier moment sees, and the sample year's R30–R33 (issue #12)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine.sources import VIEWS
from riskmon.flags.evaluation import evaluate
from tests.feeds_support import finding, followup, incident, incident_step, officer, review, security_check, site_visit, voice
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


def test_procurement_views_fold_reviews_checks_and_visits(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    inspection = {"event_id": "I1", "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": "I1", "contract_id": "K1",
                  "inspection_type": "delivery", "inspected_on": "2025-06-02", "nonconformities": []}  # fmt: skip
    contract = {"event_id": "K1", "type": "contract", "unit_id": "HQ-NP", "contract_id": "K1", "contractor_id": "CT-1",
                "handles_personal_info": True, "start_on": "2025-07-01", "end_on": "2026-03-31", "new_contractor": True}  # fmt: skip
    events = [
        inspection, contract, review("R1", "I1", "2025-06-10", problem_found=True, risk_reported_on="2025-06-20"),
        review("R2", "I1", "2025-06-05"), security_check("S1", "K1", "2025-06-10", 2), security_check("S2", "K1", "2025-06-20", 5),
        officer("O1", "2025-04-01"), site_visit("W1", "O1", "2025-06-01"), site_visit("W2", "O1", "2025-08-01"),
    ]  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "p.jsonl", events))
    with engine.connect() as conn:
        [ins] = VIEWS["inspection_review"].rows(conn, at("2025-06-15T12:00:00"), None)
        [ct] = VIEWS["contract_security_check"].rows(conn, at("2025-06-15T12:00:00"), None)
        [off] = VIEWS["procurement_officer"].rows(conn, at("2025-09-30T12:00:00"), None)
    # the first review, a problem if any review found one, the report to リスク統括部 only once made
    assert (str(ins["reviewed_on"]), ins["review_id"], ins["problem_found"], ins["risk_reported_on"]) == ("2025-06-05", "R1", True, None)
    assert (str(ct["early_check_on"]), ct["early_check_issues"]) == ("2025-06-10", 2)  # the later check is not known yet
    assert (str(off["first_site_visit_on"]), off["site_visits"]) == ("2025-06-01", 2)


def test_the_sample_year_raises_the_feeds_rules(engine: Engine) -> None:
    run(engine, ROOT / "sample_events")
    ids = ("R30", "R31", "R32", "R33", "R34", "R35", "R36", "R37", "R38", "R39", "R40", "R41")
    result = evaluate(engine, shipped(*ids), at("2026-03-31T23:00"), CAL)
    assert result.errors == {}
    assert {r: result.per_rule[r] for r in ids} == {
        "R30": 26,
        "R31": 1,
        "R32": 10,
        "R33": 12,
        "R34": 2,
        "R35": 1,
        "R36": 5,
        "R37": 14,
        "R38": 14,
        "R39": 1,
        "R40": 2,
        "R41": 2,
    }


def test_audit_follow_up_rules_belong_to_the_audited_unit_and_never_escalate_to_the_third_line() -> None:
    for rule in shipped("R32", "R33"):
        assert rule.owner_unit == "{{ unit_id }}"
        assert rule.escalation == ("{{ region_id or '' }}", "risk_management_department")
