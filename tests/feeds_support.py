"""Sample records of the feeds (お客様の声, 監査 findings and follow-ups, 情報セキュリティインシデント)
the feed tests share (issue #12)."""

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
