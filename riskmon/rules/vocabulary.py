"""What a rule may refer to: the fields of each event view, and the fields each rule kind adds.

The checker uses this to reject a misspelt field or an impossible value before anything runs, and
the evaluator's SQL views (riskmon/engine/sources.py) promise exactly these fields.
"""

from __future__ import annotations

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

FieldType = str | frozenset[str]  # "text" | "int" | "bool" | "date" | "datetime" | "float" | enum values


def _enum(e: type) -> frozenset[str]:
    return frozenset(m.value for m in e)  # type: ignore[attr-defined]


_UNIT: dict[str, FieldType] = {
    "unit_id": "text", "unit_name": "text", "unit_type": _enum(UnitType), "region_id": "text",
}  # fmt: skip

SOURCES: dict[str, dict[str, FieldType]] = {
    # one row per 事務処理誤り case, with the time of each lifecycle step (S1:2162-2177)
    "error_report": {
        **_UNIT,
        "case_id": "text", "event_id": "text", "category": _enum(ErrorCategory), "is_priority_incident": "bool",
        "report_kind": _enum(ReportKind), "business_area": _enum(BusinessArea),
        "discovery_channel": _enum(DiscoveryChannel), "affected_customers": "int",
        "personal_info_involved": "bool", "my_number_involved": "bool", "amount_impact_jpy": "int",
        "contractor_id": "text", "summary": "text", "discovered_at": "datetime",
        "cause_category": _enum(CauseCategory),
        "risk_notified_at": "datetime", "customer_response_done_at": "datetime", "exec_reported_at": "datetime",
        "cause_analyzed_at": "datetime", "prevention_set_at": "datetime", "manual_revised_at": "datetime",
        "closed_at": "datetime", "closed": "bool",
    },
    # one row per 不適事項, with its inspection and contract (S2:270)
    "nonconformity": {
        **_UNIT,
        "nc_id": "text", "event_id": "text", "inspection_id": "text", "contract_id": "text",
        "aspect": _enum(InspectionAspect), "description": "text", "inspection_type": _enum(InspectionType),
        "inspected_on": "date", "due_on": "date", "resolved_on": "date", "resolved": "bool",
        "handles_personal_info": "bool", "contractor_id": "text", "contractor_name": "text",
    },
    "inspection_result": {
        **_UNIT,
        "inspection_id": "text", "event_id": "text", "contract_id": "text",
        "inspection_type": _enum(InspectionType), "inspected_on": "date", "nonconformity_count": "int",
    },
    # one row per 外部委託 contract, with what its inspections show as of the evaluation time
    "contract": {
        **_UNIT,
        "contract_id": "text", "event_id": "text", "contractor_id": "text", "contractor_name": "text",
        "title": "text", "handles_personal_info": "bool", "new_contractor": "bool",
        "start_on": "date", "end_on": "date", "started": "bool", "ended": "bool", "active": "bool",
        "pre_commencement_on": "date", "pre_commencement_passed": "bool",
        "last_performance_inspection_on": "date", "post_completion_on": "date", "open_nonconformities": "int",
    },
    "daily_report": {
        **_UNIT,
        "event_id": "text", "business_date": "date", "forms_received": "int", "forms_processed": "int",
        "forms_pending": "int", "oldest_pending_days": "int", "complaints": "int", "suspected_errors": "int",
    },
}  # fmt: skip

#: the subject a flag is about, by view, unless the rule says otherwise
DEFAULT_SUBJECT: dict[str, list[str]] = {
    "error_report": ["case_id"],
    "nonconformity": ["nc_id"],
    "inspection_result": ["inspection_id"],
    "contract": ["contract_id"],
    "daily_report": ["unit_id", "business_date"],
}

#: fields each rule kind adds to the facts it decides on
KIND_FIELDS: dict[str, dict[str, FieldType]] = {
    "match": {},
    "deadline": {
        "overdue": "bool", "done": "bool", "overdue_business_days": "int", "overdue_days": "int",
        "elapsed_ratio": "float",
    },
    "threshold": {"value": "float", "previous_value": "float", "change_pct": "float"},
    "absence": {"missing_days": "int", "gap_days": "int", "missing_dates": "text"},
}  # fmt: skip

#: durable_rules loops forever on rules over these names (upstream #288); the engine sets them itself
RESERVED_FIELDS = frozenset({"id", "sid"})

NUMERIC = {"int", "float"}

_SAMPLES: dict[str, object] = {"int": 3, "float": 2.5, "bool": True, "date": "2025-04-01", "datetime": "2025-04-01 09:00"}


def sample_value(ftype: FieldType) -> object:
    """A plausible value of a field as a message template sees it (dates already text), so that
    ``rules check`` can render each template once and refuse what evaluation would refuse."""
    if isinstance(ftype, frozenset):
        return sorted(ftype)[0]
    return _SAMPLES.get(ftype, "サンプル")
