"""取込 (upload event files) and 日次業務報告 (the office head's daily form), issue #14.

Thin: a route reads the form, makes one call on ``rm.uploads`` (riskmon.app_ingest, which decides
who may send what, runs the ingest pipeline and audits), and renders. A refusal is a 403 page
with the library's words; the refusal itself was audited by the library.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from riskmon.app_ingest import (
    DAILY_OPTIONAL,
    DAILY_REQUIRED,
    MAX_FILES,
    MAX_UPLOAD_BYTES,
    DailyResult,
    Received,
    Uploaded,
    UploadProblem,
    upload_units,
)
from riskmon.errors import NotFound, Refused
from riskmon.i18n import Lang, phrase
from riskmon.web.deps import Viewer, context, render, require_viewer, web_via

router = APIRouter()
#: The body the 取込 page may send: the files plus the form's framing (riskmon.web.body_limit).
BODY_LIMITS = {"/upload": MAX_UPLOAD_BYTES + 64 * 1024}


def _lang(viewer: Viewer) -> Lang:
    return "en" if viewer.lang == "en" else "ja"


def _refused(request: Request, viewer: Viewer, exc: Refused | NotFound, get_url: str) -> Response:
    status, title = (404, "not_found_title") if isinstance(exc, NotFound) else (403, "forbidden_title")
    return render(request, "error.html", viewer.lang, status, title_key=title, body_key="", message=exc.text(viewer.lang), viewer=viewer,
                  get_url=get_url)  # fmt: skip


def _upload_page(request: Request, viewer: Viewer, status: int = 200, *, done: Uploaded | None = None, error: str = "") -> Response:
    units = upload_units(viewer.actor)
    lines = done.reject_lines(_lang(viewer)) if done else []
    return render(request, "upload.html", viewer.lang, status, get_url="/upload", viewer=viewer, done=done, lines=lines, error=error,
                  units=", ".join(sorted(units)) if units is not None else "", max_files=MAX_FILES, max_bytes=MAX_UPLOAD_BYTES,
                  totals=done.report.as_dict() if done else None)  # fmt: skip


@router.get("/upload")
def upload_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    try:
        context(request).rm.uploads.require_upload(viewer.actor, web_via(viewer))
    except Refused as exc:
        return _refused(request, viewer, exc, "/")
    return _upload_page(request, viewer)


@router.post("/upload")
async def upload_files(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    # the form is read here, not by a File() parameter: a form sent with no file chosen is the
    # page's own words, not a 422 (the body limit has already bounded its size)
    parts = (await request.form()).getlist("files")
    sent = [Received(p.filename or "", await p.read()) for p in parts if isinstance(p, UploadFile) and (p.filename or p.size)]

    def ingest() -> Response:  # the pipeline and the database block: in the thread pool, as a plain ``def`` route runs
        try:
            done = context(request).rm.uploads.ingest(sent, viewer.actor, web_via(viewer))
        except Refused as exc:
            return _refused(request, viewer, exc, "/")
        except UploadProblem as exc:
            return _upload_page(request, viewer, 400, error=exc.text(viewer.lang))
        return _upload_page(request, viewer, done=done)

    return await run_in_threadpool(ingest)


@router.get("/upload/{run_id}/rejects.csv")
def upload_rejects(request: Request, run_id: int, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    uploads = context(request).rm.uploads
    try:
        uploads.require_run(run_id, viewer.actor)
    except (Refused, NotFound) as exc:
        return _refused(request, viewer, exc, "/upload")
    name = f"rejects_run{run_id}.csv"
    return StreamingResponse(uploads.rejects_csv(run_id, viewer.actor, _lang(viewer)), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _daily_page(request: Request, viewer: Viewer, result: DailyResult | None, status: int = 200) -> Response:
    rm = context(request).rm
    values: dict[str, Any] = result.values if result else {"business_date": rm.uploads.daily_default().isoformat()}
    problems = result.problems if result else {}
    labels = {name: phrase("web", f"ev_{name}", viewer.lang) for name in (*DAILY_REQUIRED, *DAILY_OPTIONAL)}
    unit_name = rm.unit_names(viewer.lang, [viewer.actor.unit_id]).get(viewer.actor.unit_id, "")
    return render(request, "daily_report.html", viewer.lang, status, get_url="/daily", viewer=viewer, values=values, problems=problems,
                  required=DAILY_REQUIRED, optional=DAILY_OPTIONAL, labels=labels, result=result, unit_name=unit_name,
                  open_optional=any(problems.get(n) or values.get(n) for n in DAILY_OPTIONAL))  # fmt: skip


@router.get("/daily")
def daily_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    try:
        context(request).rm.uploads.require_daily(viewer.actor, web_via(viewer))
    except Refused as exc:
        return _refused(request, viewer, exc, "/")
    return _daily_page(request, viewer, None)


@router.post("/daily")
async def daily_submit(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def submit() -> Response:  # the database and the pipeline block: in the thread pool, as a plain ``def`` route runs
        try:
            result = context(request).rm.uploads.daily_report(form, viewer.actor, web_via(viewer))
        except Refused as exc:
            return _refused(request, viewer, exc, "/")
        status = 400 if result.problems or result.outcome == "rejected" else 409 if result.outcome == "conflict" else 200
        return _daily_page(request, viewer, result, status)

    return await run_in_threadpool(submit)
