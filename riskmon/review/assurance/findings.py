"""Follow-up of the 監査部's own findings (S1:2375-2381; S3:583-584): which findings are still
open as of the data date (no 改善確認 yet), the date of each follow-up step, and which are overdue.

Overdue is what the rules say it is — R32 (improvement plan) and R33 (3-month follow-up report) —
read from their flags as they stood at the report's moment (raised by then and not yet cleared),
so the report never computes a deadline of its own that could disagree with the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from riskmon.events.enums import AuditStep
from riskmon.store.asof import AsOf
from riskmon.store.tables import AuditFindingRow, AuditFollowUpRow, table_of

FOLLOW_UP_RULES = ("R32", "R33")
_STEPS = {AuditStep.IMPROVEMENT_PLAN: "plan_on", AuditStep.FOLLOWUP_REPORT: "followup_on", AuditStep.CONFIRMED: "confirmed_on"}


def findings(conn: Connection, first: date, last: date, window: AsOf, flags: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``flags``: every flag raised by the moment (with ``cleared_at``); R32/R33's open ones make a finding overdue."""
    f, fu = table_of(AuditFindingRow), table_of(AuditFollowUpRow)
    q = select(f).where(window.events_clause(f, f.c.reported_on)).order_by(f.c.reported_on, f.c.finding_id)
    rows = {r.finding_id: {"finding_id": r.finding_id, "unit_id": r.unit_id, "reported_on": r.reported_on.isoformat(),
                           "level": r.level, "plan_on": None, "followup_on": None, "confirmed_on": None, "overdue": []}
            for r in conn.execute(q)}  # fmt: skip
    for r in conn.execute(select(fu).where(window.events_clause(fu, fu.c.done_on)).order_by(fu.c.done_on)):
        column = _STEPS.get(AuditStep(r.step)) if r.step in set(AuditStep) else None
        if r.finding_id in rows and column and rows[r.finding_id][column] is None:
            rows[r.finding_id][column] = r.done_on.isoformat()
    for x in flags:
        if x["rule_id"] in FOLLOW_UP_RULES and (x["cleared_at"] is None or x["cleared_at"] > window.at):
            finding = rows.get(x["subject"].split("|", 1)[0])
            if finding is not None:
                finding["overdue"].append(x["rule_id"])
    in_period = [r for r in rows.values() if first.isoformat() <= r["reported_on"] <= last.isoformat()]
    open_ = [r for r in rows.values() if r["confirmed_on"] is None]
    return {
        "reported_in_period": len(in_period), "open": len(open_), "overdue": sum(1 for r in open_ if r["overdue"]),
        "rows": open_,
    }  # fmt: skip
