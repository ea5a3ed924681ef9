"""The flags a pack talks about: what the rules find over the data known at its data date, each
joined with its case state at that moment.

Stored flags are the record of when evaluations happened to run: read directly, a pack for
2025-09-30 generated in March would show flags about cases discovered in October, and two packs
for the same date would differ by how often the night job ran. So a pack asks the rules again, in a
dry run through the as-of layer (riskmon.store.asof), and takes each flag's review status at the
data date from the case history. The stored flag is used only to find that history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate_dry
from riskmon.rules.spec import Rule
from riskmon.store.asof import ESCALATED, AsOf, CaseState, case_state_at
from riskmon.store.tables import CaseEvent, Flag, table_of


@dataclass
class FlagsAt:
    """Would-be flags at the data date (``now``) and at the start of the period (``before``), the
    case state of every flag with history by the data date (``states``, by flag id) and the stored
    id of each key that has one."""

    window: AsOf
    now: list[dict[str, Any]]
    before: set[str]
    states: dict[int, CaseState]
    ids: dict[str, int]
    errors: dict[str, str]

    def state(self, key: str) -> CaseState:
        flag_id = self.ids.get(key)
        return self.states.get(flag_id, CaseState()) if flag_id is not None else CaseState()

    def open_now(self) -> list[dict[str, Any]]:
        """Found at the data date and, as a case, still open then."""
        return [f for f in self.now if self.state(f["key"]).is_open]


def flags_at(conn: Connection, rules: Sequence[Rule], window: AsOf, first: date, cal: BusinessCalendar) -> FlagsAt:
    now = evaluate_dry(conn, rules, window, cal)
    start = AsOf(cal.at(first, time.min) - timedelta(microseconds=1), window.known_run)
    before = evaluate_dry(conn, rules, start, cal) if start.at < window.at else now
    f = table_of(Flag)
    keys = [x["key"] for x in now.flags]
    ids: dict[str, int] = {}
    for i in range(0, len(keys), 5000):
        ids.update({k: int(v) for k, v in conn.execute(select(f.c.key, f.c.id).where(f.c.key.in_(keys[i : i + 5000])))})
    return FlagsAt(window, now.flags, {x["key"] for x in before.flags}, case_state_at(conn, None, window.at), ids,
                   {**before.errors, **now.errors})  # fmt: skip


def escalations(conn: Connection, lo: datetime, hi: datetime, window: AsOf) -> int:
    """Escalation steps taken in ``[lo, hi]`` that had happened by the data date."""
    e = table_of(CaseEvent)
    q = select(func.count()).select_from(e).where(e.c.action == ESCALATED, e.c.at.between(lo, hi), window.case_events_clause(e))
    return int(conn.execute(q).scalar_one())
