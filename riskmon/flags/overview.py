"""The ダッシュボード's figures, each one SQL aggregate over the flags table.

Why aggregates: the bench store holds a million events and tens of thousands of flags; a page
that loaded them to count in Python would take seconds. Every figure here is a ``GROUP BY`` or a
``COUNT``; only the few rows a figure is *about* (overdue 重点三事案, pending closures) are read.

"Open" is what the フラグ一覧 calls 対応中の案件 (its default ``status=active``): a case state in
:data:`~riskmon.domain.OPEN_STATES`, so a figure and the list it links to show the same number.
``units`` scopes every figure (the first line's own units, riskmon.review.policy.visible_units);
``None`` is every unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, and_, case, cast, func, select, true

from riskmon.business_calendar import add_months
from riskmon.domain import CLOSURES, OPEN_STATES, Line
from riskmon.store.tables import ErrorReportRow, Flag, Unit, table_of

#: how many weeks the trend shows, how many overdue 重点三事案 the page lists by name, and how many
#: months the overdue trend shows
WEEKS, OVERDUE_LISTED, MONTHS = 12, 20, 12
DIVISION = "regional_division"


@dataclass
class Overview:
    """What the dashboard shows: ``open_by_unit`` maps a unit to its open flags by severity."""

    open_by_unit: dict[str, dict[str, int]] = field(default_factory=dict)
    overdue_priority: list[dict[str, Any]] = field(default_factory=list)  # the first OVERDUE_LISTED, most overdue first
    overdue_priority_total: int = 0
    awaiting_confirmation: int = 0
    weekly_new: list[tuple[datetime, int]] = field(default_factory=list)  # (week start, flags first seen that week)


def _scope(units: frozenset[str] | None) -> ColumnElement[bool]:
    return true() if units is None else table_of(Flag).c.owner_unit.in_(sorted(units))


def overview(conn: Connection, units: frozenset[str] | None, now: datetime, week_start: datetime, tz: tzinfo) -> Overview:
    """The figures as of ``now``; ``week_start`` is the start of the current week (local midnight
    of its Monday), so the trend's buckets are calendar weeks people recognise; ``tz`` is the
    configured zone, in which a flag's evidence writes a time without an offset."""
    f = table_of(Flag)
    is_open = and_(f.c.review_status.in_(list(OPEN_STATES)), _scope(units))
    out = Overview()
    rows = conn.execute(select(f.c.owner_unit, f.c.severity, func.count()).where(is_open).group_by(f.c.owner_unit, f.c.severity))
    for unit, severity, n in rows:
        out.open_by_unit.setdefault(unit, {})[severity] = int(n)
    out.overdue_priority, out.overdue_priority_total = _overdue_priority(conn, is_open, now, tz)
    out.awaiting_confirmation = _awaiting(conn, is_open)
    out.weekly_new = _weekly(conn, units, week_start)
    return out


def _overdue_priority(conn: Connection, is_open: ColumnElement[bool], now: datetime, tz: tzinfo) -> tuple[list[dict[str, Any]], int]:
    """Open deadline flags on a 重点三事案 case whose deadline has passed and whose step is not
    done — the pack's test (riskmon.reports.data.priority_deadlines): a step done late is
    "completed late", not overdue. Which cases are 重点三事案 comes from the error reports."""
    f, er = table_of(Flag), table_of(ErrorReportRow)
    priority = select(er.c.case_id).where(er.c.is_priority_incident.is_(True))
    q = (select(f.c.id, f.c.rule_id, f.c.subject, f.c.owner_unit, f.c.due_at, f.c.title_ja, f.c.title_en, f.c.evidence)
         .where(is_open, f.c.due_at.is_not(None), f.c.due_at < now, f.c.subject.in_(priority)).order_by(f.c.due_at, f.c.id))  # fmt: skip
    overdue = [dict(r) for r in conn.execute(q).mappings() if not _done_by(r["evidence"], now, tz)]
    for r in overdue:
        del r["evidence"]
    return overdue[:OVERDUE_LISTED], len(overdue)


