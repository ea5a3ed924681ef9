"""Exports of the filtered フラグ一覧: CSV (UTF-8 with BOM, so Japanese Excel opens it) and xlsx.

Why through :mod:`riskmon.reports.safe_cells`: titles, messages and unit names come from files
other people write; a cell starting with ``= + - @`` must reach the spreadsheet as text, never
as a formula. The CSV is produced row by row as the database streams them; the xlsx uses
openpyxl's write-only mode, which keeps only the current row in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from riskmon.domain import ReviewStatus, RiskCategory, Severity
from riskmon.i18n import label, translator
from riskmon.reports.safe_cells import csv_row, looks_like_formula, xlsx_text

_CATEGORIES = {c.value for c in RiskCategory}
COLUMNS = ("col_id", "col_severity", "col_status", "col_title", "col_unit", "col_unit_name", "col_rule", "col_category",
           "col_subject", "col_first_seen", "col_due", "col_message")  # fmt: skip


def _values(flag: dict[str, Any], units: dict[str, str], lang: str, tz: ZoneInfo) -> list[Any]:
    def when(v: datetime | None) -> str:
        return v.astimezone(tz).strftime("%Y-%m-%d %H:%M") if v else ""

    en = lang == "en"
    return [
        flag["id"], label(Severity(flag["severity"]), lang), label(ReviewStatus(flag["review_status"]), lang),
        flag["title_en"] if en else flag["title_ja"], flag["owner_unit"], units.get(flag["owner_unit"], ""), flag["rule_id"],
        label(RiskCategory(flag["risk_category"]), lang) if flag["risk_category"] in _CATEGORIES else flag["risk_category"],
        flag["subject"], when(flag["first_seen"]), when(flag["due_at"]), flag["message_en"] if en else flag["message_ja"],
    ]  # fmt: skip


def csv_chunks(flags: Iterable[dict[str, Any]], units: dict[str, str], lang: str, tz: ZoneInfo) -> Iterator[bytes]:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(csv_row(map(translator("web", lang), COLUMNS)))
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")
    buf.seek(0)
    buf.truncate()
    for flag in flags:
        out.writerow(csv_row(_values(flag, units, lang, tz)))
        if buf.tell() > 65536:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def xlsx_bytes(flags: Iterable[dict[str, Any]], units: dict[str, str], lang: str, tz: ZoneInfo) -> bytes:
    wb = Workbook(write_only=True)
    t = translator("web", lang)
    ws: WriteOnlyWorksheet = wb.create_sheet(t("flags_title")[:31])
    ws.append([_cell(ws, t(c)) for c in COLUMNS])
    for flag in flags:
        ws.append([_cell(ws, v) for v in _values(flag, units, lang, tz)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """Text always as a string cell (with Excel's quote prefix when it looks like a formula)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=xlsx_text(value))
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell
