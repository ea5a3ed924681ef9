"""The feeds the seeds name beyond the original families (issue #12): お客様の声 (S1:2096-2102),
監査 findings and their follow-up (S1:2375-2381, S3:583-584), 情報セキュリティインシデント
(S1:2480-2488, S1:2553-2563) and 調達企画部's 審査 of contractor inspections (S1:2326-2330,
S2:270, S2:283). Same contract as riskmon.events.models; joined into its ``AnyEvent`` union.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from riskmon.events.enums import (
    AuditFindingLevel,
    AuditStep,
    InfosecIncidentKind,
    InfosecStep,
    VoiceCategory,
)
from riskmon.events.fields import Count, Day, EventBase, Id, LocalDatetime, Name, Text, field_error, record


@record
class CustomerVoice(EventBase):
    """お客様の声 (S1:2096-2102; checked by リスク統括部, S1:2249). ``unit_id`` is the unit the voice
    concerns; ``suggests_error`` is the receiving clerk's judgement that it points at a 事務処理誤り,
    and ``linked_case_id`` the error case it was tied to, if any."""

    type: Literal["customer_voice"]
    voice_id: Id
    received_at: LocalDatetime
    category: VoiceCategory
    suggests_error: bool
    summary: Text
    linked_case_id: Id | None = None


@record
class AuditFinding(EventBase):
    """A 監査部 finding (S1:2375-2381; S2:375). ``unit_id`` is the audited unit (the risk owner that
    must improve); ``auditor_unit_id`` the third-line unit that reported it."""

    type: Literal["audit_finding"]
    finding_id: Id
    auditor_unit_id: Id
    reported_on: Day
    level: AuditFindingLevel
    summary: Text
    audit_id: Id | None = None


@record
class AuditFollowUp(EventBase):
    """A step of a finding's follow-up; ``unit_id`` is the unit that took it (the audited unit for
    its plan and report, 監査部 for the confirmation)."""

    type: Literal["audit_followup"]
    finding_id: Id
    done_on: Day
    step: AuditStep
    note: Text | None = None


@record
class InfosecIncident(EventBase):
    """情報セキュリティインシデント (S1:2480-2488, S1:2553-2559; S2:386-388). ``unit_id`` is the unit
    where it happened; ``personal_info_leaked`` means personal information actually left the
    機構's control (what the statutory report is about)."""

    type: Literal["infosec_incident"]
    incident_id: Id
    detected_at: LocalDatetime
    kind: InfosecIncidentKind
    personal_info_leaked: bool
    summary: Text
    my_number_involved: bool = False
    affected_persons: Count | None = None
    occurred_at: LocalDatetime | None = None

    @model_validator(mode="after")
    def _occurred_before_detection(self) -> InfosecIncident:
        if self.occurred_at is not None and self.occurred_at > self.detected_at:
            raise field_error("occurred_at", "検知日時 (detected_at) より後になっている", "is later than detected_at")
        return self


@record
class InfosecUpdate(EventBase):
    """A step of an incident; ``unit_id`` is the unit that took it (機構CSIRT, 情報管理対策室 …)."""

    type: Literal["infosec_update"]
    incident_id: Id
    at: LocalDatetime
    step: InfosecStep
    note: Text | None = None


@record
class ProcurementReview(EventBase):
    """調達企画部's 審査 of an inspection a 事業担当部署 did (S1:2326-2330); ``unit_id`` is the reviewing
    unit. A problem found is passed to リスク統括部 (``risk_reported_on``), which takes it to the
    リスク管理委員会."""

    type: Literal["procurement_review"]
    review_id: Id
    inspection_id: Id
    reviewed_on: Day
    problem_found: bool
    risk_reported_on: Day | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _reported_after_review(self) -> ProcurementReview:
        if self.risk_reported_on is not None and self.risk_reported_on < self.reviewed_on:
            raise field_error("risk_reported_on", "審査日 (reviewed_on) より前になっている", "is before reviewed_on")
        return self


@record
class SecuritySiteCheck(EventBase):
    """The early on-site security check of a new contractor after the contract is concluded (S2:270:
    「契約締結後の早い段階で現場のセキュリティ対策の確認」); ``unit_id`` is the 事業担当部署."""

    type: Literal["security_site_check"]
    check_id: Id
    contract_id: Id
    checked_on: Day
    issues_found: Count
    note: Text | None = None


@record
class ProcurementOfficer(EventBase):
    """A member of staff who became 調達担当者 (S2:283); ``unit_id`` is their 事業担当部署."""

    type: Literal["procurement_officer"]
    officer_id: Id
    assigned_on: Day
    name: Name | None = None


@record
class SiteVisit(EventBase):
    """A 調達担当者's 履行場所の実査 at a contractor (S2:283, mandatory for a new officer)."""

    type: Literal["site_visit"]
    visit_id: Id
    officer_id: Id
    contractor_id: Id
    visited_on: Day
    contract_id: Id | None = None
