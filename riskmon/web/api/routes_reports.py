"""Reports: the kept committee packs and drafts, a new committee pack (the second line only: the
same ``Oversight.generate_committee`` the web's レポート page and the CLI's ``report committee``
run, audited with the token id), and a kept file (md, xlsx, pdf, html) as an attachment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from riskmon.app_oversight import MEDIA, may_generate_reports, may_read_reports
from riskmon.web.api.auth import ApiUser, Reader, Reviewer, ctx_of
from riskmon.web.api.problems import ApiProblem, documented
from riskmon.web.api.schemas import GenerateIn, GenerateOut, ReportList, ReportOut
from riskmon.web.routes_reports import content_disposition

router = APIRouter()
MAX_DAYS = 365  # last - first: a fiscal year, leap day included, is the longest pack
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _readers(request: Request, who: ApiUser, subject: str) -> None:
    if not may_read_reports(who.actor):
        ctx = ctx_of(request)
        ctx.rm.pages.refused(who.user_id, "reports_read", subject, "the first line does not read the committee's reports", who.via,
                             ctx.clock())  # fmt: skip
        raise ApiProblem("forbidden", "第一線は委員会資料を閲覧できません", "the first line does not read the committee's reports")


@router.get("/reports", response_model=ReportList, responses=documented("forbidden"))
def list_reports(request: Request, who: Reader) -> Any:
    _readers(request, who, "reports")
    kept = ctx_of(request).rm.pages.oversight.kept_reports(who.actor)
    return {"items": [ReportOut(id=k.folder.id, kind=k.folder.kind, period_from=k.folder.period_from, period_to=k.folder.period_to,
                                as_of=k.folder.as_of, files=k.files) for k in kept]}  # fmt: skip


@router.post("/reports", response_model=GenerateOut, responses=documented("forbidden", "validation"))
async def generate(request: Request, body: GenerateIn, who: Reviewer) -> Any:
    """A committee pack for ``first``..``last`` (tens of seconds on a year of data)."""
    if not may_generate_reports(who.actor):
        ctx = ctx_of(request)
        ctx.rm.pages.refused(who.user_id, "report_generate", f"report:committee:{body.first}..{body.last}",
                             "only the second line generates committee packs", who.via, ctx.clock())  # fmt: skip
        raise ApiProblem("forbidden", "委員会資料を作成できるのは第二線だけです", "only the second line generates committee packs")
    if body.last < body.first:
        raise ApiProblem("validation", f"期間が逆です（{body.first}〜{body.last}）", f"the period is reversed ({body.first}..{body.last})",
                         errors=[(["body", "last"], "開始日より前です", "before first")])  # fmt: skip
    if (body.last - body.first).days > MAX_DAYS:
        raise ApiProblem("validation", f"期間は{MAX_DAYS + 1}日までです（{body.first}〜{body.last}）",
                         f"the period is at most {MAX_DAYS + 1} days ({body.first}..{body.last})",
                         errors=[(["body", "last"], "期間が長すぎます", "the period is too long")])  # fmt: skip
    oversight = ctx_of(request).rm.pages.oversight
    written = await run_in_threadpool(oversight.generate_committee, who.actor, body.first, body.last, body.lang, who.via)
    return {"files": [p.name for p in written.files], "version": written.version, "unchanged": written.unchanged,
            "pdf_problem": written.pdf_problem.text(body.lang) if written.pdf_problem is not None else ""}  # fmt: skip


@router.get("/reports/{report_id}/file.{ext}", response_class=FileResponse, responses={
    200: {"content": {m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA.values()}},
    **documented("forbidden", "not-found")})  # fmt: skip
def report_file(request: Request, report_id: Id, ext: Literal["md", "xlsx", "pdf", "html"], who: Reader) -> Any:
    _readers(request, who, f"report:{report_id}")
    found = ctx_of(request).rm.pages.oversight.report_file(who.actor, report_id, ext)
    if found is None:
        raise ApiProblem("not-found", f"レポート{report_id}の{ext}はありません", f"report {report_id} has no {ext} file")
    return FileResponse(found.path, media_type=found.media_type,
                        headers={"Content-Disposition": content_disposition(found.filename, found.ascii_filename)})  # fmt: skip
