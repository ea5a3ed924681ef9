"""Writing a validated batch: idempotency checks and inserts in one transaction.

Every batch is one transaction: registry rows, typed rows and the batch's rejects commit together
or not at all, so nothing reported as accepted can be lost and no half-batch is ever visible.

Speed: the common case is a batch of new events. It is tried first, optimistically — registry rows
go in with ``ON CONFLICT DO NOTHING`` inside a savepoint, and if every row went in, the batch is
new and no per-id look-ups were needed. Only when some id already exists is the savepoint rolled
back and the batch sorted out record by record. Rows are cut from each event by one C-level
``attrgetter`` and handed to the driver's ``executemany``; the ORM would dominate the cost
(docs/benchmarks.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.events.registry import FAMILIES
from riskmon.ingest.reasons import Reason
from riskmon.store.tables import EVENT_TABLES, Event, NonconformityRow, Reject, Source, metadata, table_of
from riskmon.store.types import TZDateTime, to_utc_text


@dataclass(slots=True)
class Accepted:
    source: str
    line: int
    event: Any  # one of the dataclasses in riskmon.events.models
    raw: bytes | str
    raw_hash: str = ""  # filled in once, below: the duplicate checks compare it more than once

    def __post_init__(self) -> None:
        if not self.raw_hash:
            self.raw_hash = content_hash(self.raw if isinstance(self.raw, bytes) else self.raw.encode())

    @property
    def text(self) -> str:
        return self.raw if isinstance(self.raw, str) else self.raw.decode("utf-8", errors="replace")


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


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _converter(col_type: Any, dialect: str) -> Callable[[Any], Any] | None:
    """The conversion a column needs before the driver sees it, if any (most need none)."""
    if dialect == "sqlite" and isinstance(col_type, TZDateTime):
        return to_utc_text
    if dialect == "sqlite" and isinstance(col_type, Date):
        return date.isoformat
    return None


class _InsertPlan:
    """A prepared ``INSERT`` for one table: column order, converters and the driver SQL."""

    def __init__(self, table: Table, dialect: str, suffix: str = "", *, from_mapping: bool = False) -> None:
        self.table = table.name
        self.columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        self._get = (itemgetter if from_mapping else attrgetter)(*self.columns)
        self._fix = [(i, conv) for i, name in enumerate(self.columns) if (conv := _converter(table.c[name].type, dialect)) is not None]
        mark = "?" if dialect == "sqlite" else "%s"
        self.sql = f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({', '.join([mark] * len(self.columns))}){suffix}"

    def row(self, values: Any) -> Sequence[Any]:
        """The row for one event (an object, or a mapping with ``from_mapping``)."""
        cut = self._get(values)
        if not self._fix:
            return cut
        out = list(cut)
        for i, conv in self._fix:
            if out[i] is not None:
                out[i] = conv(out[i])
        return out


def register_source(conn: Connection, path: str) -> int:
    """The id of an input file, adding it on first sight."""
    table = table_of(Source)
    found = conn.execute(select(table.c.id).where(table.c.path == path)).scalar()
    if found is None:
        found = conn.execute(insert(table).values(path=path).returning(table.c.id)).scalar_one()
    return int(found)


class BatchWriter:
    """Writes batches for one ingest run."""

    def __init__(self, dialect: str, tz: ZoneInfo, run_id: int) -> None:
        self.dialect = dialect
        self.tz = tz
        self.run_id = run_id
        self._registry = _InsertPlan(table_of(Event), dialect, " ON CONFLICT (event_id) DO NOTHING")
        self._typed = {name: _InsertPlan(table_of(model), dialect) for name, model in EVENT_TABLES.items()}
        self._children = _InsertPlan(table_of(NonconformityRow), dialect, from_mapping=True)

    def write(self, conn: Connection, batch: Sequence[Accepted], rejections: list[Rejection], source_id: int = 0) -> BatchOutcome:
        outcome = BatchOutcome(rejections=list(rejections))
        fresh = list(batch)
        if any(FAMILIES[a.event.type].natural_keys for a in fresh):
            fresh = self._drop_key_conflicts(conn, fresh, outcome)
        if fresh:
            savepoint = conn.begin_nested()
            if self._register(conn, fresh, source_id) != len(fresh):
                savepoint.rollback()  # some ids are known: sort the batch out one by one
                fresh = self._drop_known(conn, fresh, outcome)
                self._register(conn, fresh, source_id)
            else:
                savepoint.commit()
            self._insert_typed(conn, fresh)
        for item in fresh:
            kind = item.event.type
            outcome.accepted[kind] = outcome.accepted.get(kind, 0) + 1
        self._quarantine(conn, outcome.rejections)
        self._resolve_fixed(conn, fresh)
        return outcome

    # -- idempotency ----------------------------------------------------------------------------
    def _register(self, conn: Connection, batch: Sequence[Accepted], source_id: int) -> int:
        rows = [(a.event.event_id, a.event.type, a.raw_hash, source_id, a.line, self.run_id) for a in batch]
        if not rows:
            return 0
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if self.dialect == "postgresql":  # COPY into a scratch table, then one INSERT … ON CONFLICT
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS riskmon_new_events (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
                cur.execute("DELETE FROM riskmon_new_events")  # a rolled-back savepoint may have left rows
                _copy(cur, "riskmon_new_events", self._registry.columns, rows)
                cur.execute("INSERT INTO events SELECT * FROM riskmon_new_events ON CONFLICT (event_id) DO NOTHING")
            else:
                cur.executemany(self._registry.sql, rows)
            return int(cur.rowcount)
        finally:
            cur.close()

    def _drop_known(self, conn: Connection, batch: Sequence[Accepted], out: BatchOutcome) -> list[Accepted]:
        """Same id and same content again is a duplicate (skipped); other content a conflict."""
        stored = _stored_heads(conn, list({a.event.event_id for a in batch}))
        seen: dict[str, Accepted] = {}
        to_compare: list[tuple[Accepted, str, int]] = []
        fresh: list[Accepted] = []
        for item in batch:
            eid = item.event.event_id
            first = seen.get(eid)
            if first is not None:  # twice in one batch
                if first.raw_hash == item.raw_hash or _same(first.event, item.event):
                    _bump(out.duplicates, item)
                else:
                    out.rejections.append(_conflict(item, "event_id", eid, first.source, first.line))
                continue
            seen[eid] = item
            if eid not in stored:
                fresh.append(item)
            elif stored[eid][0] == item.raw_hash:
                _bump(out.duplicates, item)
            else:
                to_compare.append((item, stored[eid][1], stored[eid][2]))
        if to_compare:
            old = load_events(conn, [a.event.event_id for a, _, _ in to_compare], self.tz)
            for item, src, line in to_compare:
                before = old.get(item.event.event_id)
                if before is not None and _same(before, item.event):
                    _bump(out.duplicates, item)  # same content, written differently (CSV vs JSON, key order)
                else:
                    out.rejections.append(_conflict(item, "event_id", item.event.event_id, src, line))
        return fresh

    def _drop_key_conflicts(self, conn: Connection, batch: list[Accepted], out: BatchOutcome) -> list[Accepted]:
        """A business key (case_id, inspection_id, nc_id, contract_id) may belong to one event only."""
        claimed: dict[tuple[str, str], tuple[str, str, int]] = {}
        wanted: dict[tuple[str, str], set[str]] = {}
        for item in batch:
            for key in FAMILIES[item.event.type].natural_keys:
                wanted.setdefault((key.table, key.column), set()).update(key.values(item.event))
        events, sources = table_of(Event), table_of(Source)
        for (table_name, column), values in wanted.items():
            table = metadata.tables[table_name]
            q = (
                select(table.c[column], events.c.event_id, sources.c.path, events.c.source_line)
                .join(events, events.c.event_id == table.c.event_id)
                .join(sources, sources.c.id == events.c.source_id)
            )
            for chunk in _chunks(sorted(values), 5000):
                for value, eid, src, line in conn.execute(q.where(table.c[column].in_(chunk))):
                    claimed[(column, value)] = (eid, src, line)
        fresh: list[Accepted] = []
        for item in batch:
            family = FAMILIES[item.event.type]
            eid = item.event.event_id
            clash = next(
                (
                    _conflict(item, key.column, value, owner[1], owner[2])
                    for key in family.natural_keys
                    for value in key.values(item.event)
                    if (owner := claimed.get((key.column, value))) and owner[0] != eid
                ),
                None,
            )
            if clash:
                out.rejections.append(clash)
                continue
            for key in family.natural_keys:
                for value in key.values(item.event):
                    claimed[(key.column, value)] = (eid, item.source, item.line)
            fresh.append(item)
        return fresh

    # -- inserts --------------------------------------------------------------------------------
    def _insert_typed(self, conn: Connection, batch: Iterable[Accepted]) -> None:
        typed_rows: dict[str, list[Sequence[Any]]] = {}
        child_rows: list[Sequence[Any]] = []
        for item in batch:
            ev = item.event
            name = ev.type
            typed_rows.setdefault(name, []).append(self._typed[name].row(ev))  # properties too
            children = FAMILIES[name].children
            if children:
                link = {"event_id": ev.event_id, "inspection_id": ev.inspection_id}
                child_rows.extend(self._children.row({**dataclasses.asdict(c), **link}) for c in getattr(ev, children))
        # the DBAPI cursor of the connection SQLAlchemy holds, inside its open transaction
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for name, rows in typed_rows.items():
                self._bulk(cur, self._typed[name], rows)
            if child_rows:
                self._bulk(cur, self._children, child_rows)
        finally:
            cur.close()

    def _bulk(self, cur: Any, plan: _InsertPlan, rows: list[Sequence[Any]]) -> None:
        """COPY on PostgreSQL (a round trip per batch, not per row); executemany on SQLite."""
        if self.dialect == "postgresql":
            _copy(cur, plan.table, plan.columns, rows)
        else:
            cur.executemany(plan.sql, rows)

    def _quarantine(self, conn: Connection, rejections: list[Rejection]) -> None:
        """Keep every rejected record; seeing the same bad line again only bumps its counter."""
        if not rejections:
            return
        now = datetime.now(UTC)
        table = table_of(Reject)
        rows = {}
        for r in rejections:  # one row per (file, line, text), even if a batch repeats it
            raw_hash = content_hash(r.raw.encode())
            rows[(r.source, r.line, raw_hash)] = {
                "ingest_run_id": self.run_id, "source_path": r.source, "line_no": r.line, "raw": r.raw,
                "raw_hash": raw_hash, "record_type": r.record_type, "event_id": r.event_id, "kind": r.kind,
                "reasons": [x.as_dict() for x in r.reasons], "first_seen_at": now, "last_seen_at": now,
                "times_seen": 1, "resolved_at": None,
            }  # fmt: skip
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
        conn.execute(stmt, list(rows.values()))

    def _resolve_fixed(self, conn: Connection, batch: list[Accepted]) -> None:
        """A record rejected before and accepted now (the file was fixed) marks its reject resolved:
        matched by place (file and line), or for invalid records also by event_id."""
        if not batch:
            return
        table = table_of(Reject)
        open_rejects = conn.execute(
            select(table.c.id, table.c.source_path, table.c.line_no, table.c.event_id, table.c.kind).where(table.c.resolved_at.is_(None))
        ).all()
        if not open_rejects:
            return
        places = {(a.source, a.line) for a in batch}
        ids = {a.event.event_id for a in batch}
        fixed = [r.id for r in open_rejects if (r.source_path, r.line_no) in places or (r.kind == "invalid" and r.event_id in ids)]
        for chunk in _chunks(fixed, 2000):
            conn.execute(update(table).where(table.c.id.in_(chunk)).values(resolved_at=datetime.now(UTC)))


def _copy(cur: Any, table: str, columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _stored_heads(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str, int]]:
    """event_id → (raw_hash, source path, line) for the ids already stored."""
    events, sources = table_of(Event), table_of(Source)
    out: dict[str, tuple[str, str, int]] = {}
    q = select(events.c.event_id, events.c.raw_hash, sources.c.path, events.c.source_line).join(sources, sources.c.id == events.c.source_id)
    for chunk in _chunks(ids, 5000):
        for eid, h, src, line in conn.execute(q.where(events.c.event_id.in_(chunk))):
            out[eid] = (h, src, line)
    return out


def load_events(conn: Connection, ids: list[str], tz: ZoneInfo) -> dict[str, Any]:
    """Rebuild stored events as models (to compare content, or to show them)."""
    events = table_of(Event)
    by_type: dict[str, list[str]] = {}
    for eid, kind in conn.execute(select(events.c.event_id, events.c.type).where(events.c.event_id.in_(ids))):
        by_type.setdefault(kind, []).append(eid)
    out: dict[str, Any] = {}
    for kind, kind_ids in by_type.items():
        family = FAMILIES[kind]
        table = table_of(EVENT_TABLES[kind])
        fields = set(family.field_names)
        children: dict[str, list[dict[str, Any]]] = {}
        if family.children:
            nc = table_of(NonconformityRow)
            for row in conn.execute(select(nc).where(nc.c.event_id.in_(kind_ids)).order_by(nc.c.nc_id)).mappings():
                children.setdefault(row["event_id"], []).append(
                    {k: v for k, v in row.items() if k not in ("event_id", "inspection_id") and v is not None}
                )
        for row in conn.execute(select(table).where(table.c.event_id.in_(kind_ids))).mappings():
            data = {k: v for k, v in row.items() if k in fields and v is not None}
            data["type"] = kind
            if family.children:
                data[family.children] = children.get(row["event_id"], [])
            out[row["event_id"]] = family.adapter.validate_python(data, context={"tz": tz})
    return out


def _same(a: Any, b: Any) -> bool:
    """Same content: dataclass equality compares every field (datetimes by instant)."""
    return bool(a == b)


def _bump(counter: dict[str, int], item: Accepted) -> None:
    kind = item.event.type
    counter[kind] = counter.get(kind, 0) + 1


def _conflict(item: Accepted, column: str, value: str, src: str, line: int) -> Rejection:
    where = f"{src}:{line}"
    return Rejection(
        item.source,
        item.line,
        item.text,
        kind="conflict",
        record_type=item.event.type,
        event_id=item.event.event_id,
        reasons=[
            Reason(
                column,
                "conflict",
                f"'{value}' は既に別の内容で登録済みです（{where}）。上書きはしません。訂正は新しい event_id で送ってください",
                f"'{value}' is already stored with different content ({where}); it is never overwritten."
                " Send a correction under a new event_id",
            )
        ],
    )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