def _done_by(evidence: dict[str, Any], now: datetime, tz: tzinfo) -> bool:
    done = (evidence or {}).get("observed", {}).get("done_at")
    if not done:
        return False
    at = datetime.fromisoformat(str(done))
    return (at if at.tzinfo is not None else at.replace(tzinfo=tz)) <= now


def _awaiting(conn: Connection, is_open: ColumnElement[bool]) -> int:
    """Open flags with a second-line closure waiting for its second person (riskmon.review.policy
    ``pending_closure``): only flags carrying a proposal are read, to look inside it."""
    f = table_of(Flag)
    carrying = and_(f.c.proposal.is_not(None), cast(f.c.proposal, String) != "null")  # JSON null is not SQL NULL
    proposals: Iterable[dict[str, Any] | None] = conn.execute(select(f.c.proposal).where(is_open, carrying)).scalars()
    closures = {c.value for c in CLOSURES}
    return sum(1 for p in proposals if p and p.get("line") == Line.SECOND.value and p.get("kind") in closures)


def _weekly(conn: Connection, units: frozenset[str] | None, week_start: datetime) -> list[tuple[datetime, int]]:
    """Flags first seen in each of the last :data:`WEEKS` weeks (this one included), in one
    query: a ``SUM(CASE …)`` per week, so both backends bucket the same way."""
    f = table_of(Flag)
    starts = [week_start - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    ends = [*starts[1:], week_start + timedelta(weeks=1)]
    columns = [func.coalesce(func.sum(case((and_(f.c.first_seen >= lo, f.c.first_seen < hi), 1), else_=0)), 0)
               for lo, hi in zip(starts, ends, strict=True)]  # fmt: skip
    row = conn.execute(select(*columns).where(_scope(units), f.c.first_seen >= starts[0], f.c.first_seen < ends[-1])).one()
    return [(lo, int(n)) for lo, n in zip(starts, row, strict=True)]


def monthly_overdue(conn: Connection, units: frozenset[str] | None, now: datetime, tz: tzinfo) -> list[tuple[date, int]]:
    """Deadlines missed in each of the last :data:`MONTHS` calendar months (this one included, up to
    ``now``): flags with a deadline (``due_at``) that fell in the month, counted by that month.

    A deadline rule raises its flag only once the deadline has passed unmet, so this is "how many
    deadlines were missed that month" — whether the step was done late since, and whatever the
    flag's review status. One ``SUM(CASE …)`` per month over local month starts, like the weeks."""
    f = table_of(Flag)
    this_month = now.astimezone(tz).date().replace(day=1)
    months = [add_months(this_month, i - MONTHS + 1) for i in range(MONTHS)]
    starts = [datetime.combine(m, time(0), tzinfo=tz) for m in months]
    ends = [*starts[1:], min(now, datetime.combine(add_months(this_month, 1), time(0), tzinfo=tz))]
    columns = [func.coalesce(func.sum(case((and_(f.c.due_at >= lo, f.c.due_at < hi), 1), else_=0)), 0)
               for lo, hi in zip(starts, ends, strict=True)]  # fmt: skip
    row = conn.execute(select(*columns).where(_scope(units), f.c.due_at >= starts[0], f.c.due_at < ends[-1])).one()
    return [(m, int(n)) for m, n in zip(months, row, strict=True)]


def regions(conn: Connection, unit_ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Each unit's 地域部 and whether it is one: its parent when that is a regional division, else
    the unit itself (a 地域部, a head-office department). One keyed read of the units shown."""
    u, p = table_of(Unit), table_of(Unit).alias("parent")
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    q = (select(u.c.unit_id, u.c.unit_type, p.c.unit_id.label("region"))
         .select_from(u.outerjoin(p, and_(p.c.unit_id == u.c.parent_unit_id, p.c.unit_type == DIVISION)))
         .where(u.c.unit_id.in_(ids)))  # fmt: skip
    found = {unit: (region, True) if region else (unit, kind == DIVISION) for unit, kind, region in conn.execute(q)}
    return {unit: found.get(unit, (unit, False)) for unit in ids}
