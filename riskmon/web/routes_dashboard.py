"""ダッシュボード: the second line's overview — open flags by severity and 地域部, overdue 重点三事案,
closures awaiting their second person, the last nightly run, the new flags of twelve weeks, the
deadlines missed in each of twelve months, the offices by the pack's risk score and the pack's
outsourcing inspection table.

Every figure is one call, ``rm.pages.oversight.dashboard`` (SQL aggregates, riskmon.flags.overview
and riskmon.reports.office_score); the first line gets its own units' figures only. The charts are
inline SVG (no script: the CSP allows none but the vendored htmx): the weekly one drawn by the
template, the monthly one by the packs' own riskmon.reports.svg. Every count links to the
フラグ一覧 filtered to the flags it counts, where the list has such a filter.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.i18n import Lang
from riskmon.i18n.dates import day_text, month_text, range_text, short_month
from riskmon.reports.svg import bar_chart
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()


@router.get("/dashboard")
def dashboard_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    board = context(request).rm.pages.oversight.dashboard(viewer.actor, lang)
    weeks = [{"label": f"{start.month}/{start.day}", "title": day_text(start.date(), lang), "count": n}
             for start, n in board.figures.weekly_new]  # fmt: skip
    months = [{"title": month_text(m.year, m.month, lang), "count": n} for m, n in board.overdue_months]
    chart = bar_chart([(short_month(m.month, lang), n) for m, n in board.overdue_months], width=720, height=200)
    span = range_text(board.since, board.until, lang) if board.since and board.until else ""
    ins = board.inspections
    prev = range_text(date.fromisoformat(ins["previous"][0]), date.fromisoformat(ins["previous"][1]), lang) if ins else ""
    return render(request, "dashboard.html", viewer.lang, viewer=viewer, board=board, weeks=weeks,
                  peak=max([n for _, n in board.figures.weekly_new] + [1]), months=months, month_chart=chart,
                  span=span, prev_span=prev)  # fmt: skip
