"""The event families riskmon knows, in one table: adding a family is one entry here plus its
model and typed table. Everything generic (ingest, idempotency, listing) reads this registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter

from riskmon.events.enums import PRIORITY_INCIDENT_CATEGORIES
from riskmon.events.feeds import (
    AuditFinding,
    AuditFollowUp,
    CustomerVoice,
    InfosecIncident,
    InfosecUpdate,
    ProcurementOfficer,
    ProcurementReview,
    SecuritySiteCheck,
    SiteVisit,
)
from riskmon.events.models import (
    Contract,
    DailyReport,
    ErrorReport,
    ErrorUpdate,
    InspectionResult,
    NonconformityUpdate,
)
from riskmon.i18n import Lang, label


@dataclass(frozen=True)
class NaturalKey:
    """A business identifier that must be unique across events, e.g. an error report's case_id."""

    table: str
    column: str
    values: Callable[[Any], list[str]]


@dataclass(frozen=True)
class EventFamily:
    name: str
    model: type[Any]  # a pydantic dataclass from riskmon.events.models
    time_field: str  # the field that places the event in time
    unit_fields: tuple[str, ...] = ("unit_id",)  # fields that must name a known unit
    natural_keys: tuple[NaturalKey, ...] = ()
    children: str | None = None  # list field stored in its own table (nonconformities)
    #: one line for listings, from the stored typed row
    summary: Callable[[Mapping[str, Any], Lang], str] = field(default=lambda m, lang: "")

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.model)

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self.model))

    @cached_property
    def required_text_fields(self) -> frozenset[str]:
        """Required fields of text type (an empty CSV cell there means "", not "missing")."""
        hints = get_type_hints(self.model, include_extras=True)
        return frozenset(
            f.name
            for f in dataclasses.fields(self.model)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and _base_type(hints[f.name]) is str
        )


def _base_type(hint: Any) -> Any:
    return get_args(hint)[0] if get_origin(hint) is Annotated else hint


def _key(table: str, column: str) -> NaturalKey:
    return NaturalKey(table, column, lambda m: [getattr(m, column)])


def _daily_summary(m: Mapping[str, Any], lang: Lang) -> str:
    if lang == "ja":
        return f"受付{m['forms_received']} 処理{m['forms_processed']} 未処理{m['forms_pending']}（最古{m['oldest_pending_days']}日）"
    return (
        f"received {m['forms_received']}, processed {m['forms_processed']}, "
        f"pending {m['forms_pending']} (oldest {m['oldest_pending_days']} d)"
    )


def _error_summary(m: Mapping[str, Any], lang: Lang) -> str:
    mark = "★" if m["category"] in PRIORITY_INCIDENT_CATEGORIES else ""
    return f"{mark}{label(m['category'], lang)} {m['case_id']}: {m['summary']}"


def _update_summary(m: Mapping[str, Any], lang: Lang) -> str:
    decision = m.get("publication_decision")
    tail = f" ({label(decision, lang)})" if decision else ""
    return f"{m['case_id']}: {label(m['step'], lang)}{tail}"


def _inspection_summary(m: Mapping[str, Any], lang: Lang) -> str:
    n = m["nonconformity_count"]
    tail = (f"不適事項{n}件" if lang == "ja" else f"{n} nonconformities") if n else ""
    return f"{label(m['inspection_type'], lang)} {m['contract_id']} {tail}".strip()


def _nc_update_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['nc_id']} → {m['resolved_on']}"


def _contract_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['contract_id']} {m['contractor_name'] or m['contractor_id']} {m['start_on']}–{m['end_on']}"


