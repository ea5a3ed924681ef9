"""Offices compared fairly: 事務処理誤り per 10,000 forms processed, on a funnel plot.

A ranking by raw counts flags an office for being large, and hides a small office with a real
problem behind the noise of small numbers. The funnel plot (Spiegelhalter, 2005) compares each
office's rate with the national rate, allowing for its volume: if every office had the national
rate, its count of errors would be Poisson with mean ``national rate × its forms processed``, and
would fall inside the 95 % limits 19 times in 20 and inside the 99.8 % limits 998 times in 1,000.
An office outside the 99.8 % limits is unlikely to differ by chance alone: above, more errors than
its volume explains; below, fewer — which may also mean errors not being reported.

The limits are exact Poisson quantiles (riskmon.poisson, the same code the engine's Poisson test
uses). The volume is the 日報's ``forms_processed`` summed over the period, as known at the data
date; an office with no processed forms in the period is not plotted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from riskmon import poisson
from riskmon.business_calendar import BusinessCalendar
from riskmon.store.asof import AsOf
from riskmon.store.tables import DailyReportRow, ErrorReportRow, Unit, table_of

PER = 10_000  # rates are errors per 10,000 forms processed
LEVELS = (0.95, 0.998)


def limits(expected: float, level: float) -> tuple[int, int]:
    """The counts an office with ``expected`` errors would stay within at ``level`` (two-sided)."""
    tail = (1 - level) / 2
    return poisson.quantile(expected, tail), poisson.quantile(expected, 1 - tail)


@dataclass(frozen=True)
class OfficePoint:
    unit_id: str
    name: str
    errors: int
    forms: int
    rate: float  # errors per 10,000 forms
    expected: float  # errors at the national rate for this volume
    outside: str  # "" inside the 95 % limits; "above_95" / "above_998" / "below_95" / "below_998"


def funnel(conn: Connection, first: date, last: date, window: AsOf, cal: BusinessCalendar, names: dict[str, str]) -> dict[str, Any]:
    """Every office's errors and forms processed in the period as of the data date, the national
    rate, and the offices outside the 95 % and 99.8 % limits (worst first)."""
    er, dr, u = table_of(ErrorReportRow), table_of(DailyReportRow), table_of(Unit)
    offices = {r[0] for r in conn.execute(select(u.c.unit_id).where(u.c.unit_type.in_(("pension_office", "administration_center"))))}
    lo, hi = cal.at(first, datetime.min.time()), cal.end_of_day(last)
    errors: Counter[str] = Counter(
        unit for (unit,) in conn.execute(select(er.c.unit_id).where(er.c.discovered_at.between(lo, hi),
                                                                    window.events_clause(er, er.c.discovered_at)))
    )  # fmt: skip
    forms = {
        unit: int(n)
        for unit, n in conn.execute(
            select(dr.c.unit_id, func.sum(dr.c.forms_processed))
            .where(dr.c.business_date.between(first, last), window.events_clause(dr, dr.c.business_date))
            .group_by(dr.c.unit_id)
        )
        if unit in offices and n
    }
    total_forms = sum(forms.values())
    total_errors = sum(errors[o] for o in forms)
    national = total_errors / total_forms if total_forms else 0.0
    points = []
    for unit, volume in sorted(forms.items()):
        count, expected = errors[unit], national * volume
        points.append(OfficePoint(unit, names.get(unit, unit), count, volume, round(count / volume * PER, 2), round(expected, 2),
                                  _outside(count, expected)))  # fmt: skip
    flagged = sorted((p for p in points if p.outside), key=lambda p: (_SEVERITY[p.outside], -abs(p.errors - p.expected), p.unit_id))
    return {
        "national_rate": round(national * PER, 2), "offices": len(points), "errors": total_errors, "forms": total_forms,
        "points": [asdict(p) for p in points], "outside": [asdict(p) for p in flagged],
    }  # fmt: skip


_SEVERITY = {"above_998": 0, "below_998": 1, "above_95": 2, "below_95": 3}


def _outside(count: int, expected: float) -> str:
    (lo95, hi95), (lo998, hi998) = (limits(expected, level) for level in LEVELS)
    if count > hi998:
        return "above_998"
    if count < lo998:
        return "below_998"
    if count > hi95:
        return "above_95"
    if count < lo95:
        return "below_95"
    return ""
