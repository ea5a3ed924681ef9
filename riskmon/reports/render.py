"""Writing report files reproducibly: the same data gives byte-identical files.

Markdown and HTML come from Jinja templates beside this module; the xlsx holds the pack's
tables, with its timestamps pinned to the report's as-of time and the zip entries re-stamped,
because spreadsheet writers otherwise stamp the current time.

Everything in a report that comes from data (unit names, event text, contractor names) was
written by someone else, so no output can carry it as markup: ``*.html.j2`` templates are
always HTML-autoescaped (charts arrive as ``Markup`` built from escaped text), ``*.md.j2``
templates pass every value through :func:`~riskmon.markdown.md_text`, and the xlsx
writes text through :mod:`~riskmon.reports.safe_cells`. A template of any other kind is refused
rather than rendered unescaped.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from riskmon.markdown import md_text
from riskmon.reports.safe_cells import put

_LOADER = FileSystemLoader(Path(__file__).with_name("templates"))
#: HTML: every value escaped (``autoescape=True``, not an extension list a ``.html.j2`` name misses)
HTML = Environment(loader=_LOADER, autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
#: Markdown: every value escaped as Markdown text
MARKDOWN = Environment(loader=_LOADER, autoescape=False, finalize=md_text, undefined=StrictUndefined, keep_trailing_newline=True)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def render(template: str, context: dict[str, Any]) -> str:
    if template.endswith(".html.j2"):
        env = HTML
    elif template.endswith(".md.j2"):
        env = MARKDOWN
    else:
        raise ValueError(f"{template}: report templates are *.html.j2 or *.md.j2 (each has its own escaping)")
    return env.get_template(template).render(**context)


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced grid: 2 for a wide (全角) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], as_of: datetime) -> Path:
    """One sheet per table (first row is the header), ready for a Japanese office: dates as dates,
    numbers with thousands separators, columns as wide as their text (全角 counted double), the
    header frozen and filterable, and A4 print setup (landscape when wide, fit to width, the header
    repeated on every page)."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF5")
    for title, rows in sheets.items():
        ws = wb.create_sheet(title[:31])
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                cell = put(ws, r, c, value)
                if r == 1:
                    cell.font, cell.fill = head_font, head_fill
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    cell.number_format = "#,##0" if isinstance(value, int) else "#,##0.0"
        total = 0
        for col in ws.columns:
            width = max(_cell_width(c.value) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))
            total += min(60, max(8, width + 2))
        if rows:
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            ws.print_title_rows = "1:1"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if total > 100 else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    stamp = as_of.replace(tzinfo=None, microsecond=0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "riskmon"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_restamp(buffer.getvalue(), stamp.isoformat() + "Z"))
    return path


def _cell_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,}")
    return display_width(str(value))


def _restamp(data: bytes, stamp: str) -> bytes:
    """The same zip with fixed entry times and document dates (openpyxl writes the save time into
    docProps/core.xml whatever we set), so regenerating the file changes no byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()
