"""The morning review queue: what the acting user should look at first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.review import policy
from riskmon.review.users import actor
from riskmon.rules.spec import SEVERITIES
from riskmon.store.asof import AsOf
from riskmon.store.tables import Flag, table_of

BUCKETS = ("new", "escalated", "overdue", "other")


@dataclass
class Queue:
    user_id: str
    line: str
    items: list[dict[str, Any]] = field(default_factory=list)  # each with "bucket"
    by_severity: Counter[str] = field(default_factory=Counter)
    by_line: Counter[str] = field(default_factory=Counter)


def morning_queue(engine: Engine, user_id: str, as_of: datetime, cal: BusinessCalendar) -> Queue:
    """Open cases the user may see: new since the last business day, escalated, overdue, the rest;
    within each, most severe first, grouped by owner unit. Only flags raised by ``as_of`` (the
    as-of layer, riskmon.store.asof): a queue for a past morning does not show later flags."""
    t = table_of(Flag)
    with engine.connect() as conn:
        who = actor(conn, user_id)
        q = select(t).where(t.c.review_status.in_(policy.OPEN_STATES), t.c.status == "open", AsOf(as_of).flags_clause(t))
        rows = [dict(r) for r in conn.execute(q).mappings()]
    since = cal.at(cal.previous_business_day(as_of.astimezone(cal.tz).date()), as_of.astimezone(cal.tz).timetz().replace(tzinfo=None))
    queue = Queue(who.user_id, who.line)
    for flag in rows:
        if not policy.can_see(who, flag):
            continue
        if flag["first_seen"] >= since:
            flag["bucket"] = "new"
        elif flag["escalation_level"] > 0:
            flag["bucket"] = "escalated"
        elif flag["due_at"] is not None and flag["due_at"] < as_of:
            flag["bucket"] = "overdue"
        else:
            flag["bucket"] = "other"
        queue.items.append(flag)
        queue.by_severity[flag["severity"]] += 1
        queue.by_line[flag["owner_line"]] += 1
    queue.items.sort(key=lambda f: (BUCKETS.index(f["bucket"]), f["owner_unit"], -SEVERITIES.index(f["severity"]), f["first_seen"]))
    return queue
