"""Reading event sheets of Excel workbooks (.xlsx / .xlsm), one row at a time.

Why: offices keep their reports in Excel, and saving a CSV loses what Excel knows (a date cell is
a date, a number a number) and adds what it gets wrong (encodings). A sheet is read like a CSV file
— :class:`XlsxSheet` is a :class:`~riskmon.ingest.readers.SourceFile` whose records are the sheet's
rows, numbered as Excel numbers them — so the pipeline, the quarantine and re-ingesting work as for
any file. Its source is ``<file>:<sheet>``, and a reject is shown ``file:sheet!row`` (:func:`riskmon.events.reasons.where`).

Which sheets: those named after an event type (its code or its Japanese name, 「日次業務報告」), each
holding that type (the 種別 column may be left out); if none is, the first sheet, with a 種別 column.
The first non-empty row is the header (Japanese column names or field names:
riskmon.ingest.headers); a column it does not know is one reject for the sheet, with a
"did you mean", and the sheet is not read — a value would otherwise be lost without a word.

Cells are taken as Excel stored them (riskmon.ingest.codes decides by field): a date cell in a date
field is that day, a date-time cell in a date-time field is that time in the configured zone, a
whole number stored as 3.0 is 3; text is handed on like a CSV cell. A formula is read by the
result Excel saved with it, never evaluated; one with no saved result (a file written by a program
and never opened in Excel) is refused with the reason, as is an error value (#DIV/0!).

Memory stays flat in the number of rows: the sheet's XML is parsed as a stream and each row is let
go once read (openpyxl's own read-only sheets keep an emptied element per row and, for a file with
no dimension record, parse the whole sheet once when opened; its parser is used here without
them). What is held whole is Excel's shared-string table: each distinct text of the workbook once.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from riskmon.events.enums import UnitType
from riskmon.events.reasons import BadJson, Reason, parse_json
from riskmon.events.registry import FAMILIES
from riskmon.i18n import label
from riskmon.ingest.cells import Refused, canonical, normalise_cell
from riskmon.ingest.codes import BOOL_WORDS, Kind, code_for, kind_of, sheet_type, type_code
from riskmon.ingest.files import InputFile
from riskmon.ingest.readers import RawRecord, SourceFile
from riskmon.ingest.xlsx_header import Columns, read_header

__all__ = ["OPEN_ERRORS", "XlsxSheet", "open_input", "sheets_to_read"]

#: What a workbook that cannot be opened raises (not a ZIP, a part missing, broken XML).
OPEN_ERRORS = (OSError, zipfile.BadZipFile, KeyError, ValueError, InvalidFileException, ParseError)
_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"


class _Book:
    """An open workbook: its sheets and what reading their cells needs (shared strings, which
    number formats are dates). Only the parts of openpyxl's read-only load that this needs."""

    def __init__(self, path: Path, *, cells: bool) -> None:
        self.reader = ExcelReader(str(path), read_only=True, data_only=True)
        try:
            self.reader.read_manifest()
            self.reader.read_workbook()
            if cells:
                self.reader.read_strings()
                apply_stylesheet(self.reader.archive, self.reader.wb)
        except BaseException:
            self.reader.archive.close()
            raise
        self.sheets = {
            sheet.name: rel.target
            for sheet, rel in self.reader.parser.find_sheets()
            if "chartsheet" not in rel.Type and rel.target in self.reader.valid_files
        }

    def close(self) -> None:
        self.reader.archive.close()

    def rows(self, sheet: str) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        wb = self.reader.wb
        with self.reader.archive.open(self.sheets[sheet]) as src:
            parser = _Parser(src, self.reader.shared_strings, data_only=True, epoch=wb.epoch,
                             date_formats=getattr(wb, "_date_formats", set()),
                             timedelta_formats=getattr(wb, "_timedelta_formats", set()))  # fmt: skip
            yield from parser.rows()

    @property
    def position(self) -> int:
        fp = self.reader.archive.fp
        return fp.tell() if fp is not None and not fp.closed else 0


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, streaming rows without keeping them, and telling a formula that
    has no saved result (its cell is marked ``uncached``) from an empty cell."""

    def rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        data = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    data = element
            elif element.tag == ROW_TAG:
                row = self.parse_row(element)
                if data is not None:
                    data.clear()  # the row read is let go: memory stays flat in the rows
                yield row

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            saved = element.find(VALUE_TAG)
            # no result, or an empty one that is not text: programs (openpyxl too) write <v/>
            if saved is None or element.get("t") != "str":
                cell["data_type"] = "uncached"
        return cell


def sheets_to_read(path: Path) -> list[str]:
    """The sheets of a workbook that hold events: those named after a type, else the first.
    Raises one of :data:`OPEN_ERRORS` if the file is not a workbook openpyxl can open."""
    book = _Book(path, cells=False)
    try:
        names = list(book.sheets)
    finally:
        book.close()
    typed = [n for n in names if sheet_type(n)]
    return typed or names[:1]


def open_input(item: InputFile) -> SourceFile:
    """The reader for a planned input: a workbook's sheet, or a JSONL / CSV file."""
    if item.sheet is not None:
        return XlsxSheet(item.path, item.sheet, units=item.role == "units")
    return SourceFile(item.path, events=item.role == "events")


