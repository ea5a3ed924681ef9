"""フラグ一覧: filtered, sorted, paged in SQL (:mod:`riskmon.review.flag_list`, through ``rm.pages``), exported, and
worked in bulk through the review service — each item checked and reported on its own, so one
refused flag never hides the others' outcome."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse

from riskmon.review import flag_list, permissions
from riskmon.web import export
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()
BULK_ACTIONS = ("acknowledge", "take_on", "comment")
#: at most this many units are suggested under the unit filter (a datalist); more, and none are
UNIT_SUGGESTIONS = 300


def _choices(request: Request, viewer: Viewer, rows: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The values the filter controls offer and the unit names the page shows. The unit filter is
    a text field; its suggestions are the viewer's own units when they are few (an office head's
    handful, a 地域部's offices) — never all 4,000 units, which made the page 320 KB."""
    rm = context(request).rm
    mine = rm.pages.visible_units(viewer.actor)
    offered = sorted(mine) if mine is not None and len(mine) <= UNIT_SUGGESTIONS else []
    regions = [u.unit_id for u in rm.units(unit_type="regional_division")]
    choices = {"units": offered, "regions": regions, "rules": rm.flagged_rule_ids()}
    return rm.unit_names(viewer.lang, {*offered, *regions, *rows}), choices


def _render(request: Request, viewer: Viewer, fq: flag_list.FlagQuery, page: flag_list.Page | None, status: int,
            summary: dict[str, Any] | None) -> Response:  # fmt: skip
    units, choices = _choices(request, viewer, [r["owner_unit"] for r in page.rows] if page else [])
    # the bulk form posts to /flags/bulk?<the list's filters>: its page is the list with those filters
    return render(request, "flags.html", viewer.lang, status, get_url=f"/flags?{request.url.query}", viewer=viewer, fq=fq, page=page,
                  units=units, choices=choices, read_only=permissions.read_only(viewer.actor), bulk_actions=BULK_ACTIONS,
                  summary=summary, sizes=flag_list.PAGE_SIZES, sorts=flag_list.SORTS)  # fmt: skip


@router.get("/flags")
def flags_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    pages = context(request).rm.pages
    fq = pages.flag_query(request.query_params)
    page = None if fq.problems else pages.flags_page(viewer.actor, fq)
    return _render(request, viewer, fq, page, 400 if fq.problems else 200, None)


@router.get("/flags/export.{fmt}")
def flags_export(request: Request, fmt: str, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    ctx = context(request)
    if fmt not in ("csv", "xlsx"):
        return Response(status_code=404)
    pages = ctx.rm.pages
    fq = pages.flag_query(request.query_params)
    if fq.problems:
        return _render(request, viewer, fq, None, 400, None)
    units, lang, tz = ctx.rm.unit_names(viewer.lang), viewer.lang, ctx.settings.tz
    stamp = ctx.clock().astimezone(tz).strftime("%Y%m%d-%H%M")
    disposition = {"Content-Disposition": f'attachment; filename="riskmon-flags-{stamp}.{fmt}"'}
    if fmt == "xlsx":
        body = export.xlsx_bytes(pages.flag_export(viewer.actor, fq), units, lang, tz)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers=disposition)

    return StreamingResponse(
        export.csv_chunks(pages.flag_export(viewer.actor, fq), units, lang, tz), media_type="text/csv; charset=utf-8", headers=disposition
    )


@router.post("/flags/bulk")
def flags_bulk(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], ids: Annotated[list[str], Form()] = [],  # noqa: B006
               bulk_action: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """The selected flags go to the review service's one bulk action (riskmon.review.service
    ReviewService.bulk: per-item checks, the cap, refusals audited); the page lists what happened to each."""
    ctx = context(request)
    done = ctx.cases(viewer).bulk(viewer.actor.user_id, bulk_action, [int(i) for i in ids if i.isdigit()], note)
    results = [{"id": o.flag_id, "ok": o.ok, "text": o.text(viewer.lang)} for o in done.outcomes]
    fq = ctx.rm.pages.flag_query(request.query_params)
    page = ctx.rm.pages.flags_page(viewer.actor, fq) if not fq.problems else None
    summary = {"done": done.done, "failed": [r for r in results if not r["ok"]], "problems": done.problems, "action": bulk_action,
               "beyond": done.beyond_text(viewer.lang)}  # fmt: skip
    return _render(request, viewer, fq, page, 403 if done.forbidden else 400 if done.problems else 200, summary)
