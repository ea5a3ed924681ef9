"""Events in and out, ingest runs and their rejects.

A POST's body is written to a file in a private temporary folder and handed to ``rm.ingest`` — the
very pipeline and quarantine of ``riskmon ingest`` (validation, duplicates and conflicts, rejects
``file:line: field: reason``) — under a name that carries the token id, so a reject says which
system sent it. A JSON array becomes JSON Lines (one record a line: a reject's line is the array's
index + 1). Only events: a body the pipeline would take as the units or users master is refused.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from starlette.concurrency import run_in_threadpool

from riskmon.app_ingest import Received, UploadProblem
from riskmon.events.reasons import where as place
from riskmon.ingest.files import classify
from riskmon.review import permissions
from riskmon.web.api.auth import ApiUser, Ingester, Reader, ctx_of
from riskmon.web.api.problems import ApiProblem, documented
from riskmon.web.api.schemas import EventOut, IngestOut, RejectList, RejectOut, RunList, RunOut

router = APIRouter()
Id = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
MEDIA_SUFFIX = {"application/json": "json", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                "application/x-jsonlines": "jsonl", "text/csv": "csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}  # fmt: skip
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "JSON の配列、JSON Lines（application/x-ndjson）または CSV（text/csv）/ a JSON array, JSON Lines or CSV",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
    }
}


def _lines_of(body: bytes) -> bytes:
    """A JSON array's records as JSON Lines; anything else is a problem naming the body."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiProblem("validation", f"本文をJSONとして読めません（{exc}）", f"the body is not JSON ({exc})",
                         errors=[(["body"], "JSONとして読めません", "not JSON")]) from None  # fmt: skip
    if not isinstance(data, list):
        raise ApiProblem("validation", "本文はイベントの配列（[…]）で送ってください", "send the events as a JSON array ([…])",
                         errors=[(["body"], "配列ではありません", "not an array")])  # fmt: skip
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data).encode()


def _ingest(who: ApiUser, request: Request, body: bytes, suffix: str) -> dict[str, Any]:
    """The body as one uploaded file, through the 取込 page's service (riskmon.app_ingest): the same
    pipeline and quarantine, the file kept under ``[paths] uploads``/<run>/, the sender on the run, a
    first-line token's records for other units rejected with the unit named, audited ``api_ingest``."""
    ctx = ctx_of(request)
    lang = who.lang
    name = f"api-{who.caller.token}-{ctx.clock().strftime('%Y%m%dT%H%M%S%f')}.{suffix}"
    with tempfile.TemporaryDirectory(prefix="riskmon-api-") as folder:
        probe = Path(folder) / name
        probe.write_bytes(body[:65536] if suffix != "xlsx" else body)
        if classify(probe).role in ("units", "users"):
            raise ApiProblem("validation", "イベント以外（部署・利用者マスタ）はAPIでは取り込めません",
                             "only events are ingested through the API (not the units or users master)",
                             errors=[(["body"], "イベントの列（type）がありません", "no type column")])  # fmt: skip
    try:
        done = ctx.rm.uploads.ingest([Received(name, body)], who.actor, {**who.via}, action="api_ingest")
    except UploadProblem as exc:
        raise ApiProblem("validation", exc.ja, exc.en) from exc
    report = done.report
    summary = report.as_dict()
    rejects = [RejectOut(source=done.shown(r.source), line=r.line, kind=r.kind, record_type=r.record_type, event_id=r.event_id,
                         text=f"{place(done.shown(r.source), r.line)}: " + "; ".join(x.describe("en" if lang == "en" else "ja")
                                                                              for x in r.reasons),
                         reasons=[x.as_dict() for x in r.reasons]) for r in report.rejections]  # fmt: skip
    return {"run_id": report.run_id, "status": report.status, "totals": summary["totals"], "by_type": summary["by_type"],
            "rejects": rejects}  # fmt: skip


@router.post("/events", response_model=IngestOut, openapi_extra=BODY_DOC,
             responses=documented("validation", "forbidden", "media-type"))  # fmt: skip
async def post_events(request: Request, who: Ingester) -> Any:
    """Events through the ingest pipeline, as from the 取込 page: the second line (a service account
    is one) sends any unit's, the first line its own units' only; the third line sends none."""
    if permissions.read_only(who.actor):
        raise ApiProblem("forbidden", "APIでの取込は第一線と第二線（サービス用アカウントを含む）だけができます",
                         "only the first and second lines (service accounts included) ingest through the API")  # fmt: skip
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA_SUFFIX:
        kinds = "application/json, application/x-ndjson, text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        raise ApiProblem("media-type", f"本文の形式「{media or '-'}」は使えません。使える形式：{kinds}",
                         f"the body type '{media or '-'}' is not accepted; send {kinds}")  # fmt: skip
    body = await request.body()
    suffix = MEDIA_SUFFIX[media]
    if suffix == "json":
        body, suffix = _lines_of(body), "jsonl"
    return await run_in_threadpool(_ingest, who, request, body, suffix)


@router.get("/events/{event_id}", response_model=EventOut, responses=documented("not-found"))
def get_event(request: Request, event_id: str, who: Reader) -> Any:
    """One stored event; another unit's event is answered as a missing one (the first line)."""
    found = ctx_of(request).rm.event(event_id, who.actor)
    if found is None:
        raise ApiProblem("not-found", f"イベント{event_id}はありません", f"event {event_id} does not exist")
    return jsonable_encoder(found)


def _quarantine(request: Request, who: ApiUser) -> None:
    if not permissions.can_read_quarantine(who.actor):
        ctx = ctx_of(request)
        ctx.rm.pages.refused(who.user_id, "quarantine_read", "ingest-runs", "the quarantine is the second line's", who.via, ctx.clock())
        raise ApiProblem("forbidden", "取込履歴と取込エラーは第二線が扱います", "ingest runs and rejects are the second line's")


@router.get("/ingest-runs", response_model=RunList, responses=documented("forbidden", "validation"))
def list_runs(request: Request, who: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 50,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Any:  # fmt: skip
    _quarantine(request, who)
    rows, total = ctx_of(request).rm.uploads.runs(limit, offset)
    return {"items": [RunOut(**r) for r in rows], "total": total}


@router.get("/ingest-runs/{run_id}", response_model=RunOut, responses=documented("forbidden", "not-found"))
def get_run(request: Request, run_id: Id, who: Reader) -> Any:
    _quarantine(request, who)
    found = ctx_of(request).rm.uploads.run(run_id)
    if found is None:
        raise ApiProblem("not-found", f"取込{run_id}はありません", f"ingest run {run_id} does not exist")
    return found


@router.get("/ingest-runs/{run_id}/rejects", response_model=RejectList, responses=documented("forbidden", "not-found", "validation"))
def run_rejects(request: Request, run_id: Id, who: Reader, open_only: bool = False, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                per: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:  # fmt: skip
    _quarantine(request, who)
    ctx = ctx_of(request)
    if ctx.rm.uploads.run(run_id) is None:
        raise ApiProblem("not-found", f"取込{run_id}はありません", f"ingest run {run_id} does not exist")
    rows, total, shown = ctx.rm.pages.rejects(file="", run=run_id, open_only=open_only, per=per, page=page)
    return {"items": jsonable_encoder(rows), "total": total, "page": shown}
