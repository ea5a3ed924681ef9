"""Login (password or single sign-on), logout and password change. The decisions are in
:class:`riskmon.accounts.auth.Accounts`, :mod:`riskmon.accounts.oidc` and :mod:`riskmon.accounts.sso`;
these routes only read the form or the callback, call them, and render or redirect."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from riskmon.accounts.oidc import RelyingParty, SsoError
from riskmon.accounts.sso import sso_failed, sso_login
from riskmon.i18n import phrase, pick
from riskmon.web import sso
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


def relying_party(request: Request) -> RelyingParty | None:
    rp = getattr(request.app.state, "sso", None)
    return rp if isinstance(rp, RelyingParty) else None


def login_page(request: Request, lang: str, status: int = 200, *, next: str = "/", error: str = "", notice: str = "", user_id: str = "",
               switch_user: str = "", leaving: str = "") -> Response:  # fmt: skip
    """The login page: the single sign-on button when ``[sso]`` is set, the password form unless
    local passwords are off. ``switch_user``: the provider's logout, offered after a refusal;
    ``leaving``: the provider's logout the page moves on to after riskmon's own logout."""
    ctx = context(request)
    on = relying_party(request) is not None
    sso_url = "/login/sso" + (f"?{urlencode({'next': next})}" if next != "/" else "")
    return render(request, "login.html", lang, status, next=next, error=error, notice=notice, user_id=user_id, sso=on, sso_url=sso_url,
                  passwords=ctx.settings.local_passwords, switch_user=switch_user, leaving=leaving)  # fmt: skip


def _anonymous(request: Request, lang: str) -> tuple[str | None, str | None]:
    """This browser's anonymous session (created when it has none): the cookie to set, if new, and
    the session secret the pending single sign-on login is bound to."""
    ctx = context(request)
    if current_session(request) is not None:
        return None, request.cookies.get(ctx.cookie_name)
    secret, session = ctx.accounts.anonymous_session(client_address(request), lang)
    request.state.session = session
    return secret, secret


@router.get("/login")
def login_form(request: Request, next: str = "/", bye: int = 0) -> Response:
    lang = language(request)
    session = current_session(request)
    if session is not None and session.user_id:
        return RedirectResponse(safe_next(next), status_code=303)
    new_cookie, _ = _anonymous(request, lang)  # the anonymous session holds this form's CSRF token
    notice = phrase("web", "logged_out", lang) if bye else ""
    response = login_page(request, lang, next=safe_next(next), notice=notice)
    if new_cookie:
        set_session_cookie(request, response, new_cookie)
    return response


@router.post("/login")
def login(request: Request, user_id: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:  # fmt: skip
    ctx = context(request)
    lang = language(request)
    result = ctx.accounts.login(user_id, password, client_address(request), previous=current_session(request))
    if not result.ok or result.cookie is None:
        status = 429 if result.locked else 401 if ctx.accounts.local_passwords else 403
        return login_page(request, lang, status, next=safe_next(next), error=pick(result.message, lang), user_id=user_id[:64])
    response = RedirectResponse("/password" if result.must_change else safe_next(next), status_code=303)
    set_session_cookie(request, response, result.cookie)
    sso.mark_sso_session(response, ctx.settings.web.https, on=False)
    return response


@router.get("/login/sso")
def sso_begin(request: Request, next: str = "/") -> Response:
    """Off to the provider: a new pending login bound to this browser's anonymous session."""
    ctx = context(request)
    lang = language(request)
    rp = relying_party(request)
    session = current_session(request)
    if rp is None:
        return RedirectResponse("/login", status_code=303)
    if session is not None and session.user_id:
        return RedirectResponse(safe_next(next), status_code=303)
    new_cookie, secret = _anonymous(request, lang)
    assert secret is not None
    try:
        url, pending = rp.begin(sso.base_url(request, ctx.settings) + sso.CALLBACK, safe_next(next))
    except SsoError as exc:
        sso_failed(ctx.accounts, rp.config, exc.reason, client_address(request))
        response: Response = login_page(request, lang, 502, next=safe_next(next), error=exc.text(lang))
    else:
        response = RedirectResponse(url, status_code=303)
        sso.set_pending(response, pending, secret, ctx.clock(), ctx.settings.web.https)
    if new_cookie:
        set_session_cookie(request, response, new_cookie)
    return response


