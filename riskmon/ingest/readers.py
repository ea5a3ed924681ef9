"""Streaming readers for ``.jsonl`` and ``.csv`` files (optionally ``.gz``).

Both yield one :class:`RawRecord` at a time with its 1-based line number and the raw text, so
memory stays flat whatever the file size and a rejected record can be quarantined verbatim.
JSONL records are left as bytes: they are parsed strictly where they are validated. CSV rows
become mappings: empty cells count as absent, except for required text fields, where they mean "".

An event CSV is read as Japanese Excel saves it: UTF-8 or CP932 (riskmon.ingest.encodings, the
one used is :attr:`SourceFile.encoding`), Japanese column names (riskmon.ingest.headers; a column
that names no field stops the file with one reason, not one per row) and cells in office forms
(riskmon.ingest.cells; the cells rewritten are kept as written in :attr:`RawRecord.cells`).

A file that stops being readable part-way — a truncated or corrupt ``.gz``, a CSV line its
encoding cannot read (a file mixing UTF-8 and Shift_JIS) — does not raise: reading ends at the last complete line,
everything before it is handed on as usual, and :attr:`SourceFile.failure` says what went wrong
and up to which line the file was read, to be kept as one file-level reject.

A quoted CSV cell that is never closed would swallow the records after it into its text. A row
is therefore refused when its quotes do not pair up, and a row that spans several lines is cut
where a following line reads as a record of its own (the file's column count and a known event
or unit type): that row is refused and the lines after the cut are read again as records.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from riskmon.events.enums import UnitType
from riskmon.events.reasons import BadJson, Reason, not_utf8, parse_json
from riskmon.events.registry import FAMILIES
from riskmon.ingest.cells import Refused, canonical, normalise_cell, type_code
from riskmon.ingest.encodings import READ_ERRORS, EncodingProblem, LineTap
from riskmon.ingest.files import EVENT_SUFFIXES, UNITS_STEM, stem_of, suffix_of
from riskmon.ingest.headers import field_for, unknown_columns

__all__ = ["EVENT_SUFFIXES", "UNITS_STEM", "RawRecord", "SourceFile", "jsonl_lines", "stem_of", "suffix_of"]


@dataclass(slots=True)
class RawRecord:
    source: str
    line: int
    raw: bytes | str  # JSONL lines stay bytes: pydantic parses them without a decode step
    data: dict[str, Any] | None = None  # CSV rows; None for JSONL (validated from raw)
    problems: list[Reason] = field(default_factory=list)  # found by the reader (CSV shape, JSON cells)
    cells: dict[str, str] | None = None  # CSV cells as written where they were read into another form

    @property
    def text(self) -> str:
        return self.raw if isinstance(self.raw, str) else self.raw.decode("utf-8", errors="replace")


_TEXT_FIELDS: dict[str, frozenset[str]] = {name: f.required_text_fields for name, f in FAMILIES.items()}
_JSON_CELLS = {"nonconformities"}


def _open_binary(path: Path) -> tuple[io.BufferedIOBase, IO[bytes]]:
    """A byte stream over the (decompressed) file plus the file whose position measures progress."""
    raw = open(path, "rb")  # noqa: SIM115 - closed through the returned stream
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=raw), raw
    return raw, raw


class SourceFile:
    """One input file; iterate it for records, read :attr:`position` for progress and, once
    iterated, :attr:`failure` for why reading stopped early (None: the whole file was read)."""

    def __init__(self, path: Path, *, events: bool | None = None) -> None:
        self.path = path
        # event columns (Japanese headers, office forms, UTF-8 or CP932); False: a master's own
        # columns, UTF-8 only (units, users); None: UTF-8 only, and events when the CSV header
        # names the type column (type or 種別)
        self.events = events
        self.encoding = "utf-8"  # what the file was read as (riskmon.ingest.encodings.ENCODINGS)
        self.source = os.path.abspath(path)
        self.size = path.stat().st_size
        self._raw: IO[bytes] | None = None
        self.failure: Reason | None = None
        self.last_line = 0  # the last line read completely

    @property
    def position(self) -> int:
        return self._raw.tell() if self._raw and not self._raw.closed else self.size

    @property
    def is_csv(self) -> bool:
        return ".csv" in self.path.name.lower()

    def __iter__(self) -> Iterator[RawRecord]:
        self.failure = None
        if not self.is_csv:
            for first, block in self.jsonl_blocks(5000):
                for n, line in jsonl_lines(first, block):
                    yield RawRecord(self.source, n, line)
            return
        stream, self._raw = _open_binary(self.path)
        try:
            yield from self._csv(LineTap(stream, cp932=self.events is True))
        finally:
            stream.close()
            self._raw.close()

    def jsonl_blocks(self, lines: int) -> Iterator[tuple[int, bytes]]:
        """The file as blocks of ``lines`` whole lines, each with its first line number — what a
        worker process is sent, to split with :func:`jsonl_lines` (cheaper than single lines)."""
        self.failure = None
        stream, self._raw = _open_binary(self.path)
        errors: list[BaseException] = []
        try:
            for first, block in _line_blocks(stream, lines, errors=errors):
                self.last_line = first + block.count(b"\n") - block.endswith(b"\n")
                yield first, block
        finally:
            stream.close()
            self._raw.close()
        if errors:
            self.failure = read_failure(errors[0], self.last_line)

    def _csv(self, tap: LineTap) -> Iterator[RawRecord]:
        reader = csv.reader(tap)
        written = next(reader, None)
        self.encoding = tap.encoding_name
        if written is None:
            self._stopped(tap)
            return
        written = [h.strip() for h in written]
        if self.events is None:
            self.events = any(field_for(h) == "type" for h in written)
        header = [field_for(h) or h if self.events and h else h for h in written]
        tap.take()
        doubled = sorted({w for w, h in zip(written, header, strict=True) if h and header.count(h) > 1})
        if doubled:
            self.failure = _doubled_columns(doubled)
            return
        unknown = [w for w in written if w and self.events and field_for(w) is None]
        if unknown:
            self.failure = unknown_columns(unknown, _types_in(reader, header))
            self.encoding = tap.encoding_name
            return
        starts = _RecordStarts(header)
        while True:
            error: csv.Error | None = None
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a malformed row is one bad record, not a failed file
                row, error = [], exc
            if tap.error is not None and tap.pending:
                break  # the row was cut off where the file stopped being readable: not a record
            problems: list[Reason] = []
            if cut := starts.cut(tap.pending):
                row = starts.cells("".join(tap.pending[:cut]))
                start, raw = tap.take(cut)  # the lines after the cut are read again as records
                problems.append(_unclosed_quote())
            else:
                start, raw = tap.take()
                if error is not None:
                    problems.append(Reason("", "csv", f"CSV の行として読めません: {error}", f"not a readable CSV row: {error}"))
                elif raw.count('"') % 2:
                    problems.append(_unclosed_quote())
            if not problems and not any(cell.strip() for cell in row):
                continue
            record = RawRecord(self.source, start, raw.rstrip("\r\n"), problems=problems)
            if len(row) != len(header) and not problems:
                record.problems.append(
                    Reason(
                        "",
                        "csv",
                        f"列の数が見出し行と合いません（{len(row)} 列、見出しは {len(header)} 列）",
                        f"has {len(row)} columns but the header has {len(header)}",
                    )
                )
            record.data = self._row_to_mapping(header, row, record) if self.events else _units_mapping(header, row)
            self.encoding = tap.encoding_name
            yield record
        self.encoding = tap.encoding_name
        self._stopped(tap)

    def _stopped(self, tap: LineTap) -> None:
        self.last_line = tap.done
        if tap.error is not None:
            self.failure = read_failure(tap.error, tap.done, tap.error_line)

    @staticmethod
    def _row_to_mapping(header: list[str], row: list[str], record: RawRecord) -> dict[str, Any]:
        """One row's cells by field, read as offices write them (riskmon.ingest.cells); the cells
        rewritten on the way are kept as written in :attr:`RawRecord.cells`."""
        kind = next((type_code(c) for h, c in zip(header, row, strict=False) if h == "type"), "")
        known = kind if kind in FAMILIES else None
        text_fields = _TEXT_FIELDS.get(kind, frozenset())
        out: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if name in _JSON_CELLS:
                if value := cell.strip():
                    try:
                        out[name] = parse_json(value)
                    except BadJson as exc:
                        bad = exc.reason
                        record.problems.append(Reason(bad.field or name, bad.code, bad.ja, bad.en))
                continue
            value = normalise_cell(name, cell, known)
            if isinstance(value, Refused):
                record.problems.append(Reason(name, value.reason.code, value.reason.ja, value.reason.en))
                continue
            if value == "" and name not in text_fields:
                continue
            out[name] = value
            if (written := cell.strip()) != canonical(value):
                record.cells = {**(record.cells or {}), name: written}
        return out


def _units_mapping(header: list[str], row: list[str]) -> dict[str, Any]:
    """A units master's row: its own column names, non-empty cells as written."""
    return {name: value for name, cell in zip(header, row, strict=False) if (value := cell.strip())}


