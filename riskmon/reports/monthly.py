"""The 月次公表 draft 「事務処理誤り等（令和7年5月分）の公表について（案）」 (S1:2090; S1:2642-2647).

What the 機構 publishes each month: the 事務処理誤り等 (事件・事故 included) whose お客様対応 and
詳細報告 were completed in the month (riskmon.reports.publication.cases says how that is read from
the events), listed with 番号, 種類, 事象, 制度, 発生（判明）年月日, 拠点, 概要, 影響お客様数, 金額
and 対応状況, and counted by 事象 (未払い・過払い・過徴収・未徴収・誤還付, with their amounts), by
判明契機 and by 制度 (riskmon.reports.publication.tables). Only cases whose 公表判断 is 公表 are listed; those
withheld are counted by reason; those without a decision yet are shown apart for the draft's
reader and are not part of the publication.

The month is published at the end of the following month: without ``--month`` the draft is the one
being prepared now — the month before the last month-end (:func:`default_month`) — and its data are
as of the end of the following month (:func:`default_as_of`), when its 公表判断 are due.

Read through the as-of layer like the committee pack and kept through riskmon.reports.kept: a draft
regenerated for the same month and data date reuses the ingest high-water mark of its first
generation, and is stored again only when its content differs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar, add_months, month_bounds
from riskmon.events.enums import FINANCIAL_IMPACT_KINDS
from riskmon.i18n import phrase
from riskmon.i18n.dates import day_text, moment_text, month_text
from riskmon.reports import kept
from riskmon.reports.publication import tables
from riskmon.reports.publication.cases import Case, completed_between
from riskmon.reports.publication.output import Document, Section
from riskmon.reports.publication.output import write as write_document
from riskmon.store.asof import AsOf


def default_month(today: date) -> tuple[int, int]:
    """The month whose publication is prepared on ``today``: the month before the last month-end on
    or before ``today`` (on 2025-06-30 and on 2025-07-15 alike: May 2025)."""
    last_end = today if (today + timedelta(days=1)).day == 1 else date(today.year, today.month, 1) - timedelta(days=1)
    month = add_months(date(last_end.year, last_end.month, 1), -1)
    return month.year, month.month


def default_as_of(year: int, month: int, cal: BusinessCalendar) -> datetime:
    """The end of the month after ``month``: when its publication is prepared."""
    following = add_months(date(year, month, 1), 1)
    return cal.end_of_day(month_bounds(following.year, following.month)[1])


#: the years a publication can be for: 和暦 is written from 明治6年 (riskmon.i18n.dates), and a
#: four-digit year keeps a typo (20255) from becoming a folder name
YEARS = range(1900, 10000)


def month_of(text: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); anything else is a ValueError the CLI words."""
    if len(text) != 7 or text[4] != "-":
        raise ValueError(text)
    when = date.fromisoformat(text + "-01")
    if when.year not in YEARS:
        raise ValueError(text)
    return when.year, when.month


def fiscal_year_of(text: str) -> int:
    """``2025`` or ``FY2025`` (any case) as 2025; anything else is a ValueError the CLI words."""
    digits = text.strip().upper().removeprefix("FY")
    if len(digits) != 4 or not digits.isdigit() or int(digits) not in YEARS:
        raise ValueError(text)
    return int(digits)


def t(key: str, lang: str) -> str:
    return phrase("publication", key, lang)


def date_text(case: Case, lang: str) -> str:
    """発生（判明）年月日: 「令和7年3月15日（令和7年4月1日）」; an unknown occurrence is 不明."""
    occurred = day_text(case.occurred, lang) if case.occurred is not None else t("unknown", lang)
    found = day_text(case.discovered, lang)
    return f"{occurred}（{found}）" if lang == "ja" else f"{occurred} ({found})"


def status_text(case: Case, lang: str) -> str:
    """対応状況: every listed case has its customers handled and its report done; closed or not."""
    return t("st_closed", lang) if case.closed else t("st_rollout", lang)


def office(case: Case, lang: str) -> str:
    return case.office_ja if lang == "ja" else case.office_en


