"""フラグ詳細: the flag, its evidence, its rule, its case timeline, its risk domain and owning
units, and only the actions this user may take (:meth:`riskmon.review.service.ReviewService.standing`:
the policy's :func:`~riskmon.review.permissions.allowed_actions` with the domain's owners and the
executive's approval — issue #12). Actions post to the review service;
its refusal or a form problem comes back inline (an htmx partial swap of the actions panel).

A POST for an action the user may not take — a forged form from a read-only user, say — is
refused before the service, audited, and answered with 403. A flag outside the user's units is
answered exactly as a missing flag (404, the same page), as the policy says such a flag must look
(:func:`riskmon.review.policy.visible_flag`); the refused look or action is still audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from riskmon.i18n import Lang, evidence_label
from riskmon.review import domains, permissions, policy
from riskmon.review.service import Outcome
from riskmon.web.deps import Viewer, context, render, require_viewer
from riskmon.web.rule_source import rule_text
from riskmon.web.when import text_when

router = APIRouter()


def rules_folder(request: Request) -> Path:
    """``[paths] rules`` of the configuration, as the CLI and the scheduler read it."""
    return context(request).settings.path("rules")


def evidence_rows(values: Mapping[str, Any] | None, lang: Lang, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The evidence's ``(label, value)`` rows in the catalogue's words: a value the rule did not
    have (``None``, empty) is left out rather than shown as an empty row; a date or time in 和暦
    for a Japanese reader, as every page says them (riskmon.web.when)."""
    rows: list[tuple[str, str]] = []
    for key, value in (values or {}).items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            text = evidence_label("true" if value else "false", lang)
        elif isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value)
        else:
            text = text_when(str(value), tz, lang)
        rows.append((evidence_label(key, lang), text))
    return rows


def condition_text(evidence: Mapping[str, Any], lang: Lang) -> str:
    """The rule's condition as the evidence recorded it, in ``lang`` ('' when it has none)."""
    cond = (evidence.get("conditions") or {}).get("filter")
    text = cond.get(lang, "") if isinstance(cond, Mapping) else cond
    return str(text or "").strip()


def lateness(request: Request, due: datetime | None) -> dict[str, int] | None:
    """How late the case is against its due date: calendar days and business days (None if not late)."""
    ctx = context(request)
    now = ctx.clock()
    if due is None or due >= now:
        return None
    tz = ctx.calendar.tz
    return {
        "days": (now - due).days,
        "business_days": ctx.calendar.business_days_between(due.astimezone(tz).date(), now.astimezone(tz).date()),
    }


def _not_found(request: Request, viewer: Viewer) -> Response:
    """The one answer for a flag that does not exist and for one the viewer may not see."""
    return render(request, "error.html", viewer.lang, 404, title_key="not_found_title", body_key="", message="", viewer=viewer)


def _page(request: Request, viewer: Viewer, flag_id: int, status: int = 200, **extra: Any) -> Response:
    ctx = context(request)
    flag, _ = ctx.rm.pages.flag_and_proposer(flag_id)
    if flag is None:
        return _not_found(request, viewer)
    try:
        history = ctx.cases(viewer).history(viewer.actor.user_id, flag_id)  # audits a refused look
        standing = ctx.cases(viewer).standing(viewer.actor.user_id, flag_id)
    except policy.Refused:
        return _not_found(request, viewer)
    lang: Lang = "en" if viewer.lang == "en" else "ja"
    values = {
        "viewer": viewer, "flag": flag, "history": history, "units": ctx.rm.unit_names(viewer.lang, [flag.owner_unit]),
        "events": ctx.rm.pages.event_summaries(list(flag.evidence.get("event_ids") or []), lang),
        "condition": condition_text(flag.evidence, lang), "observed": evidence_rows(flag.evidence.get("observed"), lang, ctx.settings.tz),
        "used": evidence_rows(flag.evidence.get("values"), lang, ctx.settings.tz),
        "rule": rule_text(rules_folder(request), ctx.settings.rule_values, flag.rule_id, flag.rule_version),
        "late": lateness(request, flag.due_at), "allowed": standing.allowed, "standing": standing,
        "standing_domain": domains.domain_words(standing.domain, lang), "standing_owners": domains.units_words(standing.owners, lang),
        "pending": permissions.awaiting_confirmation(flag), "read_only": permissions.read_only(viewer.actor),
        "error": "", "form": {}, "done": request.query_params.get("done", ""),
    }  # fmt: skip
    values.update(extra)
    template = "_actions.html" if extra.get("partial") else "flag_detail.html"
    return render(request, template, viewer.lang, status, get_url=f"/flags/{flag_id}", **values)


