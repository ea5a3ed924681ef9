"""The feeds of issue #12 (お客様の声, 監査 findings, 情報セキュリティインシデント, 調達企画部 審査) end
to end from real files (JSONL and CSV), on SQLite and PostgreSQL:
stored in their typed tables, re-ingest a no-op, a bad record in each file quarantined with its
file, line, field and reason (issue #12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.store.tables import AuditFindingRow, AuditFollowUpRow, CustomerVoiceRow, InfosecIncidentRow, InfosecUpdateRow, table_of
from tests.feeds_support import finding, followup, incident, incident_step, officer, review, security_check, site_visit, voice
from tests.helpers import cli_folder, open_rejects, run, write_jsonl

VOICES_CSV = """event_id,type,unit_id,voice_id,received_at,category,suggests_error,summary,linked_case_id
V3,customer_voice,PO-002,V3,2025-05-02T09:00:00,inquiry,false,記録の確認,
V4,customer_voice,PO-002,V4,2025-05-02T10:00:00,request,たぶん,窓口の増設,
"""


def _files(tmp_path: Path) -> list[Path]:
    voices = write_jsonl(tmp_path / "customer_voices.jsonl", [
        voice("V1"), voice("V2", category="request", suggests_error=False, linked_case_id="C9"), voice("V5", category="complain"),
    ])  # fmt: skip
    findings = write_jsonl(tmp_path / "audit_findings.jsonl", [
        finding("F1", audit_id="AU-1"), followup("F1-P", "F1", "improvement_plan", "2025-06-20"),
        followup("F1-R", "F1", "followup_report", "2025-09-01"), followup("F1-K", "F1", "improvement_confirmed", "2025-09-10", "AUD"),
        finding("F2", auditor_unit_id="AUDX"), followup("F1-X", "F1", "plan", "2025-06-21"),
    ])  # fmt: skip
    incidents = write_jsonl(tmp_path / "infosec_incidents.jsonl", [
        incident("I1", my_number_involved=True, affected_persons=3, occurred_at="2025-06-09T18:00:00"),
        incident_step("I1-R", "I1", "csirt_responded", "2025-06-10T10:20:00"),
        incident("I2", occurred_at="2025-06-11T10:00:00"),
    ])  # fmt: skip
    procurement = write_jsonl(tmp_path / "procurement_checks.jsonl", [
        review("R1", "I1", "2025-06-12", problem_found=True, risk_reported_on="2025-06-13"), security_check("S1", "K1", "2025-05-20", 2),
        officer("O1", "2025-04-01"), site_visit("W1", "O1", "2025-06-01"),
        review("R2", "I2", "2025-06-12", risk_reported_on="2025-06-11"),
    ])  # fmt: skip
    csv = tmp_path / "voices.csv"
    csv.write_text(VOICES_CSV, encoding="utf-8")
    return [voices, findings, incidents, procurement, csv]


def test_feeds_are_stored_typed_and_bad_records_quarantined(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    report = run(engine, units_file, *_files(tmp_path))
    assert report.accepted == {
        "unit": 6,
        "customer_voice": 3,
        "audit_finding": 1,
        "audit_followup": 3,
        "infosec_incident": 1,
        "infosec_update": 1,
        "procurement_review": 1,
        "security_site_check": 1,
        "procurement_officer": 1,
        "site_visit": 1,
    }
    rejects = [(Path(str(r["source_path"])).name, r["line_no"], [x["field"] for x in r["reasons"]]) for r in open_rejects(engine)]  # type: ignore[union-attr]
    assert sorted(rejects) == [
        ("audit_findings.jsonl", 5, ["auditor_unit_id"]),
        ("audit_findings.jsonl", 6, ["step"]),
        ("customer_voices.jsonl", 3, ["category"]),
        ("infosec_incidents.jsonl", 3, ["occurred_at"]),
        ("procurement_checks.jsonl", 5, ["risk_reported_on"]),
        ("voices.csv", 3, ["suggests_error"]),
    ]
    with engine.connect() as conn:
        voices = {r["voice_id"]: r for r in conn.execute(select(table_of(CustomerVoiceRow))).mappings()}
        [found] = conn.execute(select(table_of(AuditFindingRow))).mappings().all()
        steps = sorted(
            (r["step"], r["unit_id"], r["done_on"].isoformat()) for r in conn.execute(select(table_of(AuditFollowUpRow))).mappings()
        )
        [inc] = conn.execute(select(table_of(InfosecIncidentRow))).mappings().all()
        [step] = conn.execute(select(table_of(InfosecUpdateRow))).mappings().all()
    assert (inc["incident_id"], inc["my_number_involved"], inc["affected_persons"], step["step"]) == ("I1", True, 3, "csirt_responded")
    assert sorted(voices) == ["V1", "V2", "V3"]
    assert voices["V1"]["suggests_error"] is True and voices["V1"]["linked_case_id"] is None
    assert voices["V2"]["linked_case_id"] == "C9"
    assert voices["V3"]["suggests_error"] is False and voices["V3"]["linked_case_id"] is None  # an empty CSV cell is "none"
    assert voices["V1"]["received_at"].utcoffset().total_seconds() == 0 and voices["V1"]["received_at"].hour == 2  # 11:00 JST
    assert (found["finding_id"], found["level"], found["audit_id"], found["auditor_unit_id"]) == ("F1", "major", "AU-1", "AUD")
    assert steps == [("followup_report", "PO-001", "2025-09-01"), ("improvement_confirmed", "AUD", "2025-09-10"),
                     ("improvement_plan", "PO-001", "2025-06-20")]  # fmt: skip
    again = run(engine, *_files(tmp_path))
    assert sum(again.accepted.values()) == 0 and sum(again.duplicates.values()) == 13


def test_a_voice_id_used_twice_is_refused(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "a.jsonl", [voice("V1")]))
    report = run(engine, write_jsonl(tmp_path / "b.jsonl", [voice("V1b", voice_id="V1")]))
    assert report.total_rejected == 1
    [reject] = open_rejects(engine)
    assert reject["line_no"] == 1 and reject["reasons"][0]["field"] == "voice_id"  # type: ignore[index]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_folder(tmp_path, monkeypatch)


def test_the_cli_names_file_line_field_and_reason_for_each_feed(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = cli.invoke(app, ["ingest", str(units_file), *map(str, _files(tmp_path))])
    assert result.exit_code == 3
    out = result.output
    assert "customer_voices.jsonl:3: category: 'complain' は使えません（もしかして 'complaint'？）" in out
    assert "audit_findings.jsonl:5: auditor_unit_id: 'AUDX' は組織マスタ (units) にない組織コードです（もしかして 'AUD'？）" in out
    assert "audit_findings.jsonl:6: step: 'plan' は使えません" in out
    assert "infosec_incidents.jsonl:3: occurred_at: 検知日時 (detected_at) より後になっている" in out
    assert "procurement_checks.jsonl:5: risk_reported_on: 審査日 (reviewed_on) より前になっている" in out
    assert "voices.csv:3: suggests_error: はい / いいえ（true / false）で指定してください: 'たぶん'" in out
