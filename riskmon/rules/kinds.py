"""What each rule kind adds to the rule language: deadlines and their periods, threshold
windows and levels, absence expectations. Functions of the parser, which keeps the messages."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from riskmon.events.enums import UnitType
from riskmon.rules.spec import Period
from riskmon.rules.vocabulary import NUMERIC, SOURCES, FieldType

if TYPE_CHECKING:
    from riskmon.rules.parser import RuleParser

PERIOD_UNITS = ("business_days", "business_hours", "days", "months")
MEASURES = ("count", "sum", "max", "min", "avg", "latest")
WINDOWS = ("rolling_days", "calendar", "fiscal")


def _period(p: RuleParser, key: str) -> Period | None:
    raw = p.data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in PERIOD_UNITS:
        p.err(
            (key,),
            f"期間は {{{' | '.join(PERIOD_UNITS)}: 数}} の1つで書いてください",
            f"a period is one of {{{' | '.join(PERIOD_UNITS)}: number}}",
        )
        return None
    unit = next(iter(raw))
    amount = p._value((key, unit), raw[unit])
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
        if amount is not None:
            p.err((key, unit), f"0 以上の数で書いてください: {amount!r}", f"must be a number ≥ 0: {amount!r}")
        return None
    return Period(unit, float(amount))


def _date_field(p: RuleParser, key: str, fields: dict[str, FieldType], *, required: bool) -> str | None:
    name = p.data.get(key)
    if name is None:
        if required:
            p.err((), f"'{key}' がありません", f"'{key}' is missing")
        return None
    ftype = p._field((key,), name, fields)
    if ftype is not None and ftype not in ("date", "datetime"):
        p.err((key,), f"'{name}' は日付・日時の項目ではありません", f"'{name}' is not a date or date-time field")
        return None
    return str(name) if ftype else None


def kind_parts(p: RuleParser, kind: str, event: str | None, fields: dict[str, FieldType]) -> dict[str, Any]:
    if kind == "deadline":
        within = _period(p, "within")
        due = _date_field(p, "due", fields, required=False)
        if within is None and due is None:
            p.err(
                (),
                "期限は within（期間）か due（期日の項目）で書いてください",
                "give the deadline as 'within' (a period) or 'due' (a date field)",
            )
        start = _date_field(p, "start", fields, required=due is None)
        stop = _date_field(p, "stop", fields, required=False)
        return {"start": start, "stop": stop, "within": within, "due_field": due}
    if kind == "threshold":
        return _threshold(p, event)
    if kind == "absence":
        return _absence(p, fields)
    return {}


def _threshold(p: RuleParser, event: str | None) -> dict[str, Any]:
    raw = p.data
    measure = raw.get("measure", "count")
    if measure not in MEASURES:
        p._choice(("measure",), measure, MEASURES, "measure")
    src = SOURCES.get(event or "", {})
    mfield = raw.get("field")
    if measure != "count":
        ftype = p._field(("field",), mfield, src) if mfield is not None else None
        if mfield is None:
            p.err((), f"measure: {measure} には field が必要です", f"measure: {measure} needs a 'field'")
        elif ftype is not None and ftype not in NUMERIC:
            p.err(("field",), f"'{mfield}' は数値の項目ではありません", f"'{mfield}' is not a numeric field")
    window = raw.get("window")
    if not isinstance(window, dict) or len(window) != 1 or next(iter(window)) not in WINDOWS:
        p.err(
            ("window",),
            "window は {rolling_days: 30} / {calendar: month} / {fiscal: quarter|half|year}",
            "window is {rolling_days: 30}, {calendar: month} or {fiscal: quarter|half|year}",
        )
        window = {}
    elif "rolling_days" in window:
        window = {"rolling_days": p._value(("window", "rolling_days"), window["rolling_days"])}
    elif window.get("calendar") not in (None, "month") or window.get("fiscal", "year") not in (
        "quarter",
        "half",
        "year",
    ):
        p.err(
            ("window",),
            "calendar は month、fiscal は quarter / half / year です",
            "calendar takes month; fiscal takes quarter, half or year",
        )
    group_by = raw.get("group_by", [])
    if not isinstance(group_by, list):
        p.err(("group_by",), "group_by は項目のリストです", "group_by is a list of fields")
        group_by = []
    for i, g in enumerate(group_by):
        p._field(("group_by", i), g, src)
    warn = p._value(("warn",), raw.get("warn"))
    critical = p._value(("critical",), raw.get("critical"))
    if warn is None and critical is None:
        p.err((), "warn か critical の少なくとも一方が必要です", "give 'warn', 'critical' or both")
    direction = raw.get("direction", "above")
    if direction not in ("above", "below"):
        p._choice(("direction",), direction, ("above", "below"), "direction")
    compare = raw.get("compare")
    if compare not in (None, "previous_period", "same_period_last_year"):
        p._choice(("compare",), compare, ("previous_period", "same_period_last_year"), "compare")
    on = raw.get("threshold_on", "value")
    if on not in ("value", "change_pct"):
        p._choice(("threshold_on",), on, ("value", "change_pct"), "threshold_on")
    if on == "change_pct" and compare is None:
        p.err(("threshold_on",), "threshold_on: change_pct には compare が必要です", "threshold_on: change_pct needs 'compare'")
    return {
        "measure": measure,
        "measure_field": mfield,
        "window": window,
        "group_by": tuple(group_by),
        "warn": warn,
        "critical": critical,
        "direction": direction,
        "compare": compare,
        "on": on,
    }


def _absence(p: RuleParser, fields: dict[str, FieldType]) -> dict[str, Any]:
    raw = p.data
    if "expect_from" in raw:
        types = raw["expect_from"] if isinstance(raw["expect_from"], list) else [raw["expect_from"]]
        for i, t in enumerate(types):
            if t not in {u.value for u in UnitType}:
                p._choice(("expect_from", i), t, [u.value for u in UnitType], "unit type")
        due_at = raw.get("due_at", "10:00")
        try:
            due = time.fromisoformat(str(due_at))
        except ValueError:
            p.err(("due_at",), f"時刻は HH:MM で書いてください: {due_at!r}", f"a time is HH:MM: {due_at!r}")
            due = time(10, 0)
        lookback = raw.get("lookback_business_days", 5)
        if not isinstance(lookback, int) or isinstance(lookback, bool) or not 1 <= lookback <= 60:
            p.err(("lookback_business_days",), "1〜60 の整数です", "an integer from 1 to 60")
            lookback = 5
        return {"expect_from": tuple(types), "due_at": due, "lookback_business_days": lookback}
    return {
        "last": _date_field(p, "last", fields, required=True),
        "since": _date_field(p, "since", fields, required=True),
        "max_gap": _period(p, "max_gap"),
    }
