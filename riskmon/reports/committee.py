"""The bimonthly リスク管理委員会 pack (``riskmon report committee``).

Four parts: outsourcing inspections in the progress report's layout (S2:271-276), 事務処理誤り,
flags, and what changed since the previous pack. The pack records its as-of time, the rule
versions in force and a hash of its data, and is kept in ``reports`` for the next comparison.

A pack is reproducible: it reads the store through the as-of layer (riskmon.store.asof) at its data
date *and* at its ingest high-water mark ``known_run``, recorded in the pack. Regenerating a pack
for the same period and data date reuses the ``known_run`` (and the previous pack it compared
with) of its first generation, so later events — also backdated ones — and later case actions do
not change it: the files are byte-identical and the data hash the same. ``refresh=True`` asks for
today's knowledge instead; if that changes anything, the result is stored as a new version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from riskmon import audit
from riskmon.business_calendar import BusinessCalendar, add_months
from riskmon.config import ReportsConfig
from riskmon.domain import Line, RiskCategory, Severity
from riskmon.i18n import Lang, label, phrase, phrases
from riskmon.i18n.dates import day_text, fiscal_year_text, moment_text, month_text, range_text, short_month
from riskmon.reports import data as d
from riskmon.reports import kept
from riskmon.reports.funnel import funnel
from riskmon.reports.office_score import risky_offices
from riskmon.reports.pack_flags import flags_at
from riskmon.reports.pdf import PdfUnavailable, print_pdf
from riskmon.reports.render import render, write_text, write_xlsx
from riskmon.reports.svg import bar_chart, funnel_chart
from riskmon.rules.spec import Rule
from riskmon.store.asof import AsOf
from riskmon.store.queries import unit_names
from riskmon.store.tables import Report, table_of


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]
    data_hash: str
    version: int = 1  # how many different packs exist for this period and data date, this one included
    unchanged: bool = False  # an identical pack had been generated before: nothing new was stored
    pdf_problem: PdfUnavailable | None = None  # why no PDF was printed (the other files exist)


def build(engine: Engine, first: date, last: date, as_of: datetime, cal: BusinessCalendar, rules: Sequence[Rule],
          lang: Lang = "ja", *, known_run: int | None = None, refresh: bool = False,
          prepared_on: date | None = None) -> dict[str, Any]:  # fmt: skip
    """The pack's data as of ``as_of``; ``rules`` are the enabled rules of the book (their flags are
    found again in a dry run, riskmon.reports.pack_flags). ``known_run``: the ingest high-water mark
    to read at (default: the first generation's for this period and data date, else today's;
    ``refresh=True``: today's). ``prepared_on`` (作成日 on the cover): the first generation's,
    else the given day, else the data date — so a regenerated pack keeps its date."""
    with engine.connect() as conn:
        original = kept.first_generation(conn, "committee", first, last, as_of)
        pinned = None if refresh else original
        if known_run is None:
            known_run = kept.known_run(conn, pinned)
        window = AsOf(as_of, known_run)
        names = unit_names(conn, lang)
        fa = flags_at(conn, rules, window, first, cal)
        open_flags = {r["key"]: r["severity"] for r in fa.open_now()}
        content = {
            "kind": "committee",
            "lang": lang,
            "period": {"from": first.isoformat(), "to": last.isoformat()},
            "as_of": as_of.isoformat(),
            "prepared_on": _prepared_on(original, prepared_on, as_of, cal),
            "known_run": known_run,
            "rule_versions": dict(sorted((r.id, r.version) for r in rules)),
            "inspections": d.inspections(conn, first, last, window, lang),
            "errors": d.errors(conn, first, last, window, cal, lang),
            "priority_deadlines": d.priority_deadlines(conn, fa, first, last, cal, names, lang),
            "funnel": funnel(conn, first, last, window, cal, names),
            "contract_findings": d.contract_findings(conn, fa, lang),
            "flags": d.flags_summary(conn, fa, first, last, cal),
            "risky_offices": risky_offices(conn, fa, first, last, cal, names),
            "open_flags": dict(sorted(open_flags.items())),
        }
        pinned_previous = pinned["data"].get("changes", {}).get("previous_id") if pinned is not None else None
        previous = _previous(conn, first, last, as_of, pinned_previous)
    content["changes"] = _changes(previous, open_flags)
    return content


def _prepared_on(original: Any, given: date | None, as_of: datetime, cal: BusinessCalendar) -> str:
    recorded = original["data"].get("prepared_on") if original is not None else None
    return str(recorded or (given or as_of.astimezone(cal.tz).date()).isoformat())


def _previous(conn: Connection, first: date, last: date, as_of: datetime, pinned_id: int | None) -> Any:
    """The pack to compare with: the one the first generation compared with, or else the latest
    committee pack for an earlier period *of the same kind* — as long (two months after two
    months, a half after a half), ended before this one starts, its data date not after this
    one's. A bimonthly pack is never compared with the half-year pack that contains it."""
    r = table_of(Report)
    if pinned_id is not None:
        return conn.execute(select(r).where(r.c.id == pinned_id)).mappings().first()
    q = (select(r).where(r.c.kind == "committee", r.c.period_to < first, r.c.as_of <= as_of)
         .order_by(r.c.period_to.desc(), r.c.id.desc()))  # fmt: skip
    length = _months(first, last)
    return next((row for row in conn.execute(q).mappings() if _months(row["period_from"], row["period_to"]) == length), None)


def _months(first: date, last: date) -> int:
    """How many calendar months a period spans (a partial month counts)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _changes(previous: Any, now: dict[str, str]) -> dict[str, Any]:
    if previous is None:
        return {"previous": None, "previous_id": None, "new": [], "resolved": [], "worsened": []}
    before: dict[str, str] = previous["data"].get("open_flags", {})
    rank = {s.value: s.rank for s in Severity}
    return {
        "previous": [previous["period_from"].isoformat(), previous["period_to"].isoformat()], "previous_id": previous["id"],
        "new": sorted(set(now) - set(before)), "resolved": sorted(set(before) - set(now)),
        "worsened": [
            {"key": k, "before": before[k], "after": now[k]} for k in sorted(set(now) & set(before)) if rank[now[k]] > rank[before[k]]
        ],
    }  # fmt: skip


def write(engine: Engine, content: dict[str, Any], folder: Path, cal: BusinessCalendar, look: ReportsConfig | None = None, *,
          made_by: str | None = None) -> Written:  # fmt: skip
    """The pack's files in ``folder``: Markdown, HTML, xlsx and (``look.pdf``) the PDF printed from
    the HTML; ``look`` gives the cover's 作成部署 and 取扱区分 (config.toml ``[reports]``, which
    the app passes; without it, the default cover and no PDF)."""
    look = look or ReportsConfig(pdf=False)
    first, last = date.fromisoformat(content["period"]["from"]), date.fromisoformat(content["period"]["to"])
    digest = kept.data_hash(content)
    lang = content.get("lang", "ja")
    months = [(short_month(int(m["month"][5:]), lang), m["count"]) for m in content["errors"]["by_month"]]
    cats = [(c["label"], c["count"]) for c in content["errors"]["by_category"] if c["count"]]
    context = {
        **content, "data_hash": digest, "period_label": d.period_label(first, last, cal, lang),
        "prev_label": d.period_label(add_months(first, -12), add_months(last, -12), cal, lang),
        "line_labels": {k.value: label(k, lang) for k in Line},
        "risk_labels": {k.value: label(k, lang) for k in RiskCategory},
        "severity_labels": {k.value: label(k, lang) for k in Severity},
        "t": phrases("report", lang), "label": lambda value: label(value, lang), "sep": "、" if lang == "ja" else ", ",
        # dates people read, in 和暦 (riskmon.i18n.dates); the content keeps ISO dates, which are data
        "day": lambda iso: day_text(date.fromisoformat(iso), lang) if iso else "-",
        "span": lambda lo, hi: range_text(date.fromisoformat(lo), date.fromisoformat(hi), lang),
        "month": lambda ym: short_month(int(ym[5:]), lang),
        "as_of_text": _as_of_text(datetime.fromisoformat(content["as_of"]), cal, lang),
        "cover": _cover(content, look, lang),
        "errors_sentence": _errors_sentence(content, first, last, cal, lang),
        "month_chart": bar_chart(months),
        "funnel_chart": funnel_chart(content["funnel"]["points"], content["funnel"]["national_rate"],
                                     {"x": phrase("report", "funnel_x", lang), "y": phrase("report", "funnel_y", lang),
                                      "national": phrase("report", "funnel_national", lang), "l95": phrase("report", "funnel_l95", lang),
                                      "l998": phrase("report", "funnel_l998", lang)}),
        "funnel_method": phrase("report", "funnel_method", lang).format(
            national=content["funnel"]["national_rate"], offices=content["funnel"]["offices"], errors=content["funnel"]["errors"],
            forms=f"{content['funnel']['forms']:,}"),
        "category_chart": bar_chart(cats, highlight={c["label"] for c in content["errors"]["by_category"] if c["priority"]}),
    }  # fmt: skip
    as_of = datetime.fromisoformat(content["as_of"])
    files = [
        write_text(folder / "committee.md", render("committee.md.j2", context)),
        write_text(folder / "committee.html", render("committee.html.j2", context)),
        write_xlsx(folder / "committee.xlsx", _sheets(content, context), as_of),
    ]
    problem = None
    if look.pdf:
        try:
            files.append(print_pdf(folder / "committee.html", folder / "committee.pdf", as_of, look.browser))
        except PdfUnavailable as exc:
            problem = exc
    version, unchanged = kept.keep(engine, "committee", first, last, datetime.fromisoformat(content["as_of"]), digest, folder, content,
                                  made_by=made_by)  # fmt: skip
    audit.record_anchor(engine, "committee", folder)  # the chain's head, outside the database (docs/audit.md)
    return Written(folder, files, digest, version, unchanged, problem)


def _errors_sentence(content: dict[str, Any], first: date, last: date, cal: BusinessCalendar, lang: str) -> str:
    """「令和7年度（上期）の事務処理誤り発生件数は211件、うち重点三事案78件。…」 as the progress report writes it."""
    e = content["errors"]
    return phrase("report", "errors_sentence", lang).format(
        period=d.period_label(first, last, cal, lang), total=e["total"], priority=e["priority"],
        fy=fiscal_year_text(cal.fiscal_year(last), lang), ytd=e["year_to_date"]["count"],
        month=short_month(last.month, lang) if lang == "ja" else month_text(last.year, last.month, lang),
    )  # fmt: skip


def _cover(content: dict[str, Any], look: ReportsConfig, lang: str) -> dict[str, str]:
    """The cover's lines: 作成部署, 作成日 and 取扱区分 (empty: none printed)."""
    en = lang == "en"
    return {
        "department": look.department_en if en else look.department,
        "handling": look.handling_en if en else look.handling,
        "prepared_on": day_text(date.fromisoformat(content["prepared_on"]), lang),
    }


