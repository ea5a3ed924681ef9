"""The 年次公表 draft 「令和7年度事務処理誤り等の状況（案）」 (S1:2090-2094, S1:2642-2647; S2:366, S2:395).

The year's publication gathers the cases of its twelve monthly publications — those whose お客様対応
and 詳細報告 were completed between April and March (riskmon.reports.publication.cases), published
by their 公表判断 — so the year's figures are the sum of its months'. It counts them by 事象 against
the fiscal year they occurred in (発生年度別) and the fiscal year they came to light in (判明年度別):
errors in benefits are often found years after they happened (S0:1053-1054, S0:1065-1066), and the
two tables show how much of a year's publication is old errors. A case without an occurrence date
is counted under 不明 in the first table. Then the same 事象・判明契機・制度 tables as the month's,
and the withheld cases by reason.

Its data are as of the end of April after the year (:func:`default_as_of`), when March's
publication is prepared; it is kept through riskmon.reports.kept like the monthly draft.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.i18n.dates import fiscal_year_text
from riskmon.reports import kept
from riskmon.reports.monthly import aggregates, head, t, unrecorded_note, withheld_section
from riskmon.reports.monthly import default_as_of as monthly_as_of
from riskmon.reports.publication import tables
from riskmon.reports.publication.cases import Case, completed_between
from riskmon.reports.publication.output import Document, Section
from riskmon.reports.publication.output import write as write_document
from riskmon.store.asof import AsOf


def default_as_of(fy: int, cal: BusinessCalendar) -> datetime:
    """The end of April after the fiscal year: when its last month (March) is published."""
    return monthly_as_of(fy + 1, 3, cal)


def fy_table(heading: str, table: dict[str, Any], notes: tuple[str, ...], lang: str) -> Section:
    """A 事象 × fiscal-year table; a column for cases without the date is headed 不明."""
    years = [fiscal_year_text(y, lang) if y is not None else t("unknown", lang) for y in table["years"]]
    head = [t("h_event", lang), *years, t("total", lang)]
    rows = [[r["label"], *r["counts"], r["total"]] for r in table["rows"]]
    return Section(heading, head, rows, frozenset(range(1, len(head))), notes)


def document(fy: int, cases: list[Case], as_of: datetime, digest: str, cal: BusinessCalendar, lang: str) -> Document:
    published, withheld, undecided, meta = head(cases, as_of, digest, cal, lang)
    year = fiscal_year_text(fy, lang)
    paragraphs = [t("annual_scope", lang).format(fy=year)]
    if withheld:
        paragraphs.append(t("withheld_sentence", lang).format(n=len(withheld)))
    if undecided:
        paragraphs.append(t("undecided_annual", lang).format(n=len(undecided)))
    note = unrecorded_note(published, lang, "impact")
    sections = [
        fy_table(t("s_by_fy_occurred", lang), tables.by_fiscal_year(published, lambda c: c.occurred, cal, lang), note, lang),
        fy_table(t("s_by_fy_discovered", lang), tables.by_fiscal_year(published, lambda c: c.discovered, cal, lang), note, lang),
        *aggregates(published, lang),
        withheld_section(withheld, lang),
    ]
    return Document(t("title_annual", lang).format(fy=year) + t("draft", lang), meta, paragraphs, sections, lang, t("no_cases", lang))


def write(engine: Engine, fy: int, as_of: datetime, cal: BusinessCalendar, folder: Path, *, lang: str = "ja",
          refresh: bool = False, made_by: str | None = None) -> list[Path]:  # fmt: skip
    """Write ``annual.md``, ``annual.html`` and ``annual.xlsx`` into ``folder`` and keep the draft."""
    first, last = cal.fiscal_year_bounds(fy)
    with engine.connect() as conn:
        pinned = None if refresh else kept.first_generation(conn, "annual", first, last, as_of)
        known_run = kept.known_run(conn, pinned)
    cases = completed_between(engine, first, last, AsOf(as_of, known_run), cal)
    content = {"kind": "annual", "lang": lang, "fiscal_year": fy, "as_of": as_of.isoformat(), "known_run": known_run,
               "cases": [c.as_json() for c in cases]}  # fmt: skip
    digest = kept.data_hash(content)
    files = write_document(document(fy, cases, as_of, digest, cal, lang), folder, "annual", as_of)
    kept.keep(engine, "annual", first, last, as_of, digest, folder, content, made_by=made_by)
    return files
