"""Streaming readers for ``.jsonl`` and ``.csv`` files (optionally ``.gz``).

Both yield one :class:`RawRecord` at a time with its 1-based line number and the raw text, so
memory stays flat whatever the file size and a rejected record can be quarantined verbatim.
JSONL records are left as text: pydantic parses and validates them in one pass. CSV rows become
mappings: empty cells count as absent, except for required text fields, where they mean "".
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from riskmon.events.registry import FAMILIES
from riskmon.ingest.reasons import Reason

EVENT_SUFFIXES = (".jsonl", ".csv", ".jsonl.gz", ".csv.gz", ".ndjson")
#: Files with this stem hold the units master, loaded before any event file.
UNITS_STEM = "units"


@dataclass(slots=True)
class RawRecord:
    source: str
    line: int
    raw: bytes | str  # JSONL lines stay bytes: pydantic parses them without a decode step
    data: dict[str, Any] | None = None  # CSV rows; None for JSONL (validated from raw)
    problems: list[Reason] = field(default_factory=list)  # found by the reader (CSV shape, JSON cells)

    @property
    def text(self) -> str:
        return self.raw if isinstance(self.raw, str) else self.raw.decode("utf-8", errors="replace")


_TEXT_FIELDS: dict[str, frozenset[str]] = {name: f.required_text_fields for name, f in FAMILIES.items()}
_JSON_CELLS = {"nonconformities"}


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in EVENT_SUFFIXES if name.endswith(s)), "")


def stem_of(path: Path) -> str:
    return path.name[: len(path.name) - len(suffix_of(path))] if suffix_of(path) else path.stem


def expand(paths: list[Path]) -> list[Path]:
    """Files to read, in a stable order: units files first, then events by path."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.is_file() and suffix_of(q)))
        else:
            files.append(p)
    return sorted(dict.fromkeys(files), key=lambda f: (stem_of(f) != UNITS_STEM, str(f)))


def _open_binary(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """A byte stream over the (decompressed) file plus the file whose position measures progress."""
    raw = open(path, "rb")  # noqa: SIM115 - closed through the returned stream
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=raw), raw  # type: ignore[return-value]
    return raw, raw


class SourceFile:
    """One input file; iterate it for records, read :attr:`position` for progress."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = os.path.abspath(path)
        self.size = path.stat().st_size
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        return self._raw.tell() if self._raw and not self._raw.closed else self.size

    @property
    def is_csv(self) -> bool:
        return ".csv" in self.path.name.lower()

    def __iter__(self) -> Iterator[RawRecord]:
        if not self.is_csv:
            for first, block in self.jsonl_blocks(5000):
                for n, line in jsonl_lines(first, block):
                    yield RawRecord(self.source, n, line)
            return
        stream, self._raw = _open_binary(self.path)
        try:
            # lines end at "\n" only, so a quoted cell holding a bare "\r" stays one cell
            yield from self._csv(io.TextIOWrapper(stream, encoding="utf-8-sig", newline="\n"))
        finally:
            stream.close()
            self._raw.close()

    def jsonl_blocks(self, lines: int) -> Iterator[tuple[int, bytes]]:
        """The file as blocks of ``lines`` whole lines, each with its first line number — what a
        worker process is sent, to split with :func:`jsonl_lines` (cheaper than single lines)."""
        stream, self._raw = _open_binary(self.path)
        try:
            yield from _line_blocks(stream, lines)
        finally:
            stream.close()
            self._raw.close()

    def _csv(self, text: IO[str]) -> Iterator[RawRecord]:
        tap = _LineTap(text)
        reader = csv.reader(tap)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        tap.take()
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a malformed row is one bad record, not a failed file
                start, raw = tap.take()
                record = RawRecord(self.source, start, raw.rstrip("\r\n"), data={})
                record.problems.append(Reason("", "csv", f"CSV の行として読めません: {exc}", f"not a readable CSV row: {exc}"))
                yield record
                continue
            start, raw = tap.take()
            if not any(cell.strip() for cell in row):
                continue
            record = RawRecord(self.source, start, raw.rstrip("\r\n"))
            if len(row) != len(header):
                record.problems.append(
                    Reason(
                        "",
                        "csv",
                        f"列の数が見出し行と合いません（{len(row)} 列、見出しは {len(header)} 列）",
                        f"has {len(row)} columns but the header has {len(header)}",
                    )
                )
            record.data = self._row_to_mapping(header, row, record)
            yield record

    @staticmethod
    def _row_to_mapping(header: list[str], row: list[str], record: RawRecord) -> dict[str, Any]:
        kind = next((c.strip() for h, c in zip(header, row, strict=False) if h == "type"), "")
        text_fields = _TEXT_FIELDS.get(kind, frozenset())
        out: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            value = cell.strip()
            if value == "" and name not in text_fields:
                continue
            if name in _JSON_CELLS:
                try:
                    out[name] = json.loads(value)
                except json.JSONDecodeError as exc:
                    record.problems.append(
                        Reason(
                            name,
                            "json_invalid",
                            f"JSON として読めません: {exc.msg}（列 {exc.colno}）",
                            f"is not valid JSON: {exc.msg} (column {exc.colno})",
                        )
                    )
                continue
            out[name] = value
        return out


def jsonl_lines(first: int, block: bytes) -> Iterator[tuple[int, bytes]]:
    """Numbered non-blank lines of a block of JSONL, whitespace and a byte-order mark removed."""
    for n, line in enumerate(block.split(b"\n"), first):
        stripped = line.strip()
        if n == 1 and stripped.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
            stripped = stripped[3:]
        if stripped:
            yield n, stripped


def _line_blocks(stream: IO[bytes], lines: int, read_size: int = 1 << 20) -> Iterator[tuple[int, bytes]]:
    """Blocks of ``lines`` lines (the last may be shorter), each ending at a line break."""
    first, count, scanned = 1, 0, 0  # first line of the buffer; breaks found in buffer[:scanned]
    buffer = bytearray()
    while chunk := stream.read(read_size):
        buffer += chunk
        while (pos := buffer.find(b"\n", scanned)) >= 0:
            scanned, count = pos + 1, count + 1
            if count == lines:
                yield first, bytes(buffer[:scanned])
                del buffer[:scanned]
                first, count, scanned = first + count, 0, 0
        scanned = len(buffer)
    if buffer:
        yield first, bytes(buffer)


class _LineTap:
    """Feeds lines to ``csv.reader`` and remembers them, so each row's raw text and first line
    number are known even when a quoted cell spans several lines."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._buf: list[str] = []
        self._next_line = 1

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self._buf.append(line)
        return line

    def take(self) -> tuple[int, str]:
        start, raw = self._next_line, "".join(self._buf)
        self._next_line += len(self._buf)
        self._buf.clear()
        return start, raw
