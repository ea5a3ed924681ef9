"""Per rule kind: turn view rows into facts with the derived fields the kind promises, and compile
the rule's conditions (filter + kind condition + severity tiers) for the engine.

Ages, business-day deadlines and window aggregates are computed here, before the engine: durable
rules' own timers are wall-clock only and it has no windowed aggregation (shared note).
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection

from riskmon.business_calendar import BusinessCalendar, add_months, month_bounds
from riskmon.engine import sources
from riskmon.engine.durable_adapter import CompiledRule, CompiledTier
from riskmon.rules.conditions import Condition, Leaf, Node, evaluate, fields_of, to_durable
from riskmon.rules.spec import Period, Rule
from riskmon.store.asof import AsOf


@dataclass
class Fact:
    data: MutableMapping[str, Any]  # a dict, or the rule's derived fields layered over a shared view row
    subject: str
    event_ids: list[str]
    due_at: datetime | None = None
    observed: dict[str, Any] | None = None  # what the evidence shows: value vs threshold / deadline


def kind_condition(rule: Rule) -> Condition | None:
    if rule.kind == "deadline":
        return Leaf("overdue", "is", True)
    if rule.kind == "absence":
        if rule.expect_from:
            return Leaf("missing_days", "at_least", 1)
        return Leaf("gap_days", "above", _gap_limit_days(rule))
    return None


def tiers_of(rule: Rule) -> list[tuple[str, Condition | None]]:
    if rule.kind == "threshold":
        op = "at_least" if rule.direction == "above" else "at_most"
        out: list[tuple[str, Condition | None]] = []
        for tier, level in zip(rule.tiers, (rule.warn, rule.critical), strict=True):
            if level is not None:
                out.append((tier.severity, Leaf(rule.on, op, level)))
        return out
    return [(t.severity, t.when) for t in rule.tiers]


def compile_rule(rule: Rule) -> CompiledRule:
    base = [c for c in (rule.when if rule.kind != "threshold" else None, kind_condition(rule)) if c is not None]
    compiled, fields = [], set()
    for severity, cond in tiers_of(rule):
        parts = [*base, *([cond] if cond is not None else [])]
        if not parts:  # no condition at all: every fact matches (the adapter adds its fact marker)
            compiled.append(CompiledTier(severity, {}))
            continue
        expr = Node("all", tuple(parts)) if len(parts) > 1 else parts[0]
        fields |= fields_of(expr)
        compiled.append(CompiledTier(severity, to_durable(expr)))
    return CompiledRule(rule.id, rule.version, tuple(compiled), tuple(sorted(fields)))


class Views:
    """Each SQL view read once per evaluation run and shared by the rules that use it (seven rules
    look at error cases); a rule's derived fields are layered over the shared rows, not copied in."""

    def __init__(self, conn: Connection, as_of: datetime | AsOf) -> None:
        self.conn = conn
        self.window = AsOf.of(as_of)  # what the views may read (riskmon.store.asof)
        self.as_of = self.window.at
        self._rows: dict[tuple[str, datetime | None], list[dict[str, Any]]] = {}

    def rows(self, event: str, since: datetime | None = None) -> list[dict[str, Any]]:
        key = (event, since)
        if key not in self._rows:
            self._rows[key] = list(sources.VIEWS[event](self.conn, self.window, since))
        return self._rows[key]


