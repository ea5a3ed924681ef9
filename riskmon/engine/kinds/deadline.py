"""``deadline``: something started (``start``) and what should end it (``stop``) did not happen in
time — a period after the start (business days or hours, days, months) or a stored due date.
Business-day arithmetic is done here, before the engine: durable_rules' timers are wall-clock only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from riskmon.business_calendar import BusinessCalendar, add_months
from riskmon.engine.kinds.base import Fact, Kind, Views
from riskmon.rules.conditions import Condition, Leaf
from riskmon.rules.schema import DeadlineSpec, Period
from riskmon.rules.spec import Rule


def instant(value: date | datetime, cal: BusinessCalendar, *, end: bool = False) -> datetime:
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
        return cal.add_business_hours(instant(start, cal), period.amount)
    if period.unit == "days":
        return (
            instant(start, cal) + timedelta(days=period.amount) if isinstance(start, datetime) else cal.end_of_day(day + timedelta(days=n))
        )
    return cal.end_of_day(add_months(day, n))


class Deadline(Kind[DeadlineSpec]):
    name = "deadline"
    spec = DeadlineSpec

    def condition(self, rule: Rule) -> Condition | None:
        return Leaf("overdue", "is", True)

    def build(self, rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
        facts = self.rows_as_facts(rule, views)
        for fact in facts:
            self._derive(self.spec_of(rule), fact, views.as_of, cal)
        return facts

    @staticmethod
    def _derive(spec: DeadlineSpec, fact: Fact, as_of: datetime, cal: BusinessCalendar) -> None:
        row = fact.data
        start = row.get(spec.start) if spec.start else None
        if spec.due:
            due_value = row.get(spec.due)
            due_at = instant(due_value, cal, end=True) if due_value else None
        else:
            due_at = due_after(start, spec.within, cal) if start is not None and spec.within else None
        stop_value = row.get(spec.stop) if spec.stop else None
        stop = instant(stop_value, cal, end=True) if stop_value is not None else None
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
            begun = instant(start, cal)
            span = (due_at - begun).total_seconds()
            # unrounded: a threshold such as "twice the allowed time" must not move with the rounding
            row["elapsed_ratio"] = (until - begun).total_seconds() / span if span > 0 else None
        fact.due_at = due_at
        fact.observed = {"start": start, "due_at": due_at, "done_at": stop, "as_of": as_of,
                         "overdue_business_days": row["overdue_business_days"]}  # fmt: skip
