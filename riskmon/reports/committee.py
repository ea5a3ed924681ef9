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
from riskmon.i18n import Lang, label, pick
from riskmon.reports import data as d
from riskmon.reports.render import render, write_text, write_xlsx
from riskmon.reports.svg import bar_chart
from riskmon.reports.words import words
from riskmon.rules.spec import RISK_CATEGORY_LABELS, SEVERITIES
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
            for r in conn.execute(
                select(f.c.key, f.c.severity).where(f.c.status == "open", f.c.review_status.in_(("open", "acknowledged", "in_progress")))
            )
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
    rank = {s: i for i, s in enumerate(SEVERITIES)}
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
        "line_labels": {k: label(k, lang) for k in ("first", "second", "third", "governance", "external")},
        "risk_labels": {k: pick(v, lang) for k, v in RISK_CATEGORY_LABELS.items()},
        "t": words(lang), "sep": "、" if lang == "ja" else ", ",
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
    insp = [["検査", f"{context['period_label']} 実施件数", "不適事項件数", f"参考：{context['prev_label']} 実施件数", "不適事項件数"]]
    insp += [
        [r["label"], r["count"], r["nonconformities"], r["prev_count"], r["prev_nonconformities"]] for r in content["inspections"]["rows"]
    ]
    details = [["検査日", "検査", "委託先", "契約", "観点", "内容", "改善期限", "改善状況"]]
    details += [[x["inspected_on"], x["inspection_type"], x["contractor"], x["contract_id"], x["aspect"], x["description"], x["due_on"],
                 x["remediation"]] for x in content["inspections"]["details"]]  # fmt: skip
    errors = [["月", "件数"]] + [[m["month"], m["count"]] for m in content["errors"]["by_month"]]
    cats = [["分類", "重点三事案", "件数"]] + [
        [c["label"], "○" if c["priority"] else "", c["count"]] for c in content["errors"]["by_category"]
    ]
    overdue = [["事案", "内容", "担当", "期限", "超過（営業日）"]]
    overdue += [[o["case_id"], o["title"], o["owner"], o["due"], o["business_days_overdue"]] for o in content["overdue_priority"]]
    offices = [["拠点", "スコア", "critical", "high", "medium", "重点三事案", "その他", "滞留"]]
    offices += [[o["name"], o["score"], o["open_critical"], o["open_high"], o["open_medium"], o["priority"], o["other_errors"],
                 o["backlog"]] for o in content["risky_offices"]]  # fmt: skip
    return {"外部委託検査": insp, "不適事項": details, "事務処理誤り_月別": errors, "事務処理誤り_分類別": cats,
            "重点三事案_期限超過": overdue, "リスクの高い拠点": offices}  # fmt: skip