def case_list(cases: list[Case], lang: str) -> Section:
    """The published list, numbered in order of discovery: the case's 種類 (its category), then
    the 事象 its amount is of and its 制度; the xlsx has the two dates as dates."""
    head = [t(k, lang) for k in ("h_no", "h_kind", "h_event", "h_scheme", "h_date", "h_office", "h_summary", "h_customers",
                                 "h_amount", "h_status", "h_cause", "h_prevention")]  # fmt: skip
    rows = [[n, *_what(c, lang), date_text(c, lang), office(c, lang), c.summary, c.customers, c.amount, status_text(c, lang),
             *_why(c, lang)] for n, c in enumerate(cases, 1)]  # fmt: skip
    sheet_head = [t(k, lang) for k in ("h_no", "h_kind", "h_event", "h_scheme", "h_occurred", "h_discovered", "h_office", "h_summary",
                                       "h_customers", "h_amount", "h_status", "h_cause", "h_prevention")]  # fmt: skip
    sheet: list[list[Any]] = [sheet_head]
    sheet += [[n, *_what(c, lang), c.occurred or "", c.discovered, office(c, lang), c.summary, c.customers,
               c.amount if c.amount is not None else "", status_text(c, lang), *_why(c, lang)] for n, c in enumerate(cases, 1)]  # fmt: skip
    return Section(t("s_list", lang), head, rows, frozenset({0, 7, 8}), (t("amount_note", lang), *unrecorded_note(cases, lang)), sheet)


def _what(case: Case, lang: str) -> list[str]:
    """種類, 事象, 制度 of a listed case."""
    return [tables.event_label(case, lang), tables.code_label(case.impact, lang), tables.code_label(case.scheme, lang)]


def _why(case: Case, lang: str) -> list[str]:
    """発生原因 and 再発防止策 of a listed case: the cause category as the 機構 words it
    (「確認誤り等（人為的な誤り）」) and the measures recorded with the prevention step."""
    return [tables.code_label(case.cause or "not_analysed", lang), case.prevention or "-"]


def unrecorded_note(cases: list[Case], lang: str, *fields: str) -> tuple[str, ...]:
    """The note under a table that shows 未記録 (a case without one of ``fields``, default both):
    what the word means there."""
    return (t("unrecorded_note", lang),) if tables.unrecorded(cases, *(fields or ("impact", "scheme"))) else ()


def aggregate(heading: str, first: str, rows: list[dict[str, Any]], lang: str, notes: tuple[str, ...] = ()) -> Section:
    head = [first, t("h_count", lang), t("h_customers", lang), t("h_amount", lang)]
    return Section(heading, head, [[r["label"], r["count"], r["customers"], r["amount"]] for r in rows], frozenset({1, 2, 3}), notes)


def counts(heading: str, first: str, rows: list[dict[str, Any]], lang: str, notes: tuple[str, ...] = ()) -> Section:
    """A table of counts and customers without amounts: 判明契機別 and 制度別, where an amount would
    add a 未払い to a 過払い (opposite errors); amounts are the 事象 table's."""
    head = [first, t("h_count", lang), t("h_customers", lang)]
    return Section(heading, head, [[r["label"], r["count"], r["customers"]] for r in rows], frozenset({1, 2}), notes)


def aggregates(published: list[Case], lang: str) -> list[Section]:
    """The monthly and the annual draft's three tables: by 事象 with amounts, by 判明契機, by 制度."""
    impact_notes = (t("impact_note", lang), *unrecorded_note(published, lang, "impact"))
    scheme_notes = unrecorded_note(published, lang, "scheme")
    return [
        aggregate(t("s_by_impact", lang), t("h_event", lang), tables.by_impact(published, lang), lang, impact_notes),
        counts(t("s_by_channel", lang), t("h_channel", lang), tables.by_channel(published, lang), lang),
        counts(t("s_by_scheme", lang), t("h_scheme", lang), tables.by_scheme(published, lang), lang, scheme_notes),
    ]


