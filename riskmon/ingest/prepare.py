"""Checking raw records into a :class:`~riskmon.store.batch.PreparedBatch`.

Everything the ingest does to a record before the database sees it — validation, the unit
checks, the content hash, cutting its rows — happens here, in one picklable object, so the same
code runs in the ingest process or in worker processes (riskmon.ingest.parallel).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from riskmon.events.models import EVENT_ADAPTER
from riskmon.events.reasons import BadJson, Reason, parse_json, translate, unknown_unit
from riskmon.events.registry import FAMILIES
from riskmon.ingest.readers import RawRecord, jsonl_lines
from riskmon.ingest.upload import other_unit
from riskmon.store.batch import PreparedBatch, Rejection
from riskmon.store.rows import RowMaker


class Preparer:
    """Validates records against the event models and the units known when the file started."""

    def __init__(self, dialect: str, tz: ZoneInfo, known_units: frozenset[str], allowed: frozenset[str] | None = None) -> None:
        self.context: dict[str, Any] = {"tz": tz}
        self.known_units = known_units
        self.allowed = allowed  # an upload's units (riskmon.ingest.upload): records of others are rejected
        self.rows = RowMaker(dialect)
        self._unit_fields = {name: family.unit_fields for name, family in FAMILIES.items()}

    def prepare(self, source: str, records: Iterable[RawRecord]) -> PreparedBatch:
        """The records' batch. One tight loop: at a million records, every call per record counts."""
        batch = PreparedBatch(source)
        rejections, accept = batch.rejections, batch.accept
        typed_row, child_rows, unit_fields = self.rows.typed_row, self.rows.child_rows, self._unit_fields
        context, known, validate, allowed = self.context, self.known_units, EVENT_ADAPTER.validate_python, self.allowed
        for record in records:
            data = record.data
            try:
                if data is None:
                    data = parse_json(record.raw)
                event = validate(data, context=context)
            except BadJson as exc:
                rejections.append(_reject(record, [*record.problems, exc.reason], _lenient_head(record)))
                continue
            except ValidationError as exc:
                rejections.append(self._invalid(record, exc, data))
                continue
            kind = event.type
            bad = [(name, v) for name in unit_fields[kind] if (v := getattr(event, name)) is not None and v not in known]
            foreign = None if allowed is None or event.unit_id in allowed else other_unit(event.unit_id, allowed)
            if bad or record.problems or foreign:
                reasons = record.problems + [unknown_unit(name, v, known) for name, v in bad] + ([foreign] if foreign else [])
                rejections.append(_reject(record, reasons, {"type": kind, "event_id": event.event_id}))
                continue
            accept(record.line, record.raw, event, typed_row(event), child_rows(event), record.cells)
        return batch

    def prepare_block(self, source: str, first: int, block: bytes) -> PreparedBatch:
        """:meth:`prepare` for a block of JSONL lines (see :meth:`SourceFile.jsonl_blocks`)."""
        return self.prepare(source, (RawRecord(source, n, raw) for n, raw in jsonl_lines(first, block)))

    def _invalid(self, record: RawRecord, exc: ValidationError, data: Any) -> Rejection:
        head = data if isinstance(data, dict) else {}
        said = {p.field for p in record.problems}  # a cell the reader refused is not "missing" too
        reasons = record.problems + [r for r in translate(exc, head.get("type")) if r.field not in said or not r.field]
        unit = head.get("unit_id")
        if isinstance(unit, str) and unit and unit not in self.known_units:
            reasons.append(unknown_unit("unit_id", unit, self.known_units))
        if isinstance(unit, str) and unit and self.allowed is not None and unit.strip() not in self.allowed:
            reasons.append(other_unit(unit, self.allowed))
        return _reject(record, reasons, head)


def _lenient_head(record: RawRecord) -> dict[str, Any]:
    """The type and event_id of a record that did not parse strictly, where they can be read
    (a key given twice still names them)."""
    try:
        data = parse_json(record.raw, duplicates=True)
    except BadJson:
        return {}
    return data if isinstance(data, dict) else {}


def _reject(record: RawRecord, reasons: list[Reason], head: dict[str, Any]) -> Rejection:
    kind = head.get("type")
    eid = head.get("event_id")
    return Rejection(
        record.source,
        record.line,
        record.text,
        reasons,
        record_type=kind if isinstance(kind, str) and kind in FAMILIES else None,
        event_id=str(eid)[:128] if isinstance(eid, str | int) else None,
    )
