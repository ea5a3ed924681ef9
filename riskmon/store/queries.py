"""Read side of the event store: listing and showing events, rejects and units."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Date, func, select, update

from riskmon.business_calendar import TOKYO
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang
from riskmon.store.tables import (
    EVENT_TABLES,
    ErrorReportRow,
    ErrorUpdateRow,
    Event,
    EventRawText,
    NonconformityRow,
    Reject,
    Source,
    Unit,
    table_of,
)


@dataclass(frozen=True)
class EventFilter:
    type: str | None = None
    unit_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    units: frozenset[str] | None = None  # only these units (a first-line viewer's, riskmon.review.policy.visible_units)


def list_events(conn: Connection, flt: EventFilter, lang: Lang) -> list[dict[str, Any]]:
    """Newest first across the chosen families, each with a one-line summary in ``lang``.

    Each family's table is asked for its newest ``limit`` rows by its own time field; the lists are
    then merged, so the cost does not depend on how many events are stored.
    """
    tz = flt.since.tzinfo if flt.since else (flt.until.tzinfo if flt.until else None)
    per_family = []
    for name in [flt.type] if flt.type else list(FAMILIES):
        family = FAMILIES[name]
        table = table_of(EVENT_TABLES[name])
        when = table.c[family.time_field]
        q = select(table).where(*_event_conditions(name, flt)).order_by(when.desc(), table.c.event_id).limit(flt.limit)
        rows = []
        for r in conn.execute(q).mappings():
            at = as_instant(r[family.time_field], tz or TOKYO)
            rows.append({
                "event_id": r["event_id"], "type": name, "unit_id": r["unit_id"], "occurred_at": at,
                "summary": family.summary(dict(r), lang),
            })  # fmt: skip
        per_family.append(rows)
    merged = heapq.merge(*per_family, key=lambda r: r["occurred_at"], reverse=True)
    return [r for _, r in zip(range(flt.limit), merged, strict=False)]


def count_events(conn: Connection, flt: EventFilter) -> int:
    """How many events match ``flt``, whatever its limit (the M of the CLI's "N of M")."""
    total = 0
    for name in [flt.type] if flt.type else list(FAMILIES):
        table = table_of(EVENT_TABLES[name])
        total += int(conn.execute(select(func.count()).select_from(table).where(*_event_conditions(name, flt))).scalar_one())
    return total


def _event_conditions(name: str, flt: EventFilter) -> list[Any]:
    """The WHERE of one family's table for ``flt``: unit, and the time window on its own time field."""
    table = table_of(EVENT_TABLES[name])
    when = table.c[FAMILIES[name].time_field]
    is_date = isinstance(when.type, Date)
    out: list[Any] = []
    if flt.unit_id:
        out.append(table.c.unit_id == flt.unit_id)
    if flt.units is not None:
        out.append(table.c.unit_id.in_(sorted(flt.units)))
    if flt.since:
        out.append(when >= (flt.since.date() if is_date else flt.since))
    if flt.until:
        out.append(when <= (flt.until.date() if is_date else flt.until))
    return out


def as_instant(value: date | datetime, tz: Any) -> datetime:
    """Dates sort as the start of their day in ``tz``, so dated and timed events merge in order."""
    return value if isinstance(value, datetime) else datetime.combine(value, time(0), tzinfo=tz)


def get_event(conn: Connection, event_id: str) -> dict[str, Any] | None:
    """The stored event with its fields, provenance and (for inspections) nonconformities."""
    ev, src = table_of(Event), table_of(Source)
    head = (
        conn.execute(
            select(ev.c.event_id, ev.c.type, ev.c.ingest_run_id, ev.c.source_line, src.c.path.label("source_path"))
            .join(src, src.c.id == ev.c.source_id)
            .where(ev.c.event_id == event_id)
        )
        .mappings()
        .first()
    )
    if head is None:
        return None
    table = table_of(EVENT_TABLES[head["type"]])
    fields = dict(conn.execute(select(table).where(table.c.event_id == event_id)).mappings().one())
    out: dict[str, Any] = {**dict(head), "unit_id": fields["unit_id"], "fields": fields}
    if FAMILIES[head["type"]].children:
        nc = table_of(NonconformityRow)
        rows = conn.execute(select(nc).where(nc.c.event_id == event_id).order_by(nc.c.nc_id)).mappings()
        out["fields"]["nonconformities"] = [{k: v for k, v in dict(r).items() if k not in ("event_id", "inspection_id")} for r in rows]
    written = table_of(EventRawText)  # the cells as written in the file, where they were read into another form
    kept = conn.execute(select(written.c.cells, written.c.raw).where(written.c.event_id == event_id)).first()
    out["as_written"] = {"cells": kept.cells, "raw": kept.raw} if kept is not None else None
    return out


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items of a list and how many there are in all (the M of the CLI's "N of M"), so no
    list is ever cut silently; flags, events and rejects all come back in this one shape."""

    items: list[T]
    total: int


@dataclass(frozen=True)
class UnitRecord:
    """One unit of the master, typed; its fields are the ``units`` columns in table order, so
    ``as_dict()`` is what ``--format json`` has always printed (a test compares the two)."""

    unit_id: str
    name_ja: str
    name_en: str | None
    unit_type: str
    line: str
    parent_unit_id: str | None
    prefecture: str | None
    active: bool
    source_path: str | None
    source_line: int | None
    updated_at: datetime

    def name(self, lang: Lang) -> str:
        """The unit's name in ``lang`` (the Japanese one when it has no English name)."""
        return self.name_ja if lang == "ja" else (self.name_en or self.name_ja)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RejectRecord:
    """One quarantined record, typed; fields are the ``rejects`` columns in table order."""

    id: int
    ingest_run_id: int
    source_path: str
    line_no: int
    raw: str
    raw_hash: str
    record_type: str | None
    event_id: str | None
    kind: str  # invalid / conflict
    reasons: list[dict[str, str]]  # riskmon.events.reasons.Reason.as_dict() each
    first_seen_at: datetime
    last_seen_at: datetime
    times_seen: int
    resolved_at: datetime | None
    handled_by: str | None
    handled_at: datetime | None
    handled_note: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def unit_records(conn: Connection, *, unit_type: str | None = None, line: str | None = None) -> list[UnitRecord]:
    """:func:`list_units` as typed records."""
    return [UnitRecord(**r) for r in list_units(conn, unit_type=unit_type, line=line)]


def reject_page(conn: Connection, *, include_resolved: bool = False, limit: int | None = 100) -> Page[RejectRecord]:
    """Rejects in file and line order (``limit`` None: all of them) and how many there are."""
    total = count_rejects(conn, include_resolved=include_resolved)
    rows = list_rejects(conn, include_resolved=include_resolved, limit=total if limit is None else limit)
    return Page([RejectRecord(**r) for r in rows], total)


def list_rejects(conn: Connection, *, include_resolved: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    rj = table_of(Reject)
    q = select(rj)
    if not include_resolved:
        q = q.where(rj.c.resolved_at.is_(None))
    q = q.order_by(rj.c.source_path, rj.c.line_no).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def count_rejects(conn: Connection, *, include_resolved: bool = False) -> int:
    rj = table_of(Reject)
    q = select(func.count()).select_from(rj)
    if not include_resolved:
        q = q.where(rj.c.resolved_at.is_(None))
    return int(conn.execute(q).scalar_one())


def unit_names(conn: Connection, lang: Lang, only: Iterable[str] | None = None) -> dict[str, str]:
    """Unit names in ``lang``; ``only``: just these units (a page that shows a few of 4,000 units
    reads those few)."""
    u = table_of(Unit)
    q = select(u.c.unit_id, u.c.name_ja, u.c.name_en)
    if only is not None:
        q = q.where(u.c.unit_id.in_(sorted(set(only))))
    return {r.unit_id: (r.name_ja if lang == "ja" else (r.name_en or r.name_ja)) for r in conn.execute(q)}


def event_summaries(conn: Connection, event_ids: list[str], lang: Lang) -> list[dict[str, Any]]:
    """Each event id with its type and one-line summary (``type`` None: not stored), in the given order."""
    ev = table_of(Event)
    heads = {r.event_id: r.type for r in conn.execute(select(ev.c.event_id, ev.c.type).where(ev.c.event_id.in_(event_ids)))}
    out: list[dict[str, Any]] = []
    for event_id in event_ids:
        kind = heads.get(event_id)
        if kind is None:
            out.append({"event_id": event_id, "type": None, "summary": ""})
            continue
        t = table_of(EVENT_TABLES[kind])
        row = conn.execute(select(t).where(t.c.event_id == event_id)).mappings().first()
        out.append({"event_id": event_id, "type": kind, "summary": FAMILIES[kind].summary(dict(row or {}), lang) if row else ""})
    return out


def error_case(conn: Connection, case_id: str) -> dict[str, Any] | None:
    """A 事務処理誤り case: its report and each later step (``error_updates``), or None."""
    r, u = table_of(ErrorReportRow), table_of(ErrorUpdateRow)
    report = conn.execute(select(r).where(r.c.case_id == case_id)).mappings().first()
    steps = [dict(x) for x in conn.execute(select(u).where(u.c.case_id == case_id).order_by(u.c.at, u.c.event_id)).mappings()]
    if report is None and not steps:
        return None
    unit = report["unit_id"] if report else steps[0]["unit_id"]
    return {"case_id": case_id, "unit_id": unit, "report": dict(report) if report else None, "steps": steps}


def list_units(conn: Connection, *, unit_type: str | None = None, line: str | None = None) -> list[dict[str, Any]]:
    u = table_of(Unit)
    q = select(u).order_by(u.c.unit_id)
    if unit_type:
        q = q.where(u.c.unit_type == unit_type)
    if line:
        q = q.where(u.c.line == line)
    return [dict(r) for r in conn.execute(q).mappings()]


def reject_sources(conn: Connection) -> tuple[list[str], list[int]]:
    """The files and the ingest runs that have rejected records (what 取込エラー filters by)."""
    rj = table_of(Reject)
    files = [r[0] for r in conn.execute(select(rj.c.source_path).distinct().order_by(rj.c.source_path))]
    runs = [r[0] for r in conn.execute(select(rj.c.ingest_run_id).distinct().order_by(rj.c.ingest_run_id.desc()))]
    return files, runs


def reject_rows(conn: Connection, *, file: str = "", run: int | None = None, open_only: bool = True, per: int = 100,
                page: int = 1) -> tuple[list[dict[str, Any]], int, int]:  # fmt: skip
    """One page of rejects (in file and line order) of ``file`` / ``run``; ``open_only``: neither
    resolved by a later ingest nor marked as dealt with. Returns the rows, the total and the page
    actually shown (clamped to the last one)."""
    rj = table_of(Reject)
    q = select(rj)
    if file:
        q = q.where(rj.c.source_path == file)
    if run is not None:
        q = q.where(rj.c.ingest_run_id == run)
    if open_only:
        q = q.where(rj.c.resolved_at.is_(None), rj.c.handled_at.is_(None))
    total = int(conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
    page = min(max(page, 1), max(1, -(-total // per)))
    rows = conn.execute(q.order_by(rj.c.source_path, rj.c.line_no, rj.c.id).limit(per).offset((page - 1) * per)).mappings()
    return [dict(r) for r in rows], total, page


def mark_reject_handled(conn: Connection, reject_id: int, user_id: str, note: str | None, at: datetime) -> dict[str, Any] | None:
    """Record who dealt with a reject and when (once: a second mark changes nothing). Returns the
    reject's file, line and whether it was already handled; None when there is no such reject."""
    rj = table_of(Reject)
    row = conn.execute(select(rj.c.source_path, rj.c.line_no, rj.c.handled_at).where(rj.c.id == reject_id)).mappings().first()
    if row is None:
        return None
    if row["handled_at"] is None:
        conn.execute(update(rj).where(rj.c.id == reject_id).values(handled_by=user_id, handled_at=at, handled_note=note))
    return {"file": row["source_path"], "line": row["line_no"], "already": row["handled_at"] is not None}
