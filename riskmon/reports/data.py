"""The numbers in a committee pack, computed from the store as of a moment.

Everything here is plain data (dicts, lists, numbers, strings) so the same data renders to
Markdown, HTML and xlsx, hashes reproducibly, and is kept to compare with the next pack. Every
query reads through the as-of layer (riskmon.store.asof): an event counts when its own time is at
or before the data date and it was known then; flags come from riskmon.reports.pack_flags.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from riskmon.business_calendar import BusinessCalendar, add_months
from riskmon.domain import Severity
from riskmon.events.enums import PRIORITY_INCIDENT_CATEGORIES, ErrorCategory, InspectionType
from riskmon.i18n import Lang, label, phrase
from riskmon.i18n.dates import day_text, fiscal_year_ja, fiscal_year_text, range_text
from riskmon.reports.pack_flags import FlagsAt, escalations
from riskmon.store.asof import AsOf
from riskmon.store.tables import (
    ContractRow,
    ErrorReportRow,
    ErrorUpdateRow,
    InspectionRow,
    NonconformityRow,
    NonconformityUpdateRow,
    table_of,
)


def period_label(first: date, last: date, cal: BusinessCalendar, lang: str = "ja") -> str:
    """令和7年度（上期） for a fiscal half, 令和7年度 for a fiscal year, else the dates in 和暦
    (riskmon.i18n.dates); English: FY2025 H1, FY2025, 1 Apr 2025 – 31 May 2025."""
    fy = cal.fiscal_year(first)
    for half in (1, 2):
        if (first, last) == cal.fiscal_half_bounds(fy, half):
            return f"{fiscal_year_ja(fy)}（{'上期' if half == 1 else '下期'}）" if lang == "ja" else f"FY{fy} H{half}"
    if (first, last) == cal.fiscal_year_bounds(fy):
        return fiscal_year_text(fy, lang)
    return range_text(first, last, lang)


def inspections(conn: Connection, first: date, last: date, window: AsOf, lang: Lang = "ja") -> dict[str, Any]:
    """外部委託検査の実施状況, in the layout of the FY2025 progress report (S2:271-276)."""
    ins, nc = table_of(InspectionRow), table_of(NonconformityRow)
    prev = (add_months(first, -12), add_months(last, -12))

    def counts(lo: date, hi: date) -> dict[str, tuple[int, int]]:
        q = (
            select(ins.c.inspection_type, func.count(), func.coalesce(func.sum(ins.c.nonconformity_count), 0))
            .where(ins.c.inspected_on.between(lo, hi), window.events_clause(ins, ins.c.inspected_on))
            .group_by(ins.c.inspection_type)
        )
        return {t: (int(n), int(k)) for t, n, k in conn.execute(q)}

    now, before = counts(first, last), counts(*prev)
    rows = [
        {"type": t.value, "label": label(t, lang), "count": now.get(t.value, (0, 0))[0], "nonconformities": now.get(t.value, (0, 0))[1],
         "prev_count": before.get(t.value, (0, 0))[0], "prev_nonconformities": before.get(t.value, (0, 0))[1]}
        for t in InspectionType
    ]  # fmt: skip
    ct, nu = table_of(ContractRow), table_of(NonconformityUpdateRow)
    fixed = (select(nu.c.nc_id, func.min(nu.c.resolved_on).label("fixed_on"))
             .where(window.events_clause(nu, nu.c.resolved_on)).group_by(nu.c.nc_id).subquery())  # fmt: skip
    q = (
        select(nc.c.nc_id, nc.c.aspect, nc.c.description, nc.c.due_on, nc.c.resolved_on, fixed.c.fixed_on, ins.c.inspected_on,
               ins.c.inspection_type, ins.c.contract_id, ct.c.contractor_id, ct.c.contractor_name)
        .select_from(ins.join(nc, nc.c.inspection_id == ins.c.inspection_id).outerjoin(ct, ct.c.contract_id == ins.c.contract_id)
                     .outerjoin(fixed, fixed.c.nc_id == nc.c.nc_id))
        .where(ins.c.inspected_on.between(first, last), window.events_clause(ins, ins.c.inspected_on))
        .order_by(ins.c.inspected_on, nc.c.nc_id)
    )  # fmt: skip
    details = []
    for r in conn.execute(q).mappings():
        own = r["resolved_on"] if r["resolved_on"] is not None and r["resolved_on"] <= window.day else None
        remedied = own or r["fixed_on"]
        details.append({
            "nc_id": r["nc_id"], "inspected_on": r["inspected_on"].isoformat(), "inspection_type": label(r["inspection_type"], lang),
            "contractor": r["contractor_name"] or r["contractor_id"] or "", "contract_id": r["contract_id"],
            "aspect": label(r["aspect"], lang), "description": r["description"],
            "due_on": r["due_on"].isoformat() if r["due_on"] else "",
            "remediation": _remediation(remedied, r["inspected_on"], lang),
        })  # fmt: skip
    return {"rows": rows, "details": details, "previous": [prev[0].isoformat(), prev[1].isoformat()],
            "footnote": _nc_footnote(details, lang)}  # fmt: skip


def _nc_footnote(details: list[dict[str, Any]], lang: Lang) -> str:
    """The progress report's note under the table (「3※」): what the nonconformities were — the most
    frequent description, 「…もの等」 when there are others — and whether all were remedied on the
    inspection day. Empty when there were none."""
    if not details:
        return ""
    counts = Counter(d["description"] for d in details)
    what = counts.most_common(1)[0][0].rstrip("。")
    more = len(details) > 1
    same_day = all(d["remediation"] == phrase("report", "nc_same_day", lang) for d in details)
    key = "nc_footnote_same_day" if same_day else "nc_footnote"
    return phrase("report", key, lang).format(what=what, etc="もの等" if more and lang == "ja" else ("" if lang == "ja" else " etc."),
                                             open=sum(d["remediation"] == phrase("report", "nc_open", lang) for d in details))  # fmt: skip


def contract_findings(conn: Connection, fa: FlagsAt, lang: Lang = "ja") -> list[dict[str, Any]]:
    """Findings about a contract as a whole — started without a pre-commencement inspection, a gap
    in inspections, no post-completion inspection — apart from the nonconformities of single
    inspections: the flags at the data date whose subject is a contract, raised in the period or
    still open at the data date."""
    ct = table_of(ContractRow)
    contracts = {r[0]: r[1] or r[2] for r in conn.execute(select(ct.c.contract_id, ct.c.contractor_name, ct.c.contractor_id))}
    open_keys = {r["key"] for r in fa.open_now()}
    out = []
    for r in fa.now:
        if r["subject"] in contracts and (r["key"] in open_keys or r["key"] not in fa.before):
            out.append({"contract_id": r["subject"], "contractor": contracts[r["subject"]] or "", "rule_id": r["rule_id"],
                        "title": r["title_ja"] if lang == "ja" else r["title_en"],
                        "state": phrase("report", "cf_open" if r["key"] in open_keys else "cf_closed", lang)})  # fmt: skip
    return sorted(out, key=lambda x: (x["contract_id"], x["rule_id"]))


def _remediation(remedied: date | None, inspected_on: date, lang: Lang = "ja") -> str:
    if remedied is None:
        return phrase("report", "nc_open", lang)
    if remedied == inspected_on:
        return phrase("report", "nc_same_day", lang)
    return phrase("report", "nc_remedied_on", lang).format(day=day_text(remedied, lang))


def errors(conn: Connection, first: date, last: date, window: AsOf, cal: BusinessCalendar, lang: Lang = "ja") -> dict[str, Any]:
    """事務処理誤り: by month, category (重点三事案 first), business area and cause; year to date; overdue priority cases."""
    er, up = table_of(ErrorReportRow), table_of(ErrorUpdateRow)
    tz = cal.tz
    fy_start = cal.fiscal_year_bounds(cal.fiscal_year(last))[0]
    lo = min(first, fy_start)
    rows = [dict(r) for r in conn.execute(
        select(er.c.case_id, er.c.unit_id, er.c.category, er.c.business_area, er.c.discovered_at)
        .where(er.c.discovered_at >= cal.at(lo, datetime.min.time()), er.c.discovered_at <= cal.end_of_day(last),
               window.events_clause(er, er.c.discovered_at))).mappings()]  # fmt: skip
    causes = dict(  # a cause analysed after the data date was not known then: 原因分析中 in this pack
        conn.execute(
            select(up.c.case_id, func.max(up.c.cause_category))
            .where(up.c.cause_category.is_not(None), window.events_clause(up, up.c.at))
            .group_by(up.c.case_id)
        ).all()
    )
    in_period = [r for r in rows if first <= r["discovered_at"].astimezone(tz).date() <= last]
    months: Counter[str] = Counter(r["discovered_at"].astimezone(tz).strftime("%Y-%m") for r in in_period)
    month_keys = []
    m = date(first.year, first.month, 1)
    while m <= last:
        month_keys.append(m.strftime("%Y-%m"))
        m = add_months(m, 1)
    cats = Counter(r["category"] for r in in_period)
    order = sorted(ErrorCategory, key=lambda c: (c not in PRIORITY_INCIDENT_CATEGORIES, list(ErrorCategory).index(c)))
    categories = [
        {"category": c.value, "label": label(c, lang), "count": cats.get(c.value, 0), "priority": c in PRIORITY_INCIDENT_CATEGORIES}
        for c in order
    ]
    areas = Counter(label(r["business_area"], lang) for r in in_period)
    cause_counts = Counter(label(causes.get(r["case_id"], "not_analysed"), lang) for r in in_period)
    ytd = sum(1 for r in rows if fy_start <= r["discovered_at"].astimezone(tz).date() <= last)
    return {
        "total": len(in_period), "priority": sum(1 for r in in_period if r["category"] in PRIORITY_INCIDENT_CATEGORIES),
        "by_month": [{"month": k, "count": months.get(k, 0)} for k in month_keys], "by_category": categories,
        "by_area": [{"label": k, "count": v} for k, v in areas.most_common()],
        "by_cause": [{"label": k, "count": v} for k, v in cause_counts.most_common()],
        "year_to_date": {"from": fy_start.isoformat(), "to": last.isoformat(), "count": ytd},
    }  # fmt: skip


def priority_deadlines(conn: Connection, fa: FlagsAt, first: date, last: date, cal: BusinessCalendar, names: dict[str, str],
                       lang: Lang = "ja") -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    """Deadlines of 重点三事案 as they stood at the data date, in two lists that never overlap.

    ``overdue``: a deadline flag on a 重点三事案 case whose step was not done by the data date, the
    case still open then, with the business days from the deadline to the data date.
    ``completed_late``: the step was done within the period but after its deadline, with the
    business days late counted to its completion — a case answered 9 business days late is not
    "238 business days overdue". Any rule with a deadline counts (its flag has ``due_at``); which
    cases are 重点三事案 comes from the error reports, not from a list of rule ids."""
    er, as_of = table_of(ErrorReportRow), fa.window.at
    priority = {c for (c,) in conn.execute(select(er.c.case_id).where(er.c.is_priority_incident.is_(True),
                                                                     fa.window.events_clause(er, er.c.discovered_at)))}  # fmt: skip
    lo, hi = cal.at(first, datetime.min.time()), min(cal.end_of_day(last), as_of)
    overdue, late = [], []
    for r in fa.now:
        if r["subject"] not in priority or r["due_at"] is None:
            continue
        due = r["due_at"].astimezone(cal.tz)
        observed = r["evidence"].get("observed", {})
        done = _observed_time(observed.get("done_at"), cal)
        item = {"case_id": r["subject"], "rule_id": r["rule_id"], "title": r["title_ja"] if lang == "ja" else r["title_en"],
                "owner": names.get(r["owner_unit"], r["owner_unit"]), "due": due.date().isoformat()}  # fmt: skip
        if done is None or done > as_of:  # not done at the data date (the test _done_by makes)
            if due < as_of and fa.state(r["key"]).is_open:
                overdue.append({**item, "business_days_overdue": cal.business_days_between(due.date(), as_of.astimezone(cal.tz).date())})
        elif due < done and lo <= done <= hi:
            # the rule's own count, as its flag says (a report made on the Saturday after a Friday deadline: 0 business days)
            days = observed.get("overdue_business_days")
            days = int(days) if days is not None else max(1, cal.business_days_between(due.date(), done.date()))
            late.append({**item, "done": done.date().isoformat(), "business_days_late": days})
    return {
        "overdue": sorted(overdue, key=lambda x: (-x["business_days_overdue"], x["case_id"], x["rule_id"])),
        "completed_late": sorted(late, key=lambda x: (x["done"], x["case_id"], x["rule_id"])),
    }


def _done_by(flag: dict[str, Any], at: datetime, cal: BusinessCalendar) -> bool:
    done = _observed_time(flag["evidence"].get("observed", {}).get("done_at"), cal)
    return done is not None and done <= at


def _observed_time(value: Any, cal: BusinessCalendar) -> datetime | None:
    """A time in a flag's evidence: ISO text, local time unless it carries its offset."""
    if not value:
        return None
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=cal.tz)


