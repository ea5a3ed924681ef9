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

from riskmon.events.reasons import where as place
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang
from riskmon.review import permissions
from riskmon.web.deps import Viewer, context, render, require_viewer, web_via
from riskmon.web.event_view import field_rows

router = APIRouter()
LOOKUPS = ("event", "case", "unit")


@router.get("/events")
def events_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], by: str = "event", q: str = "") -> Response:
    ctx = context(request)
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    q = q.strip()[:128]
    values: dict[str, Any] = {"viewer": viewer, "by": by, "q": q, "lookups": LOOKUPS, "event": None, "case": None, "listing": None,
                              "total": 0, "error": "", "units": ctx.rm.unit_names(viewer.lang)}  # fmt: skip
    if by not in LOOKUPS:
        values["by"] = "event"
        values["error"] = ("検索の種類は event, case, unit のいずれかです", "look up by event, case or unit")[lang == "en"]
        return render(request, "events.html", viewer.lang, 400, **values)
    if not q:
        return render(request, "events.html", viewer.lang, **values)
    pages = ctx.rm.pages
    if by == "event":
        found = pages.event(q)
        unit = found["unit_id"] if found else None
        if found:
            found["summary"] = FAMILIES[found["type"]].summary(found["fields"], lang)
            written = (found.get("as_written") or {}).get("cells")
            found["rows"] = field_rows(found["type"], found["fields"], lang, ctx.settings.tz, values["units"], written)
            found["place"] = place(found["source_path"], found["source_line"])
            if found["type"] in ("error_report", "error_update"):  # a case's report or step: with the whole case
                found["case"] = pages.error_case(found["fields"]["case_id"])
        values["event"] = found
    elif by == "case":
        found = pages.error_case(q)
        unit = found["unit_id"] if found else None
        values["case"] = found
    else:
        found = {"unit_id": q} if q in values["units"] else None
        unit = q
        if found:
            values["listing"], values["total"] = pages.unit_events(q, lang, limit=100)
    missing = (f"「{q}」は見つかりません", f"'{q}' was not found")[lang == "en"]
    if not found:
        values["error"] = missing
        return render(request, "events.html", viewer.lang, 404, **values)
    if not permissions.can_see_unit(viewer.actor, unit):
        pages.refused(viewer.actor.user_id, "event_read", f"{by}:{q}", f"{unit} is not a unit of {viewer.actor.unit_id}",
                      web_via(viewer), ctx.clock())  # fmt: skip
        # answered exactly as a missing one: the page must not confirm that another unit's event exists
        values.update(event=None, case=None, listing=None, total=0, error=missing)
        return render(request, "events.html", viewer.lang, 404, **values)
    return render(request, "events.html", viewer.lang, **values)
