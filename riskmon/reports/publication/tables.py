"""The publications' aggregates: counts with customers and amounts by 事象, 判明契機 and 業務区分, and
the 年次公表's counts by fiscal year of occurrence and of discovery.

Rows follow the event contract's order of each value (riskmon.events.enums), not the count, so a
month's table reads in the same order as the next month's; only values with a case are shown, and
a 合計 row closes each table. An amount is the sum of the cases that carry one (the report's
``amount_impact_jpy``); a table none of whose cases carries one shows no amount rather than 0円.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.events.enums import BusinessArea, DiscoveryChannel, ErrorCategory, ReportKind
from riskmon.i18n import label, phrase
from riskmon.reports.publication.cases import Case


def event_label(case: Case, lang: str) -> str:
    """The 事象: the category, with 事件 or 事故 named after it (「誤送付（事件）」)."""
    text = label(case.category, lang)
    if case.report_kind != ReportKind.PROCESSING_ERROR:
        text += phrase("publication", "kind_suffix", lang).format(kind=label(case.report_kind, lang))
    return text


def channel_label(code: str, lang: str) -> str:
    """判明契機: the publication's word for a discovery channel (a code it does not know: as it is)."""
    try:
        return phrase("publication", f"ch_{code}", lang)
    except KeyError:
        return code


def amount_total(cases: Iterable[Case]) -> int | None:
    amounts = [c.amount for c in cases if c.amount is not None]
    return sum(amounts) if amounts else None


def breakdown(cases: list[Case], key: Callable[[Case], str], order: type[StrEnum], name: Callable[[str], str],
              lang: str) -> list[dict[str, Any]]:  # fmt: skip
    """One row per value of ``order`` that has a case (then any value outside the enum, by code),
    with its count, customers and amount, and the 合計 row last."""
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(key(c), []).append(c)
    known = [m.value for m in order]
    codes = [v for v in known if v in groups] + sorted(v for v in groups if v not in known)
    rows = [_row(name(code), groups[code]) for code in codes]
    return [*rows, _row(phrase("publication", "total", lang), cases)]


def _row(text: str, cases: list[Case]) -> dict[str, Any]:
    return {"label": text, "count": len(cases), "customers": sum(c.customers for c in cases), "amount": amount_total(cases)}


def by_category(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    """事象別: 事件・事故 apart from the 事務処理誤り of the same category (their 事象 says so)."""
    return [_row(text, group) for text, group in by_category_groups(cases, lang)] + [_row(phrase("publication", "total", lang), cases)]


def _index(order: type[StrEnum], value: str) -> int:
    values = [m.value for m in order]
    return values.index(value) if value in values else len(values)


def by_channel(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    return breakdown(cases, lambda c: c.channel, DiscoveryChannel, lambda code: channel_label(code, lang), lang)


def by_area(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    return breakdown(cases, lambda c: c.area, BusinessArea, lambda code: label(code, lang), lang)


def withheld_reasons(cases: list[Case]) -> list[dict[str, Any]]:
    """The withheld cases by reason, most frequent first (then by the reason's text)."""
    counts = Counter(c.reason or "" for c in cases if c.withheld)
    return [{"reason": reason, "count": n} for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def by_fiscal_year(cases: list[Case], when: Callable[[Case], Any], cal: BusinessCalendar, lang: str) -> dict[str, Any]:
    """A category × fiscal-year table (the 年次公表's 発生年度別 / 判明年度別): the columns are the
    fiscal years that occur, oldest first, then 不明 when a case has no date, then 合計; a 合計 row
    closes it."""
    fy_of: dict[str, int | None] = {c.case_id: (cal.fiscal_year(d) if (d := when(c)) is not None else None) for c in cases}
    years = sorted({y for y in fy_of.values() if y is not None})
    columns: list[int | None] = [*years, *([None] if None in fy_of.values() else [])]
    rows = []
    for group in by_category_groups(cases, lang):
        text, members = group
        counts = [sum(1 for c in members if fy_of[c.case_id] == y) for y in columns]
        rows.append({"label": text, "counts": counts, "total": len(members)})
    totals = [sum(1 for c in cases if fy_of[c.case_id] == y) for y in columns]
    rows.append({"label": phrase("publication", "total", lang), "counts": totals, "total": len(cases)})
    return {"years": columns, "rows": rows}


def by_category_groups(cases: list[Case], lang: str) -> list[tuple[str, list[Case]]]:
    """The cases grouped by 事象, in the order :func:`by_category` shows them."""
    kinds = [k.value for k in ReportKind]
    groups: dict[str, list[Case]] = {}
    for c in sorted(cases, key=lambda c: (_index(ErrorCategory, c.category), kinds.index(c.report_kind) if c.report_kind in kinds else 9)):
        groups.setdefault(event_label(c, lang), []).append(c)
    return list(groups.items())
