"""SQL views that turn stored events into the rows rules reason about (declared in store/views.py).

Everything set-oriented happens here, in the database: lifecycle steps folded into one row per case,
a contract's inspection history folded into one row per contract, time windows applied. Only rows
inside the evaluation's time frame are read, through the one as-of layer (riskmon.store.asof: an
event's own time and, given a ``known_run``, when it was ingested), so a past evaluation is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from riskmon.business_calendar import TOKYO, add_months, month_bounds
from riskmon.engine import sources_feeds
from riskmon.events.models import PROCESSING_FORMS, PROCESSING_MEDIA, PROCESSING_PAIRS
from riskmon.i18n import label
from riskmon.store.asof import AsOf
from riskmon.store.tables import (
    ContractRow,
    DailyReportRow,
    ErrorReportRow,
    ErrorUpdateRow,
    InspectionRow,
    NonconformityRow,
    NonconformityUpdateRow,
    Unit,
    table_of,
)
from riskmon.store.views import (
    AUDIT_FINDING,
    CONTRACT,
    CONTRACT_SECURITY_CHECK,
    CUSTOMER_VOICE,
    DAILY_REPORT,
    ERROR_REPORT,
    INFOSEC_INCIDENT,
    INSPECTION_RESULT,
    INSPECTION_REVIEW,
    NONCONFORMITY,
    PROCESSING_TIME,
    PROCUREMENT_OFFICER,
    VIEW_SPECS,
    FieldType,
    ViewSpec,
)

STEPS = ("risk_notified", "customer_response_done", "exec_reported", "cause_analyzed", "prevention_set",
         "manual_revised", "closed", "publication_decided")  # fmt: skip


def _unit_cols(table: Any) -> list[Any]:
    u = table_of(Unit)
    return [u.c.name_ja.label("unit_name"), u.c.unit_type.label("unit_type"), u.c.parent_unit_id.label("region_id")]


def _join_unit(table: Any) -> Any:
    u = table_of(Unit)
    return table.outerjoin(u, u.c.unit_id == table.c.unit_id)


def error_reports(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    er, up, t = table_of(ErrorReportRow), table_of(ErrorUpdateRow), AsOf.of(as_of)
    steps = (
        select(up.c.case_id, *[func.min(case((up.c.step == s, up.c.at))).label(f"{s}_at") for s in STEPS])
        .where(t.events_clause(up, up.c.at))
        .group_by(up.c.case_id)
        .subquery()
    )
    cause = (
        select(up.c.case_id, func.max(up.c.cause_category).label("cause_category"))
        .where(t.events_clause(up, up.c.at), up.c.cause_category.is_not(None))
        .group_by(up.c.case_id)
        .subquery()
    )
    detail = _step_details(up, t)
    q = (
        select(er, *_unit_cols(er), *[steps.c[f"{s}_at"] for s in STEPS], cause.c.cause_category,
               *[c for c in detail.c if c.name != "case_id"])
        .select_from(_join_unit(er).outerjoin(steps, steps.c.case_id == er.c.case_id)
                     .outerjoin(cause, cause.c.case_id == er.c.case_id)
                     .outerjoin(detail, detail.c.case_id == er.c.case_id))
        .where(t.events_clause(er, er.c.discovered_at))
        .order_by(er.c.case_id)
    )  # fmt: skip
    if since is not None:
        q = q.where(er.c.discovered_at >= since)
    for row in conn.execute(q).mappings():
        out = dict(row)
        out["closed"] = out["closed_at"] is not None
        out["category_label"] = label(out["category"])
        _lifecycle(out, t)
        yield out


def _step_details(up: Any, t: AsOf) -> Any:
    """What the joint, マニュアル改正 and 公表判断 steps recorded besides their time, from each step's
    latest record known at ``t``: a corrected decision replaces the first, and a decision is always
    shown with its own reason (two records at the same instant: the greater value, ``withhold``
    over ``publish``). Two grouped passes over the updates, no correlated subquery."""
    detailed = ("cause_analyzed", "prevention_set", "publication_decided")
    latest = (
        select(up.c.case_id, up.c.step, func.max(up.c.at).label("at"))
        .where(t.events_clause(up, up.c.at), up.c.step.in_(detailed))
        .group_by(up.c.case_id, up.c.step)
        .subquery()
    )

    def of(step: str, col: Any, name: str) -> Any:
        return func.max(case((up.c.step == step, col))).label(name)

    return (
        select(
            up.c.case_id,
            of("cause_analyzed", up.c.joint_unit_id, "cause_joint_unit_id"),
            of("prevention_set", up.c.joint_unit_id, "prevention_joint_unit_id"),
            of(
                "prevention_set",
                case((up.c.manual_revision_required.is_(True), 1), (up.c.manual_revision_required.is_(False), 0)),
                "manual_revision_required",
            ),
            of("publication_decided", up.c.publication_decision, "publication_decision"),
            of("publication_decided", up.c.publication_reason, "publication_reason"),
        )
        .select_from(up.join(latest, and_(latest.c.case_id == up.c.case_id, latest.c.step == up.c.step, latest.c.at == up.c.at)))
        .where(t.known_clause(up))
        .group_by(up.c.case_id)
        .subquery()
    )


def _lifecycle(out: dict[str, Any], t: AsOf) -> None:
    """The derived lifecycle fields the error_report view declares (riskmon/store/views.py)."""
    out["is_incident"] = out["report_kind"] != "processing_error"
    out["report_kind_label"] = label(out["report_kind"])
    cause_at, prevention_at = out["cause_analyzed_at"], out["prevention_set_at"]
    out["prevention_before_cause_analysis"] = prevention_at is not None and (cause_at is None or cause_at > prevention_at)
    if out["manual_revision_required"] is not None:
        out["manual_revision_required"] = bool(out["manual_revision_required"])
    response_at = out["customer_response_done_at"]
    if response_at is None or cause_at is None:
        out["publication_due_on"] = None
        return
    ready = max(response_at, cause_at).astimezone(t.at.tzinfo).date()
    following = add_months(ready.replace(day=1), 1)
    out["publication_due_on"] = month_bounds(following.year, following.month)[1]


def nonconformities(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    nc, ins, ct, nu = (table_of(m) for m in (NonconformityRow, InspectionRow, ContractRow, NonconformityUpdateRow))
    t = AsOf.of(as_of)
    day = t.day
    later = (
        select(nu.c.nc_id, func.min(nu.c.resolved_on).label("fixed_on"))
        .where(t.events_clause(nu, nu.c.resolved_on))
        .group_by(nu.c.nc_id)
        .subquery()
    )
    q = (
        select(
            nc.c.nc_id, nc.c.aspect, nc.c.description, nc.c.due_on, nc.c.resolved_on.label("own_resolved_on"),
            later.c.fixed_on, ins.c.event_id, ins.c.inspection_id, ins.c.contract_id, ins.c.inspection_type,
            ins.c.inspected_on, ins.c.unit_id, *_unit_cols(ins), ct.c.handles_personal_info, ct.c.contractor_id,
            ct.c.contractor_name,
        )
        .select_from(
            _join_unit(ins).join(nc, nc.c.inspection_id == ins.c.inspection_id)
            .outerjoin(ct, ct.c.contract_id == ins.c.contract_id).outerjoin(later, later.c.nc_id == nc.c.nc_id)
        )
        .where(t.events_clause(ins, ins.c.inspected_on))
        .order_by(nc.c.nc_id)
    )  # fmt: skip
    for row in conn.execute(q).mappings():
        out = dict(row)
        own, fixed = out.pop("own_resolved_on"), out.pop("fixed_on")
        resolved = min([d for d in (own, fixed) if d is not None and d <= day], default=None)
        out["resolved_on"], out["resolved"] = resolved, resolved is not None
        yield out


def inspections(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    ins, t = table_of(InspectionRow), AsOf.of(as_of)
    q = select(ins, *_unit_cols(ins)).select_from(_join_unit(ins)).where(t.events_clause(ins, ins.c.inspected_on))
    if since is not None:
        q = q.where(ins.c.inspected_on >= since.date())
    yield from (dict(r) for r in conn.execute(q.order_by(ins.c.inspection_id)).mappings())


def contracts(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    ct, ins, nc = table_of(ContractRow), table_of(InspectionRow), table_of(NonconformityRow)
    t = AsOf.of(as_of)
    day = t.day
    open_nc = (
        select(ins.c.contract_id, func.count().label("open_nonconformities"))
        .select_from(ins.join(nc, nc.c.inspection_id == ins.c.inspection_id))
        .where(t.events_clause(ins, ins.c.inspected_on), or_(nc.c.resolved_on.is_(None), nc.c.resolved_on > day))
        .group_by(ins.c.contract_id)
        .subquery()
    )
    pre = ins.c.inspection_type == "pre_commencement"
    history = (
        select(
            ins.c.contract_id,
            func.min(case((pre, ins.c.inspected_on))).label("pre_commencement_on"),
            func.max(case((and_(pre, ins.c.nonconformity_count == 0), literal(1)), else_=literal(0))).label("pre_ok"),
            func.max(case((ins.c.inspection_type.in_(("in_performance", "delivery")), ins.c.inspected_on)))
            .label("last_performance_inspection_on"),
            func.min(case((ins.c.inspection_type == "post_completion", ins.c.inspected_on))).label("post_completion_on"),
        )
        .where(t.events_clause(ins, ins.c.inspected_on))
        .group_by(ins.c.contract_id)
        .subquery()
    )  # fmt: skip
    q = (
        select(ct, *_unit_cols(ct), history.c.pre_commencement_on, history.c.pre_ok,
               history.c.last_performance_inspection_on, history.c.post_completion_on, open_nc.c.open_nonconformities)
        .select_from(_join_unit(ct).outerjoin(history, history.c.contract_id == ct.c.contract_id)
                     .outerjoin(open_nc, open_nc.c.contract_id == ct.c.contract_id))
        .where(t.known_clause(ct))  # a contract is known before it starts: only what was known counts
        .order_by(ct.c.contract_id)
    )  # fmt: skip
    # where the in-performance / delivery history starts: a gap before it is the data's, not the contract's
    measured = ins.c.inspection_type.in_(("in_performance", "delivery"))
    data_from = conn.execute(select(func.min(ins.c.inspected_on)).where(t.events_clause(ins, ins.c.inspected_on), measured)).scalar()
    for row in conn.execute(q).mappings():
        out = dict(row)
        out["pre_commencement_passed"] = bool(out.pop("pre_ok") or 0)
        out["open_nonconformities"] = out["open_nonconformities"] or 0
        out["started"] = out["start_on"] <= day
        out["ended"] = out["end_on"] < day
        out["active"] = out["started"] and not out["ended"]
        # a contract older than the inspection data: its gap is measured from the data's start (R11)
        out["data_from"] = data_from
        out["watched_from"] = max(out["start_on"], data_from) if data_from else out["start_on"]
        yield out


def daily_reports(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Each daily report; one that names suspected errors carries when its unit next filed an
    error report (``error_report_at``, R20: the 日報's content is read, S1:2081-2083)."""
    dr, t = table_of(DailyReportRow), AsOf.of(as_of)
    q = select(dr, *_unit_cols(dr)).select_from(_join_unit(dr)).where(t.events_clause(dr, dr.c.business_date))
    if since is not None:
        q = q.where(dr.c.business_date >= since.date())
    rows = [dict(r) for r in conn.execute(q).mappings()]
    suspected = [r for r in rows if r["suspected_errors"]]
    found = _error_reports_by_unit(conn, t, min(r["business_date"] for r in suspected)) if suspected else {}
    for row in rows:
        row["error_report_at"] = (
            _first_on_or_after(found.get(row["unit_id"], []), row["business_date"]) if row["suspected_errors"] else None
        )
        yield row


