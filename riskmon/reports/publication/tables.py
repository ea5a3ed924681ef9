"""The publications' aggregates: counts with customers and amounts by 事象 (未払い・過払い・過徴収・
未徴収・誤還付, or no financial impact), counts by 判明契機 and by 制度, and the 年次公表's counts by
fiscal year of occurrence and of discovery.

The 事象 and 制度 tables have fixed rows — every 事象, every 制度, in the event contract's order
(riskmon.events.enums), 0 where a month had none — because the 機構 publishes them as a form that
reads the same month after month. A case whose report predates these fields is counted in a row
of its own, 未記録, shown only when there is one: it is neither 金銭的影響なし nor any 制度.
The 判明契機 table shows only the channels that found a case. A 合計 row closes each table.

Only the 事象 table has amounts: in a 判明契機 or 制度 row a 未払い would be added to a 過払い. An
amount is the sum of the cases that carry one (the report's ``amount_impact_jpy``, which the
event contract refuses without its 事象); a row none of whose cases carries one shows no amount
rather than 0円. The 事象 table's subtotal 「うち金銭的影響あり」 is the five 事象 with money at stake.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from riskmon.business_calendar import BusinessCalendar
from riskmon.events.enums import FINANCIAL_IMPACT_KINDS, DiscoveryChannel, ImpactKind, ReportKind, Scheme
from riskmon.i18n import label, phrase
from riskmon.reports.publication.cases import Case


def t(key: str, lang: str) -> str:
    return phrase("publication", key, lang)


def event_label(case: Case, lang: str) -> str:
    """The 種類 of the case list: the category, with 事件 or 事故 named after it (「誤送付（事件）」)."""
    text = label(case.category, lang)
    if case.report_kind != ReportKind.PROCESSING_ERROR:
        text += t("kind_suffix", lang).format(kind=label(case.report_kind, lang))
    return text


def code_label(code: str | None, lang: str) -> str:
    """A 事象 or 制度 in words; a report that predates the field: 未記録."""
    return label(code, lang) if code is not None else t("unrecorded", lang)


def channel_label(code: str, lang: str) -> str:
    """判明契機: the publication's word for a discovery channel (a code it does not know: as it is)."""
    try:
        return t(f"ch_{code}", lang)
    except KeyError:
        return code


def amount_total(cases: Iterable[Case]) -> int | None:
    amounts = [c.amount for c in cases if c.amount is not None]
    return sum(amounts) if amounts else None


def _row(text: str, cases: list[Case]) -> dict[str, Any]:
    return {"label": text, "count": len(cases), "customers": sum(c.customers for c in cases), "amount": amount_total(cases)}


def _groups(cases: list[Case], key: Callable[[Case], str | None], order: type[StrEnum], fixed: bool) -> list[tuple[str | None, list[Case]]]:
    """(code, its cases) in the order of ``order``: every member when ``fixed``, else those with a
    case; then codes outside the enum (by code), then None (未記録) when a case has no value."""
    groups: dict[str | None, list[Case]] = {}
    for c in cases:
        groups.setdefault(key(c), []).append(c)
    known = [m.value for m in order]
    codes: list[str | None] = [v for v in known if fixed or v in groups]
    codes += sorted(v for v in groups if v is not None and v not in known)
    codes += [None] if None in groups else []
    return [(code, groups.get(code, [])) for code in codes]


def by_impact(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    """事象別: the five 事象 with money at stake, their subtotal, 金銭的影響なし, 未記録 (if any), 合計."""
    groups = _groups(cases, lambda c: c.impact, ImpactKind, fixed=True)
    financial = {k.value for k in FINANCIAL_IMPACT_KINDS}
    rows = [_row(code_label(code, lang), group) for code, group in groups if code in financial]
    rows.append(_row(t("subtotal_financial", lang), [c for c in cases if c.impact in financial]))
    rows += [_row(code_label(code, lang), group) for code, group in groups if code not in financial]
    return [*rows, _row(t("total", lang), cases)]


def by_scheme(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    """制度別: every 制度, 未記録 (if any), 合計."""
    rows = [_row(code_label(code, lang), group) for code, group in _groups(cases, lambda c: c.scheme, Scheme, fixed=True)]
    return [*rows, _row(t("total", lang), cases)]


def by_channel(cases: list[Case], lang: str) -> list[dict[str, Any]]:
    """判明契機別: the channels that found a case, in the contract's order, then 合計."""
    groups = _groups(cases, lambda c: c.channel, DiscoveryChannel, fixed=False)
    return [*[_row(channel_label(code or "", lang), group) for code, group in groups], _row(t("total", lang), cases)]


def unrecorded(cases: list[Case], *fields: str) -> bool:
    """Whether a case's report predates one of ``fields`` (``impact``, ``scheme``): a table then
    shows, and explains, 未記録."""
    return any(getattr(c, f) is None for c in cases for f in fields)


def withheld_reasons(cases: list[Case]) -> list[dict[str, Any]]:
    """The withheld cases by reason, most frequent first (then by the reason's text)."""
    counts = Counter(c.reason or "" for c in cases if c.withheld)
    return [{"reason": reason, "count": n} for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def by_fiscal_year(cases: list[Case], when: Callable[[Case], Any], cal: BusinessCalendar, lang: str) -> dict[str, Any]:
    """A 事象 × fiscal-year table (the 年次公表's 発生年度別 / 判明年度別): the rows are the 事象
    table's (every 事象, 未記録 if any), the columns the fiscal years that occur, oldest first, then
    不明 when a case has no date, then 合計; a 合計 row closes it."""
    fy_of: dict[str, int | None] = {c.case_id: (cal.fiscal_year(d) if (d := when(c)) is not None else None) for c in cases}
    years = sorted({y for y in fy_of.values() if y is not None})
    columns: list[int | None] = [*years, *([None] if None in fy_of.values() else [])]
    rows = []
    for code, members in _groups(cases, lambda c: c.impact, ImpactKind, fixed=True):
        counts = [sum(1 for c in members if fy_of[c.case_id] == y) for y in columns]
        rows.append({"label": code_label(code, lang), "counts": counts, "total": len(members)})
    totals = [sum(1 for c in cases if fy_of[c.case_id] == y) for y in columns]
    rows.append({"label": t("total", lang), "counts": totals, "total": len(cases)})
    return {"years": columns, "rows": rows}
