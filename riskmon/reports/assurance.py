"""The 監査部's audit document on the second line (``riskmon report assurance``):
「第二線のリスク管理体制の整備・運用状況に関する監査資料」 as Markdown, self-contained HTML, xlsx
and — like the committee pack — a PDF printed from the HTML.

The data comes from riskmon.review.assurance; the sections (riskmon.reports.assurance_sections)
are rendered by the same writers as the committee pack (riskmon.reports.render), so escaping,
reproducible xlsx and the PDF's print stylesheet are shared. The cover names 監査部 as 作成部署
whatever ``[reports] department`` says (that is the second line's committee pack's author); the
取扱区分 is the configured one. Dates people read are 和暦 (riskmon.i18n.dates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import ReportsConfig
from riskmon.i18n import phrases
from riskmon.i18n.dates import day_text, moment_text, range_text
from riskmon.reports.assurance_sections import Cell, sections
from riskmon.reports.data import period_label
from riskmon.reports.pdf import PdfUnavailable, print_pdf
from riskmon.reports.render import render, write_text, write_xlsx


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]
    pdf_problem: PdfUnavailable | None = None  # why no PDF was printed (the other files exist)


def context(data: dict[str, Any], cal: BusinessCalendar, look: ReportsConfig, lang: str, names: Mapping[str, str],
            prepared_on: date) -> dict[str, Any]:  # fmt: skip
    """What the templates read: the cover, the sections and the cell formatter."""
    first, last = date.fromisoformat(data["period"]["from"]), date.fromisoformat(data["period"]["to"])
    a = phrases("assurance", lang)
    at = datetime.fromisoformat(data["as_of"]).astimezone(cal.tz)
    return {
        "lang": lang, "a": a, "r": phrases("report", lang),
        "period_label": period_label(first, last, cal, lang), "span": range_text(first, last, lang),
        "as_of_text": day_text(at.date(), lang) if (at.hour, at.minute) == (23, 59) else moment_text(at, cal.tz, lang),
        "cover": {"department": a["department"], "handling": look.handling_en if lang == "en" else look.handling,
                  "prepared_on": day_text(prepared_on, lang)},
        "sections": sections(data, lang, names),
        "cell": lambda value: cell(value, lang),
    }  # fmt: skip


def cell(value: Cell, lang: str) -> str:
    """A table cell as people read it: dates in 和暦 (English: 1 Apr 2025), numbers with separators."""
    if value is None or value == "":
        return "-"
    if isinstance(value, date):
        return day_text(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return value


def write(data: dict[str, Any], folder: Path, cal: BusinessCalendar, names: Mapping[str, str], *, lang: str = "ja",
          look: ReportsConfig | None = None, prepared_on: date | None = None) -> Written:  # fmt: skip
    """The document's files in ``folder``: assurance.md, .html, .xlsx and (``look.pdf``) .pdf."""
    look = look or ReportsConfig(pdf=False)
    as_of = datetime.fromisoformat(data["as_of"])
    ctx = context(data, cal, look, lang, names, prepared_on or as_of.astimezone(cal.tz).date())
    sheets = {tb.sheet: [list(tb.header), *tb.rows] for s in ctx["sections"] for tb in s.tables}
    files = [
        write_text(folder / "assurance.md", render("assurance.md.j2", ctx)),
        write_text(folder / "assurance.html", render("assurance.html.j2", ctx)),
        write_xlsx(folder / "assurance.xlsx", sheets, as_of),
    ]
    problem = None
    if look.pdf:
        try:
            files.append(print_pdf(folder / "assurance.html", folder / "assurance.pdf", as_of, look.browser))
        except PdfUnavailable as exc:
            problem = exc
    return Written(folder, files, problem)


def to_markdown(data: dict[str, Any], cal: BusinessCalendar, names: Mapping[str, str], lang: str = "ja",
                look: ReportsConfig | None = None, prepared_on: date | None = None) -> str:  # fmt: skip
    """The Markdown alone (what the CLI prints with ``--stdout``)."""
    as_of = datetime.fromisoformat(data["as_of"])
    ctx = context(data, cal, look or ReportsConfig(pdf=False), lang, names, prepared_on or as_of.astimezone(cal.tz).date())
    return render("assurance.md.j2", ctx)
