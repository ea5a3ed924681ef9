"""What the writer is handed: a prepared batch of accepted records plus the batch's rejections.

A :class:`PreparedBatch` is columnar — one list per attribute, in file order — because it may be
built in a worker process and pickled back: a million small objects would cost more to pickle than
to validate. The writer's common path (a batch of new events) reads the columns directly;
:class:`Accepted` items are made only when a batch needs sorting out record by record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from riskmon.events.reasons import Reason


def content_hash(data: bytes) -> str:
    """The fingerprint that tells a re-sent record from a changed one without re-reading it."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class Rejection:
    source: str
    line: int  # 0 for a file-level reject (the file as a whole could not be read)
    raw: str
    reasons: list[Reason]
    kind: str = "invalid"  # invalid | conflict | file
    record_type: str | None = None  # "file" for a file-level reject
    event_id: str | None = None


def file_rejection(source: str, reason: Reason) -> Rejection:
    """A file that could not be read (or not to its end), kept as one reject at line 0."""
    return Rejection(source, 0, "", [reason], kind="file", record_type="file")


@dataclass(slots=True)
class Accepted:
    """One valid record, with the rows it will be stored as."""

    source: str
    line: int
    raw: bytes | str
    event_id: str
    type: str
    raw_hash: str
    row: Sequence[Any]  # its row in the family's typed table
    children: list[Sequence[Any]]  # rows of its 不適事項, for inspections
    event: Any = None  # the validated event; None when validated in another process (see Writer)
    cells: dict[str, str] | None = None  # cells as written where the reader rewrote them (CSV)

    @property
    def text(self) -> str:
        return self.raw if isinstance(self.raw, str) else self.raw.decode("utf-8", errors="replace")


@dataclass
class PreparedBatch:
    """Validated records of one source file, ready to write in one transaction."""

    source: str
    lines: list[int] = field(default_factory=list)
    raws: list[bytes | str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    rows: list[Sequence[Any]] = field(default_factory=list)
    children: dict[int, list[Sequence[Any]]] = field(default_factory=dict)  # index → child rows
    events: list[Any] | None = field(default_factory=list)  # None once pickled to another process
    rejections: list[Rejection] = field(default_factory=list)
    cells: dict[int, dict[str, str]] = field(default_factory=dict)  # index → cells as written (event_raw_text)

    def accept(
        self,
        line: int,
        raw: bytes | str,
        event: Any,
        row: Sequence[Any],
        children: list[Sequence[Any]],
        cells: dict[str, str] | None = None,
    ) -> None:
        if children:
            self.children[len(self.lines)] = children
        if cells:
            self.cells[len(self.lines)] = cells
        self.lines.append(line)
        self.raws.append(raw)
        self.event_ids.append(event.event_id)
        self.types.append(event.type)
        self.hashes.append(content_hash(raw if isinstance(raw, bytes) else raw.encode()))
        self.rows.append(row)
        if self.events is not None:
            self.events.append(event)

    @property
    def size(self) -> int:
        """Records in the batch, accepted or not."""
        return len(self.lines) + len(self.rejections)

    def split(self) -> tuple[PreparedBatch, PreparedBatch]:
        """The accepted records in two halves (the rejections go with the first): how the
        pipeline finds the record a database refuses, when validation let it through."""
        half = len(self.lines) // 2
        return self._part(0, half, self.rejections), self._part(half, len(self.lines), [])

    def _part(self, lo: int, hi: int, rejections: list[Rejection]) -> PreparedBatch:
        return PreparedBatch(
            self.source,
            self.lines[lo:hi],
            self.raws[lo:hi],
            self.event_ids[lo:hi],
            self.types[lo:hi],
            self.hashes[lo:hi],
            self.rows[lo:hi],
            {i - lo: rows for i, rows in self.children.items() if lo <= i < hi},
            None if self.events is None else self.events[lo:hi],
            rejections,
            {i - lo: c for i, c in self.cells.items() if lo <= i < hi},
        )

    def refused(self, reason: Reason) -> PreparedBatch:
        """The batch with every accepted record turned into a rejection for ``reason``."""
        refused = [
            Rejection(self.source, line, raw if isinstance(raw, str) else raw.decode("utf-8", "replace"), [reason],
                      record_type=kind, event_id=eid)
            for line, raw, kind, eid in zip(self.lines, self.raws, self.types, self.event_ids, strict=True)
        ]  # fmt: skip
        return PreparedBatch(self.source, rejections=self.rejections + refused)

    def without_events(self) -> PreparedBatch:
        """The batch as it travels between processes: the columns, not the event objects."""
        self.events = None
        return self

    def items(self) -> list[Accepted]:
        """The accepted records one by one, for the writer's record-by-record path."""
        events: Sequence[Any] = self.events if self.events is not None else [None] * len(self.lines)
        return [
            Accepted(self.source, line, raw, eid, kind, h, row, self.children.get(i, []), ev, self.cells.get(i))
            for i, (line, raw, eid, kind, h, row, ev) in enumerate(
                zip(self.lines, self.raws, self.event_ids, self.types, self.hashes, self.rows, events, strict=True)
            )
        ]
