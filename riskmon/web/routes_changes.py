"""ルール・設定の変更記録: the change records of the rule book and config values (issue #12), read
only, for the second and third line (riskmon.review.changes decides who may).

Approving stays in the CLI (``riskmon rules changes approve``), where a personal token proves the
person; the page lists what was recorded, by whom, what changed and who approved it. A first-line
look is refused with 403 and audited, as the CLI's is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.review.policy import Refused
from riskmon.web.deps import Viewer, context, render, require_viewer, web_via

router = APIRouter()


def _day(value: str, name: str, en: bool, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name}: '{value}' is not a date (YYYY-MM-DD)" if en else f"{name}: 「{value}」は日付（YYYY-MM-DD）ではありません")
        return None


@router.get("/changes")
def changes_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], start: str = "", end: str = "",
                 unapproved: str = "") -> Response:  # fmt: skip
    ctx = context(request)
    en = viewer.lang == "en"
    problems: list[str] = []
    first, last = _day(start, "start", en, problems), _day(end, "end", en, problems)
    tz = ctx.rm.settings.tz
    since = datetime(first.year, first.month, first.day, tzinfo=tz) if first else None
    until = datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(days=1) if last else None  # the whole last day
    try:
        rows = (
            ctx.rm.changes.find(viewer.actor, since, until, only_unapproved=bool(unapproved), via=web_via(viewer)) if not problems else []
        )
    except Refused:
        return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="changes_second_third_line",
                      message="", viewer=viewer)  # fmt: skip
    return render(request, "changes.html", viewer.lang, 400 if problems else 200, viewer=viewer, rows=rows, problems=problems,
                  start=start, end=end, unapproved=bool(unapproved))  # fmt: skip
