"""ダッシュボード: the second line's overview — open flags by severity and 地域部, overdue 重点三事案,
closures awaiting their second person, the last nightly run and the new flags of twelve weeks.

Every figure is one call, ``rm.pages.oversight.dashboard`` (SQL aggregates, riskmon.flags.overview);
the first line gets its own units' figures only. The trend is an inline SVG drawn by the template
(no script: the CSP allows none but the vendored htmx), and every count links to the フラグ一覧
filtered to the flags it counts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.i18n import Lang
from riskmon.i18n.dates import day_text
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()


@router.get("/dashboard")
def dashboard_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    board = context(request).rm.pages.oversight.dashboard(viewer.actor, lang)
    weeks = [{"label": f"{start.month}/{start.day}", "title": day_text(start.date(), lang), "count": n}
             for start, n in board.figures.weekly_new]  # fmt: skip
    return render(request, "dashboard.html", viewer.lang, viewer=viewer, board=board, weeks=weeks,
                  peak=max([n for _, n in board.figures.weekly_new] + [1]))  # fmt: skip