FAMILIES: dict[str, EventFamily] = {
    f.name: f
    for f in (
        EventFamily("daily_report", DailyReport, "business_date", summary=_daily_summary),
        EventFamily(
            "error_report",
            ErrorReport,
            "discovered_at",
            unit_fields=("unit_id", "discovered_by_unit_id"),
            natural_keys=(_key("error_reports", "case_id"),),
            summary=_error_summary,
        ),
        EventFamily("error_update", ErrorUpdate, "at", unit_fields=("unit_id", "joint_unit_id"), summary=_update_summary),
        EventFamily(
            "inspection_result",
            InspectionResult,
            "inspected_on",
            natural_keys=(
                _key("inspections", "inspection_id"),
                NaturalKey(
                    "nonconformities",
                    "nc_id",
                    lambda m: [nc.nc_id for nc in m.nonconformities],
                ),
            ),
            children="nonconformities",
            summary=_inspection_summary,
        ),
        EventFamily("nonconformity_update", NonconformityUpdate, "resolved_on", summary=_nc_update_summary),
        EventFamily(
            "contract",
            Contract,
            "start_on",
            natural_keys=(_key("contracts", "contract_id"),),
            summary=_contract_summary,
        ),
    )
}


# --- feeds the seeds name (issue #12) ------------------------------------------------------------


def _voice_summary(m: Mapping[str, Any], lang: Lang) -> str:
    mark = "⚠" if m["suggests_error"] else ""
    link = f" → {m['linked_case_id']}" if m["linked_case_id"] else ""
    return f"{mark}{label(m['category'], lang)} {m['voice_id']}{link}: {m['summary']}"


def _finding_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{label(m['level'], lang)} {m['finding_id']}: {m['summary']}"


def _followup_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['finding_id']}: {label(m['step'], lang)}"


def _incident_summary(m: Mapping[str, Any], lang: Lang) -> str:
    mark = "★" if m["personal_info_leaked"] else ""
    return f"{mark}{label(m['kind'], lang)} {m['incident_id']}: {m['summary']}"


def _incident_update_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['incident_id']}: {label(m['step'], lang)}"


def _review_summary(m: Mapping[str, Any], lang: Lang) -> str:
    found = ("問題あり" if lang == "ja" else "problem found") if m["problem_found"] else ""
    return f"{m['inspection_id']} → {m['reviewed_on']} {found}".strip()


def _check_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['contract_id']} {m['checked_on']} " + (f"指摘{m['issues_found']}件" if lang == "ja" else f"{m['issues_found']} issues")


def _officer_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['officer_id']} {m['name'] or ''} {m['assigned_on']}".replace("  ", " ")


def _visit_summary(m: Mapping[str, Any], lang: Lang) -> str:
    return f"{m['officer_id']} → {m['contractor_id']} {m['visited_on']}"


FAMILIES.update(
    (f.name, f)
    for f in (
        EventFamily(
            "customer_voice",
            CustomerVoice,
            "received_at",
            natural_keys=(_key("customer_voices", "voice_id"),),
            summary=_voice_summary,
        ),
        EventFamily(
            "audit_finding",
            AuditFinding,
            "reported_on",
            unit_fields=("unit_id", "auditor_unit_id"),
            natural_keys=(_key("audit_findings", "finding_id"),),
            summary=_finding_summary,
        ),
        EventFamily("audit_followup", AuditFollowUp, "done_on", summary=_followup_summary),
        EventFamily(
            "infosec_incident",
            InfosecIncident,
            "detected_at",
            natural_keys=(_key("infosec_incidents", "incident_id"),),
            summary=_incident_summary,
        ),
        EventFamily("infosec_update", InfosecUpdate, "at", summary=_incident_update_summary),
        EventFamily(
            "procurement_review",
            ProcurementReview,
            "reviewed_on",
            natural_keys=(_key("procurement_reviews", "review_id"),),
            summary=_review_summary,
        ),
        EventFamily(
            "security_site_check",
            SecuritySiteCheck,
            "checked_on",
            natural_keys=(_key("security_site_checks", "check_id"),),
            summary=_check_summary,
        ),
        EventFamily(
            "procurement_officer",
            ProcurementOfficer,
            "assigned_on",
            natural_keys=(_key("procurement_officers", "officer_id"),),
            summary=_officer_summary,
        ),
        EventFamily("site_visit", SiteVisit, "visited_on", natural_keys=(_key("site_visits", "visit_id"),), summary=_visit_summary),
    )
)
