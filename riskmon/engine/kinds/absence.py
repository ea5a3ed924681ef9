"""``absence``: something expected did not arrive. Either a daily report per expected unit and
business day, due by a time on the next business day (``expect_from``), or a gap since the last
time something happened (``last`` / ``since`` / ``max_gap``)."""

from __future__ import annotations

from datetime import date, datetime

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine import sources
from riskmon.engine.kinds.base import Fact, Kind, Views
from riskmon.rules.conditions import Condition, Leaf
from riskmon.rules.schema import AbsenceSpec
from riskmon.rules.spec import Rule


def gap_limit_days(spec: AbsenceSpec) -> float:
    gap = spec.max_gap
    if gap is None:
        return 0
    return gap.amount * (7 / 5 if gap.unit == "business_days" else 30 if gap.unit == "months" else 1)


class Absence(Kind[AbsenceSpec]):
    name = "absence"
    spec = AbsenceSpec

    def condition(self, rule: Rule) -> Condition | None:
        spec = self.spec_of(rule)
        if spec.expect_from is not None:
            return Leaf("missing_days", "at_least", 1)
        return Leaf("gap_days", "above", gap_limit_days(spec))

    def build(self, rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
        spec = self.spec_of(rule)
        if spec.expect_from is not None:
            return self._expected_reports(spec, views, cal)
        facts = self.rows_as_facts(rule, views)
        for fact in facts:
            row = fact.data
            last = row.get(spec.last or "") or row.get(spec.since or "")
            if last is None:
                continue
            last_day = last.date() if isinstance(last, datetime) else last
            row["gap_days"] = (views.as_of.date() - last_day).days
            fact.observed = {"last_seen": last_day, "gap_days": row["gap_days"], "max_gap_days": gap_limit_days(spec)}
        return facts

    @staticmethod
    def _expected_reports(spec: AbsenceSpec, views: Views, cal: BusinessCalendar) -> list[Fact]:
        """Each expected unit × each business day whose cut-off has passed."""
        as_of, conn, due_time = views.as_of, views.conn, spec.due_at
        day = cal.previous_business_day(as_of.date(), inclusive=True)
        days: list[date] = []
        while len(days) < spec.lookback_business_days:
            if as_of >= cal.at(cal.next_business_day(day), due_time):
                days.append(day)
            day = cal.previous_business_day(day)
        if not days:
            return []
        present = sources.report_days(conn, min(days), max(days), views.window)
        out = []
        for unit in sources.units(conn, tuple(t.value for t in spec.expect_from or ())):
            missing = sorted(d for d in days if (unit["unit_id"], d) not in present)
            data = {"unit_id": unit["unit_id"], "unit_name": unit["name_ja"], "unit_type": unit["unit_type"],
                    "region_id": unit["parent_unit_id"], "missing_days": len(missing),
                    "missing_dates": ", ".join(d.isoformat() for d in missing)}  # fmt: skip
            due = cal.at(cal.next_business_day(missing[0]), due_time) if missing else None
            out.append(Fact(data, unit["unit_id"], [], due, {"missing_dates": missing, "checked_days": len(days)}))
        return out