class XlsxSheet(SourceFile):
    """One sheet of a workbook; iterate it for records, as a :class:`SourceFile`.

    Rows arrive as mappings, like a CSV's (so ``is_csv``): the ingest prepares them in its own
    process (riskmon.ingest.parallel), never in worker processes."""

    def __init__(self, path: Path, sheet: str, *, units: bool = False) -> None:
        super().__init__(path)
        self.sheet = sheet
        self.source = f"{os.path.abspath(path)}:{sheet}"
        self.units = units
        self._book: _Book | None = None

    @property
    def position(self) -> int:
        return min(self._book.position, self.size) if self._book is not None else self.size

    @property
    def is_csv(self) -> bool:
        return True

    def jsonl_blocks(self, lines: int) -> Iterator[tuple[int, bytes]]:  # pragma: no cover - never JSONL
        raise TypeError("a worksheet has no JSONL blocks")

    def __iter__(self) -> Iterator[RawRecord]:
        self.failure = None
        try:
            self._book = _Book(self.path, cells=True)
        except OPEN_ERRORS as exc:
            self.failure = unreadable_workbook(exc)
            return
        try:
            yield from self._records(self._book.rows(self.sheet))
        except OPEN_ERRORS as exc:  # damaged part-way, or changed since it was planned
            self.failure = unreadable_workbook(exc, self.last_line)
        finally:
            self._book.close()
            self._book = None

    def _records(self, rows: Iterator[tuple[int, list[dict[str, Any]]]]) -> Iterator[RawRecord]:
        columns: Columns | None = None
        for n, cells in rows:
            filled = [c for c in cells if _filled(c)]
            if columns is None:
                if filled:
                    columns = read_header(filled, self.sheet, units=self.units)
                    if columns.failure is not None:
                        self.failure = columns.failure
                        return
                self.last_line = n
                continue
            self.last_line = n
            if filled:
                yield self._record(n, filled, columns)

    def _record(self, n: int, cells: list[dict[str, Any]], columns: Columns) -> RawRecord:
        record = RawRecord(self.source, n, "")
        shown: dict[str, Any] = {}
        by_field: dict[str, dict[str, Any]] = {}
        for cell in cells:
            field = columns.fields.get(cell["column"])
            if field is None:
                record.problems.append(_no_header(cell["column"]))
                continue
            by_field[field] = cell
            shown[columns.headers[cell["column"]]] = cell["value"]
        record.raw = json.dumps(shown, ensure_ascii=False, default=_text_of)
        kind = None if self.units else self._type_of(by_field.pop("type", None), record)
        data: dict[str, Any] = {} if kind is None else {"type": kind}
        for field, cell in by_field.items():
            value = self._value(kind, field, cell, record)
            if value is not _ABSENT:
                data[field] = value
        required = FAMILIES[kind].required_text_fields if kind in FAMILIES else frozenset()
        for field in required:
            if field in columns.fields.values():
                data.setdefault(field, "")  # an empty cell of a required text field means "", as in a CSV
        record.data = data
        return record

    def _type_of(self, cell: dict[str, Any] | None, record: RawRecord) -> str | None:
        """The row's type: its 種別 cell (code or Japanese name), else the sheet's."""
        named = sheet_type(self.sheet)
        if cell is None or cell["value"] is None or cell["data_type"] != "s" or not str(cell["value"]).strip():
            return named
        text = str(cell["value"]).strip()
        kind = type_code(text)
        if named is not None and kind != named:
            record.problems.append(Reason(
                "type", "sheet_type",
                f"シート『{self.sheet}』は{label(named, 'ja')}のシートですが、種別が『{text}』です",
                f"the sheet '{self.sheet}' holds {label(named, 'en')} records, but the type is '{text}'",
            ))  # fmt: skip
        return kind

    def _value(self, kind_name: str | None, field: str, cell: dict[str, Any], record: RawRecord) -> Any:
        kind, enum = _UNIT_KINDS.get(field, ("text", None)) if self.units else kind_of(kind_name, field)
        value, data_type = cell["value"], cell["data_type"]
        if data_type == "uncached":
            record.problems.append(_uncached(field))
            return _ABSENT
        if data_type == "e":
            record.problems.append(Reason(field, "xlsx_error", f"Excelのエラー値です：{value}", f"is an Excel error value: {value}"))
            return _ABSENT
        if isinstance(value, str):
            if self.units or kind == "list":
                return _text(kind, enum, field, value, record)
            return _office_text(kind_name, field, value, record)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool):
            return value if kind == "bool" else ("TRUE" if value else "FALSE")
        if isinstance(value, int | float):
            if kind in ("date", "datetime"):
                record.problems.append(_number_for_date(field, value))
                return _ABSENT
            return value if kind in ("count", "bool") else str(value)
        if isinstance(value, datetime):
            if kind == "date" and value == datetime.combine(value.date(), datetime.min.time()):
                return value.date()
            return value if kind in ("date", "datetime") else _text_of(value)
        return value if kind in ("date", "datetime") else _text_of(value)  # a time or a duration


