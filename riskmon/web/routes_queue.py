"""本日の確認 — the morning queue, read through riskmon.review.queue, which applies
riskmon.review.policy for the logged-in user (a first-line user sees only its units' flags) and
puts the four-eyes closures this user may confirm first (承認待ち). Read-only users (third line,
governance) get the overview without that bucket: they confirm nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.domain import Bucket
from riskmon.flags.repository import FlagRecord
from riskmon.review import permissions
from riskmon.review.queue import BUCKETS, morning_queue
from riskmon.store.queries import list_units
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()


@router.get("/")
def queue_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], changed: int = 0) -> Response:
    ctx = context(request)
    as_of = ctx.clock()
    queue = morning_queue(ctx.engine, viewer.actor.user_id, as_of, ctx.calendar)
    with ctx.engine.connect() as conn:
        units = {u["unit_id"]: (u["name_en"] or u["name_ja"]) if viewer.lang == "en" else u["name_ja"] for u in list_units(conn)}
    read_only = permissions.read_only(viewer.actor)
    shown = [b for b in BUCKETS if not (read_only and b is Bucket.AWAITING_ME)]
    groups: list[tuple[str, list[FlagRecord]]] = [(b, [i.flag for i in queue.in_bucket(b)]) for b in shown]
    return render(request, "queue.html", viewer.lang, viewer=viewer, groups=groups, total=len(queue.items), units=units,
                  as_of=as_of, changed=bool(changed), read_only=read_only)  # fmt: skip
