"""The 月次公表 draft: the month's 事務処理誤り for publication (S1:2090; S1:2642-2647).

Read through the as-of layer (riskmon.store.asof) like the committee pack: a draft regenerated for
the same month and data date reuses the ingest high-water mark of its first generation.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from riskmon.business_calendar import BusinessCalendar, month_bounds
from riskmon.i18n import label
from riskmon.i18n.dates import ja_date, moment_text, month_text
from riskmon.markdown import md_text
from riskmon.reports import kept
from riskmon.reports.render import write_text, write_xlsx
from riskmon.store.asof import AsOf
from riskmon.store.tables import ErrorReportRow, ErrorUpdateRow, Unit, table_of

HEADER = ["発見日", "拠点", "分類", "概要", "影響を受けたお客様（名）", "お客様対応", "再発防止策"]


def rows(engine: Engine, year: int, month: int, as_of: datetime | AsOf, cal: BusinessCalendar) -> list[dict[str, Any]]:
    first, last = month_bounds(year, month)
    window = AsOf.of(as_of)
    er, up, u = table_of(ErrorReportRow), table_of(ErrorUpdateRow), table_of(Unit)
    steps = (select(up.c.case_id, func.min(up.c.at).filter(up.c.step == "customer_response_done").label("responded"),
                    func.min(up.c.at).filter(up.c.step == "prevention_set").label("prevention"))
             .where(window.events_clause(up, up.c.at)).group_by(up.c.case_id).subquery())  # fmt: skip
    q = (select(er.c.case_id, er.c.discovered_at, er.c.category, er.c.summary, er.c.affected_customers, u.c.name_ja,
                steps.c.responded, steps.c.prevention)
         .select_from(er.outerjoin(u, u.c.unit_id == er.c.unit_id).outerjoin(steps, steps.c.case_id == er.c.case_id))
         .where(er.c.discovered_at.between(cal.at(first, datetime.min.time()), cal.end_of_day(last)),
                er.c.report_kind == "processing_error", window.events_clause(er, er.c.discovered_at))
         .order_by(er.c.discovered_at, er.c.case_id))  # fmt: skip
    out = []
    with engine.connect() as conn:
        for r in conn.execute(q).mappings():
            out.append({
                "case_id": r["case_id"], "date": r["discovered_at"].astimezone(cal.tz).date().isoformat(), "office": r["name_ja"] or "",
                "category": label(r["category"]), "summary": r["summary"], "customers": r["affected_customers"],
                "response": "対応済み" if r["responded"] else "対応中", "prevention": "策定済み" if r["prevention"] else "検討中",
            })  # fmt: skip
    return out


def write(engine: Engine, year: int, month: int, as_of: datetime, cal: BusinessCalendar, folder: Path, *,
          refresh: bool = False) -> list[Path]:  # fmt: skip
    first, last = month_bounds(year, month)
    with engine.connect() as conn:
        pinned = None if refresh else kept.first_generation(conn, "monthly", first, last, as_of)
        known_run = kept.known_run(conn, pinned)
    items = rows(engine, year, month, AsOf(as_of, known_run), cal)
    content = {"kind": "monthly", "month": f"{year}-{month:02d}", "as_of": as_of.isoformat(), "known_run": known_run, "items": items}
    digest = kept.data_hash(content)
    title = f"事務処理誤り等（{month_text(year, month)}分）の公表について（案）"
    stamp = as_of.astimezone(cal.tz)
    lines = [f"# {title}", "", f"データ時点：{moment_text(stamp, cal.tz)}　件数：{len(items)}件　データハッシュ：`{digest}`", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]  # fmt: skip
    for i in items:  # office and summary are other people's text: escaped (riskmon.markdown)
        day = ja_date(date.fromisoformat(i["date"]))
        cells = (day, i["office"], i["category"], i["summary"], i["customers"], i["response"], i["prevention"])
        lines.append("| " + " | ".join(md_text(c) for c in cells) + " |")
    md = write_text(folder / "monthly.md", "\n".join(lines) + "\n")
    sheet = [HEADER] + [
        [date.fromisoformat(i["date"]), i["office"], i["category"], i["summary"], i["customers"], i["response"], i["prevention"]]
        for i in items
    ]
    xlsx = write_xlsx(folder / "monthly.xlsx", {f"{year}-{month:02d}": sheet}, as_of)
    kept.keep(engine, "monthly", first, last, as_of, digest, folder, content)  # kept, like the committee packs
    return [md, xlsx]


def month_of(text: str) -> tuple[int, int]:
    when = date.fromisoformat(text + "-01")
    return when.year, when.month
