"""Flags: the list with the web's and CLI's filters and pagination (:mod:`riskmon.review.flag_list`
through ``rm.pages``), one flag with its case history and the actions its reader may take, and
every case action — each one the review service's own call, so the policy, four eyes and the
powers of S4:41 (riskmon.review.domains) decide exactly as on the CLI and the web; the token's
``review`` scope only comes on top.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Request
from fastapi.encoders import jsonable_encoder

from riskmon.review import policy
from riskmon.review.service import Outcome, ReviewService
from riskmon.web.api.auth import ApiUser, Reader, Reviewer, ctx_of
from riskmon.web.api.problems import ApiProblem, documented
from riskmon.web.api.schemas import ActionIn, ActionOut, FlagList, FlagOut

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]  # a flag id: beyond this no database column holds it
Action = Literal["acknowledge", "take_on", "comment", "response", "propose", "withdraw", "resolve", "accept_risk", "dismiss",
                 "confirm", "exec_approve", "receipt", "committee_decision", "reopen"]  # fmt: skip
FILTERS = ("severity", "status", "line", "unit", "region", "rule", "category", "since", "until", "q", "sort", "dir", "page", "per")


def _service(request: Request, who: ApiUser) -> ReviewService:
    ctx = ctx_of(request)
    return ReviewService(ctx.engine, ctx.clock, via=who.via, powers=ctx.settings.powers)


@router.get("/flags", response_model=FlagList, responses=documented("validation"))
def list_flags(request: Request, who: Reader, severity: str = "", status: str = "active", line: str = "", unit: str = "",
               region: str = "", rule: str = "", category: str = "", since: str = "", until: str = "", q: str = "",
               sort: str = "severity", dir: str = "desc", page: str = "1", per: str = "50") -> Any:  # fmt: skip
    """The flags the caller may see (the first line: its own units), filtered and paged in SQL."""
    pages = ctx_of(request).rm.pages
    args = {k: v for k, v in request.query_params.items() if k in FILTERS}
    fq = pages.flag_query(args)
    if fq.problems:
        raise ApiProblem("validation", "絞り込みの条件に誤りがあります。errors を見てください", "the filters have problems; see errors",
                         errors=[(["query", f], ja, en) for f, ja, en in fq.problems])  # fmt: skip
    found = pages.flags_page(who.actor, fq)
    return {"items": jsonable_encoder(found.rows), "total": found.total, "page": found.page, "pages": found.pages}


@router.get("/flags/{flag_id}", response_model=FlagOut, responses=documented("not-found"))
def get_flag(request: Request, flag_id: Id, who: Reader) -> Any:
    """A flag, its history and what the caller may do with it; another unit's flag is answered as
    a missing one (and the look audited, as the CLI's)."""
    service = _service(request, who)
    try:
        history = service.history(who.user_id, flag_id)  # audits a refused look
        flag = service.flag(who.user_id, flag_id)
        allowed = sorted(service.standing(who.user_id, flag_id).allowed)
    except policy.Refused as refused:
        raise ApiProblem("not-found", refused.ja, refused.en) from None
    if "review" not in who.caller.scopes:
        allowed = []
    return {"flag": jsonable_encoder(dataclasses.asdict(flag)), "history": jsonable_encoder([dataclasses.asdict(h) for h in history]),
            "allowed_actions": allowed, "proposal_id": flag.proposal.digest if flag.proposal is not None else None}  # fmt: skip


@router.post("/flags/{flag_id}/{action}", response_model=ActionOut, responses=documented("not-found", "forbidden", "validation"))
def act(request: Request, flag_id: Id, action: Action, who: Reviewer, body: Annotated[ActionIn | None, Body()] = None) -> Any:
    """One case action. ``accept_risk`` is a resolution ``risk_accepted`` (the executive's approval
    of S4:41 applies); ``confirm`` is the second pair of eyes, ``exec_approve`` the executive's."""
    a = body or ActionIn()
    service, user = _service(request, who), who.user_id
    if ctx_of(request).rm.visible_flag(flag_id, who.actor) is None:
        service.record_refusal(user, action, flag_id, f"flag {flag_id} missing or not visible")
        ja, en = policy.missing(flag_id).ja, policy.missing(flag_id).en
        raise ApiProblem("not-found", ja, en)
    outcome: Outcome
    if action == "acknowledge":
        outcome = service.acknowledge(user, flag_id, a.note or None)
    elif action == "take_on":
        outcome = service.take_on(user, flag_id, a.assignee or None)
    elif action in ("comment", "response"):
        outcome = service.comment(user, flag_id, a.note, kind=action)
    elif action == "propose":
        outcome = service.propose(user, flag_id, a.resolution, a.note, a.until, a.duplicate_of)
    elif action == "withdraw":
        outcome = service.withdraw(user, flag_id, a.note)
    elif action in ("resolve", "accept_risk"):
        resolution = "risk_accepted" if action == "accept_risk" else a.resolution
        outcome = service.resolve(user, flag_id, resolution, a.note, a.until, a.duplicate_of)
    elif action == "dismiss":
        outcome = service.dismiss(user, flag_id, a.note)
    elif action == "confirm":
        outcome = service.confirm(user, flag_id, proposal=a.proposal or None)
    elif action == "exec_approve":
        outcome = service.exec_approve(user, flag_id, a.proposal or None, a.note)
    elif action == "receipt":
        outcome = service.receipt(user, flag_id, a.note)
    elif action == "committee_decision":
        outcome = service.committee_decision(user, flag_id, a.note)
    else:
        outcome = service.reopen(user, flag_id, a.note)
    if not outcome.ok:
        raise ApiProblem("forbidden", outcome.message_ja, outcome.message_en)
    return {"flag_id": flag_id, "status": outcome.status, "message": outcome.text(who.lang)}
