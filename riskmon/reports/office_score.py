"""The office-risk score: one formula (``score_formula`` in riskmon.i18n.documents), two sources.

The committee pack scores the flags the rules find at its data date (riskmon.reports.pack_flags);
the ダッシュボード scores the stored flags now, counted by one SQL ``GROUP BY`` (it must stay fast on
tens of thousands of flags). Both feed the same terms — errors of the period, the backlog from the
daily reports — and the same :func:`rank`, so the page and the pack can never weigh an office
differently.

Three terms, each bounded so none dominates (a long backlog once gave 160 points alone): open
flags (重大 3, 高 2, 中 1; at most :data:`FLAG_CAP`), errors of the period (重点三事案 2, others 1;
at most :data:`ERROR_CAP`) and the backlog (days the oldest pending item exceeds 4; at most
:data:`BACKLOG_CAP`). An error is counted once: a flag about an error case of the period counts
only when it is about its handling (it has a deadline) — the flag that merely says "this is a
重点三事案" would count the same error a second time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, not_, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import OPEN_STATES, Severity
from riskmon.reports.pack_flags import FlagsAt
from riskmon.store.asof import AsOf
from riskmon.store.tables import DailyReportRow, ErrorReportRow, Flag, Unit, table_of

#: the bounds of the terms (riskmon.i18n.documents ``score_formula`` says them)
FLAG_CAP, ERROR_CAP, BACKLOG_CAP = 10, 10, 5
WEIGHT = {Severity.CRITICAL.value: 3, Severity.HIGH.value: 2, Severity.MEDIUM.value: 1}
OFFICE_TYPES = ("pension_office", "administration_center")
Parts = dict[str, Counter[str]]


def risky_offices(
    conn: Connection, fa: FlagsAt, first: date, last: date, cal: BusinessCalendar, names: dict[str, str], top: int = 10
) -> list[dict[str, Any]]:
    """The pack's ranking, as of its data date: the open flags are the rules' findings then."""
    offices = _offices(conn, None)
    parts, cases = _errors(conn, offices, first, last, fa.window, cal)
    for flag in fa.open_now():
        unit, sev = flag["owner_unit"], flag["severity"]
        if unit in offices and sev in WEIGHT and (flag["subject"] not in cases or flag["due_at"] is not None):
            parts[unit][f"open_{sev}"] += 1
    _backlog(conn, None, last, fa.window, parts)
    return rank(parts, names, top)


def current_risky_offices(conn: Connection, units: frozenset[str] | None, first: date, now: datetime, cal: BusinessCalendar,
                          names: dict[str, str], top: int = 10) -> list[dict[str, Any]]:  # fmt: skip
    """The dashboard's ranking now, over ``first``..today: the stored open flags (the フラグ一覧's
    対応中), by one aggregate; ``units`` (the first line's own, None: all) limits the offices."""
    window, last = AsOf(now), now.astimezone(cal.tz).date()
    offices = _offices(conn, units)
    parts, _ = _errors(conn, offices, first, last, window, cal, keep_cases=False)
    f, er = table_of(Flag), table_of(ErrorReportRow)
    in_period = select(er.c.case_id).where(_period(er, first, last, window, cal))
    q = (select(f.c.owner_unit, f.c.severity, func.count())
         .where(f.c.review_status.in_(list(OPEN_STATES)), f.c.owner_unit.in_(sorted(offices)), f.c.severity.in_(list(WEIGHT)),
                not_(and_(f.c.subject.in_(in_period), f.c.due_at.is_(None))))
         .group_by(f.c.owner_unit, f.c.severity))  # fmt: skip
    for unit, sev, n in conn.execute(q):
        parts[unit][f"open_{sev}"] += int(n)
    _backlog(conn, units, last, window, parts)
    return rank(parts, names, top)


def rank(parts: Parts, names: dict[str, str], top: int) -> list[dict[str, Any]]:
    """The formula: each term capped, summed; highest first, then by unit id."""
    scored: list[dict[str, Any]] = []
    for unit, p in parts.items():
        flags = min(FLAG_CAP, 3 * p["open_critical"] + 2 * p["open_high"] + p["open_medium"])
        errors = min(ERROR_CAP, 2 * p["priority"] + p["other_errors"])
        score = flags + errors + min(BACKLOG_CAP, p["backlog"])
        scored.append({"unit_id": unit, "name": names.get(unit, unit), "score": score, **{k: p[k] for k in
                       ("open_critical", "open_high", "open_medium", "priority", "other_errors", "backlog")}})  # fmt: skip
    return sorted(scored, key=lambda x: (-x["score"], x["unit_id"]))[:top]


def _offices(conn: Connection, units: frozenset[str] | None) -> set[str]:
    u = table_of(Unit)
    found = {r[0] for r in conn.execute(select(u.c.unit_id).where(u.c.unit_type.in_(OFFICE_TYPES)))}
    return found if units is None else found & units


def _period(er: Any, first: date, last: date, window: AsOf, cal: BusinessCalendar) -> Any:
    return and_(er.c.discovered_at.between(cal.at(first, datetime.min.time()), cal.end_of_day(last)),
                window.events_clause(er, er.c.discovered_at))  # fmt: skip


def _errors(conn: Connection, offices: set[str], first: date, last: date, window: AsOf, cal: BusinessCalendar,
            keep_cases: bool = True) -> tuple[Parts, set[str]]:  # fmt: skip
    """The error term's counts by office, and (``keep_cases``) the period's case ids."""
    er = table_of(ErrorReportRow)
    parts: Parts = defaultdict(Counter)
    cases: set[str] = set()
    if keep_cases:
        for case_id, unit, priority in conn.execute(select(er.c.case_id, er.c.unit_id, er.c.is_priority_incident)
                                                    .where(_period(er, first, last, window, cal))):  # fmt: skip
            cases.add(case_id)
            if unit in offices:
                parts[unit]["priority" if priority else "other_errors"] += 1
        return parts, cases
    q = (select(er.c.unit_id, er.c.is_priority_incident, func.count())
         .where(_period(er, first, last, window, cal), er.c.unit_id.in_(sorted(offices)))
         .group_by(er.c.unit_id, er.c.is_priority_incident))  # fmt: skip
    for unit, priority, n in conn.execute(q):
        parts[unit]["priority" if priority else "other_errors"] += int(n)
    return parts, cases


def _backlog(conn: Connection, units: frozenset[str] | None, last: date, window: AsOf, parts: Parts) -> None:
    """Days the oldest pending item exceeds 4, from each unit's latest daily report of the last
    week (every unit that files one; ``units``: only those)."""
    dr = table_of(DailyReportRow)
    week = and_(dr.c.business_date.between(last - timedelta(days=6), last), window.events_clause(dr, dr.c.business_date))
    if units is not None:
        week = and_(week, dr.c.unit_id.in_(sorted(units)))
    latest = select(dr.c.unit_id, func.max(dr.c.business_date).label("d")).where(week).group_by(dr.c.unit_id).subquery()
    newest = and_(latest.c.unit_id == dr.c.unit_id, latest.c.d == dr.c.business_date)
    q = select(dr.c.unit_id, dr.c.oldest_pending_days).join(latest, newest)
    for unit, days in conn.execute(q):
        if days > 4:
            parts[unit]["backlog"] = days - 4
