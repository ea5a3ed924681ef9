"""The morning review queue: what the acting user should look at first.

Buckets, in order (:class:`riskmon.domain.Bucket`): closures awaiting *my* confirmation (a
second-line user, four-eyes proposals by another person), new since the last business day,
escalated, overdue, the rest. The flags are read through the policy's visibility in SQL; only
the bucketing happens here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, and_

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import OPEN_STATES, Bucket, FlagStatus, Line, Severity
from riskmon.flags import repository
from riskmon.flags.repository import FlagFilter, FlagRecord
from riskmon.review import policy
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.asof import AsOf

#: the buckets in the order the queue shows them
BUCKETS: tuple[Bucket, ...] = tuple(Bucket)


@dataclass(frozen=True)
class QueueItem:
    """A flag in the queue and why it is there."""

    flag: FlagRecord
    bucket: Bucket


@dataclass
class Queue:
    user_id: str
    line: Line
    items: list[QueueItem] = field(default_factory=list)
    by_severity: Counter[Severity] = field(default_factory=Counter)
    by_line: Counter[str] = field(default_factory=Counter)

    def in_bucket(self, bucket: Bucket) -> list[QueueItem]:
        return [i for i in self.items if i.bucket is bucket]


def morning_queue(engine: Engine, user_id: str, as_of: datetime, cal: BusinessCalendar) -> Queue:
    """Open cases the user may see, bucketed; within each bucket by owner unit, most severe first,
    oldest first. Only flags raised by ``as_of`` (the as-of layer, riskmon.store.asof): a queue for
    a past morning does not show later flags."""
    with engine.connect() as conn:
        who = actor(conn, user_id)
        scope = and_(policy.visibility(who), AsOf(as_of).flags_clause())
        flags = repository.list_page(conn, FlagFilter(status=FlagStatus.OPEN, review_status=OPEN_STATES), None, scope=scope).items
        proposers = {p.by: _person(conn, p.by) for f in flags if (p := policy.pending_closure(f)) is not None}
    since = cal.at(cal.previous_business_day(as_of.astimezone(cal.tz).date()), as_of.astimezone(cal.tz).timetz().replace(tzinfo=None))
    queue = Queue(who.user_id, who.line)
    for flag in flags:
        queue.items.append(QueueItem(flag, _bucket(who, flag, proposers, since, as_of)))
        queue.by_severity[flag.severity] += 1
        queue.by_line[flag.owner_line] += 1
    queue.items.sort(key=lambda i: (BUCKETS.index(i.bucket), i.flag.owner_unit, -i.flag.severity.rank, i.flag.first_seen, i.flag.id))
    return queue


def _bucket(who: Actor, flag: FlagRecord, proposers: dict[str, Actor | None], since: datetime, as_of: datetime) -> Bucket:
    p = policy.pending_closure(flag)
    if (
        p is not None
        and who.line == Line.SECOND
        and (proposer := proposers.get(p.by)) is not None
        and not policy.same_person(who, proposer)
    ):
        return Bucket.AWAITING_ME
    if flag.first_seen >= since:
        return Bucket.NEW
    if flag.escalation_level > 0:
        return Bucket.ESCALATED
    if flag.due_at is not None and flag.due_at < as_of:
        return Bucket.OVERDUE
    return Bucket.OTHER


def _person(conn: Connection, user_id: str) -> Actor | None:
    try:
        return actor(conn, user_id, active_only=False)
    except UnknownUser:
        return None