def withheld_section(cases: list[Case], lang: str) -> Section:
    reasons = tables.withheld_reasons(cases)
    rows: list[list[Any]] = [[r["reason"], r["count"]] for r in reasons]
    if rows:
        rows.append([t("total", lang), sum(r["count"] for r in reasons)])
    return Section(t("s_withheld", lang), [t("h_reason", lang), t("h_count", lang)], rows, frozenset({1}))


def undecided_section(cases: list[Case], lang: str) -> Section:
    head = [t(k, lang) for k in ("h_case", "h_kind", "h_date", "h_office", "h_summary", "h_customers", "h_ready")]
    rows = [[c.case_id, tables.event_label(c, lang), date_text(c, lang), office(c, lang), c.summary, c.customers, day_text(c.ready, lang)]
            for c in cases]  # fmt: skip
    return Section(t("s_undecided", lang), head, rows, frozenset({5}))


#: the 事象 with money at stake (the 「うち金銭的影響あり」 of the summary line)
_MONEY = frozenset(k.value for k in FINANCIAL_IMPACT_KINDS)


def head(cases: list[Case], as_of: datetime, digest: str, cal: BusinessCalendar,
         lang: str) -> tuple[list[Case], list[Case], list[Case], list[str]]:  # fmt: skip
    """What the monthly and the annual draft both open with: the cases to publish, those withheld
    and those still undecided, and the lines under the title (data date, count with those with
    money at stake and with personal information, data hash)."""
    published = [c for c in cases if c.published]
    colon = t("colon", lang)
    money, personal = sum(c.impact in _MONEY for c in published), sum(c.personal_info for c in published)
    meta = [f"{t('as_of', lang)}{colon}{moment_text(as_of, cal.tz, lang)}",
            f"{t('published_count', lang)}{colon}{t('count_unit', lang).format(n=len(published))}"
            + t("of_which", lang).format(money=money, personal=personal),
            f"{t('data_hash', lang)}{colon}{digest}"]  # fmt: skip
    return published, [c for c in cases if c.withheld], [c for c in cases if c.decision is None], meta


def document(year: int, month: int, cases: list[Case], as_of: datetime, digest: str, cal: BusinessCalendar, lang: str) -> Document:
    """The draft as a :class:`Document`: the published list and its aggregates, the withheld
    count by reason, then the undecided cases for the draft's reader."""
    published, withheld, undecided, meta = head(cases, as_of, digest, cal, lang)
    when = month_text(year, month, lang)
    title = t("title_monthly", lang).format(month=when) + t("draft", lang)
    paragraphs = [t("monthly_scope", lang).format(month=when)]
    if withheld:
        paragraphs.append(t("withheld_sentence", lang).format(n=len(withheld)))
    if undecided:
        paragraphs.append(t("undecided_sentence", lang).format(n=len(undecided)))
    sections = [
        case_list(published, lang),
        *aggregates(published, lang),
        withheld_section(withheld, lang),
    ]
    if undecided:
        sections.append(undecided_section(undecided, lang))
    return Document(title, meta, paragraphs, sections, lang, t("no_cases", lang))


def write(engine: Engine, year: int, month: int, as_of: datetime, cal: BusinessCalendar, folder: Path, *, lang: str = "ja",
          refresh: bool = False, made_by: str | None = None) -> list[Path]:  # fmt: skip
    """Write ``monthly.md``, ``monthly.html`` and ``monthly.xlsx`` into ``folder`` and keep the draft."""
    first, last = month_bounds(year, month)
    with engine.connect() as conn:
        pinned = None if refresh else kept.first_generation(conn, "monthly", first, last, as_of)
        known_run = kept.known_run(conn, pinned)
    cases = completed_between(engine, first, last, AsOf(as_of, known_run), cal)
    content = {"kind": "monthly", "lang": lang, "month": f"{year}-{month:02d}", "as_of": as_of.isoformat(), "known_run": known_run,
               "cases": [c.as_json() for c in cases]}  # fmt: skip
    digest = kept.data_hash(content)
    files = write_document(document(year, month, cases, as_of, digest, cal, lang), folder, "monthly", as_of)
    kept.keep(engine, "monthly", first, last, as_of, digest, folder, content, made_by=made_by)  # kept, like the committee packs
    return files