def build(rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
    as_of, conn = views.as_of, views.conn
    if rule.kind == "threshold":
        return _threshold(rule, views, cal)
    if rule.kind == "absence" and rule.expect_from:
        return _expected_reports(rule, conn, views.window, cal)
    out = []
    for shared in views.rows(rule.event):
        # derived fields go into a small dict layered over the shared row: no copy per rule,
        # which is most of the evaluation's memory at ten million events
        row: Any = ChainMap({}, shared)
        fact = Fact(row, _subject(rule, row), [row["event_id"]] if row.get("event_id") else [])
        if rule.kind == "deadline":
            _deadline(rule, fact, as_of, cal)
        elif rule.kind == "absence":
            _gap(rule, fact, as_of)
        out.append(fact)
    return out


def _subject(rule: Rule, row: dict[str, Any]) -> str:
    return "|".join(str(row.get(f)) for f in rule.subject)


def _instant(value: date | datetime, cal: BusinessCalendar, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return cal.localize(value)
    return cal.end_of_day(value) if end else cal.at(value, time(0))


def due_after(start: date | datetime, period: Period, cal: BusinessCalendar) -> datetime:
    """When something started at ``start`` is due, for a period of business days/hours, days or months."""
    day = start.astimezone(cal.tz).date() if isinstance(start, datetime) else start
    n = int(period.amount)
    if period.unit == "business_days":
        return cal.end_of_day(cal.add_business_days(day, n))
    if period.unit == "business_hours":
        return cal.add_business_hours(_instant(start, cal), period.amount)
    if period.unit == "days":
        return (
            _instant(start, cal) + timedelta(days=period.amount) if isinstance(start, datetime) else cal.end_of_day(day + timedelta(days=n))
        )
    return cal.end_of_day(add_months(day, n))


def _deadline(rule: Rule, fact: Fact, as_of: datetime, cal: BusinessCalendar) -> None:
    row = fact.data
    start = row.get(rule.start) if rule.start else None
    if rule.due_field:
        due_value = row.get(rule.due_field)
        due_at = _instant(due_value, cal, end=True) if due_value else None
    else:
        due_at = due_after(start, rule.within, cal) if start is not None and rule.within else None
    stop_value = row.get(rule.stop) if rule.stop else None
    stop = _instant(stop_value, cal, end=True) if stop_value is not None else None
    if stop is not None and stop > as_of:
        stop = None
    row["done"] = stop is not None
    if due_at is None:
        row["overdue"] = False
        return
    until = stop or as_of
    row["overdue"] = until > due_at
    row["overdue_days"] = max(0, (until.date() - due_at.date()).days)
    row["overdue_business_days"] = max(0, cal.business_days_between(due_at.date(), until.date()))
    if start is not None:
        begun = _instant(start, cal)
        span = (due_at - begun).total_seconds()
        # unrounded: a threshold such as "twice the allowed time" must not move with the rounding
        row["elapsed_ratio"] = (until - begun).total_seconds() / span if span > 0 else None
    fact.due_at = due_at
    fact.observed = {"start": start, "due_at": due_at, "done_at": stop, "as_of": as_of,
                     "overdue_business_days": row["overdue_business_days"]}  # fmt: skip


def _gap_limit_days(rule: Rule) -> float:
    gap = rule.max_gap
    if gap is None:
        return 0
    return gap.amount * (7 / 5 if gap.unit == "business_days" else 30 if gap.unit == "months" else 1)


def _gap(rule: Rule, fact: Fact, as_of: datetime) -> None:
    row = fact.data
    last = row.get(rule.last or "") or row.get(rule.since or "")
    if last is None:
        return
    last_day = last.date() if isinstance(last, datetime) else last
    row["gap_days"] = (as_of.date() - last_day).days
    fact.observed = {"last_seen": last_day, "gap_days": row["gap_days"], "max_gap_days": _gap_limit_days(rule)}


def _expected_reports(rule: Rule, conn: Connection, window: AsOf, cal: BusinessCalendar) -> list[Fact]:
    """Daily-report style absence: each expected unit × each business day whose cut-off has passed."""
    as_of = window.at
    due_time = rule.due_at or time(10, 0)
    day = cal.previous_business_day(as_of.date(), inclusive=True)
    days: list[date] = []
    while len(days) < rule.lookback_business_days:
        if as_of >= cal.at(cal.next_business_day(day), due_time):
            days.append(day)
        day = cal.previous_business_day(day)
    if not days:
        return []
    present = sources.report_days(conn, min(days), max(days), window)
    out = []
    for unit in sources.units(conn, rule.expect_from):
        missing = sorted(d for d in days if (unit["unit_id"], d) not in present)
        data = {"unit_id": unit["unit_id"], "unit_name": unit["name_ja"], "unit_type": unit["unit_type"],
                "region_id": unit["parent_unit_id"], "missing_days": len(missing),
                "missing_dates": ", ".join(d.isoformat() for d in missing)}  # fmt: skip
        due = cal.at(cal.next_business_day(missing[0]), due_time) if missing else None
        out.append(Fact(data, unit["unit_id"], [], due, {"missing_dates": missing, "checked_days": len(days)}))
    return out


def window_bounds(rule: Rule, as_of: datetime, cal: BusinessCalendar) -> tuple[date, date, str]:
    """The window's first and last day (inclusive) and its label."""
    today = as_of.astimezone(cal.tz).date()
    if "rolling_days" in rule.window:
        n = int(rule.window["rolling_days"])
        first = today - timedelta(days=n - 1)
        return first, today, f"{first}..{today}"
    if "calendar" in rule.window:
        first, _ = month_bounds(today.year, today.month)
        return first, today, f"{today:%Y-%m}"
    fy = cal.fiscal_year(today)
    part = rule.window.get("fiscal", "year")
    if part == "half":
        first, _ = cal.fiscal_half_bounds(fy, cal.fiscal_half(today))
        return first, today, f"FY{fy}H{cal.fiscal_half(today)}"
    if part == "quarter":
        first = add_months(cal.fiscal_year_bounds(fy)[0], 3 * (cal.fiscal_quarter(today) - 1))
        return first, today, f"FY{fy}Q{cal.fiscal_quarter(today)}"
    return cal.fiscal_year_bounds(fy)[0], today, f"FY{fy}"


def _threshold(rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
    as_of = views.as_of
    first, last, label = window_bounds(rule, as_of, cal)
    shift = (last - first + timedelta(days=1)) if rule.compare == "previous_period" else None
    if rule.compare == "same_period_last_year":
        prev = (add_months(first, -12), add_months(last, -12))
    elif shift is not None:
        prev = (first - shift, last - shift)
    else:
        prev = None
    lo = prev[0] if prev else first
    time_field = sources.TIME_FIELD[rule.event]
    current: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    previous: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in views.rows(rule.event, cal.at(lo, time(0))):
        if rule.when is not None and not evaluate(rule.when, row):
            continue  # candidate selection; the threshold decision itself is the engine's
        when = row[time_field]
        day = when.astimezone(cal.tz).date() if isinstance(when, datetime) else when
        key = tuple(row.get(g) for g in rule.group_by)
        if first <= day <= last:
            current[key].append(row)
        elif prev and prev[0] <= day <= prev[1]:
            previous[key].append(row)
    out = []
    for key in sorted(set(current) | (set(previous) if rule.compare else set()), key=str):
        rows = current.get(key, [])
        value = _measure(rule, rows, time_field)
        before = _measure(rule, previous.get(key, []), time_field) if prev else None
        change = round((value - before) / before * 100, 1) if before else None
        data = {**dict(zip(rule.group_by, key, strict=True)), "value": value, "previous_value": before,
                "change_pct": change, "period": label}  # fmt: skip
        if rows:
            data.update({k: v for k, v in rows[-1].items() if k in ("unit_name", "region_id", "unit_type") and k not in data})
        threshold = {"warn": rule.warn, "critical": rule.critical, "direction": rule.direction, "on": rule.on}
        ids = [r["event_id"] for r in rows if r.get("event_id")][:50]
        out.append(Fact(data, _subject(rule, data), ids, None, {"window": (first, last), "previous_window": prev,
                                                                  "threshold": threshold}))  # fmt: skip
    return out


def _measure(rule: Rule, rows: Iterable[dict[str, Any]], time_field: str) -> float:
    rows = list(rows)
    if rule.measure == "count":
        return float(len(rows))
    name = rule.measure_field or ""
    values = [float(r[name]) for r in rows if r.get(name) is not None]
    if not values:
        return 0.0
    if rule.measure == "sum":
        return sum(values)
    if rule.measure == "max":
        return max(values)
    if rule.measure == "min":
        return min(values)
    if rule.measure == "avg":
        return round(sum(values) / len(values), 2)
    latest = max((r for r in rows if r.get(rule.measure_field or "") is not None), key=lambda r: r[time_field])
    return float(latest[rule.measure_field or ""])
