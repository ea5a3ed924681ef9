"""イベント: look an event up by its id, a 事務処理誤り case by its case id (shown as a lifecycle
timeline: the report, then each step from ``error_updates``), or a unit's recent events.

Events follow the flags' visibility (:func:`riskmon.review.permissions.can_see_unit`): a
first-line user sees their own units' events only; a refused look is audited, like a refused
look at a flag, and answered exactly as a look-up that found nothing (404), so the page never
confirms that another unit's event, case or unit exists.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from riskmon import audit
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang
from riskmon.review import permissions
from riskmon.store import queries
from riskmon.store.tables import ErrorReportRow, ErrorUpdateRow, table_of
from riskmon.web.deps import Viewer, context, render, require_viewer
from riskmon.web.routes_flags import unit_names

router = APIRouter()
LOOKUPS = ("event", "case", "unit")


def _case(conn: Connection, case_id: str) -> dict[str, Any] | None:
    r, u = table_of(ErrorReportRow), table_of(ErrorUpdateRow)
    report = conn.execute(select(r).where(r.c.case_id == case_id)).mappings().first()
    steps = [dict(x) for x in conn.execute(select(u).where(u.c.case_id == case_id).order_by(u.c.at, u.c.event_id)).mappings()]
    if report is None and not steps:
        return None
    unit = report["unit_id"] if report else steps[0]["unit_id"]
    return {"case_id": case_id, "unit_id": unit, "report": dict(report) if report else None, "steps": steps}


@router.get("/events")
def events_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], by: str = "event", q: str = "") -> Response:
    ctx = context(request)
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    q = q.strip()[:128]
    values: dict[str, Any] = {"viewer": viewer, "by": by, "q": q, "lookups": LOOKUPS, "event": None, "case": None, "listing": None,
                              "total": 0, "error": "", "units": unit_names(request, viewer.lang)}  # fmt: skip
    if by not in LOOKUPS:
        values["by"] = "event"
        values["error"] = ("検索の種類は event, case, unit のいずれかです", "look up by event, case or unit")[lang == "en"]
        return render(request, "events.html", viewer.lang, 400, **values)
    if not q:
        return render(request, "events.html", viewer.lang, **values)
    with ctx.engine.connect() as conn:
        if by == "event":
            found = queries.get_event(conn, q)
            unit = found["unit_id"] if found else None
            if found:
                found["summary"] = FAMILIES[found["type"]].summary(found["fields"], lang)
                if found["type"] == "error_report":
                    found["case"] = _case(conn, found["fields"]["case_id"])
            values["event"] = found
        elif by == "case":
            found = _case(conn, q)
            unit = found["unit_id"] if found else None
            values["case"] = found
        else:
            found = {"unit_id": q} if q in values["units"] else None
            unit = q
            if found:
                flt = queries.EventFilter(unit_id=q, limit=100)
                values["listing"] = queries.list_events(conn, flt, lang)
                values["total"] = queries.count_events(conn, flt)
    missing = (f"「{q}」は見つかりません", f"'{q}' was not found")[lang == "en"]
    if not found:
        values["error"] = missing
        return render(request, "events.html", viewer.lang, 404, **values)
    if not permissions.can_see_unit(viewer.actor, unit):
        with ctx.engine.begin() as conn:
            audit.append(conn, viewer.actor.user_id, "refused:event_read", f"{by}:{q}",
                         {"reason": f"{unit} is not a unit of {viewer.actor.unit_id}", "channel": "web"}, ctx.clock())  # fmt: skip
        # answered exactly as a missing one: the page must not confirm that another unit's event exists
        values.update(event=None, case=None, listing=None, total=0, error=missing)
        return render(request, "events.html", viewer.lang, 404, **values)
    return render(request, "events.html", viewer.lang, **values)
