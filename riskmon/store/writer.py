"""Writing a validated batch: idempotency checks and inserts in one transaction.

Every batch is one transaction: registry rows, typed rows and the batch's rejects commit together
or not at all, so nothing reported as accepted can be lost and no half-batch is ever visible.

Speed: the common case is a batch of new events. It is tried first, optimistically — registry rows
go in with ``ON CONFLICT DO NOTHING`` inside a savepoint, and if every row went in, the batch is
new and no per-id look-ups were needed. Only when some id already exists is the savepoint rolled
back and the batch sorted out record by record. Rows arrive already cut (riskmon.store.rows, where
the records were validated) and go to the driver's ``executemany`` (``COPY`` on PostgreSQL); the
ORM would dominate the cost (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.events.reasons import Reason, validate_record
from riskmon.events.registry import FAMILIES
from riskmon.store.batch import Accepted, PreparedBatch, Rejection, content_hash
from riskmon.store.rows import InsertPlan, RowMaker
from riskmon.store.tables import EVENT_TABLES, Event, EventRawText, NonconformityRow, Reject, Source, metadata, table_of

__all__ = ["Accepted", "BatchOutcome", "BatchWriter", "PreparedBatch", "Rejection", "load_events", "register_source"]


@dataclass
class BatchOutcome:
    accepted: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)


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
        self._registry = InsertPlan(table_of(Event), dialect, " ON CONFLICT (event_id) DO NOTHING")
        self._plans = RowMaker(dialect)

    def write(self, conn: Connection, batch: PreparedBatch, source_id: int = 0) -> BatchOutcome:
        outcome = BatchOutcome(rejections=list(batch.rejections))
        items: list[Accepted] | None = None  # made only when the batch must be sorted out one by one
        if any(FAMILIES[kind].natural_keys for kind in set(batch.types)):
            items = self._drop_key_conflicts(conn, batch.items(), outcome)
        rows = self._registry_rows(batch, items, source_id)
        if rows:
            savepoint = conn.begin_nested()
            if self._register(conn, rows) != len(rows):
                savepoint.rollback()  # some ids are known: sort the batch out one by one
                items = self._drop_known(conn, batch.items() if items is None else items, outcome)
                self._register(conn, self._registry_rows(batch, items, source_id))
            else:
                savepoint.commit()
        if items is None:  # the common case: every record of the batch is new
            types, typed, children = batch.types, batch.rows, [r for rs in batch.children.values() for r in rs]
            lines, ids = batch.lines, batch.event_ids
            written = [(batch.event_ids[i], c, batch.raws[i]) for i, c in batch.cells.items()]
        else:
            types, typed, children = [a.type for a in items], [a.row for a in items], [r for a in items for r in a.children]
            lines, ids = [a.line for a in items], [a.event_id for a in items]
            written = [(a.event_id, a.cells, a.raw) for a in items if a.cells]
        self._insert_typed(conn, types, typed, children)
        if written:  # records whose cells were read into another form keep them as written
            kept = [{"event_id": eid, "cells": cells, "raw": storable(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))}
                    for eid, cells, raw in written]  # fmt: skip
            conn.execute(insert(table_of(EventRawText)), kept)
        for kind in types:
            outcome.accepted[kind] = outcome.accepted.get(kind, 0) + 1
        self._quarantine(conn, outcome.rejections)
        self._resolve_fixed(conn, batch.source, lines, ids)
        return outcome

    # -- idempotency ----------------------------------------------------------------------------
    def _registry_rows(self, batch: PreparedBatch, items: list[Accepted] | None, source_id: int) -> list[Sequence[Any]]:
        if items is None:
            return list(zip(batch.event_ids, batch.types, batch.hashes, repeat(source_id), batch.lines, repeat(self.run_id)))
        return [(a.event_id, a.type, a.raw_hash, source_id, a.line, self.run_id) for a in items]

    def _register(self, conn: Connection, rows: list[Sequence[Any]]) -> int:
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

    def _event(self, item: Accepted) -> Any:
        """The validated event, re-validated from its raw JSON if a worker process checked it."""
        if item.event is None:
            item.event = validate_record(item.raw, {"tz": self.tz})
        return item.event

    def _drop_known(self, conn: Connection, batch: Sequence[Accepted], out: BatchOutcome) -> list[Accepted]:
        """Same id and same content again is a duplicate (skipped); other content a conflict."""
        stored = _stored_heads(conn, list({a.event_id for a in batch}))
        seen: dict[str, Accepted] = {}
        to_compare: list[tuple[Accepted, str, int]] = []
        fresh: list[Accepted] = []
        for item in batch:
            eid = item.event_id
            first = seen.get(eid)
            if first is not None:  # twice in one batch
                if first.raw_hash == item.raw_hash or _same(self._event(first), self._event(item)):
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
            old = load_events(conn, [a.event_id for a, _, _ in to_compare], self.tz)
            for item, src, line in to_compare:
                before = old.get(item.event_id)
                if before is not None and _same(before, self._event(item)):
                    _bump(out.duplicates, item)  # same content, written differently (CSV vs JSON, key order)
                else:
                    out.rejections.append(_conflict(item, "event_id", item.event_id, src, line))
        return fresh

    def _drop_key_conflicts(self, conn: Connection, batch: list[Accepted], out: BatchOutcome) -> list[Accepted]:
        """A business key (case_id, inspection_id, nc_id, contract_id) may belong to one event only."""
        claimed: dict[tuple[str, str], tuple[str, str, int]] = {}
        wanted: dict[tuple[str, str], set[str]] = {}
        for item in batch:
            for key in FAMILIES[item.type].natural_keys:
                wanted.setdefault((key.table, key.column), set()).update(key.values(self._event(item)))
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
            family = FAMILIES[item.type]
            eid = item.event_id
            clash = next(
                (
                    _conflict(item, key.column, value, owner[1], owner[2])
                    for key in family.natural_keys
                    for value in key.values(self._event(item))
                    if (owner := claimed.get((key.column, value))) and owner[0] != eid
                ),
                None,
            )
            if clash:
                out.rejections.append(clash)
                continue
            for key in family.natural_keys:
                for value in key.values(self._event(item)):
                    claimed[(key.column, value)] = (eid, item.source, item.line)
            fresh.append(item)
        return fresh

    # -- inserts --------------------------------------------------------------------------------
    def _insert_typed(self, conn: Connection, types: Sequence[str], rows: Sequence[Sequence[Any]], children: list[Sequence[Any]]) -> None:
        by_table: dict[str, list[Sequence[Any]]] = {}
        for kind, row in zip(types, rows, strict=True):
            by_table.setdefault(kind, []).append(row)
        # the DBAPI cursor of the connection SQLAlchemy holds, inside its open transaction
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for kind, typed in by_table.items():
                self._bulk(cur, self._plans.typed[kind], typed)
            if children:
                self._bulk(cur, self._plans.children, children)
        finally:
            cur.close()

    def _bulk(self, cur: Any, plan: InsertPlan, rows: list[Sequence[Any]]) -> None:
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
            raw = storable(r.raw)
            raw_hash = content_hash(raw.encode("utf-8"))  # storable() left no lone surrogate
            rows[(r.source, r.line, raw_hash)] = {
                "ingest_run_id": self.run_id, "source_path": r.source, "line_no": r.line, "raw": raw,
                "raw_hash": raw_hash, "record_type": r.record_type, "event_id": r.event_id and storable(r.event_id),
                "kind": r.kind, "reasons": [{k: storable(v) for k, v in x.as_dict().items()} for x in r.reasons],
                "first_seen_at": now, "last_seen_at": now, "times_seen": 1, "resolved_at": None,
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

    def resolve_file(self, conn: Connection, source: str, *, every_kind: bool = False) -> None:
        """The file was read to its end this time: its file-level reject is resolved. With
        ``every_kind``, all its rejects are (a users file once read as events: they were bogus)."""
        table = table_of(Reject)
        which = table.c.source_path == source
        if not every_kind:
            which &= table.c.kind == "file"
        conn.execute(update(table).where(which, table.c.resolved_at.is_(None)).values(resolved_at=datetime.now(UTC)))

    def _resolve_fixed(self, conn: Connection, source: str, lines: Sequence[int], ids: Sequence[str]) -> None:
        """A record rejected before and accepted now (the file was fixed) marks its reject resolved:
        matched by place (file and line), or for invalid records also by event_id."""
        if not lines:
            return
        table = table_of(Reject)
        open_rejects = conn.execute(
            select(table.c.id, table.c.source_path, table.c.line_no, table.c.event_id, table.c.kind).where(table.c.resolved_at.is_(None))
        ).all()
        if not open_rejects:
            return
        places, accepted_ids = {(source, line) for line in lines}, set(ids)
        fixed = [r.id for r in open_rejects if (r.source_path, r.line_no) in places or (r.kind == "invalid" and r.event_id in accepted_ids)]
        for chunk in _chunks(fixed, 2000):
            conn.execute(update(table).where(table.c.id.in_(chunk)).values(resolved_at=datetime.now(UTC)))


def storable(text: str) -> str:
    """Quarantined text as both databases store it: PostgreSQL cannot hold NUL (shown as ␀), and
    neither driver can encode a lone surrogate (shown as "?")."""
    if "\x00" in text:
        text = text.replace("\x00", "\u2400")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


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
    kind = item.type
    counter[kind] = counter.get(kind, 0) + 1


def _conflict(item: Accepted, column: str, value: str, src: str, line: int) -> Rejection:
    where = f"{src}:{line}"
    return Rejection(
        item.source,
        item.line,
        item.text,
        kind="conflict",
        record_type=item.type,
        event_id=item.event_id,
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