@router.get("/flags/{flag_id}")
def flag_detail(request: Request, flag_id: int, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    return _page(request, viewer, flag_id)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


@router.post("/flags/{flag_id}/act")
def flag_act(request: Request, flag_id: int, viewer: Annotated[Viewer, Depends(require_viewer)],
             action: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "", resolution: Annotated[str, Form()] = "",
             until: Annotated[str, Form()] = "", duplicate_of: Annotated[str, Form()] = "",
             proposal: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    ctx = context(request)
    service = ctx.cases(viewer)
    user = viewer.actor.user_id
    flag, proposer = ctx.rm.pages.flag_and_proposer(flag_id)
    if flag is None:
        return _not_found(request, viewer)
    try:
        standing = service.standing(user, flag_id)
        allowed, approved = standing.allowed, standing.approved
    except policy.Refused:  # another unit's flag: nothing is allowed (refused below, answered as missing)
        allowed, approved = frozenset(), False
    form = {"action": action, "note": note, "resolution": resolution, "until": until, "duplicate_of": duplicate_of}
    problem = ""
    if until.strip() and _date(until) is None:
        problem = "期限は日付（YYYY-MM-DD）で入力してください" if viewer.lang == "ja" else "the end date must be a date (YYYY-MM-DD)"
    elif duplicate_of.strip() and not duplicate_of.strip().isdigit():
        problem = "元のフラグ番号は数字で入力してください" if viewer.lang == "ja" else "the original flag must be a number"
    if problem and action in allowed:
        return _answer(request, viewer, flag_id, action, problem, form)
    if action not in allowed:  # a forged or stale form: refused before the service, and audited
        ja, en = permissions.why_not(viewer.actor, flag, action, proposer=proposer, powers=ctx.settings.powers,
                                     approved=approved, resolution=resolution)  # fmt: skip
        if not permissions.can_see_unit(viewer.actor, flag.owner_unit):
            # another unit's flag is as absent as a missing one to the person, while the audit log
            # keeps what the CLI records for the third line (policy.Hidden's fuller reason)
            service.record_refusal(user, action, flag_id, policy.Hidden(flag_id, viewer.actor).audit)
            return _not_found(request, viewer)
        service.record_refusal(user, action, flag_id, en)
        return render(request, "error.html", viewer.lang, 403, title_key="forbidden_title", body_key="forbidden_body",
                      message=en if viewer.lang == "en" else ja, viewer=viewer, get_url=f"/flags/{flag_id}")  # fmt: skip
    dup = int(duplicate_of) if duplicate_of.strip().isdigit() else None
    outcome: Outcome
    if action == "acknowledge":
        outcome = service.acknowledge(user, flag_id, note or None)
    elif action == "take_on":
        outcome = service.take_on(user, flag_id)
    elif action in ("comment", "response"):
        outcome = service.comment(user, flag_id, note, kind=action)
    elif action == "propose":
        outcome = service.propose(user, flag_id, resolution, note, _date(until), dup)
    elif action == "resolve":
        outcome = service.resolve(user, flag_id, resolution, note, _date(until), dup)
    elif action == "dismiss":
        outcome = service.dismiss(user, flag_id, note)
    elif action == "confirm":
        outcome = service.confirm(user, flag_id, proposal=proposal.strip() or None)
    elif action == "exec_approve":
        outcome = service.exec_approve(user, flag_id, proposal.strip() or None, note)
    elif action == "receipt":
        outcome = service.receipt(user, flag_id, note)
    elif action == "committee_decision":
        outcome = service.committee_decision(user, flag_id, note)
    else:
        outcome = service.reopen(user, flag_id, note)
    if not outcome.ok:
        return _answer(request, viewer, flag_id, action, outcome.text(viewer.lang), form)
    target = f"/flags/{flag_id}?done={action}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _answer(request: Request, viewer: Viewer, flag_id: int, action: str, error: str, form: dict[str, str]) -> Response:
    """A problem with the form: the actions panel again, with the message beside the form it concerns."""
    partial = bool(request.headers.get("HX-Request"))
    # htmx swaps only 2xx answers by default, so the partial comes as 200; a plain form post gets 400
    return _page(request, viewer, flag_id, 200 if partial else 400, error=error, form=form, partial=partial, failed=action)
