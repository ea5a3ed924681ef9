"""Loading the units master file: validate every row, then upsert the good ones atomically."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon.events.reasons import BadJson, Reason, parse_json, translate, unknown_unit
from riskmon.events.units import UnitRecord
from riskmon.ingest.readers import RawRecord, SourceFile
from riskmon.store.tables import Unit, table_of
from riskmon.store.writer import Rejection


def _parse(record: RawRecord) -> tuple[UnitRecord | None, list[Reason]]:
    reasons = list(record.problems)
    data: Any = record.data
    if data is None:
        try:
            data = parse_json(record.raw)
        except BadJson as exc:
            return None, [*reasons, exc.reason]
    try:
        unit = UnitRecord.model_validate(data)
    except ValidationError as exc:
        return None, reasons + translate(exc)
    return (None if reasons else unit), reasons


_COMPARED = ("name_ja", "name_en", "unit_type", "line", "parent_unit_id", "prefecture", "active")


def load_units(conn: Connection, source: SourceFile) -> tuple[int, int, list[Rejection]]:
    """Upsert the valid units of ``source``.

    Returns how many were new or changed, how many were already stored unchanged, and the
    rejections.
    """
    good: dict[str, tuple[RawRecord, UnitRecord]] = {}
    rejections: list[Rejection] = []
    for record in source:
        unit, reasons = _parse(record)
        if unit is not None and unit.unit_id in good:
            first = good[unit.unit_id][0].line
            reasons = [
                Reason(
                    "unit_id",
                    "duplicate",
                    f"'{unit.unit_id}' が {first} 行目と重複しています",
                    f"'{unit.unit_id}' repeats line {first}",
                )
            ]
            unit = None
        if unit is None:
            rejections.append(Rejection(record.source, record.line, record.text, reasons, record_type="unit"))
            continue
        good[unit.unit_id] = (record, unit)
    table = table_of(Unit)
    known = set(good) | {row[0] for row in conn.execute(select(table.c.unit_id))}
    for unit_id, (record, unit) in list(good.items()):
        if unit.parent_unit_id and unit.parent_unit_id not in known:
            rejections.append(
                Rejection(
                    record.source,
                    record.line,
                    record.text,
                    [unknown_unit("parent_unit_id", unit.parent_unit_id, known)],
                    record_type="unit",
                )
            )
            del good[unit_id]
    now = datetime.now(UTC)
    stored = {
        r["unit_id"]: tuple(r[c] for c in _COMPARED) for r in conn.execute(select(table).where(table.c.unit_id.in_(list(good)))).mappings()
    }
    rows = [
        {
            **unit.model_dump(exclude={"line"}),
            "line": unit.effective_line.value,
            "unit_type": unit.unit_type.value,
            "source_path": record.source,
            "source_line": record.line,
            "updated_at": now,
        }
        for record, unit in good.values()
    ]
    unchanged = [r for r in rows if stored.get(r["unit_id"]) == tuple(r[c] for c in _COMPARED)]
    rows = [r for r in rows if r not in unchanged]
    if rows:
        ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)
        cols = [c for c in rows[0] if c != "unit_id"]
        conn.execute(
            ins.on_conflict_do_update(index_elements=["unit_id"], set_={c: ins.excluded[c] for c in cols}),
            rows,
        )
    return len(rows), len(unchanged), rejections
