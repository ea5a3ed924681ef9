"""Who calls the API: a bearer token, never a cookie — so no CSRF guard either.

Each request: the token's bucket (:mod:`riskmon.web.api.ratelimit`, before the database is touched,
so a flood of guesses costs nothing), then :meth:`riskmon.accounts.tokens.Tokens.authenticate`
(hashed look-up, expiry, revocation, an active user; the use audited with the token id), then the
scope the route needs. The scope only narrows: what the user may do is still decided by the
review policy and the powers (S4:41) inside the library call the route makes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from riskmon.accounts.tokens import BAD_TOKEN, REF_LENGTH, Caller, TokenRefused, Tokens
from riskmon.review.users import Actor
from riskmon.web.api.problems import ApiProblem, lang_of
from riskmon.web.api.ratelimit import Buckets
from riskmon.web.deps import WebContext

bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="個人用・サービス用APIトークン（rmt_…）/ a personal or service API token (rmt_…)")  # fmt: skip


@dataclass(frozen=True)
class ApiUser:
    caller: Caller
    actor: Actor
    lang: str

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    @property
    def via(self) -> dict[str, str]:
        """channel ``api`` and the token id, on every case event and audit entry this request causes."""
        return self.caller.via


def ctx_of(request: Request) -> WebContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, WebContext)
    return ctx


def authenticated(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> ApiUser:
    if credentials is None or not credentials.credentials.strip():
        raise ApiProblem("unauthorized", "Authorization: Bearer <トークン> が必要です", "send Authorization: Bearer <token>",
                         headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    buckets = request.app.state.buckets
    assert isinstance(buckets, Buckets)
    wait = buckets.take(hashlib.sha256(credentials.credentials.strip().encode()).hexdigest()[:REF_LENGTH])
    if wait is not None:
        raise ApiProblem("rate-limit", f"このトークンの要求が多すぎます。{wait}秒後に再試行してください",
                         f"too many requests with this token; retry in {wait} s", headers={"Retry-After": str(wait)})  # fmt: skip
    ctx = ctx_of(request)
    try:
        caller = Tokens(ctx.engine, ctx.clock).authenticate(credentials.credentials, use={"method": request.method,
                                                                                         "path": request.url.path})  # fmt: skip
    except TokenRefused:
        raise ApiProblem("unauthorized", *BAD_TOKEN, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    assert caller.actor is not None
    return ApiUser(caller, caller.actor, lang_of(request))


def scoped(scope: str) -> Callable[..., ApiUser]:
    """A dependency: the caller, whose token must carry ``scope``; a refusal is audited."""

    def check(request: Request, who: Annotated[ApiUser, Depends(authenticated)]) -> ApiUser:
        if scope not in who.caller.scopes:
            ctx = ctx_of(request)
            ctx.rm.pages.refused(who.user_id, "api_scope", f"{request.method} {request.url.path}",
                                 f"the token lacks the {scope} scope", who.via, ctx.clock())  # fmt: skip
            raise ApiProblem("scope", f"このトークンにはスコープ「{scope}」がありません", f"this token does not have the {scope} scope")
        return who

    return check


Reader = Annotated[ApiUser, Depends(scoped("read"))]
Ingester = Annotated[ApiUser, Depends(scoped("ingest"))]
Reviewer = Annotated[ApiUser, Depends(scoped("review"))]