def flags_summary(conn: Connection, fa: FlagsAt, first: date, last: date, cal: BusinessCalendar) -> dict[str, Any]:
    """Within the period, as of the data date: raised (found at the data date, not at the start of
    the period), closed (cases closed in the period), open and overdue (at the data date), escalated."""
    lo, hi = cal.at(first, datetime.min.time()), min(cal.end_of_day(last), fa.window.at)
    opened = [r for r in fa.now if r["key"] not in fa.before]
    resolved = [s for s in fa.states.values() if s.is_closed and s.closed_at is not None and lo <= s.closed_at <= hi]
    open_now = fa.open_now()
    # overdue: past its deadline with the step still not done at the data date (a step done late is
    # no longer overdue — the same test as the 重点三事案 table, so the two never disagree)
    overdue = [r for r in open_now if r["due_at"] is not None and r["due_at"] < hi and not _done_by(r, fa.window.at, cal)]

    def by(key: str, items: list[dict[str, Any]]) -> dict[str, int]:
        return dict(sorted(Counter(r[key] for r in items).items()))

    return {
        "opened": len(opened), "resolved": len(resolved), "open": len(open_now), "overdue": len(overdue),
        "escalations": escalations(conn, lo, hi, fa.window),
        "open_by_line": by("owner_line", open_now),
        "open_by_severity": {s.value: c for s in reversed(Severity) if (c := by("severity", open_now).get(s))},
        "open_by_risk_category": by("risk_category", open_now), "overdue_by_line": by("owner_line", overdue),
        "opened_by_severity": by("severity", opened),
    }  # fmt: skip
