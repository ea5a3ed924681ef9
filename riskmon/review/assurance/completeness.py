"""Data completeness: are the second line's inputs there to monitor with?

- 日報: every expected unit (the unit types R13 expects a daily report from) owes one report per
  business day; per month, reports expected (units × business days in the period up to the data
  date) against reports received for those days (one per unit and day, whatever the copies).
- Rejected records: the quarantine (``rejects``) by source file and record type, as recorded by
  the report's moment — records that never reached a rule, with how many are still unhandled.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from riskmon.business_calendar import BusinessCalendar, month_bounds
from riskmon.store.asof import AsOf
from riskmon.store.tables import DailyReportRow, Reject, Unit, table_of

#: the unit types R13 expects a daily report from when the rule book does not say
DEFAULT_EXPECTED = ("pension_office", "administration_center")


def daily_reports(conn: Connection, first: date, last: date, window: AsOf, cal: BusinessCalendar,
                  unit_types: tuple[str, ...] = DEFAULT_EXPECTED) -> dict[str, Any]:  # fmt: skip
    u, d = table_of(Unit), table_of(DailyReportRow)
    units = {r.unit_id for r in conn.execute(select(u.c.unit_id).where(u.c.unit_type.in_(unit_types), u.c.active.is_(True)))}
    end = min(last, window.day)
    days = set(cal.business_days(first, end)) if end >= first else set()
    q = (select(d.c.unit_id, d.c.business_date).distinct()
         .where(d.c.business_date >= first, d.c.business_date <= end, window.known_clause(d)))  # fmt: skip
    received: dict[str, int] = {}
    for unit_id, day in conn.execute(q):
        if unit_id in units and day in days:
            key = f"{day.year}-{day.month:02d}"
            received[key] = received.get(key, 0) + 1
    months: list[dict[str, Any]] = []
    y, m = first.year, first.month
    while date(y, m, 1) <= end:
        lo, hi = month_bounds(y, m)
        n_days = sum(1 for x in days if lo <= x <= hi)
        key = f"{y}-{m:02d}"
        expected = n_days * len(units)
        months.append({"month": key, "business_days": n_days, "expected": expected, "received": received.get(key, 0),
                       "rate": round(received.get(key, 0) / expected, 3) if expected else None})  # fmt: skip
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    expected_total, received_total = sum(x["expected"] for x in months), sum(x["received"] for x in months)
    return {
        "unit_types": list(unit_types), "units": len(units), "months": months,
        "expected": expected_total, "received": received_total,
        "rate": round(received_total / expected_total, 3) if expected_total else None,
    }  # fmt: skip


def rejects(conn: Connection, window: AsOf) -> dict[str, Any]:
    t = table_of(Reject)
    open_ = func.sum(case((and_(t.c.resolved_at.is_(None), t.c.handled_at.is_(None)), 1), else_=0))
    q = (select(t.c.source_path, t.c.record_type, func.count(), open_)
         .where(t.c.first_seen_at <= window.at).group_by(t.c.source_path, t.c.record_type)
         .order_by(t.c.source_path, t.c.record_type))  # fmt: skip
    rows = [{"source": s, "record_type": rt or "-", "rejected": int(n), "unhandled": int(o or 0)} for s, rt, n, o in conn.execute(q)]
    return {"rows": rows, "total": sum(r["rejected"] for r in rows), "unhandled": sum(r["unhandled"] for r in rows)}
