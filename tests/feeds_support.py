"""Sample records of the feeds (お客様の声, 監査 findings and follow-ups, 情報セキュリティインシデント,
調達企画部 審査 and the new-contractor / new-officer checks) the feed tests share (issue #12)."""

from __future__ import annotations


def voice(event_id: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "customer_voice", "unit_id": "PO-001", "voice_id": event_id,
        "received_at": "2025-05-01T11:00:00", "category": "complaint", "suggests_error": True, "summary": "通知書が別人宛",
    }  # fmt: skip
    rec.update(kw)
    return rec


def finding(event_id: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "audit_finding", "unit_id": "PO-001", "finding_id": event_id,
        "auditor_unit_id": "AUD", "reported_on": "2025-06-02", "level": "major", "summary": "保管管理に不備",
    }  # fmt: skip
    rec.update(kw)
    return rec


def followup(event_id: str, finding_id: str, step: str, done_on: str, unit: str = "PO-001") -> dict[str, object]:
    return {"event_id": event_id, "type": "audit_followup", "unit_id": unit, "finding_id": finding_id, "done_on": done_on, "step": step}


def incident(event_id: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "infosec_incident", "unit_id": "PO-001", "incident_id": event_id,
        "detected_at": "2025-06-10T10:00:00", "kind": "missent_email", "personal_info_leaked": True, "summary": "メール誤送信",
    }  # fmt: skip
    rec.update(kw)
    return rec


def incident_step(event_id: str, incident_id: str, step: str, when: str, unit: str = "RMD") -> dict[str, object]:
    return {"event_id": event_id, "type": "infosec_update", "unit_id": unit, "incident_id": incident_id, "at": when, "step": step}


def review(event_id: str, inspection_id: str, reviewed_on: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "procurement_review", "unit_id": "RMD", "review_id": event_id,
        "inspection_id": inspection_id, "reviewed_on": reviewed_on, "problem_found": False,
    }  # fmt: skip
    rec.update(kw)
    return rec


def officer(event_id: str, assigned_on: str, unit: str = "HQ-NP") -> dict[str, object]:
    return {"event_id": event_id, "type": "procurement_officer", "unit_id": unit, "officer_id": event_id, "assigned_on": assigned_on}


def site_visit(event_id: str, officer_id: str, visited_on: str, unit: str = "HQ-NP") -> dict[str, object]:
    return {"event_id": event_id, "type": "site_visit", "unit_id": unit, "visit_id": event_id, "officer_id": officer_id,
            "contractor_id": "CT-1", "visited_on": visited_on}  # fmt: skip


def security_check(event_id: str, contract_id: str, checked_on: str, issues: int = 0) -> dict[str, object]:
    return {"event_id": event_id, "type": "security_site_check", "unit_id": "HQ-NP", "check_id": event_id,
            "contract_id": contract_id, "checked_on": checked_on, "issues_found": issues}  # fmt: skip
