"""The selects behind the feeds' views (declared in riskmon/store/views.py): お客様の声, 監査
findings, 情報セキュリティインシデント and the 調達企画部 審査 with the new-contractor and new-officer
checks. A module of its own so the original views (:mod:`.sources`) stay one concept; :mod:`.sources`
registers these next to its own. Same contract: set-oriented SQL, only what the
as-of window (riskmon.store.asof) lets the evaluation see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Subquery, Table, case, func, select

from riskmon.i18n import label
from riskmon.store.asof import AsOf
from riskmon.store.tables import (
    AuditFindingRow,
    AuditFollowUpRow,
    ContractRow,
    CustomerVoiceRow,
    ErrorReportRow,
    InfosecIncidentRow,
    InfosecUpdateRow,
    InspectionRow,
    ProcurementOfficerRow,
    ProcurementReviewRow,
    SecuritySiteCheckRow,
    SiteVisitRow,
    Unit,
    table_of,
)


def _with_unit(table: Table) -> tuple[Any, list[Any]]:
    """The table joined to its unit, and the unit columns every view carries."""
    u = table_of(Unit)
    cols = [u.c.name_ja.label("unit_name"), u.c.unit_type.label("unit_type"), u.c.parent_unit_id.label("region_id")]
    return table.outerjoin(u, u.c.unit_id == table.c.unit_id), cols


def customer_voices(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per voice, with the error report that answers it: the linked case if it was known
    by ``as_of``, otherwise the first report of the same unit discovered at or after the voice."""
    cv, er, t = table_of(CustomerVoiceRow), table_of(ErrorReportRow), AsOf.of(as_of)
    # aliases of error_reports; the as-of clause only reads their columns
    linked, same_unit, answer = (cast(Table, er.alias(n)) for n in ("linked", "same_unit", "answer"))
    first_same_unit = (
        select(func.min(same_unit.c.discovered_at))
        .where(same_unit.c.unit_id == cv.c.unit_id, same_unit.c.discovered_at >= cv.c.received_at,
               t.events_clause(same_unit, same_unit.c.discovered_at))
        .correlate(cv)
        .scalar_subquery()
    )  # fmt: skip
    first_case = (
        select(func.min(answer.c.case_id))
        .where(answer.c.unit_id == cv.c.unit_id, answer.c.discovered_at == first_same_unit)
        .correlate(cv)
        .scalar_subquery()
    )
    joined, unit_cols = _with_unit(cv)
    linked_known = t.events_clause(linked, linked.c.discovered_at)
    q = (
        select(
            cv, *unit_cols,
            func.coalesce(linked.c.discovered_at, first_same_unit).label("error_reported_at"),
            case((linked.c.case_id.is_not(None), linked.c.case_id), else_=first_case).label("error_case_id"),
        )
        .select_from(joined.outerjoin(linked, (linked.c.case_id == cv.c.linked_case_id) & linked_known))
        .where(t.events_clause(cv, cv.c.received_at))
        .order_by(cv.c.voice_id)
    )  # fmt: skip
    if since is not None:
        q = q.where(cv.c.received_at >= since)
    yield from (dict(r) for r in conn.execute(q).mappings())


AUDIT_STEPS = ("improvement_plan", "followup_report", "improvement_confirmed")


def _first_steps(updates: Table, key: Any, when: Any, steps: tuple[str, ...], suffix: str, t: AsOf) -> Subquery:
    """Per subject, the first time each step was recorded, as known at ``t``: one column
    ``<step><suffix>`` a step (NULL until it happens). The audit follow-ups and the incident
    updates are read the same way."""
    return (
        select(key, *[func.min(case((updates.c.step == s, when))).label(f"{s}{suffix}") for s in steps])
        .where(t.events_clause(updates, when))
        .group_by(key)
        .subquery()
    )