@router.get(sso.CALLBACK)
def sso_callback(request: Request) -> Response:
    """Back from the provider: the state, the code and the ID token checked, then riskmon's users
    master decides; a refusal is a page that says why and whom to ask."""
    ctx = context(request)
    lang = language(request)
    rp = relying_party(request)
    if rp is None:
        return RedirectResponse("/login", status_code=303)
    https = ctx.settings.web.https
    base = sso.base_url(request, ctx.settings)
    pending = sso.read_pending(request, request.cookies.get(ctx.cookie_name) if current_session(request) else None, ctx.clock(), https)
    client = client_address(request)
    try:
        claims = rp.finish(request.query_params, pending, base + sso.CALLBACK)
    except SsoError as exc:
        sso_failed(ctx.accounts, rp.config, exc.reason, client)
        # a login not begun here, one the provider declined (the person chose Deny), or a provider fault
        status = 400 if exc.reason == "bad_state" else 403 if exc.reason.startswith("provider_error") else 502
        response: Response = login_page(request, lang, status, next=pending.next if pending else "/", error=exc.text(lang))
        sso.forget_pending(response, https)
        return response
    assert pending is not None
    result = sso_login(ctx.accounts, rp.config, claims, client, previous=current_session(request))
    if not result.ok or result.cookie is None:
        switch = rp.logout_url(base + "/login") or ""
        response = login_page(request, lang, 403, next=pending.next, error=pick(result.message, lang), switch_user=switch)
        sso.forget_pending(response, https)
        return response
    response = RedirectResponse(safe_next(pending.next), status_code=303)
    set_session_cookie(request, response, result.cookie)
    sso.forget_pending(response, https)
    sso.mark_sso_session(response, https, on=True)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """riskmon's session ends; a session that came through the provider goes on to the provider's
    logout (RP-initiated logout) when it advertises one, and comes back to the login page."""
    ctx = context(request)
    session = current_session(request)
    lang = language(request)  # kept across the logout: the next login page speaks the same language
    if session is not None:
        ctx.accounts.logout(session)
    https = ctx.settings.web.https
    rp = relying_party(request)
    leaving = None
    if rp is not None and request.cookies.get(sso.cookie_names(https)[1]) and session is not None:
        leaving = rp.logout_url(sso.base_url(request, ctx.settings) + "/login?bye=1")
    response: Response
    if leaving:  # a page that moves on by itself: a redirect after a form post would be held to CSP form-action 'self'
        request.state.session = None
        response = login_page(request, lang, notice=phrase("web", "logged_out", lang), leaving=leaving)
    else:
        response = RedirectResponse(f"/login?bye=1&lang={lang}", status_code=303)
    response.delete_cookie(ctx.cookie_name, path="/", secure=https, httponly=True, samesite="lax")
    sso.mark_sso_session(response, https, on=False)
    return response


@router.get("/password")
def password_form(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)]) -> Response:
    if not context(request).settings.local_passwords:
        return _no_passwords(request, viewer)
    forced = context(request).accounts.must_change(viewer.actor.user_id)
    return render(request, "password.html", viewer.lang, forced=forced, problems=[], viewer=viewer)


@router.post("/password")
def change_password(request: Request, viewer: Annotated[Viewer, Depends(require_viewer)],
                    current_password: Annotated[str, Form()] = "", new_password: Annotated[str, Form()] = "",
                    confirm_password: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    ctx = context(request)
    if not ctx.settings.local_passwords:
        return _no_passwords(request, viewer)
    if new_password != confirm_password:
        problems = [(phrase("web", "password_mismatch", "ja"), phrase("web", "password_mismatch", "en"))]
    else:
        problems = ctx.accounts.change_password(viewer.session, current_password, new_password)
    if problems:
        forced = ctx.accounts.must_change(viewer.actor.user_id)
        return render(request, "password.html", viewer.lang, 400, forced=forced, problems=[pick(p, viewer.lang) for p in problems],
                      viewer=viewer)  # fmt: skip
    return RedirectResponse("/?changed=1", status_code=303)


def _no_passwords(request: Request, viewer: Viewer) -> Response:
    """With ``[sso] local_passwords = false`` there is no password to change: the provider's is the one."""
    return render(request, "error.html", viewer.lang, 404, title_key="sso_no_password_title", body_key="sso_no_password", message="",
                  viewer=viewer)  # fmt: skip
