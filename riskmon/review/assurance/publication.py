"""Reconciliation of error reports against publications: every 事務処理誤り discovered in the
period should carry a 公表判断 (``error_update`` step ``publication_decided``: publish or withhold,
with its reason), so that nothing is left out of the 月次・年次公表 by default (S1:2090).

Per month of discovery: reports, decided to publish, decided to withhold, no decision as of the
data date; and the cases with no decision, oldest first. The latest decision of a case counts (a
decision can be revisited). R19 flags a missing decision once its deadline has passed; here every
undecided case is listed, due or not, because the reconciliation is about the population.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.events.enums import ErrorStep, PublicationDecision
from riskmon.store.asof import AsOf
from riskmon.store.tables import ErrorReportRow, ErrorUpdateRow, table_of


def publication(conn: Connection, first: date, last: date, window: AsOf, cal: BusinessCalendar) -> dict[str, Any]:
    er, up = table_of(ErrorReportRow), table_of(ErrorUpdateRow)
    cases = conn.execute(
        select(er.c.case_id, er.c.unit_id, er.c.discovered_at, er.c.category)
        .where(er.c.discovered_at >= cal.at(first, datetime.min.time()), er.c.discovered_at <= cal.end_of_day(last),
               window.events_clause(er, er.c.discovered_at))
        .order_by(er.c.discovered_at, er.c.case_id)
    ).all()  # fmt: skip
    decided: dict[str, str] = {}
    q = (select(up.c.case_id, up.c.publication_decision)
         .where(up.c.step == ErrorStep.PUBLICATION_DECIDED, window.events_clause(up, up.c.at))
         .order_by(up.c.at, up.c.event_id))  # fmt: skip
    for case_id, decision in conn.execute(q):
        if decision:
            decided[case_id] = decision
    months: dict[str, dict[str, Any]] = {}
    missing = []
    for case_id, unit_id, discovered_at, category in cases:
        day = discovered_at.astimezone(cal.tz).date()
        key = f"{day.year}-{day.month:02d}"
        row = months.setdefault(key, {"month": key, "reports": 0, "publish": 0, "withhold": 0, "undecided": 0})
        row["reports"] += 1
        decision = decided.get(case_id)
        if decision == PublicationDecision.PUBLISH:
            row["publish"] += 1
        elif decision == PublicationDecision.WITHHOLD:
            row["withhold"] += 1
        else:
            row["undecided"] += 1
            missing.append({"case_id": case_id, "unit_id": unit_id, "discovered_on": day.isoformat(), "category": category})
    rows = [months[k] for k in sorted(months)]
    totals = {k: sum(r[k] for r in rows) for k in ("reports", "publish", "withhold", "undecided")}
    return {"months": rows, **totals, "undecided_cases": missing}
