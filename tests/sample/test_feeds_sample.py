"""The shipped お客様の声, 監査 findings and 情報セキュリティインシデント: the assumed volumes
riskmon/sample/feeds.py and riskmon/sample/infosec_incidents.py state (issue #12)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tests.helpers import SAMPLE


def _records(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLE / name).read_text(encoding="utf-8").splitlines()]


def test_shipped_customer_voices() -> None:
    voices = _records("customer_voices.jsonl")
    assert len(voices) == 1688  # about six a business day for 300 offices (assumed), and the FY2024 ones linked to its cases
    assert Counter(v["category"] for v in voices) == {"inquiry": 531, "complaint": 523, "request": 477, "compliment": 79, "other": 78}
    linked = [v for v in voices if "linked_case_id" in v]
    assert len(linked) == 72 and all(v["suggests_error"] for v in linked)
    # voices judged to suggest an error that nobody linked: what R30 checks against the error reports
    assert sum(v["suggests_error"] and "linked_case_id" not in v for v in voices) == 66
    cases = {e["case_id"]: e for e in _records("error_reports.jsonl") if e["type"] == "error_report"}
    assert all(cases[v["linked_case_id"]]["unit_id"] == v["unit_id"] for v in linked)  # linked to a case of the same unit


def test_shipped_audit_findings_and_follow_ups() -> None:
    records = _records("audit_findings.jsonl")
    findings = [r for r in records if r["type"] == "audit_finding"]
    steps = Counter(r["step"] for r in records if r["type"] == "audit_followup")
    assert (len(findings), len({f["audit_id"] for f in findings})) == (117, 60)  # five audits a month (assumed)
    assert Counter(f["level"] for f in findings) == {"minor": 58, "moderate": 49, "major": 10}
    assert steps == {"improvement_plan": 108, "followup_report": 87, "improvement_confirmed": 81}
    assert {f["auditor_unit_id"] for f in findings} == {"AUD"}
    # the audited unit submits its plan and report; only the confirmation is 監査部's
    by_step = {(r["step"], r["unit_id"] == "AUD") for r in records if r["type"] == "audit_followup"}
    assert by_step == {("improvement_plan", False), ("followup_report", False), ("improvement_confirmed", True)}


def test_shipped_infosec_incidents() -> None:
    records = _records("infosec_incidents.jsonl")
    incidents = [r for r in records if r["type"] == "infosec_incident"]
    assert len(incidents) == 26  # about two a month (assumed)
    leaks = [i for i in incidents if i["personal_info_leaked"]]
    assert (len(leaks), sum(i["my_number_involved"] for i in incidents)) == (14, 2)
    assert all(i["personal_info_leaked"] for i in incidents if i["kind"] == "missent_email")
    steps = Counter((r["step"], r["unit_id"]) for r in records if r["type"] == "infosec_update")
    assert steps == {("csirt_responded", "CSIRT"): 26, ("contained", "CSIRT"): 26, ("infosec_hq_reported", "IMO"): 25,
                     ("statutory_reported", "IMO"): 14}  # fmt: skip


def test_shipped_procurement_checks() -> None:
    records = _records("procurement_checks.jsonl")
    assert Counter(r["type"] for r in records) == {"procurement_review": 7542, "security_site_check": 175, "procurement_officer": 46,
                                                   "site_visit": 44}  # fmt: skip
    reviews = [r for r in records if r["type"] == "procurement_review"]
    assert (sum(r["problem_found"] for r in reviews), sum("risk_reported_on" in r for r in reviews)) == (6, 5)
    # FY2025 H1: 延べ29名 visited 延べ12社 (S2:283)
    h1 = [r for r in records if r["type"] == "site_visit" and r["visited_on"] < "2025-10-01"]
    assert (len(h1), len({r["contractor_id"] for r in h1})) == (29, 12)
