"""取込エラー (the quarantine), for the second line: every refused input record as
``file:line: field: reason``, filtered by file and ingest run, and marked as dealt with.

Marking records who and when on the reject and writes an audit entry in the same transaction;
a record that comes back in a later ingest is open again (the writer clears ``resolved_at``). Only
the second line sees the page; anyone else's look or forged POST is refused with 403 and audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from riskmon.events.reasons import Reason
from riskmon.events.reasons import where as place
from riskmon.review import permissions
from riskmon.web.deps import Viewer, context, render, require_viewer, web_via

router = APIRouter()
PAGE = 100


def _refuse(request: Request, viewer: Viewer, action: str, subject: str) -> Response:
    ctx = context(request)
    ctx.rm.pages.refused(viewer.actor.user_id, action, subject, "only the second line handles rejected input records", web_via(viewer),
                         ctx.clock())  # fmt: skip
    return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="quarantine_second_line", message="",
                  viewer=viewer)  # fmt: skip


@router.get("/quarantine")
def quarantine_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], file: str = "", run: str = "",
                    show: str = "open", page: int = 1) -> Response:  # fmt: skip
    if not permissions.can_read_quarantine(viewer.actor):
        return _refuse(request, viewer, "quarantine_read", "rejects")
    pages = context(request).rm.pages
    problems: list[str] = []
    en = viewer.lang == "en"
    files, runs = pages.reject_sources()
    if file and file not in files:
        problems.append(f"'{file}' has no rejected records" if en else f"「{file}」の取込エラーはありません")
    if run and (not run.isdigit() or int(run) not in runs):
        problems.append(
            f"'{run}' is not an ingest run with rejected records" if en else f"「{run}」は取込エラーのある取込実行ではありません"
        )
    if show not in ("open", "all"):
        problems.append("show must be open or all" if en else "表示は open か all です")
    rows: list[dict[str, Any]] = []
    total, pages_count = 0, 1
    if not problems:
        found, total, page = pages.rejects(file=file, run=int(run) if run else None, open_only=show == "open", per=PAGE, page=page)
        pages_count = max(1, -(-total // PAGE))
        for r in found:
            where = place(r["source_path"], r["line_no"])
            rows.append({**r, "lines": [f"{where}: {Reason.from_dict(x).describe('en' if en else 'ja')}" for x in r["reasons"]] or [where]})
    else:
        page = 1
    return render(request, "quarantine.html", viewer.lang, 400 if problems else 200, viewer=viewer, rows=rows, total=total, page=page,
                  pages=pages_count, files=files, runs=runs, file=file, run=run, show=show, problems=problems,
                  done=request.query_params.get("done", ""))  # fmt: skip


@router.post("/quarantine/{reject_id}/handled")
def mark_handled(request: Request, reject_id: int, viewer: Annotated[Viewer, Depends(require_viewer)],
                 note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    if not permissions.can_read_quarantine(viewer.actor):
        return _refuse(request, viewer, "reject_handled", f"reject:{reject_id}")
    ctx = context(request)
    if not ctx.rm.pages.mark_handled(reject_id, viewer.actor.user_id, note.strip()[:2000], web_via(viewer), ctx.clock()):
        return render(request, "error.html", viewer.lang, 404, title_key="not_found_title", body_key="", message="", viewer=viewer,
                      get_url="/quarantine")  # fmt: skip
    target = back if back.startswith("/quarantine") and not back.startswith("//") else "/quarantine"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={reject_id}", status_code=303)
