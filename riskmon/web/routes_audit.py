"""監査: the third line's page — the audit log (read-only, filtered, paged), the chain's verification
and the assurance report for a period.

The second line, the third line and governance see it; the first line is refused (403, audited).
Verifying reads the whole log, so it runs when asked (a POST button), not on every page view. The
assurance report is ``riskmon report assurance``'s own text (riskmon.review.assurance), shown as
it prints and downloadable as Markdown.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.app_oversight import may_read_audit
from riskmon.audit.trail import TrailQuery
from riskmon.i18n import Lang, phrase, translator
from riskmon.i18n.dates import range_text
from riskmon.web.deps import Viewer, context, render, require_viewer
from riskmon.web.routes_reports import content_disposition, refuse

router = APIRouter()
PER = 50
REASON = "the first line does not read the audit trail"


def _day(value: str, field: str, t: Any, problems: list[str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(t("rp_bad_date").format(field=t(field), value=value))
        return None


def _page(request: Request, viewer: Viewer, status: int = 200, **extra: Any) -> Response:
    ctx, t, q = context(request), translator("web", viewer.lang), request.query_params
    problems: list[str] = []
    since, until = _day(q.get("since", ""), "au_since", t, problems), _day(q.get("until", ""), "au_until", t, problems)
    page = q.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        problems.append(t("au_bad_page").format(value=page))
        page = "1"
    tz = ctx.settings.tz
    query = TrailQuery(actor=q.get("actor", "").strip(), action=q.get("action", "").strip(), subject=q.get("subject", "").strip(),
                       since=datetime.combine(since, time(0), tzinfo=tz) if since else None,
                       until=datetime.combine(until + timedelta(days=1), time(0), tzinfo=tz) if until else None,
                       page=int(page), per=PER)  # fmt: skip
    rows, total, actions = ctx.rm.pages.oversight.audit_trail(viewer.actor, query)
    filters = {"actor": query.actor, "action": query.action, "subject": query.subject, "since": q.get("since", ""),
               "until": q.get("until", "")}  # fmt: skip
    values: dict[str, Any] = {"verification": None, "assurance": None, **extra}
    return render(request, "audit.html", viewer.lang, 400 if problems else status, get_url="/audit", viewer=viewer, rows=rows,
                  total=total, page=query.page, pages=max(1, -(-total // PER)), actions=actions, filters=filters, problems=problems,
                  fy=_fiscal_year(ctx.clock().astimezone(tz).date()), **values)  # fmt: skip


def _fiscal_year(today: date) -> tuple[str, str]:
    """The fiscal year (April to March) ``today`` falls in: the assurance form's default period."""
    start = today.year if today.month >= 4 else today.year - 1
    return date(start, 4, 1).isoformat(), date(start + 1, 3, 31).isoformat()


@router.get("/audit")
def audit_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    if not may_read_audit(viewer.actor):
        return refuse(request, viewer, "audit_read", "audit_log", REASON, "au_refused")
    return _page(request, viewer)


@router.post("/audit/verify")
def audit_verify(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    if not may_read_audit(viewer.actor):
        return refuse(request, viewer, "audit_verify", "audit_log", REASON, "au_refused")
    v = context(request).rm.pages.oversight.verification(viewer.actor)
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    warnings = [en if lang == "en" else ja for ja, en in v.warnings]
    breaks = [f"{b.seq}: {b.text(lang)}" for b in v.breaks]
    anchored = datetime.fromisoformat(v.latest_anchor.at) if v.latest_anchor is not None else None
    return _page(request, viewer, verification={"v": v, "warnings": warnings, "breaks": breaks, "anchored": anchored})


def _period(request: Request, viewer: Viewer) -> tuple[date, date] | list[str]:
    t, q = translator("web", viewer.lang), request.query_params
    problems: list[str] = []
    first, last = _day(q.get("first", ""), "rp_from", t, problems), _day(q.get("last", ""), "rp_to", t, problems)
    if not problems and (first is None or last is None):
        problems.append(t("au_period_needed"))
    if first is not None and last is not None and last < first:
        problems.append(t("rp_reversed").format(first=first, last=last))
    return problems if problems or first is None or last is None else (first, last)


def _asked(request: Request) -> dict[str, str]:
    """The period as it was asked (shown again in the form beside the problem)."""
    return {"first": request.query_params.get("first", ""), "last": request.query_params.get("last", "")}


def _assurance(request: Request, viewer: Viewer) -> tuple[tuple[date, date], str] | Response:
    """The period asked for and the third line's document for it, or the page that refuses the
    viewer or shows what is wrong with the period (one check for the page and its download)."""
    if not may_read_audit(viewer.actor):
        return refuse(request, viewer, "assurance_read", "assurance", REASON, "au_refused")
    period = _period(request, viewer)
    if isinstance(period, list):
        return _page(request, viewer, 400, assurance={"problems": period, **_asked(request)})
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    return period, context(request).rm.pages.oversight.assurance(viewer.actor, *period, lang)


@router.get("/audit/assurance")
def assurance_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    found = _assurance(request, viewer)
    if isinstance(found, Response):
        return found
    period, text = found
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    return _page(request, viewer, assurance={"problems": [], "text": text, "period": range_text(*period, lang),
                                             "first": period[0].isoformat(), "last": period[1].isoformat()})  # fmt: skip


@router.get("/audit/assurance.md")
def assurance_file(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    found = _assurance(request, viewer)
    if isinstance(found, Response):
        return found
    period, text = found
    span = f"{period[0].isoformat()}_{period[1].isoformat()}.md"
    ja, en = phrase("web", "rp_file_assurance", "ja"), phrase("web", "rp_file_assurance", "en")
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{ja}_{span}", f"{en}_{span}")},
    )
