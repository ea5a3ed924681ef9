"""``match``: a row of the view meets the rule's ``when``; the filter alone decides."""

from __future__ import annotations

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine.kinds.base import Fact, Kind, Views
from riskmon.rules.schema import MatchSpec
from riskmon.rules.spec import Rule


class Match(Kind[MatchSpec]):
    name = "match"
    spec = MatchSpec

    def build(self, rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
        return self.rows_as_facts(rule, views)
