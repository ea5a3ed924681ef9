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
    BusinessArea,
    CauseCategory,
    DiscoveryChannel,
    ErrorCategory,
    InspectionAspect,
    InspectionType,
    ReportKind,
    UnitType,
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
    },
    time_field="discovered_at", default_subject=("case_id",),
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

VIEW_SPECS: dict[str, ViewSpec] = {
    v.name: v for v in (ERROR_REPORT, NONCONFORMITY, INSPECTION_RESULT, CONTRACT, DAILY_REPORT, PROCESSING_TIME)
}
