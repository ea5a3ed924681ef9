"""The bimonthly リスク管理委員会 pack (``riskmon report committee``).

Four parts: outsourcing inspections in the progress report's layout (S2:271-276), 事務処理誤り,
flags, and what changed since the previous pack. The pack records its as-of time, the rule
versions in force and a hash of its data, and is kept in ``reports`` for the next comparison.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from riskmon import audit
from riskmon.business_calendar import BusinessCalendar, add_months
from riskmon.domain import OPEN_STATES, FlagStatus, Line, RiskCategory, Severity
from riskmon.i18n import Lang, label, phrase
from riskmon.reports import data as d
from riskmon.reports.render import render, write_text, write_xlsx
from riskmon.reports.svg import bar_chart
from riskmon.reports.words import words
from riskmon.store.queries import unit_names
from riskmon.store.tables import Flag, Report, table_of


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]
    data_hash: str


def build(engine: Engine, first: date, last: date, as_of: datetime, cal: BusinessCalendar, rule_versions: dict[str, str],
          lang: Lang = "ja") -> dict[str, Any]:  # fmt: skip
    with engine.connect() as conn:
        names = unit_names(conn, lang)
        f = table_of(Flag)
        open_flags = {
            r.key: r.severity
            for r in conn.execute(select(f.c.key, f.c.severity).where(f.c.status == FlagStatus.OPEN, f.c.review_status.in_(OPEN_STATES)))
        }
        content = {
            "kind": "committee",
            "lang": lang,
            "period": {"from": first.isoformat(), "to": last.isoformat()},
            "as_of": as_of.isoformat(),
            "rule_versions": dict(sorted(rule_versions.items())),
            "inspections": d.inspections(conn, first, last, lang),
            "errors": d.errors(conn, first, last, as_of, cal, lang),
            "overdue_priority": d.overdue_priority(conn, as_of, cal, names, lang),
            "flags": d.flags_summary(conn, first, last, cal),
            "risky_offices": d.risky_offices(conn, first, last, cal, names),
            "score_formula": d.SCORE_FORMULA,
            "open_flags": dict(sorted(open_flags.items())),
        }
        previous = conn.execute(
            select(table_of(Report)).where(table_of(Report).c.kind == "committee", table_of(Report).c.period_to < last)
            .order_by(table_of(Report).c.period_to.desc(), table_of(Report).c.id.desc()).limit(1)
        ).mappings().first()  # fmt: skip
    content["changes"] = _changes(previous, open_flags)
    return content


def _changes(previous: Any, now: dict[str, str]) -> dict[str, Any]:
    if previous is None:
        return {"previous": None, "new": [], "resolved": [], "worsened": []}
    before: dict[str, str] = previous["data"].get("open_flags", {})
    rank = {s.value: s.rank for s in Severity}
    return {
        "previous": f"{previous['period_from'].isoformat()}〜{previous['period_to'].isoformat()}",
        "new": sorted(set(now) - set(before)), "resolved": sorted(set(before) - set(now)),
        "worsened": [
            {"key": k, "before": before[k], "after": now[k]} for k in sorted(set(now) & set(before)) if rank[now[k]] > rank[before[k]]
        ],
    }  # fmt: skip


def data_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def write(engine: Engine, content: dict[str, Any], folder: Path, cal: BusinessCalendar) -> Written:
    first, last = date.fromisoformat(content["period"]["from"]), date.fromisoformat(content["period"]["to"])
    digest = data_hash(content)
    lang = content.get("lang", "ja")
    months = [(m["month"][5:] + ("月" if lang == "ja" else ""), m["count"]) for m in content["errors"]["by_month"]]
    cats = [(c["label"], c["count"]) for c in content["errors"]["by_category"] if c["count"]]
    context = {
        **content, "data_hash": digest, "period_label": d.period_label(first, last, cal, lang),
        "prev_label": d.period_label(add_months(first, -12), add_months(last, -12), cal, lang),
        "line_labels": {k.value: label(k, lang) for k in Line},
        "risk_labels": {k.value: label(k, lang) for k in RiskCategory},
        "severity_labels": {k.value: label(k, lang) for k in Severity},
        "t": words(lang), "label": lambda value: label(value, lang), "sep": "、" if lang == "ja" else ", ",
        "month_chart": bar_chart(months),
        "category_chart": bar_chart(cats, highlight={c["label"] for c in content["errors"]["by_category"] if c["priority"]}),
    }  # fmt: skip
    files = [
        write_text(folder / "committee.md", render("committee.md.j2", context)),
        write_text(folder / "committee.html", render("committee.html.j2", context)),
        write_xlsx(folder / "committee.xlsx", _sheets(content, context), datetime.fromisoformat(content["as_of"])),
    ]
    with engine.begin() as conn:
        conn.execute(insert(table_of(Report)).values(kind="committee", period_from=first, period_to=last,
                                                      as_of=datetime.fromisoformat(content["as_of"]), data_hash=digest,
                                                      folder=str(folder), data=json.loads(json.dumps(content, default=str))))  # fmt: skip
    audit.record_anchor(engine, "committee", folder)  # the chain's head, outside the database (docs/audit.md)
    return Written(folder, files, digest)


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
    details = [[t(k) for k in ("h_date", "h_type", "h_contractor", "h_contract", "h_aspect", "h_desc", "h_due", "h_fix")]]
    details += [[x["inspected_on"], x["inspection_type"], x["contractor"], x["contract_id"], x["aspect"], x["description"], x["due_on"],
                 x["remediation"]] for x in content["inspections"]["details"]]  # fmt: skip
    errors = [[t("month"), t("n")]] + [[m["month"], m["count"]] for m in content["errors"]["by_month"]]
    cats = [[t("category"), t("h_prio"), t("n")]] + [
        [c["label"], t("x_priority_mark") if c["priority"] else "", c["count"]] for c in content["errors"]["by_category"]
    ]
    overdue = [[t(k) for k in ("h_case", "h_desc", "h_owner", "h_deadline", "h_over")]]
    overdue += [[o["case_id"], o["title"], o["owner"], o["due"], o["business_days_overdue"]] for o in content["overdue_priority"]]
    offices = [[t("h_office"), t("h_score"), sev[Severity.CRITICAL], sev[Severity.HIGH], sev[Severity.MEDIUM], t("h_prio"),
                t("h_other_short"), t("h_backlog")]]  # fmt: skip
    offices += [[o["name"], o["score"], o["open_critical"], o["open_high"], o["open_medium"], o["priority"], o["other_errors"],
                 o["backlog"]] for o in content["risky_offices"]]  # fmt: skip
    return {t("x_inspections"): insp, t("x_ncs"): details, t("x_errors_by_month"): errors, t("x_errors_by_category"): cats,
            t("x_overdue_priority"): overdue, t("x_risky"): offices}  # fmt: skip
