"""``threshold``: an aggregate of the view's rows over a window (rolling days, the calendar month,
the fiscal quarter / half / year), per group, against ``warn`` and ``critical`` — optionally as a
change on the previous period or the same period last year. Window aggregation is done here:
durable_rules has none. The rule's ``when`` selects the rows counted; the engine decides the level.

Two comparisons for what a bare number misreads: ``test: poisson`` (a p-value, so 1 → 2 is no
increase and 0 → 8 is one; the test itself is :mod:`riskmon.poisson`) and ``target``
(a level per group, e.g. the processing-days target by medium, with how many months running the
group missed it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from riskmon.business_calendar import BusinessCalendar, add_months, month_bounds
from riskmon.engine.kinds.base import Fact, Kind, Views, subject_of
from riskmon.poisson import rate_increase_p
from riskmon.rules.conditions import Condition, Leaf, Node, evaluate
from riskmon.rules.schema import ThresholdSpec
from riskmon.rules.spec import Rule
from riskmon.rules.vocabulary import TIME_FIELD


def window_bounds(spec: ThresholdSpec, as_of: datetime, cal: BusinessCalendar) -> tuple[date, date, str]:
    """The window's first and last day (inclusive) and its label."""
    today = as_of.astimezone(cal.tz).date()
    if "rolling_days" in spec.window:
        n = int(spec.window["rolling_days"])
        first = today - timedelta(days=n - 1)
        return first, today, f"{first}..{today}"
    if "calendar" in spec.window:
        first, _ = month_bounds(today.year, today.month)
        return first, today, f"{today:%Y-%m}"
    fy = cal.fiscal_year(today)
    part = spec.window.get("fiscal", "year")
    if part == "half":
        first, _ = cal.fiscal_half_bounds(fy, cal.fiscal_half(today))
        return first, today, f"FY{fy}H{cal.fiscal_half(today)}"
    if part == "quarter":
        first = add_months(cal.fiscal_year_bounds(fy)[0], 3 * (cal.fiscal_quarter(today) - 1))
        return first, today, f"FY{fy}Q{cal.fiscal_quarter(today)}"
    return cal.fiscal_year_bounds(fy)[0], today, f"FY{fy}"


class Threshold(Kind[ThresholdSpec]):
    name = "threshold"
    spec = ThresholdSpec

    def filter(self, rule: Rule) -> Condition | None:
        return None  # ``when`` chose the rows while building; a fact is a group, not a row

    def tiers(self, rule: Rule) -> list[tuple[str, Condition | None]]:
        spec = self.spec_of(rule)
        op = "at_least" if spec.direction == "above" else "at_most"
        out: list[tuple[str, Condition | None]] = []
        floor = Leaf("value", "at_least", spec.min_count) if spec.min_count is not None else None
        for tier, level in zip(rule.tiers, (spec.warn, spec.critical), strict=True):
            if level is not None:
                leaf = Leaf(spec.threshold_on, op, level)
                out.append((tier.severity, Node("all", (leaf, floor)) if floor else leaf))
        return out

    def build(self, rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
        spec = self.spec_of(rule)
        as_of = views.as_of
        first, last, label = window_bounds(spec, as_of, cal)
        prev = _compared(spec, first, last)
        lo = prev[0] if prev else first
        time_field = TIME_FIELD[rule.event]
        current: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        previous: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in views.rows(rule.event, cal.at(lo, time(0))):
            if rule.when is not None and not evaluate(rule.when, row):
                continue  # candidate selection; the threshold decision itself is the engine's
            when = row[time_field]
            day = when.astimezone(cal.tz).date() if isinstance(when, datetime) else when
            key = tuple(row.get(g) for g in spec.group_by)
            if first <= day <= last:
                current[key].append(row)
            elif prev and prev[0] <= day <= prev[1]:
                previous[key].append(row)
        out = []
        for key in sorted(set(current) | (set(previous) if spec.compare else set()), key=str):
            rows = current.get(key, [])
            value = _measure(spec, rows, time_field)
            before = _measure(spec, previous.get(key, []), time_field) if prev else None
            change = round((value - before) / before * 100, 1) if before else None
            data = {**dict(zip(spec.group_by, key, strict=True)), "value": value, "previous_value": before,
                    "change_pct": change, "period": label}  # fmt: skip
            if spec.test == "poisson" and prev is not None:
                spans = ((last - first).days + 1, (prev[1] - prev[0]).days + 1)
                data["p_value"] = round(rate_increase_p(int(value), int(before or 0), spans[0] / spans[1]), 4)
            if spec.target is not None:
                data.update(_against_target(spec, data))
            if rows:
                data.update({k: v for k, v in rows[-1].items() if k in ("unit_name", "region_id", "unit_type") and k not in data})
            threshold = {"warn": spec.warn, "critical": spec.critical, "direction": spec.direction, "on": spec.threshold_on,
                         **({"test": spec.test, "min_count": spec.min_count} if spec.test else {})}  # fmt: skip
            ids = [r["event_id"] for r in rows if r.get("event_id")][:50]
            out.append(Fact(data, subject_of(rule, data), ids, None, {"window": (first, last), "previous_window": prev,
                                                                        "threshold": threshold}))  # fmt: skip
        return out


def _compared(spec: ThresholdSpec, first: date, last: date) -> tuple[date, date] | None:
    """The window compared with: the same days a year earlier, or the period before — for a
    calendar month, the whole previous month (a month's average is compared with last month's)."""
    if spec.compare == "same_period_last_year":
        return add_months(first, -12), add_months(last, -12)
    if spec.compare != "previous_period":
        return None
    if "calendar" in spec.window:
        start = add_months(first, -1)
        return start, first - timedelta(days=1)
    shift = last - first + timedelta(days=1)
    return first - shift, last - shift


def _against_target(spec: ThresholdSpec, data: dict[str, Any]) -> dict[str, Any]:
    """The group's target (picked by its value of ``target.field``), the excess over it, and how
    many months running it was missed: 1 this window, 2 this and the compared one."""
    assert spec.target is not None
    target = spec.target.values.get(str(data.get(spec.target.field)))
    if target is None:
        return {"target": None, "over_target": None, "months_over_target": 0}
    value, before = data["value"], data["previous_value"]
    missed = value > target
    return {"target": float(target), "over_target": round(value - target, 2),
            "months_over_target": int(missed) + int(missed and before is not None and before > target)}  # fmt: skip


def _measure(spec: ThresholdSpec, rows: Iterable[dict[str, Any]], time_field: str) -> float:
    rows = list(rows)
    if spec.measure == "count":
        return float(len(rows))
    if spec.measure == "ratio":  # e.g. total processing days / forms processed = the average days
        num = sum(float(r[spec.measure_field or ""] or 0) for r in rows)
        den = sum(float(r[spec.per or ""] or 0) for r in rows)
        return round(num / den, 2) if den else 0.0
    name = spec.measure_field or ""
    values = [float(r[name]) for r in rows if r.get(name) is not None]
    if not values:
        return 0.0
    if spec.measure == "sum":
        return sum(values)
    if spec.measure == "max":
        return max(values)
    if spec.measure == "min":
        return min(values)
    if spec.measure == "avg":
        return round(sum(values) / len(values), 2)
    latest = max((r for r in rows if r.get(name) is not None), key=lambda r: r[time_field])
    return float(latest[name])
