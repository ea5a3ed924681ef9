"""Writing a publication: the same document as Markdown, self-contained HTML and xlsx.

A publication is a title, a few lines under it (data date, count, data hash), paragraphs and
tables; both the 月次公表 and the 年次公表 are built as such a :class:`Document`, so one pair of
templates (``publication.md.j2`` / ``publication.html.j2``) and one sheet writer serve both, with
the escaping riskmon.reports.render gives every report (summaries and office names are other
people's text). The xlsx has a sheet per table, its text written through safe_cells (a summary
beginning with ``=`` stays text) and its dates as real dates where the table gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from riskmon.reports.render import render, write_text, write_xlsx


@dataclass(frozen=True)
class Section:
    """One table with its heading; ``numeric`` are the columns set right-aligned, ``sheet`` the
    xlsx rows (header first) when they differ from the shown ones (dates as date cells)."""

    heading: str
    header: list[str]
    rows: list[list[Any]]
    numeric: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()
    sheet: list[list[Any]] | None = None


@dataclass(frozen=True)
class Document:
    title: str
    meta: list[str]
    paragraphs: list[str]
    sections: list[Section] = field(default_factory=list)
    lang: str = "ja"
    none_text: str = ""


def cell(value: Any) -> str:
    """A shown cell: numbers with thousands separators, no value as 「-」."""
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def write(doc: Document, folder: Path, stem: str, as_of: datetime) -> list[Path]:
    """``<stem>.md``, ``<stem>.html`` and ``<stem>.xlsx`` in ``folder``; byte-identical for the same
    document (the xlsx is stamped with ``as_of``, riskmon.reports.render)."""
    context = {"doc": doc, "cell": cell}
    sheets: dict[str, list[list[Any]]] = {}
    for s in doc.sections:
        name = s.heading[:31]
        sheets[name if name not in sheets else f"{name[:28]}_{len(sheets)}"] = s.sheet if s.sheet is not None else [s.header, *s.rows]
    return [
        write_text(folder / f"{stem}.md", render("publication.md.j2", context)),
        write_text(folder / f"{stem}.html", render("publication.html.j2", context)),
        write_xlsx(folder / f"{stem}.xlsx", sheets, as_of),
    ]
