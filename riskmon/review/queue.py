"""The morning review queue: what the acting user should look at first.

Buckets, in order (:class:`riskmon.domain.Bucket`): closures awaiting *my* confirmation (a
second-line user, four-eyes proposals by another person), new since the last business day,
escalated, overdue, the rest. The bucketing is a SQL ``CASE`` over the flags the policy lets the
user see, so the counts per bucket, severity and line come from ``GROUP BY`` and the page asks
for the first ``per_bucket`` flags of each bucket in one more query (a window per bucket, and a
``LIMIT``): a second-line officer's queue over a store with tens of thousands of open flags never
loads them all into Python, and the database goes over the user's open flags twice, not once per
bucket. Only the
flags carrying a proposal are read in full first, because who may confirm a proposal is the
policy's decision (:func:`riskmon.review.policy.pending_closure`, ``same_person``), not SQL's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Select, String, and_, case, cast, func, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import PowersConfig
from riskmon.domain import OPEN_STATES, Bucket, FlagStatus, Line, Severity
from riskmon.flags import repository
from riskmon.flags.repository import FlagRecord, severity_order
from riskmon.review import domains, policy
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.asof import AsOf
from riskmon.store.tables import Flag, table_of

#: the buckets in the order the queue shows them
BUCKETS: tuple[Bucket, ...] = tuple(Bucket)


@dataclass(frozen=True)
class QueueItem:
    """A flag in the queue and why it is there."""

    flag: FlagRecord
    bucket: Bucket


@dataclass
class Queue:
    """The queue's items (all of them, or the first ``per_bucket`` of each bucket) and its exact
    counts, which always cover the whole queue."""

    user_id: str
    line: Line
    items: list[QueueItem] = field(default_factory=list)
    by_severity: Counter[Severity] = field(default_factory=Counter)
    by_line: Counter[str] = field(default_factory=Counter)
    counts: Counter[Bucket] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def in_bucket(self, bucket: Bucket) -> list[QueueItem]:
        return [i for i in self.items if i.bucket is bucket]


def morning_queue(engine: Engine, user_id: str, as_of: datetime, cal: BusinessCalendar, per_bucket: int | None = None,
                  powers: PowersConfig | None = None) -> Queue:  # fmt: skip
    """Open cases the user may see, bucketed; within each bucket most severe first, then oldest
    first (issue #11: "ordered by severity then age"), then by id so the order is total. Only
    flags raised by ``as_of`` (the as-of layer, riskmon.store.asof): a queue for a past morning
    does not show later flags. ``per_bucket``: at most this many items of each bucket (the web
    page); the counts still cover every flag."""
    f = table_of(Flag)
    since = cal.at(cal.previous_business_day(as_of.astimezone(cal.tz).date()), as_of.astimezone(cal.tz).timetz().replace(tzinfo=None))
    with engine.connect() as conn:
        who = actor(conn, user_id)
        scope = and_(policy.visibility(who), AsOf(as_of).flags_clause(), f.c.status == FlagStatus.OPEN.value,
                     f.c.review_status.in_([s.value for s in OPEN_STATES]))  # fmt: skip
        bucket = _bucket_sql(_awaiting_me(conn, who, scope, powers or PowersConfig()), since, as_of)
        queue = Queue(who.user_id, who.line)
        for b, severity, line, n in conn.execute(select(bucket, f.c.severity, f.c.owner_line, func.count()).where(scope)
                                                 .group_by(bucket, f.c.severity, f.c.owner_line)):  # fmt: skip
            queue.counts[BUCKETS[b]] += n
            queue.by_severity[Severity(severity)] += n
            queue.by_line[line] += n
        if queue.total:
            q = _items(scope, bucket, per_bucket)
            queue.items = [QueueItem(FlagRecord.from_row(r), BUCKETS[r["bucket"]]) for r in conn.execute(q).mappings()]
    return queue


def _items(scope: ColumnElement[bool], bucket: ColumnElement[int], per_bucket: int | None) -> Select[Any]:
    """The queue's flags in bucket order, each bucket most severe first, then oldest, then by id.

    With ``per_bucket``, the first of each bucket come from one pass over the queue: a window
    (``row_number()`` per bucket) picks their ids and the outer query reads only those rows, by
    id, with a ``LIMIT`` of ``per_bucket`` × the buckets. (One query per bucket used to scan the
    user's open flags again for every bucket: on PostgreSQL, with open flags spread over a
    table that a year of nightly updates has made large, each scan was most of the page's time.)"""
    f = table_of(Flag)
    order = (severity_order().desc(), f.c.first_seen, f.c.id)
    q = select(f, bucket.label("bucket")).order_by(bucket, *order)
    if per_bucket is None:
        return q.where(scope)
    place = func.row_number().over(partition_by=bucket, order_by=order).label("place")
    ranked = select(f.c.id, place).where(scope).subquery()
    first = select(ranked.c.id).where(ranked.c.place <= per_bucket)
    return q.where(f.c.id.in_(first)).limit(per_bucket * len(BUCKETS))


def _awaiting_me(conn: Connection, who: Actor, scope: ColumnElement[bool], powers: PowersConfig) -> list[int]:
    """The flags whose pending closure ``who`` may confirm: a second-line user, the proposer
    another person (:func:`policy.same_person`), one of the two an owner of the flag's domain,
    and an executive's approval on record where one is needed (:mod:`riskmon.review.domains`).
    Only flags with a proposal are read."""
    if who.line != Line.SECOND:
        return []
    f = table_of(Flag)
    # a proposal that was confirmed or withdrawn is stored as JSON null, which is not SQL NULL
    carrying = and_(f.c.proposal.is_not(None), cast(f.c.proposal, String) != "null")
    proposed = [FlagRecord.from_row(r) for r in conn.execute(select(f).where(scope, carrying)).mappings()]
    pending = [(flag, p) for flag in proposed if (p := policy.pending_closure(flag)) is not None]
    proposers = {by: _person(conn, by) for by in {p.by for _, p in pending}}  # one lookup per proposer
    mine = []
    for flag, p in pending:
        proposer = proposers[p.by]
        if (
            proposer is None
            or policy.same_person(who, proposer)
            or not (domains.owns(powers, who, flag) or domains.owns(powers, proposer, flag))
        ):
            continue
        if (
            domains.needs_executive_approval(powers, flag, p.resolution)
            and domains.approval_of(repository.history(conn, flag.id), p) is None
        ):
            continue  # the executive first (S1:2108)
        mine.append(flag.id)
    return mine


def _bucket_sql(awaiting: list[int], since: datetime, as_of: datetime) -> ColumnElement[int]:
    """A flag's bucket as its index in :data:`BUCKETS`, in SQL; the first that applies wins."""
    f = table_of(Flag)
    whens: list[tuple[ColumnElement[bool], int]] = []
    if awaiting:
        whens.append((f.c.id.in_(awaiting), BUCKETS.index(Bucket.AWAITING_ME)))
    whens += [
        (f.c.first_seen >= since, BUCKETS.index(Bucket.NEW)),
        (f.c.escalation_level > 0, BUCKETS.index(Bucket.ESCALATED)),
        (and_(f.c.due_at.is_not(None), f.c.due_at < as_of), BUCKETS.index(Bucket.OVERDUE)),
    ]
    return case(*whens, else_=BUCKETS.index(Bucket.OTHER))


def _person(conn: Connection, user_id: str) -> Actor | None:
    try:
        return actor(conn, user_id, active_only=False)
    except UnknownUser:
        return None
