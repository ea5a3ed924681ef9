"""レポート: the kept committee packs and 月次公表 drafts, their files, and (second line) a new pack.

The route parses and renders; who may read or generate, which files exist and what they are
called is ``rm.pages.oversight`` (riskmon.app_oversight). A pack is generated synchronously by
the same call as ``riskmon report committee``: the POST answers when the files are written
(tens of seconds on a year of data) with what was written, its version, and any PDF problem.
Files are always sent as attachments: a pack's HTML carries other people's text and its own
styles, which the pages' CSP would block anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response
from markupsafe import Markup

from riskmon.app_oversight import may_generate_reports, may_read_reports
from riskmon.i18n import Lang, translator
from riskmon.reports.kept import SCHEDULER
from riskmon.web.deps import Viewer, context, render, require_viewer, web_via
from riskmon.web.when import span_tag, when_tag

router = APIRouter()


def refuse(request: Request, viewer: Viewer, action: str, subject: str, reason: str, body_key: str) -> Response:
    """403 in the page's language, and the attempt in the audit log (as the other pages do)."""
    ctx = context(request)
    ctx.rm.pages.refused(viewer.actor.user_id, action, subject, reason, web_via(viewer), ctx.clock())
    return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key=body_key, message="", viewer=viewer)


def content_disposition(filename: str, ascii_filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the real (Japanese) one as RFC 5987 ``filename*``."""
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _page(request: Request, viewer: Viewer, status: int = 200, **values: Any) -> Response:
    ctx = context(request)
    reports = ctx.rm.pages.oversight.kept_reports(viewer.actor)
    tz = ctx.settings.tz
    t = translator("web", viewer.lang)
    rows = [{"r": r, "period": span_tag(r.folder.period_from, r.folder.period_to, tz, viewer.lang),
             "as_of": _data_date(r.folder.as_of, tz, viewer.lang), "maker": maker_text(r.made_by, t)} for r in reports]  # fmt: skip
    values = {"first": "", "last": "", "problems": [], "result": None, **values}
    return render(request, "reports.html", viewer.lang, status, get_url="/reports", viewer=viewer, rows=rows,
                  may_generate=may_generate_reports(viewer.actor), **values)  # fmt: skip


def maker_text(made_by: str | None, t: Callable[[str], str]) -> str:
    """Who generated a kept report, in words: a user id as it is, the operator's shell
    (``cli:<login>``) and the scheduler by name, and 「不明（記録前）」 for a report kept before
    makers were recorded (migration 0021)."""
    if made_by is None:
        return t("rp_made_by_unknown")
    if made_by == SCHEDULER:
        return t("rp_made_by_scheduler")
    if made_by.startswith("cli:"):
        return t("rp_made_by_cli").format(login=made_by.removeprefix("cli:"))
    return made_by


def _data_date(as_of: datetime, tz: ZoneInfo, lang: str) -> Markup:
    """A data date at the end of its day (the default) is the day, as the pack's cover says it
    (データ時点：令和7年9月30日); any other moment with its time."""
    at = as_of.astimezone(tz)
    return when_tag(as_of, tz, lang, day=(at.hour, at.minute) == (23, 59))


@router.get("/reports")
def reports_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    if not may_read_reports(viewer.actor):
        return refuse(request, viewer, "reports_read", "reports", "the first line does not read the committee's reports", "rp_refused")
    return _page(request, viewer)


@router.get("/reports/{report_id}/file.{ext}")
def report_file(request: Request, report_id: int, ext: str, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    if not may_read_reports(viewer.actor):
        return refuse(request, viewer, "report_download", f"report:{report_id}", "the first line does not read the committee's reports",
                      "rp_refused")  # fmt: skip
    found = context(request).rm.pages.oversight.report_file(viewer.actor, report_id, ext)
    if found is None:
        return render(request, "error.html", viewer.lang, 404, title_key="not_found_title", body_key="", message="", viewer=viewer)
    return FileResponse(found.path, media_type=found.media_type,
                        headers={"Content-Disposition": content_disposition(found.filename, found.ascii_filename)})  # fmt: skip


@router.post("/reports/committee")
def generate_committee(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], first: Annotated[str, Form()] = "",
                       last: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    if not may_generate_reports(viewer.actor):
        subject = f"report:committee:{first}..{last}"
        return refuse(request, viewer, "report_generate", subject, "only the second line generates committee packs", "rp_generate_refused")
    t = translator("web", viewer.lang)
    problems: list[str] = []
    days: list[date] = []
    for field, value in (("rp_from", first), ("rp_to", last)):
        try:
            days.append(date.fromisoformat(value.strip()))
        except ValueError:
            problems.append(t("rp_bad_date").format(field=t(field), value=value))
    if not problems and days[1] < days[0]:
        problems.append(t("rp_reversed").format(first=first, last=last))
    if problems:
        return _page(request, viewer, 400, first=first, last=last, problems=problems)
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    written = context(request).rm.pages.oversight.generate_committee(viewer.actor, days[0], days[1], lang, web_via(viewer))
    result = {"files": [p.name for p in written.files], "version": written.version, "unchanged": written.unchanged,
              "pdf_problem": written.pdf_problem.text(lang) if written.pdf_problem is not None else "",
              "period": span_tag(days[0], days[1], context(request).settings.tz, viewer.lang)}  # fmt: skip
    return _page(request, viewer, first=first, last=last, result=result)