def _error_reports_by_unit(conn: Connection, t: AsOf, first: date) -> dict[str, list[datetime]]:
    """When each unit discovered errors, from the day before ``first`` (a 日報 names the day's events)."""
    er = table_of(ErrorReportRow)
    lo = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    q = select(er.c.unit_id, er.c.discovered_at).where(t.events_clause(er, er.c.discovered_at), er.c.discovered_at >= lo)
    out: dict[str, list[datetime]] = {}
    for unit, at in conn.execute(q.order_by(er.c.discovered_at)):
        out.setdefault(unit, []).append(at)
    return out


def _first_on_or_after(times: list[datetime], day: date) -> datetime | None:
    """The first error report discovered on or after the 日報's business day (Tokyo dates; an error
    found the evening before and named in this 日報 counts too, hence the day before)."""
    return next((at for at in times if at.astimezone(TOKYO).date() >= day - timedelta(days=1)), None)


def processing_times(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The daily reports' processing fields, one row per form type and medium reported (R14)."""
    dr, t = table_of(DailyReportRow), AsOf.of(as_of)
    cols = [dr.c[f"{p}_{w}"] for p in PROCESSING_PAIRS for w in ("processed", "days")]
    q = (
        select(dr.c.event_id, dr.c.unit_id, dr.c.business_date, *cols, *_unit_cols(dr))
        .select_from(_join_unit(dr))
        .where(t.events_clause(dr, dr.c.business_date), or_(*(dr.c[f"{p}_processed"].is_not(None) for p in PROCESSING_PAIRS)))
    )  # fmt: skip
    if since is not None:
        q = q.where(dr.c.business_date >= since.date())
    for row in conn.execute(q.order_by(dr.c.unit_id, dr.c.business_date)).mappings():
        base = {k: row[k] for k in ("event_id", "unit_id", "business_date", "unit_name", "unit_type", "region_id")}
        for form in PROCESSING_FORMS:
            for medium in PROCESSING_MEDIA:
                processed = row[f"{form}_{medium}_processed"]
                if processed is not None:
                    yield {**base, "form_type": form, "medium": medium, "processed": processed,
                           "processing_days": row[f"{form}_{medium}_days"]}  # fmt: skip


def report_days(conn: Connection, first: date, last: date, as_of: AsOf | None = None) -> set[tuple[str, date]]:
    """(unit, business_date) pairs that have a daily report in ``[first, last]`` (known ``as_of``)."""
    dr = table_of(DailyReportRow)
    q = select(dr.c.unit_id, dr.c.business_date).where(dr.c.business_date.between(first, last)).distinct()
    if as_of is not None:
        q = q.where(as_of.known_clause(dr))
    return {(u, d) for u, d in conn.execute(q)}


def units(conn: Connection, types: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    u = table_of(Unit)
    q = select(u).where(u.c.active.is_(True))
    if types:
        q = q.where(u.c.unit_type.in_(types))
    return [dict(r) for r in conn.execute(q.order_by(u.c.unit_id)).mappings()]


RowsOf = Callable[[Connection, "datetime | AsOf", "datetime | None"], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class View:
    """One source rules read: its declaration (fields and their types, time field, default
    subject: riskmon/store/views.py, which the rule checker reads) and the select that keeps it.
    tests/engine/test_views.py runs every select on SQLite and PostgreSQL against its declaration."""

    spec: ViewSpec
    rows: RowsOf

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def fields(self) -> dict[str, FieldType]:
        return self.spec.fields

    @property
    def time_field(self) -> str:
        return self.spec.time_field

    @property
    def default_subject(self) -> tuple[str, ...]:
        return self.spec.default_subject


#: every view with its select; the feeds' selects (お客様の声, 監査 findings, …) live in sources_feeds
VIEWS: dict[str, View] = {
    v.name: v
    for v in (
        View(ERROR_REPORT, error_reports),
        View(NONCONFORMITY, nonconformities),
        View(INSPECTION_RESULT, inspections),
        View(CONTRACT, contracts),
        View(DAILY_REPORT, daily_reports),
        View(PROCESSING_TIME, processing_times),
        View(CUSTOMER_VOICE, sources_feeds.customer_voices),
        View(AUDIT_FINDING, sources_feeds.audit_findings),
        View(INFOSEC_INCIDENT, sources_feeds.infosec_incidents),
        View(INSPECTION_REVIEW, sources_feeds.inspection_reviews),
        View(CONTRACT_SECURITY_CHECK, sources_feeds.contract_security_checks),
        View(PROCUREMENT_OFFICER, sources_feeds.procurement_officers),
    )
}
assert set(VIEWS) == set(VIEW_SPECS), "every declared view has its select"
