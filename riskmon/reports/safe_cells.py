"""Cells that spreadsheets show as text, never run as formulas (CSV and xlsx exports).

Unit names, event summaries, contractor names and flag messages come from files other people
write. Excel treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) as a formula, so a summary such as ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` would
run on the committee's machines when they open the pack. Every exporter goes through this one
module so the rule is written once:

* xlsx: text is always written as a string cell (openpyxl would otherwise store a leading ``=``
  as a formula) and formula-like text also gets Excel's quote prefix, so editing the cell keeps
  it text. The value itself is not changed.
* CSV has no cell types, so formula-like text is prefixed with a single quote ``'`` (OWASP's
  recommendation for CSV injection); Excel shows the quote only in the edit line.

Japanese input methods produce full-width ``＝＋－＠``, which Excel also reads as operators,
so they count too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CSV side needs no openpyxl
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

#: first characters (after leading whitespace) that make a spreadsheet read a cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
#: whitespace that itself starts a formula-like cell (before any stripping)
FORMULA_WHITESPACE = ("\t", "\r")
#: characters XML 1.0 cannot carry: control characters (openpyxl refuses them), and U+FFFE, U+FFFF
#: and lone surrogates (openpyxl writes them, and the workbook then cannot be opened)
_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_WHITESPACE) or text.lstrip().startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A CSV field: formula-like text gets a leading ``'``; numbers and other text pass unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_text(text: str) -> str:
    """The text as an xlsx file can hold it.

    The file is XML: a carriage return comes back as a line feed whatever is written, so line
    breaks are written as line feeds; characters XML cannot carry at all become U+FFFD, so one
    odd record neither stops the whole pack nor makes the workbook unreadable."""
    return _NOT_IN_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value; text always lands in a string cell, never in a formula cell."""
    if not isinstance(value, str):
        plain: Cell = ws.cell(row=row, column=column, value=value)
        return plain
    cell = ws.cell(row=row, column=column, value=xlsx_text(value))
    cell.data_type = "s"  # openpyxl types a leading "=" as "f" (formula): undo that
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell
