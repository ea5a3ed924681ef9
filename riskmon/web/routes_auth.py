"""Login, logout and password change. The decisions are in :class:`riskmon.accounts.auth.Accounts`;
these routes only read the form, call it, and render or redirect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from riskmon.i18n import phrase, pick
from riskmon.web.deps import Viewer, client_address, context, current_session, language, render, require_viewer

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host`` or ``https://…`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    ctx = context(request)
    # No max-age: a browser session cookie; the server enforces the idle and absolute limits.
    response.set_cookie(ctx.cookie_name, secret, httponly=True, samesite="lax", secure=ctx.settings.web.https, path="/")


@router.get("/healthz", include_in_schema=False)
def healthz() -> Response:
    return Response("ok", media_type="text/plain")


@router.get("/login")
def login_form(request: Request, next: str = "/", bye: int = 0) -> Response:
    ctx = context(request)
    lang = language(request)
    session = current_session(request)
    if session is not None and session.user_id:
        return RedirectResponse(safe_next(next), status_code=303)
    secret = None
    if session is None:  # the anonymous session that holds this form's CSRF token
        secret, session = ctx.accounts.anonymous_session(client_address(request), lang)
        request.state.session = session
    notice = phrase("web", "logged_out", lang) if bye else ""
    response = render(request, "login.html", lang, next=safe_next(next), error="", notice=notice, user_id="")
    if secret:
        set_session_cookie(request, response, secret)
    return response


@router.post("/login")
def login(request: Request, user_id: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:  # fmt: skip
    ctx = context(request)
    lang = language(request)
    result = ctx.accounts.login(user_id, password, client_address(request), previous=current_session(request))
    if not result.ok or result.cookie is None:
        status = 429 if result.locked else 401
        return render(request, "login.html", lang, status, next=safe_next(next), error=pick(result.message, lang), notice="",
                      user_id=user_id[:64])  # fmt: skip
    response = RedirectResponse("/password" if result.must_change else safe_next(next), status_code=303)
    set_session_cookie(request, response, result.cookie)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    ctx = context(request)
    session = current_session(request)
    lang = language(request)  # kept across the logout: the next login page speaks the same language
    if session is not None:
        ctx.accounts.logout(session)
    response = RedirectResponse(f"/login?bye=1&lang={lang}", status_code=303)
    response.delete_cookie(ctx.cookie_name, path="/", secure=ctx.settings.web.https, httponly=True, samesite="lax")
    return response


@router.get("/password")
def password_form(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    forced = context(request).accounts.must_change(viewer.actor.user_id)
    return render(request, "password.html", viewer.lang, forced=forced, problems=[], viewer=viewer)


@router.post("/password")
def change_password(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)],
                    current_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "",
                    confirm_password: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    ctx = context(request)
    if new_password != confirm_password:
        problems = [(phrase("web", "password_mismatch", "ja"), phrase("web", "password_mismatch", "en"))]
    else:
        problems = ctx.accounts.change_password(viewer.session, current_password, new_password)
    if problems:
        forced = ctx.accounts.must_change(viewer.actor.user_id)
        return render(request, "password.html", viewer.lang, 400, forced=forced, problems=[pick(p, viewer.lang) for p in problems],
                      viewer=viewer)  # fmt: skip
    return RedirectResponse("/?changed=1", status_code=303)
