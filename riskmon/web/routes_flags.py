"""フラグ一覧: filtered, sorted, paged in SQL (:mod:`riskmon.web.flag_list`), exported, and
worked in bulk through the review service — each item checked and reported on its own, so one
refused flag never hides the others' outcome."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Connection, Row, select

from riskmon import audit
from riskmon.review import permissions
from riskmon.review.service import Outcome, ReviewService
from riskmon.store.tables import Flag, Unit, table_of
from riskmon.web import export, flag_list
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()
BULK_ACTIONS = ("acknowledge", "take_on", "comment")


def unit_names(request: Request, lang: str, only: Iterable[str] | None = None) -> dict[str, str]:
    """Unit names in ``lang``; ``only``: just these units (a page that shows a few of 4,000 units
    reads those few)."""
    with context(request).engine.connect() as conn:
        return _names(_unit_rows(conn, only), lang)


def _unit_rows(conn: Connection, only: Iterable[str] | None = None) -> list[Row[Any]]:
    """The columns the pages show (not the whole units row), in id order."""
    u = table_of(Unit)
    q = select(u.c.unit_id, u.c.name_ja, u.c.name_en, u.c.unit_type).order_by(u.c.unit_id)
    if only is not None:
        q = q.where(u.c.unit_id.in_(sorted(set(only))))
    return list(conn.execute(q))


def _names(rows: list[Row[Any]], lang: str) -> dict[str, str]:
    return {r.unit_id: (r.name_en or r.name_ja) if lang == "en" else r.name_ja for r in rows}


def _choices(request: Request, lang: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Unit names and the values the filter controls offer (units, 地域部, rules), from one read
    of the units' ids and names."""
    f = table_of(Flag)
    with context(request).engine.connect() as conn:
        units = _unit_rows(conn)
        rules = [r[0] for r in conn.execute(select(f.c.rule_id).distinct().order_by(f.c.rule_id))]
    choices = {
        "units": [u.unit_id for u in units],
        "regions": [u.unit_id for u in units if u.unit_type == "regional_division"],
        "rules": rules,
    }
    return _names(units, lang), choices


@router.get("/flags")
def flags_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        fq = flag_list.parse(request.query_params, conn)
        page = None if fq.problems else flag_list.page_of(conn, viewer.actor, fq, ctx.settings.tz)
    status = 400 if fq.problems else 200
    units, choices = _choices(request, viewer.lang)
    return render(request, "flags.html", viewer.lang, status, viewer=viewer, fq=fq, page=page, units=units,
                  choices=choices, read_only=permissions.read_only(viewer.actor), bulk_actions=BULK_ACTIONS,
                  summary=None, sizes=flag_list.PAGE_SIZES, sorts=flag_list.SORTS)  # fmt: skip


@router.get("/flags/export.{fmt}")
def flags_export(request: Request, fmt: str, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    ctx = context(request)
    if fmt not in ("csv", "xlsx"):
        return Response(status_code=404)
    with ctx.engine.connect() as conn:
        fq = flag_list.parse(request.query_params, conn)
    if fq.problems:
        units, choices = _choices(request, viewer.lang)
        return render(request, "flags.html", viewer.lang, 400, viewer=viewer, fq=fq, page=None, units=units,
                      choices=choices, read_only=permissions.read_only(viewer.actor), bulk_actions=BULK_ACTIONS,
                      summary=None, sizes=flag_list.PAGE_SIZES, sorts=flag_list.SORTS)  # fmt: skip
    units, lang, tz = unit_names(request, viewer.lang), viewer.lang, ctx.settings.tz
    stamp = ctx.clock().astimezone(tz).strftime("%Y%m%d-%H%M")
    disposition = {"Content-Disposition": f'attachment; filename="riskmon-flags-{stamp}.{fmt}"'}
    if fmt == "xlsx":
        with ctx.engine.connect() as conn:
            body = export.xlsx_bytes(flag_list.stream(conn, viewer.actor, fq, tz), units, lang, tz)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers=disposition)

    def chunks() -> Iterator[bytes]:
        with ctx.engine.connect() as conn:
            yield from export.csv_chunks(flag_list.stream(conn, viewer.actor, fq, tz), units, lang, tz)

    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers=disposition)


def _one(service: ReviewService, user: str, action: str, flag_id: int, note: str) -> Outcome:
    """One flag of a bulk action, through the service (which checks and audits it)."""
    if action == "acknowledge":
        return service.acknowledge(user, flag_id, note or None)
    if action == "take_on":
        return service.take_on(user, flag_id)
    return service.comment(user, flag_id, note)


@router.post("/flags/bulk")
def flags_bulk(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], ids: Annotated[list[str], Form()] = [],  # noqa: B006
               bulk_action: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Each selected flag goes through the service on its own; the page lists what happened to each."""
    ctx = context(request)
    service = ReviewService(ctx.engine, ctx.clock)
    results: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    numbers = [int(i) for i in ids if i.isdigit()]
    user = viewer.actor.user_id
    if permissions.read_only(viewer.actor):  # a forged POST: every item refused and audited, under the action chosen
        for flag_id in numbers[:500] or [0]:
            if bulk_action in BULK_ACTIONS:
                outcome = _one(service, user, bulk_action, flag_id, note or "-")
                results.append({"id": flag_id, "ok": outcome.ok, "text": outcome.text(viewer.lang)})
            else:  # not even a bulk action: nothing for the service to refuse, so the refusal is audited here
                with ctx.engine.begin() as conn:
                    audit.append(conn, user, f"refused:{bulk_action[:32] or '-'}", f"flag:{flag_id}",
                                 {"reason": "read-only user; not a bulk action", "channel": "web"}, ctx.clock())  # fmt: skip
                results.append({"id": flag_id, "ok": False, "text": ("一括操作ではありません", "not a bulk action")[viewer.lang == "en"]})
    elif bulk_action not in BULK_ACTIONS:
        problems.append(("一括操作を選んでください", "choose a bulk action"))
    if not numbers and not results:
        problems.append(("フラグを1件以上選んでください", "select at least one flag"))
    if bulk_action == "comment" and not note.strip():
        problems.append(("コメントを入力してください", "write the comment"))
    if not problems and not results:
        for flag_id in numbers[:500]:
            outcome = _one(service, user, bulk_action, flag_id, note)
            results.append({"id": flag_id, "ok": outcome.ok, "text": outcome.text(viewer.lang)})
    with ctx.engine.connect() as conn:
        fq = flag_list.parse(request.query_params, conn)
        page = flag_list.page_of(conn, viewer.actor, fq, ctx.settings.tz) if not fq.problems else None
    summary = {"done": sum(r["ok"] for r in results), "failed": [r for r in results if not r["ok"]], "problems": problems,
               "action": bulk_action}  # fmt: skip
    status = 403 if permissions.read_only(viewer.actor) else 400 if problems else 200
    units, choices = _choices(request, viewer.lang)
    return render(request, "flags.html", viewer.lang, status, viewer=viewer, fq=fq, page=page, units=units,
                  choices=choices, read_only=permissions.read_only(viewer.actor), bulk_actions=BULK_ACTIONS,
                  summary=summary, sizes=flag_list.PAGE_SIZES, sorts=flag_list.SORTS)  # fmt: skip
