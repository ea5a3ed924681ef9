"""本日の確認 — the morning queue, read through riskmon.review.queue, which applies
riskmon.review.policy for the logged-in user (a first-line user sees only its units' flags) and
puts the four-eyes closures this user may confirm first (承認待ち). Read-only users (third line,
governance) get the overview without that bucket: they confirm nothing.

Each bucket shows its first :data:`PER_BUCKET` flags (most urgent first, as the queue orders
them) with its exact count, and says so when there are more — the rest are one click away in
フラグ一覧 — so a second-line officer's page does not carry tens of thousands of rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from riskmon.domain import Bucket
from riskmon.flags.repository import FlagRecord
from riskmon.review import permissions
from riskmon.review.queue import BUCKETS
from riskmon.web.deps import Viewer, context, render, require_viewer

router = APIRouter()
#: flags shown per bucket; the counts above the buckets are always complete
PER_BUCKET = 50


@router.get("/")
def queue_page(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)], changed: int = 0) -> Response:
    ctx = context(request)
    as_of = ctx.clock()
    queue = ctx.rm.queue(viewer.actor.user_id, as_of, per_bucket=PER_BUCKET)
    units = ctx.rm.unit_names(viewer.lang, {i.flag.owner_unit for i in queue.items})
    read_only = permissions.read_only(viewer.actor)
    shown = [b for b in BUCKETS if not (read_only and b is Bucket.AWAITING_ME)]
    groups: list[tuple[str, list[FlagRecord], int]] = [(b, [i.flag for i in queue.in_bucket(b)], queue.counts[b]) for b in shown]
    return render(request, "queue.html", viewer.lang, viewer=viewer, groups=groups, total=queue.total, units=units,
                  as_of=as_of, changed=bool(changed), read_only=read_only)  # fmt: skip