_ABSENT = object()


def _filled(cell: dict[str, Any]) -> bool:
    """A cell that holds something: spaces alone do not count (a row of them is skipped, as in a
    CSV file); a formula with no saved result does (it is refused with its reason)."""
    value = cell["value"]
    if value is None:
        return bool(cell["data_type"] == "uncached")
    return not isinstance(value, str) or bool(value.strip())


#: The units master's fields that are not text (riskmon.events.units.UnitRecord).
_UNIT_KINDS: dict[str, tuple[Kind, Any]] = {"active": ("bool", None), "unit_type": ("enum", UnitType)}


def _office_text(type_name: str | None, field: str, value: str, record: RawRecord) -> Any:
    """An event's text cell, read exactly as a CSV cell (riskmon.ingest.cells: full-width digits,
    和暦 and slashed dates, Japanese labels for codes); a rewritten cell is kept as written."""
    text = value.strip()
    if not text:
        return _ABSENT
    read = normalise_cell(field, text, type_name)
    if isinstance(read, Refused):
        record.problems.append(Reason(field, read.reason.code, read.reason.ja, read.reason.en))
        return _ABSENT
    if text != canonical(read):
        record.cells = {**(record.cells or {}), field: text}
    return read


def _text(kind: Kind, enum: Any, field: str, value: str, record: RawRecord) -> Any:
    """A text cell, handed on as a CSV cell would be; a coded field's Japanese label becomes its
    code and はい/いいえ a yes/no, as a template's drop-down lists offer them."""
    text = value.strip()
    if not text:
        return _ABSENT
    if kind == "enum":
        return code_for(enum, text)
    if kind == "bool":
        return BOOL_WORDS.get(text, text)
    if kind == "list":
        try:
            return parse_json(text)
        except BadJson as exc:
            record.problems.append(Reason(exc.reason.field or field, exc.reason.code, exc.reason.ja, exc.reason.en))
            return _ABSENT
    return text


def _text_of(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _uncached(field: str) -> Reason:
    return Reason(
        field,
        "xlsx_formula",
        "数式の計算結果が保存されていません（Excel で開いて保存し直すか、値として貼り付けてください）",
        "is a formula with no saved result (open and save the file in Excel, or paste the values)",
    )


def _number_for_date(field: str, value: float) -> Reason:
    return Reason(
        field,
        "xlsx_number_date",
        f"日付ではなく数値{value}が入っています。セルに日付として入力してください（例：2026/4/6）",
        f"holds the number {value}, not a date; enter it as a date (e.g. 2026-04-06)",
    )


def _no_header(column: int) -> Reason:
    letter = get_column_letter(column)
    return Reason("", "xlsx_no_header", f"見出しのない{letter}列に値があります", f"has a value in column {letter}, which has no header")


def unreadable_workbook(exc: BaseException, last_row: int = 0) -> Reason:
    """Why a workbook could not be read, and how far."""
    what = str(exc).splitlines()[0][:200] if str(exc) else exc.__class__.__name__
    ja = f"Excel ブック (.xlsx) として読めません（{what}）。Excel で開いて『Excel ブック (.xlsx)』で保存し直してください"
    en = f"cannot be read as an Excel workbook (.xlsx) ({what}); open it in Excel and save it as 'Excel Workbook (.xlsx)'"
    if last_row:
        ja += f"。{last_row}行目までは読み込みました"
        en += f"; read up to row {last_row}"
    return Reason("", "xlsx_unreadable", ja, en)