def audit_findings(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per finding, with the first date of each follow-up step known by ``as_of``."""
    af, fu, t = table_of(AuditFindingRow), table_of(AuditFollowUpRow), AsOf.of(as_of)
    steps = _first_steps(fu, fu.c.finding_id, fu.c.done_on, AUDIT_STEPS, "_on", t)
    joined, unit_cols = _with_unit(af)
    q = (
        select(af, *unit_cols, *[steps.c[f"{s}_on"] for s in AUDIT_STEPS])
        .select_from(joined.outerjoin(steps, steps.c.finding_id == af.c.finding_id))
        .where(t.events_clause(af, af.c.reported_on))
        .order_by(af.c.finding_id)
    )
    if since is not None:
        q = q.where(af.c.reported_on >= since.date())
    for row in conn.execute(q).mappings():
        out = dict(row)
        out["level_label"] = label(out["level"])
        out["confirmed"] = out["improvement_confirmed_on"] is not None
        yield out


INFOSEC_STEPS = ("csirt_responded", "contained", "infosec_hq_reported", "statutory_reported")


def infosec_incidents(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per incident, with the first time of each step known by ``as_of``."""
    inc, up, t = table_of(InfosecIncidentRow), table_of(InfosecUpdateRow), AsOf.of(as_of)
    steps = _first_steps(up, up.c.incident_id, up.c.at, INFOSEC_STEPS, "_at", t)
    joined, unit_cols = _with_unit(inc)
    q = (
        select(inc, *unit_cols, *[steps.c[f"{s}_at"] for s in INFOSEC_STEPS])
        .select_from(joined.outerjoin(steps, steps.c.incident_id == inc.c.incident_id))
        .where(t.events_clause(inc, inc.c.detected_at))
        .order_by(inc.c.incident_id)
    )
    if since is not None:
        q = q.where(inc.c.detected_at >= since)
    for row in conn.execute(q).mappings():
        out = dict(row)
        out["kind_label"] = label(out["kind"])
        yield out


def inspection_reviews(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per inspection, with 調達企画部's first review of it known by ``as_of``."""
    ins, rv, t = table_of(InspectionRow), table_of(ProcurementReviewRow), AsOf.of(as_of)
    reviews = (
        select(
            rv.c.inspection_id, func.min(rv.c.review_id).label("review_id"), func.min(rv.c.unit_id).label("reviewer_unit_id"),
            func.min(rv.c.reviewed_on).label("reviewed_on"),
            func.max(case((rv.c.problem_found, 1), else_=0)).label("problem"),
            func.min(case((rv.c.risk_reported_on <= t.day, rv.c.risk_reported_on))).label("risk_reported_on"),
        )
        .where(t.events_clause(rv, rv.c.reviewed_on))
        .group_by(rv.c.inspection_id)
        .subquery()
    )  # fmt: skip
    joined, unit_cols = _with_unit(ins)
    q = (
        select(ins.c.inspection_id, ins.c.event_id, ins.c.unit_id, ins.c.contract_id, ins.c.inspection_type, ins.c.inspected_on,
               ins.c.nonconformity_count, *unit_cols, reviews.c.review_id, reviews.c.reviewer_unit_id, reviews.c.reviewed_on,
               reviews.c.problem, reviews.c.risk_reported_on)
        .select_from(joined.outerjoin(reviews, reviews.c.inspection_id == ins.c.inspection_id))
        .where(t.events_clause(ins, ins.c.inspected_on))
        .order_by(ins.c.inspection_id)
    )  # fmt: skip
    if since is not None:
        q = q.where(ins.c.inspected_on >= since.date())
    for row in conn.execute(q).mappings():
        out = dict(row)
        problem = out.pop("problem")
        out["problem_found"] = None if problem is None else bool(problem)
        yield out


def contract_security_checks(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per contract known by ``as_of``, with its first on-site security check (S2:270)."""
    ct, ck, t = table_of(ContractRow), table_of(SecuritySiteCheckRow), AsOf.of(as_of)
    first = (
        select(ck.c.contract_id, func.min(ck.c.checked_on).label("early_check_on"))
        .where(t.events_clause(ck, ck.c.checked_on))
        .group_by(ck.c.contract_id)
        .subquery()
    )
    issues = (
        select(ck.c.contract_id, func.sum(ck.c.issues_found).label("early_check_issues"))
        .select_from(ck.join(first, (first.c.contract_id == ck.c.contract_id) & (first.c.early_check_on == ck.c.checked_on)))
        .where(t.known_clause(ck))
        .group_by(ck.c.contract_id)
        .subquery()
    )
    joined, unit_cols = _with_unit(ct)
    q = (
        select(ct.c.contract_id, ct.c.event_id, ct.c.unit_id, ct.c.contractor_id, ct.c.contractor_name, ct.c.new_contractor,
               ct.c.handles_personal_info, ct.c.start_on, *unit_cols, first.c.early_check_on, issues.c.early_check_issues)
        .select_from(joined.outerjoin(first, first.c.contract_id == ct.c.contract_id)
                     .outerjoin(issues, issues.c.contract_id == ct.c.contract_id))
        .where(t.known_clause(ct))  # a contract is known before it starts (as in the contract view)
        .order_by(ct.c.contract_id)
    )  # fmt: skip
    for row in conn.execute(q).mappings():
        out = dict(row)
        if out["early_check_issues"] is not None:
            out["early_check_issues"] = int(out["early_check_issues"])
        yield out


def procurement_officers(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per 調達担当者, with their first 履行場所の実査 and how many they made, known by ``as_of``."""
    po, sv, t = table_of(ProcurementOfficerRow), table_of(SiteVisitRow), AsOf.of(as_of)
    visits = (
        select(sv.c.officer_id, func.min(sv.c.visited_on).label("first_site_visit_on"), func.count().label("site_visits"))
        .where(t.events_clause(sv, sv.c.visited_on))
        .group_by(sv.c.officer_id)
        .subquery()
    )
    joined, unit_cols = _with_unit(po)
    q = (
        select(po.c.officer_id, po.c.event_id, po.c.unit_id, po.c.name, po.c.assigned_on, *unit_cols,
               visits.c.first_site_visit_on, visits.c.site_visits)
        .select_from(joined.outerjoin(visits, visits.c.officer_id == po.c.officer_id))
        .where(t.events_clause(po, po.c.assigned_on))
        .order_by(po.c.officer_id)
    )  # fmt: skip
    if since is not None:
        q = q.where(po.c.assigned_on >= since.date())
    for row in conn.execute(q).mappings():
        out = dict(row)
        out["site_visits"] = out["site_visits"] or 0
        yield out
