"""Writing a validated batch: idempotency checks and inserts in one transaction.

The bulk path uses the driver's ``executemany`` with values prepared once per column type, rather
than the ORM, because per-row ORM work would dominate ingest time (docs/benchmarks.md). Every
batch is one transaction: events, their typed rows and the batch's rejects commit together or not
at all, so nothing reported as accepted can be lost and no half-batch is ever visible.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import Boolean, Connection, Date, Table, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.events.registry import FAMILIES, EventFamily
from riskmon.ingest.reasons import Reason
from riskmon.store.tables import EVENT_TABLES, Event, NonconformityRow, Reject
from riskmon.store.types import TZDateTime, to_utc_text


@dataclass(slots=True)
class Accepted:
    source: str
    line: int
    event: BaseModel
    content_hash: str
    raw: str


@dataclass(slots=True)
class Rejection:
    source: str
    line: int
    raw: str
    reasons: list[Reason]
    kind: str = "invalid"  # invalid | conflict
    record_type: str | None = None
    event_id: str | None = None


@dataclass
class BatchOutcome:
    accepted: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)


def content_hash(canonical_json: bytes) -> str:
    return hashlib.blake2b(canonical_json, digest_size=16).hexdigest()


def _tbl(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _converter(col_type: Any, dialect: str) -> Callable[[Any], Any]:
    if isinstance(col_type, TZDateTime):
        if dialect == "sqlite":
            return lambda v: None if v is None else to_utc_text(v)
        return lambda v: v
    if isinstance(col_type, Date) and dialect == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    if isinstance(col_type, Boolean):
        return lambda v: None if v is None else bool(v)
    return lambda v: v.value if isinstance(v, Enum) else v


class _InsertPlan:
    """A prepared ``INSERT`` for one table: column order, converters and the driver SQL."""

    def __init__(self, table: Table, dialect: str) -> None:
        self.table = table
        self.columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        self.converters = [_converter(table.c[name].type, dialect) for name in self.columns]
        mark = "?" if dialect == "sqlite" else "%s"
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({', '.join([mark] * len(self.columns))})"
        )

    def row(self, *sources: Any) -> tuple[Any, ...]:
        """Values for one row, each column taken from the first source that has it."""
        out = []
        for name, conv in zip(self.columns, self.converters, strict=True):
            for src in sources:
                if isinstance(src, dict):
                    if name in src:
                        out.append(conv(src[name]))
                        break
                elif hasattr(src, name):
                    out.append(conv(getattr(src, name)))
                    break
            else:
                out.append(None)
        return tuple(out)


class BatchWriter:
    """Writes batches for one ingest run on one connection's dialect."""

    def __init__(self, dialect: str, tz: ZoneInfo, run_id: int) -> None:
        self.dialect = dialect
        self.tz = tz
        self.run_id = run_id
        self._events = _InsertPlan(_tbl(Event), dialect)
        self._typed = {name: _InsertPlan(_tbl(model), dialect) for name, model in EVENT_TABLES.items()}
        self._children = _InsertPlan(_tbl(NonconformityRow), dialect)

    def write(self, conn: Connection, batch: Sequence[Accepted], rejections: list[Rejection]) -> BatchOutcome:
        outcome = BatchOutcome(rejections=list(rejections))
        fresh = self._drop_known(conn, batch, outcome)
        fresh = self._drop_key_conflicts(conn, fresh, outcome)
        self._insert(conn, fresh)
        for item in fresh:
            kind = item.event.type  # type: ignore[attr-defined]
            outcome.accepted[kind] = outcome.accepted.get(kind, 0) + 1
        self._quarantine(conn, outcome.rejections)
        self._resolve_fixed(conn, fresh)
        return outcome

    # -- idempotency ----------------------------------------------------------------------------
    def _drop_known(self, conn: Connection, batch: Sequence[Accepted], out: BatchOutcome) -> list[Accepted]:
        """Same id and content again is a duplicate (skipped); same id, other content a conflict."""
        ids = list({a.event.event_id for a in batch})  # type: ignore[attr-defined]
        stored: dict[str, tuple[str, str, int]] = {}
        events = _tbl(Event)
        for chunk in _chunks(ids, 5000):
            q = select(events.c.event_id, events.c.content_hash, events.c.source_path, events.c.source_line)
            for eid, h, src, line in conn.execute(q.where(events.c.event_id.in_(chunk))):
                stored[eid] = (h, src, line)
        fresh: list[Accepted] = []
        for item in batch:
            eid = item.event.event_id  # type: ignore[attr-defined]
            kind = item.event.type  # type: ignore[attr-defined]
            if eid in stored:
                h, src, line = stored[eid]
                if h == item.content_hash:
                    out.duplicates[kind] = out.duplicates.get(kind, 0) + 1
                else:
                    out.rejections.append(_conflict(item, "event_id", eid, src, line))
                continue
            stored[eid] = (item.content_hash, item.source, item.line)
            fresh.append(item)
        return fresh

    def _drop_key_conflicts(self, conn: Connection, batch: list[Accepted], out: BatchOutcome) -> list[Accepted]:
        """A business key (case_id, inspection_id, nc_id, contract_id) may belong to one event only."""
        claimed: dict[tuple[str, str], tuple[str, str, int]] = {}
        wanted: dict[tuple[str, str], list[str]] = {}
        for item in batch:
            for key in FAMILIES[item.event.type].natural_keys:  # type: ignore[attr-defined]
                wanted.setdefault((key.table, key.column), []).extend(key.values(item.event))
        for (table_name, column), values in wanted.items():
            table = _tbl(next(m for m in [*EVENT_TABLES.values(), NonconformityRow] if _tbl(m).name == table_name))
            events = _tbl(Event)
            q = select(table.c[column], events.c.event_id, events.c.source_path, events.c.source_line).join(
                events, events.c.event_id == table.c.event_id
            )
            for chunk in _chunks(list(set(values)), 5000):
                for value, eid, src, line in conn.execute(q.where(table.c[column].in_(chunk))):
                    claimed[(column, value)] = (eid, src, line)
        fresh: list[Accepted] = []
        for item in batch:
            family = FAMILIES[item.event.type]  # type: ignore[attr-defined]
            clash = _first_clash(family, item, claimed)
            if clash:
                out.rejections.append(clash)
                continue
            for key in family.natural_keys:
                for value in key.values(item.event):
                    claimed[(key.column, value)] = (item.event.event_id, item.source, item.line)  # type: ignore[attr-defined]
            fresh.append(item)
        return fresh

    # -- inserts --------------------------------------------------------------------------------
    def _insert(self, conn: Connection, batch: Iterable[Accepted]) -> None:
        event_rows: list[tuple[Any, ...]] = []
        typed_rows: dict[str, list[tuple[Any, ...]]] = {}
        child_rows: list[tuple[Any, ...]] = []
        for item in batch:
            ev = item.event
            family = FAMILIES[ev.type]  # type: ignore[attr-defined]
            envelope = {
                "occurred_at": family.occurred_at(ev, self.tz),
                "content_hash": item.content_hash,
                "source_path": item.source,
                "source_line": item.line,
                "ingest_run_id": self.run_id,
            }
            event_rows.append(self._events.row(envelope, ev))
            typed_rows.setdefault(family.name, []).append(self._typed[family.name].row(ev))
            if family.children:
                for child in getattr(ev, family.children):
                    child_rows.append(self._children.row(child, ev))
        if not event_rows:
            return
        # the DBAPI cursor of the connection SQLAlchemy holds, inside its open transaction
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.executemany(self._events.sql, event_rows)
            for name, rows in typed_rows.items():
                cur.executemany(self._typed[name].sql, rows)
            if child_rows:
                cur.executemany(self._children.sql, child_rows)
        finally:
            cur.close()

    def _quarantine(self, conn: Connection, rejections: list[Rejection]) -> None:
        """Keep every rejected record; seeing the same bad line again only bumps its counter."""
        if not rejections:
            return
        now = datetime.now(UTC)
        table = _tbl(Reject)
        rows = [
            {
                "ingest_run_id": self.run_id,
                "source_path": r.source,
                "line_no": r.line,
                "raw": r.raw,
                "raw_hash": content_hash(r.raw.encode()),
                "record_type": r.record_type,
                "event_id": r.event_id,
                "kind": r.kind,
                "reasons": [x.as_dict() for x in r.reasons],
                "first_seen_at": now,
                "last_seen_at": now,
                "times_seen": 1,
                "resolved_at": None,
            }
            for r in rejections
        ]
        ins = (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)
        stmt = ins.on_conflict_do_update(
            index_elements=["source_path", "line_no", "raw_hash"],
            set_={
                "last_seen_at": ins.excluded.last_seen_at,
                "times_seen": table.c.times_seen + 1,
                "reasons": ins.excluded.reasons,
                "kind": ins.excluded.kind,
                "ingest_run_id": ins.excluded.ingest_run_id,
                "resolved_at": None,
            },
        )
        conn.execute(stmt, rows)

    def _resolve_fixed(self, conn: Connection, batch: list[Accepted]) -> None:
        """A line that was rejected before and is accepted now (the file was fixed) is resolved."""
        if not batch:
            return
        table = _tbl(Reject)
        now = datetime.now(UTC)
        ids = [a.event.event_id for a in batch]  # type: ignore[attr-defined]
        places = [(a.source, a.line) for a in batch]
        for chunk in _chunks(ids, 2000):
            conn.execute(
                update(table)
                .where(table.c.resolved_at.is_(None), table.c.kind == "invalid", table.c.event_id.in_(chunk))
                .values(resolved_at=now)
            )
        open_places = set(
            conn.execute(
                select(table.c.source_path, table.c.line_no).where(
                    table.c.resolved_at.is_(None), table.c.source_path.in_({s for s, _ in places})
                )
            ).tuples()
        )
        fixed = [p for p in places if p in open_places]
        for chunk in _chunks(fixed, 500):
            conn.execute(
                update(table)
                .where(table.c.resolved_at.is_(None), tuple_(table.c.source_path, table.c.line_no).in_(chunk))
                .values(resolved_at=now)
            )


def _first_clash(
    family: EventFamily, item: Accepted, claimed: dict[tuple[str, str], tuple[str, str, int]]
) -> Rejection | None:
    for key in family.natural_keys:
        for value in key.values(item.event):
            owner = claimed.get((key.column, value))
            if owner and owner[0] != item.event.event_id:  # type: ignore[attr-defined]
                return _conflict(item, key.column, value, owner[1], owner[2])
    return None


def _conflict(item: Accepted, column: str, value: str, src: str, line: int) -> Rejection:
    where = f"{src}:{line}"
    return Rejection(
        item.source,
        item.line,
        item.raw,
        kind="conflict",
        record_type=item.event.type,  # type: ignore[attr-defined]
        event_id=item.event.event_id,  # type: ignore[attr-defined]
        reasons=[
            Reason(
                column,
                "conflict",
                f"'{value}' は既に別の内容で登録済みです（{where}）。上書きはしません。"
                "訂正は新しい event_id で送ってください",
                f"'{value}' is already stored with different content ({where}); it is never overwritten."
                " Send a correction under a new event_id",
            )
        ],
    )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
