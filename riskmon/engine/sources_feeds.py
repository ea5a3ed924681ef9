"""The selects behind the feeds' views (declared in riskmon/store/views.py): お客様の声, 監査
findings and 情報セキュリティインシデント. A module of its own so the original views (:mod:`.sources`) stay one concept;
:mod:`.sources` registers these next to its own. Same contract: set-oriented SQL, only what the
as-of window (riskmon.store.asof) lets the evaluation see.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, case, func, select

from riskmon.i18n import label
from riskmon.store.asof import AsOf
from riskmon.store.tables import (
    AuditFindingRow,
    AuditFollowUpRow,
    CustomerVoiceRow,
    ErrorReportRow,
    InfosecIncidentRow,
    InfosecUpdateRow,
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


def audit_findings(conn: Connection, as_of: datetime | AsOf, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One row per finding, with the first date of each follow-up step known by ``as_of``."""
    af, fu, t = table_of(AuditFindingRow), table_of(AuditFollowUpRow), AsOf.of(as_of)
    steps = (
        select(fu.c.finding_id, *[func.min(case((fu.c.step == s, fu.c.done_on))).label(f"{s}_on") for s in AUDIT_STEPS])
        .where(t.events_clause(fu, fu.c.done_on))
        .group_by(fu.c.finding_id)
        .subquery()
    )
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
    steps = (
        select(up.c.incident_id, *[func.min(case((up.c.step == s, up.c.at))).label(f"{s}_at") for s in INFOSEC_STEPS])
        .where(t.events_clause(up, up.c.at))
        .group_by(up.c.incident_id)
        .subquery()
    )
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