def _types_in(reader: Iterator[list[str]], header: list[str]) -> list[str]:
    """The event types a file's rows name (read to the end, only to list its usable columns)."""
    if "type" not in header:
        return []
    column, found = header.index("type"), []
    try:
        for row in reader:
            if len(row) > column:
                found.append(type_code(row[column]))
    except csv.Error:
        pass
    return list(dict.fromkeys(found))


class _RecordStarts:
    """Tells whether a line inside a multi-line CSV row reads as a record of its own: it has the
    header's number of cells and a known event type (or, in a units master, a known unit type).
    Files with neither column are checked by the quote count alone."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        self.column, self.kinds = None, frozenset[str]()
        for name, kinds in (("type", frozenset(FAMILIES)), ("unit_type", frozenset(t.value for t in UnitType))):
            if name in header:
                self.column, self.kinds = header.index(name), kinds
                break

    @staticmethod
    def cells(text: str) -> list[str]:
        """``text`` read as one CSV row on its own ([] if it cannot be)."""
        try:
            return next(csv.reader([text]), [])
        except csv.Error:
            return []

    def cut(self, lines: list[str]) -> int:
        """The index of the first line after the first that starts a record; 0 if none does."""
        if len(lines) < 2 or self.column is None:
            return 0
        for i in range(1, len(lines)):
            cells = self.cells(lines[i])
            if len(cells) == self.width and type_code(cells[self.column]) in self.kinds:
                return i
        return 0


def _unclosed_quote() -> Reason:
    return Reason(
        "",
        "csv_quote",
        '引用符 (") が閉じられていません。後の行を取り込んでしまわないよう、この行は取り込みません',
        'has a quote (") that is never closed; the row is refused so that it cannot swallow the rows after it',
    )


def _doubled_columns(names: list[str]) -> Reason:
    listed = ", ".join(names)
    return Reason(
        "",
        "csv_header",
        f"見出し行に同じ列名が2回あります: {listed}（どちらの列が正しいか決められないため、ファイルを読みません）",
        f"the header names a column twice: {listed} (which one is meant cannot be told, so the file is not read)",
    )


def read_failure(exc: BaseException, last_line: int, bad_line: int = 0) -> Reason:
    """Why a file stopped being readable, and how far it was read, in words."""
    if isinstance(exc, EncodingProblem):
        code, ja, en = exc.reason.code, exc.reason.ja, exc.reason.en
    elif isinstance(exc, UnicodeDecodeError):
        what = not_utf8(bad_line or last_line + 1)
        code, ja, en = what.code, what.ja, what.en
    elif isinstance(exc, EOFError):
        code = "file_truncated"
        ja = "gzip ファイルが途中で切れています（転送やコピーが最後まで終わっていない？）"
        en = "the gzip file is cut off (an unfinished transfer or copy?)"
    elif isinstance(exc, gzip.BadGzipFile) and "Not a gzipped file" in str(exc):
        code = "not_gzip"
        ja, en = "名前は .gz ですが gzip 圧縮されたファイルではありません", "is named .gz but is not gzip-compressed"
    elif isinstance(exc, gzip.BadGzipFile | zlib.error):
        code = "file_corrupt"
        ja, en = f"gzip ファイルが壊れています（{exc}）", f"the gzip file is corrupt ({exc})"
    else:
        what_os = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        code, ja, en = "file_unreadable", f"ファイルを読めません: {what_os}", f"cannot be read: {what_os}"
    if last_line:
        ja += f"。{last_line}行目までは読み込みました（その分は取り込み済み、それ以降は未取込）。ファイルを直して再度取り込んでください"
        en += f"; read up to line {last_line} (those records are in, the rest is not). Fix the file and ingest it again"
    else:
        ja += "。何も取り込んでいません"
        en += "; nothing was read from it"
    return Reason("", code, ja, en)


def jsonl_lines(first: int, block: bytes) -> Iterator[tuple[int, bytes]]:
    """Numbered non-blank lines of a block of JSONL, whitespace and a byte-order mark removed."""
    for n, line in enumerate(block.split(b"\n"), first):
        stripped = line.strip()
        if n == 1 and stripped.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
            stripped = stripped[3:]
        if stripped:
            yield n, stripped


def _line_blocks(
    stream: io.BufferedIOBase, lines: int, read_size: int = 1 << 20, errors: list[BaseException] | None = None
) -> Iterator[tuple[int, bytes]]:
    """Blocks of ``lines`` lines (the last may be shorter), each ending at a line break.

    With ``errors``, a read that fails (a damaged ``.gz``) ends the blocks instead of raising: the
    error is appended and the unfinished last line is dropped, since it may be cut off. Reads go
    through ``read1`` so that everything decompressed before the failure has been handed on.
    """
    first, count, scanned = 1, 0, 0  # first line of the buffer; breaks found in buffer[:scanned]
    buffer = bytearray()
    while True:
        try:
            chunk = stream.read1(read_size)
        except READ_ERRORS as exc:
            if errors is None:
                raise
            errors.append(exc)
            if (end := buffer.rfind(b"\n") + 1) > 0:
                yield first, bytes(buffer[:end])
            return
        if not chunk:
            break
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
