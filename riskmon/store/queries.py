"""Read side of the event store: listing and showing events, rejects and units."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Date, func, select

from riskmon.business_calendar import TOKYO
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang
from riskmon.store.tables import EVENT_TABLES, Event, NonconformityRow, Reject, Source, Unit, table_of


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
    return out


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


def unit_names(conn: Connection, lang: Lang) -> dict[str, str]:
    u = table_of(Unit)
    return {
        r.unit_id: (r.name_ja if lang == "ja" else (r.name_en or r.name_ja))
        for r in conn.execute(select(u.c.unit_id, u.c.name_ja, u.c.name_en))
    }


def list_units(conn: Connection, *, unit_type: str | None = None, line: str | None = None) -> list[dict[str, Any]]:
    u = table_of(Unit)
    q = select(u).order_by(u.c.unit_id)
    if unit_type:
        q = q.where(u.c.unit_type == unit_type)
    if line:
        q = q.where(u.c.line == line)
    return [dict(r) for r in conn.execute(q).mappings()]
