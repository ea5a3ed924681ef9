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
from sqlalchemy import func, select, update

from riskmon import audit
from riskmon.events.reasons import Reason
from riskmon.review import permissions
from riskmon.store.tables import Reject, table_of
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()
PAGE = 100


def _refuse(request: Request, viewer: Viewer, action: str, subject: str) -> Response:
    ctx = context(request)
    with ctx.engine.begin() as conn:
        audit.append(conn, viewer.actor.user_id, f"refused:{action}", subject,
                     {"reason": "only the second line handles rejected input records", "channel": "web"}, ctx.clock())  # fmt: skip
    return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="quarantine_second_line", message="",
                  viewer=viewer)  # fmt: skip


@router.get("/quarantine")
def quarantine_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], file: str = "", run: str = "",
                    show: str = "open", page: int = 1) -> Response:  # fmt: skip
    if not permissions.can_read_quarantine(viewer.actor):
        return _refuse(request, viewer, "quarantine_read", "rejects")
    ctx = context(request)
    rj = table_of(Reject)
    problems: list[str] = []
    en = viewer.lang == "en"
    with ctx.engine.connect() as conn:
        files = [r[0] for r in conn.execute(select(rj.c.source_path).distinct().order_by(rj.c.source_path))]
        runs = [r[0] for r in conn.execute(select(rj.c.ingest_run_id).distinct().order_by(rj.c.ingest_run_id.desc()))]
        q = select(rj)
        if file and file not in files:
            problems.append(f"'{file}' has no rejected records" if en else f"「{file}」の取込エラーはありません")
        elif file:
            q = q.where(rj.c.source_path == file)
        if run and (not run.isdigit() or int(run) not in runs):
            problems.append(
                f"'{run}' is not an ingest run with rejected records" if en else f"「{run}」は取込エラーのある取込実行ではありません"
            )
        elif run:
            q = q.where(rj.c.ingest_run_id == int(run))
        if show not in ("open", "all"):
            problems.append("show must be open or all" if en else "表示は open か all です")
        elif show == "open":
            q = q.where(rj.c.resolved_at.is_(None), rj.c.handled_at.is_(None))
        total = 0 if problems else int(conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
        pages = max(1, -(-total // PAGE))
        page = min(max(page, 1), pages)
        rows: list[dict[str, Any]] = []
        if not problems:
            for r in conn.execute(q.order_by(rj.c.source_path, rj.c.line_no, rj.c.id).limit(PAGE).offset((page - 1) * PAGE)).mappings():
                row = dict(r)
                where = f"{r['source_path']}:{r['line_no']}" if r["line_no"] else r["source_path"]
                row["lines"] = [f"{where}: {Reason.from_dict(x).describe('en' if en else 'ja')}" for x in r["reasons"]] or [where]
                rows.append(row)
    return render(request, "quarantine.html", viewer.lang, 400 if problems else 200, viewer=viewer, rows=rows, total=total, page=page,
                  pages=pages, files=files, runs=runs, file=file, run=run, show=show, problems=problems,
                  done=request.query_params.get("done", ""))  # fmt: skip


@router.post("/quarantine/{reject_id}/handled")
def mark_handled(request: Request, reject_id: int, viewer: Annotated[Viewer, Depends(require_viewer)],
                 note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    if not permissions.can_read_quarantine(viewer.actor):
        return _refuse(request, viewer, "reject_handled", f"reject:{reject_id}")
    ctx = context(request)
    rj = table_of(Reject)
    now = ctx.clock()
    with ctx.engine.begin() as conn:
        row = conn.execute(select(rj.c.id, rj.c.source_path, rj.c.line_no, rj.c.handled_at).where(rj.c.id == reject_id)).first()
        if row is None:
            return render(request, "error.html", viewer.lang, 404, title_key="not_found_title", body_key="", message="", viewer=viewer)
        if row.handled_at is None:
            conn.execute(update(rj).where(rj.c.id == reject_id).values(handled_by=viewer.actor.user_id, handled_at=now,
                                                                       handled_note=note.strip()[:2000] or None))  # fmt: skip
            audit.append(conn, viewer.actor.user_id, "reject_handled", f"reject:{reject_id}",
                         {"file": row.source_path, "line": row.line_no, "note": note.strip()[:2000], "channel": "web",
                          "session": viewer.session.ref}, now)  # fmt: skip
    target = back if back.startswith("/quarantine") and not back.startswith("//") else "/quarantine"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={reject_id}", status_code=303)
