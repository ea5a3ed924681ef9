"""The one as-of layer: what was true, and what was known, at a moment.

Every question of the form "as of T" — the engine's views, a committee pack, the review queue,
the third line's assurance report — applies T through this module instead of spelling
``<= as_of`` itself, because each hand-written copy was a chance to forget one side of it (the
上期 pack once counted cause analyses recorded in October and flags about cases discovered later).

An :class:`AsOf` has two coordinates:

- ``at``: the moment. An event counts when its own time (``discovered_at``, ``at``,
  ``inspected_on``, ``business_date`` …) is at or before ``at``; a case event counts when it
  happened at or before ``at``.
- ``known_run``: the ingest high-water mark. An event counts only when the ingest run that
  stored it is ``<= known_run`` (``None``: everything stored). A backdated event that arrives
  later carries a later run id, so a pack regenerated with its recorded ``known_run`` does not
  change when late news arrives: it says what was known when it was first written.

Case state is not a column you can filter: a flag's ``review_status`` is its state *now*. The state
at T is replayed from ``case_events`` (:func:`case_state_at`), which record every transition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, Table, and_, exists, select, true
from sqlalchemy.sql.elements import ColumnElement

from riskmon.domain import CLOSED_STATES, OPEN_STATES, CaseAction
from riskmon.store.tables import CaseEvent, Event, Flag, IngestRun, table_of

#: case-event actions that close a case (the confirming one carries who proposed it)
_CLOSING = (CaseAction.RESOLVE.value, CaseAction.DISMISS.value, CaseAction.CONFIRM.value)
#: the action escalation records (riskmon.review.escalation)
ESCALATED = "escalated"


@dataclass(frozen=True)
class AsOf:
    """A moment and the knowledge available at it; see the module docstring."""

    at: datetime
    known_run: int | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("AsOf.at must be timezone-aware")

    @classmethod
    def of(cls, value: AsOf | datetime) -> AsOf:
        """Accept either form, so callers that only have a moment keep working."""
        return value if isinstance(value, AsOf) else cls(value)

    @property
    def day(self) -> date:
        """The day of ``at`` in its own zone: what a date column (``inspected_on``) is compared with."""
        return self.at.date()

    def known_clause(self, table: Table) -> ColumnElement[bool]:
        """Rows of ``table`` (keyed by ``event_id``) whose event was stored by a run ``<= known_run``."""
        if self.known_run is None:
            return true()
        ev = table_of(Event)
        return exists().where(ev.c.event_id == table.c.event_id, ev.c.ingest_run_id <= self.known_run)

    def events_clause(self, table: Table, time_col: Any) -> ColumnElement[bool]:
        """Events whose own time is at or before ``at`` (a date column: its day) and that were known."""
        bound: date | datetime = self.day if isinstance(time_col.type, Date) else self.at
        return and_(time_col <= bound, self.known_clause(table))

    def case_events_clause(self, table: Table | None = None) -> ColumnElement[bool]:
        """Case events (``case_events``) that had happened by ``at``."""
        t = table if table is not None else table_of(CaseEvent)
        return t.c.at <= self.at

    def flags_clause(self, table: Table | None = None) -> ColumnElement[bool]:
        """Flags that had been raised by ``at`` (their case state at ``at``: :func:`case_state_at`)."""
        t = table if table is not None else table_of(Flag)
        return t.c.first_seen <= self.at


@dataclass
class CaseState:
    """A flag's case as it stood at a moment, replayed from its history."""

    status: str = "open"
    closed_at: datetime | None = None
    closed_by: list[str] = field(default_factory=list)
    resolution: str | None = None
    note: str | None = None
    acknowledged_at: datetime | None = None
    escalation_level: int = 0
    escalations: list[datetime] = field(default_factory=list)
    reopened: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATES


def case_state_at(conn: Connection, flag_ids: Iterable[int] | None, at: datetime) -> dict[int, CaseState]:
    """Each flag's review status (and closure, escalation) at ``at``, from ``case_events`` up to ``at``.

    ``flag_ids=None``: every flag that has any history by then. A flag without history by ``at`` is
    absent from the answer; its state then was the state every case starts in (``CaseState()``)."""
    e = table_of(CaseEvent)
    q = select(e.c.flag_id, e.c.at, e.c.actor, e.c.action, e.c.to_status, e.c.detail).where(e.c.at <= at)
    ids = None if flag_ids is None else sorted(set(flag_ids))
    rows: list[Any] = []
    if ids is None:
        rows = list(conn.execute(q.order_by(e.c.flag_id, e.c.at, e.c.id)))
    else:
        for i in range(0, len(ids), 5000):  # bounded IN lists on both backends
            rows += conn.execute(q.where(e.c.flag_id.in_(ids[i : i + 5000])).order_by(e.c.flag_id, e.c.at, e.c.id)).all()
    states: dict[int, CaseState] = {}
    for flag_id, when, who, action, to_status, detail in rows:
        _apply(states.setdefault(flag_id, CaseState()), when, who, action, to_status, detail or {})
    return states


def _apply(s: CaseState, when: datetime, who: str, action: str, to_status: str | None, detail: dict[str, Any]) -> None:
    if action in (CaseAction.PROPOSE.value, CaseAction.RESOLVE.value, CaseAction.DISMISS.value) and detail.get("note") is not None:
        s.note = detail.get("note")
    if action == ESCALATED:
        s.escalation_level += 1
        s.escalations.append(when)
    if action in (CaseAction.ACKNOWLEDGE.value, CaseAction.TAKE_ON.value) and s.acknowledged_at is None:
        s.acknowledged_at = when
    if to_status is None or to_status == s.status:
        return
    was_closed = s.is_closed
    s.status = to_status
    if s.is_closed and action in _CLOSING:
        proposer = detail.get("proposed_by") if action == CaseAction.CONFIRM.value else None
        s.closed_by = [p for p in (proposer, who) if p]
        s.closed_at, s.resolution = when, detail.get("resolution")
    elif was_closed and s.is_open:  # reopened: what reopening clears (riskmon.flags.store.REOPENED_CASE)
        s.closed_at, s.closed_by, s.resolution, s.escalation_level, s.reopened = None, [], None, 0, True


def high_water(conn: Connection) -> int:
    """The ingest high-water mark now: the largest run id N such that no run ``<= N`` is still
    running (a running run's batches are still arriving). 0 when nothing has been ingested."""
    r = table_of(IngestRun)
    running = conn.execute(select(r.c.id).where(r.c.status == "running").order_by(r.c.id).limit(1)).scalar()
    q = select(r.c.id).order_by(r.c.id.desc()).limit(1)
    if running is not None:
        q = q.where(r.c.id < running)
    return int(conn.execute(q).scalar() or 0)