def _day(iso: str) -> date | str:
    """A date cell of the xlsx: a real date (Excel sorts and filters it), or empty."""
    return date.fromisoformat(iso) if iso else ""


def _as_of_text(as_of: datetime, cal: BusinessCalendar, lang: str) -> str:
    """The data date as people read it: the day alone when the data is as of the day's end (the
    usual pack), else the day and the time (a pack as of 23:00 says so)."""
    at = as_of.astimezone(cal.tz)
    return day_text(at.date(), lang) if (at.hour, at.minute) == (23, 59) else moment_text(at, cal.tz, lang)


def _sheets(content: dict[str, Any], context: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The pack's tables, headers and sheet names in the pack's language (as the Markdown and HTML)."""
    lang = content.get("lang", "ja")

    def t(key: str) -> str:
        return phrase("report", key, lang)

    sev = context["severity_labels"]
    insp = [[t("h_type"), f"{context['period_label']} {t('count')}", t("ncs"), f"{t('ref')}{context['prev_label']} {t('count')}", t("ncs")]]
    insp += [
        [r["label"], r["count"], r["nonconformities"], r["prev_count"], r["prev_nonconformities"]] for r in content["inspections"]["rows"]
    ]
    details: list[list[Any]] = [[t(k) for k in ("h_date", "h_type", "h_contractor", "h_contract", "h_aspect", "h_desc", "h_due", "h_fix")]]
    details += [[_day(x["inspected_on"]), x["inspection_type"], x["contractor"], x["contract_id"], x["aspect"], x["description"],
                 _day(x["due_on"]), x["remediation"]] for x in content["inspections"]["details"]]  # fmt: skip
    errors = [[t("month"), t("n")]] + [[m["month"], m["count"]] for m in content["errors"]["by_month"]]
    cats = [[t("category"), t("h_prio"), t("n")]] + [
        [c["label"], t("x_priority_mark") if c["priority"] else "", c["count"]] for c in content["errors"]["by_category"]
    ]
    overdue: list[list[Any]] = [[t(k) for k in ("h_case", "h_desc", "h_owner", "h_deadline", "h_over")]]
    overdue += [[o["case_id"], o["title"], o["owner"], _day(o["due"]), o["business_days_overdue"]]
                for o in content["priority_deadlines"]["overdue"]]  # fmt: skip
    late: list[list[Any]] = [[t(k) for k in ("h_case", "h_desc", "h_owner", "h_deadline", "h_done", "h_late")]]
    late += [[o["case_id"], o["title"], o["owner"], _day(o["due"]), _day(o["done"]), o["business_days_late"]]
             for o in content["priority_deadlines"]["completed_late"]]  # fmt: skip
    rates: list[list[Any]] = [[t(k) for k in ("h_office", "h_errors", "h_forms", "h_rate", "h_expected", "h_position")]]
    rates += [[p["name"], p["errors"], p["forms"], p["rate"], p["expected"], t(p["outside"]) if p["outside"] else ""]
              for p in content["funnel"]["points"]]  # fmt: skip
    offices = [[t("h_office"), t("h_score"), sev[Severity.CRITICAL], sev[Severity.HIGH], sev[Severity.MEDIUM], t("h_prio"),
                t("h_other_short"), t("h_backlog")]]  # fmt: skip
    offices += [[o["name"], o["score"], o["open_critical"], o["open_high"], o["open_medium"], o["priority"], o["other_errors"],
                 o["backlog"]] for o in content["risky_offices"]]  # fmt: skip
    return {t("x_inspections"): insp, t("x_ncs"): details, t("x_errors_by_month"): errors, t("x_errors_by_category"): cats,
            t("x_overdue_priority"): overdue, t("x_late_priority"): late, t("x_funnel"): rates, t("x_risky"): offices}  # fmt: skip
