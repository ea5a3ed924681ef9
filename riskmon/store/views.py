"""What each evaluation view returns: its fields and their types, its time field, its default subject.

These declarations are the one source of the vocabulary rule authors may use
(riskmon/rules/vocabulary.py reads them) and the promise the engine's SQL selects keep
(riskmon/engine/sources.py pairs each declaration with its select; a test runs every select on
SQLite and PostgreSQL and checks that it returns exactly these columns with these types). They
live at the store layer, below rules and engine, so that the rule checker can name the fields
without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from riskmon.events.enums import (
    AuditFindingLevel,
    BusinessArea,
    CauseCategory,
    DiscoveryChannel,
    ErrorCategory,
    ImpactKind,
    InfosecIncidentKind,
    InspectionAspect,
    InspectionType,
    PublicationDecision,
    ReportKind,
    Scheme,
    UnitType,
    VoiceCategory,
)

#: "text" | "int" | "float" | "bool" | "date" | "datetime", or the allowed values of a code field
FieldType = str | frozenset[str]


def _enum(e: type[Enum]) -> frozenset[str]:
    return frozenset(str(m.value) for m in e)


@dataclass(frozen=True)
class ViewSpec:
    """One view as rules see it: one row per ``row_is``, these fields, placed in time by ``time_field``."""

    name: str
    row_is: str
    fields: dict[str, FieldType]
    time_field: str
    default_subject: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)


#: every view carries the unit it belongs to, from the units master
UNIT_FIELDS: dict[str, FieldType] = {
    "unit_id": "text", "unit_name": "text", "unit_type": _enum(UnitType), "region_id": "text",
}  # fmt: skip

ERROR_REPORT = ViewSpec(
    "error_report", "事務処理誤り case, with the time of each lifecycle step (S1:2162-2177)",
    {
        **UNIT_FIELDS,
        "case_id": "text", "event_id": "text", "category": _enum(ErrorCategory), "category_label": "text",
        "is_priority_incident": "bool", "report_kind": _enum(ReportKind), "business_area": _enum(BusinessArea),
        "discovery_channel": _enum(DiscoveryChannel), "discovered_by_unit_id": "text", "affected_customers": "int",
        "personal_info_involved": "bool", "my_number_involved": "bool", "amount_impact_jpy": "int",
        "contractor_id": "text", "contract_id": "text", "summary": "text", "occurred_at": "datetime",
        "discovered_at": "datetime", "cause_category": _enum(CauseCategory),
        "risk_notified_at": "datetime", "customer_response_done_at": "datetime", "exec_reported_at": "datetime",
        "cause_analyzed_at": "datetime", "prevention_set_at": "datetime", "manual_revised_at": "datetime",
        "closed_at": "datetime", "closed": "bool",
        # the rest of the lifecycle (issue #12): who took the joint steps with the 発生部署, whether the
        # 再発防止策 requires a マニュアル改正, the 公表判断 and when it is due
        "is_incident": "bool", "report_kind_label": "text", "cause_joint_unit_id": "text", "prevention_joint_unit_id": "text",
        "prevention_before_cause_analysis": "bool", "manual_revision_required": "bool",
        "publication_decided_at": "datetime", "publication_decision": _enum(PublicationDecision),
        "publication_reason": "text", "publication_due_on": "date",
        # 事象 and 制度 of the 月次公表 (issue #13); NULL on reports that predate them
        "impact_kind": _enum(ImpactKind), "scheme": _enum(Scheme),
    },
    time_field="discovered_at", default_subject=("case_id",),
    notes={
        "is_incident": "report_kind is incident or accident (事件・事故)",
        "prevention_before_cause_analysis": "a 再発防止策 set with no 原因分析 recorded before it (S1:2171 「調査・分析を行った上で」)",
        "publication_due_on": "the last day of the month after both the customer response and the 原因分析 (詳細報告) are done",
        "impact_kind": "事象: underpayment 未払い, overpayment 過払い, overcollection 過徴収, undercollection 未徴収, wrong_refund 誤還付 "
                       "or no_financial_impact; required with a positive amount_impact_jpy",
        "scheme": "制度: national_pension, employees_pension, health_insurance, seamens_insurance, support_benefit or other",
    },
)  # fmt: skip

NONCONFORMITY = ViewSpec(
    "nonconformity", "不適事項, with its inspection and contract (S2:270)",
    {
        **UNIT_FIELDS,
        "nc_id": "text", "event_id": "text", "inspection_id": "text", "contract_id": "text",
        "aspect": _enum(InspectionAspect), "description": "text", "inspection_type": _enum(InspectionType),
        "inspected_on": "date", "due_on": "date", "resolved_on": "date", "resolved": "bool",
        "handles_personal_info": "bool", "contractor_id": "text", "contractor_name": "text",
    },
    time_field="inspected_on", default_subject=("nc_id",),
)  # fmt: skip

INSPECTION_RESULT = ViewSpec(
    "inspection_result", "outsourcing inspection",
    {
        **UNIT_FIELDS,
        "inspection_id": "text", "event_id": "text", "contract_id": "text",
        "inspection_type": _enum(InspectionType), "inspected_on": "date", "nonconformity_count": "int", "note": "text",
    },
    time_field="inspected_on", default_subject=("inspection_id",),
)  # fmt: skip

CONTRACT = ViewSpec(
    "contract", "外部委託 contract, with what its inspections show as of the evaluation time",
    {
        **UNIT_FIELDS,
        "contract_id": "text", "event_id": "text", "contractor_id": "text", "contractor_name": "text",
        "title": "text", "handles_personal_info": "bool", "new_contractor": "bool",
        "start_on": "date", "end_on": "date", "started": "bool", "ended": "bool", "active": "bool",
        "pre_commencement_on": "date", "pre_commencement_passed": "bool",
        "last_performance_inspection_on": "date", "post_completion_on": "date", "open_nonconformities": "int",
        "data_from": "date", "watched_from": "date",
    },
    time_field="start_on", default_subject=("contract_id",),
)  # fmt: skip

DAILY_REPORT = ViewSpec(
    "daily_report", "daily report (拠点長の日次業務報告)",
    {
        **UNIT_FIELDS,
        "event_id": "text", "business_date": "date", "forms_received": "int", "forms_processed": "int",
        "forms_pending": "int", "oldest_pending_days": "int", "complaints": "int", "suspected_errors": "int",
        "note": "text", "submitted_at": "datetime", "visitors": "int", "max_wait_minutes": "int",
        "error_report_at": "datetime",
        # the processing fields as stored (R14 reads them one form × medium a row, in processing_time)
        **{f"{f}_{m}_{w}": "int" for f in ("acquisition", "dependent") for m in ("e_application", "e_media", "paper")
           for w in ("processed", "days")},
    },
    time_field="business_date", default_subject=("unit_id", "business_date"),
)  # fmt: skip

PROCESSING_TIME = ViewSpec(
    "processing_time", "one form type × medium of a daily report: forms processed and their total processing days (S2:223-227)",
    {
        **UNIT_FIELDS,
        "event_id": "text", "business_date": "date", "form_type": frozenset({"acquisition", "dependent"}),
        "medium": frozenset({"e_application", "e_media", "paper"}), "processed": "int", "processing_days": "int",
    },
    time_field="business_date", default_subject=("unit_id", "form_type", "medium", "business_date"),
)  # fmt: skip


# --- feeds the seeds name (issue #12) ------------------------------------------------------------

CUSTOMER_VOICE = ViewSpec(
    "customer_voice", "お客様の声, with when its unit next reported a 事務処理誤り (S1:2096-2102, S1:2249)",
    {
        **UNIT_FIELDS,
        "voice_id": "text", "event_id": "text", "received_at": "datetime", "category": _enum(VoiceCategory),
        "suggests_error": "bool", "summary": "text", "linked_case_id": "text",
        "error_reported_at": "datetime", "error_case_id": "text",
    },
    time_field="received_at", default_subject=("voice_id",),
    notes={
        "error_reported_at": "the linked case's discovered_at, else the first error report of the same unit at or after received_at",
        "error_case_id": "the case error_reported_at belongs to",
    },
)  # fmt: skip

AUDIT_FINDING = ViewSpec(
    "audit_finding", "監査部 finding, with the date of each follow-up step (S1:2375-2381, S3:583-584)",
    {
        **UNIT_FIELDS,
        "finding_id": "text", "event_id": "text", "auditor_unit_id": "text", "audit_id": "text",
        "reported_on": "date", "level": _enum(AuditFindingLevel), "level_label": "text", "summary": "text",
        "improvement_plan_on": "date", "followup_report_on": "date", "improvement_confirmed_on": "date",
        "confirmed": "bool",
    },
    time_field="reported_on", default_subject=("finding_id",),
)  # fmt: skip

INFOSEC_INCIDENT = ViewSpec(
    "infosec_incident", "情報セキュリティインシデント, with the time of each step (S1:2480-2488; S2:386-388)",
    {
        **UNIT_FIELDS,
        "incident_id": "text", "event_id": "text", "detected_at": "datetime", "occurred_at": "datetime",
        "kind": _enum(InfosecIncidentKind), "kind_label": "text", "personal_info_leaked": "bool",
        "my_number_involved": "bool", "affected_persons": "int", "summary": "text",
        "csirt_responded_at": "datetime", "contained_at": "datetime", "infosec_hq_reported_at": "datetime",
        "statutory_reported_at": "datetime",
    },
    time_field="detected_at", default_subject=("incident_id",),
)  # fmt: skip

INSPECTION_REVIEW = ViewSpec(
    "inspection_review", "outsourcing inspection with 調達企画部's 審査 of it (S1:2326-2330)",
    {
        **UNIT_FIELDS,
        "inspection_id": "text", "event_id": "text", "contract_id": "text", "inspection_type": _enum(InspectionType),
        "inspected_on": "date", "nonconformity_count": "int", "review_id": "text", "reviewer_unit_id": "text",
        "reviewed_on": "date", "problem_found": "bool", "risk_reported_on": "date",
    },
    time_field="inspected_on", default_subject=("inspection_id",),
    notes={"reviewed_on": "the first review known at the evaluation time; problem_found if any review found one"},
)  # fmt: skip

CONTRACT_SECURITY_CHECK = ViewSpec(
    "contract_security_check", "外部委託 contract with its early on-site security check (S2:270)",
    {
        **UNIT_FIELDS,
        "contract_id": "text", "event_id": "text", "contractor_id": "text", "contractor_name": "text",
        "new_contractor": "bool", "handles_personal_info": "bool", "start_on": "date",
        "early_check_on": "date", "early_check_issues": "int",
    },
    time_field="start_on", default_subject=("contract_id",),
)  # fmt: skip

PROCUREMENT_OFFICER = ViewSpec(
    "procurement_officer", "new 調達担当者 with their 履行場所の実査 (S2:283)",
    {
        **UNIT_FIELDS,
        "officer_id": "text", "event_id": "text", "name": "text", "assigned_on": "date",
        "first_site_visit_on": "date", "site_visits": "int",
    },
    time_field="assigned_on", default_subject=("officer_id",),
)  # fmt: skip

#: every view, the originals first then the feeds' (the order a rule file's error lists them in)
VIEW_SPECS: dict[str, ViewSpec] = {
    v.name: v
    for v in (
        ERROR_REPORT, NONCONFORMITY, INSPECTION_RESULT, CONTRACT, DAILY_REPORT, PROCESSING_TIME,
        CUSTOMER_VOICE, AUDIT_FINDING, INFOSEC_INCIDENT, INSPECTION_REVIEW, CONTRACT_SECURITY_CHECK, PROCUREMENT_OFFICER,
    )
}  # fmt: skip
