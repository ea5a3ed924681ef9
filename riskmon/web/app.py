"""The application factory: ``create_app(settings_or_riskmon)``.

It takes the composition root :class:`riskmon.Riskmon` (or a :class:`~riskmon.config.Settings`, of
which it builds one), so the web application is the same glue as the CLI: routes reach the store
through ``ctx.rm`` and the review service, never through SQL of their own (issues #10/#11). ``clock`` is injectable
so tests can move time past the idle and absolute session limits.

``uvicorn`` starts it through :func:`app_from_env` (see ``riskmon serve``), which reads the same
config file as the CLI (``RISKMON_CONFIG``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from riskmon.accounts.auth import Accounts
from riskmon.app import Riskmon
from riskmon.config import Settings, load_settings
from riskmon.errors import NotFound, Refused, RiskmonError
from riskmon.store.db import make_engine
from riskmon.web import (
    routes_audit,
    routes_auth,
    routes_changes,
    routes_dashboard,
    routes_detail,
    routes_events,
    routes_flags,
    routes_ingest,
    routes_quarantine,
    routes_queue,
    routes_reports,
    routes_users,
)
from riskmon.web.api import create_api
from riskmon.web.body_limit import BodyLimit
from riskmon.web.csrf import CsrfRefused, csrf_guard
from riskmon.web.deps import LoginRequired, PasswordChangeRequired, WebContext, language, render, templates_env
from riskmon.web.security import SecurityHeaders
from riskmon.web.sso import relying_party

STATIC = Path(__file__).with_name("static")


def create_app(source: Settings | Riskmon, *, engine: Engine | None = None, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """``source``: the ``Riskmon`` to serve, or settings to build one on (with ``engine`` when
    given, else the configured database); ``clock`` is the time the pages and sessions see."""
    now = clock or (lambda: datetime.now(UTC))
    if isinstance(source, Riskmon):
        rm = source
    else:
        rm = Riskmon(source, engine=engine or make_engine(source.database_url), clock=now, lang=source.display.lang)
    settings, db = rm.settings, rm.engine
    app = FastAPI(title="riskmon", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[Depends(csrf_guard)])
    accounts = Accounts(db, settings.web, now, local_passwords=settings.local_passwords)
    app.state.ctx = WebContext(rm, accounts, rm.calendar, now, templates_env())
    app.state.sso = relying_party(settings)  # None without [sso]; a missing client secret stops the start here
    app.add_middleware(BodyLimit, wider=routes_ingest.BODY_LIMITS)  # inside the security headers: the 413 page gets them too
    app.add_middleware(SecurityHeaders, https=settings.web.https)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/api/v1", create_api(app.state.ctx))  # tokens only, its own OpenAPI and problem details (issue #14)
    modules = (
        routes_auth,
        routes_queue,
        routes_flags,
        routes_detail,
        routes_events,
        routes_quarantine,
        routes_users,
        routes_changes,
        routes_dashboard,
        routes_reports,
        routes_audit,
        routes_ingest,
    )
    for module in modules:
        app.include_router(module.router)
    # the pages a GET reaches, by path pattern: where a page a POST rendered links its language switch
    app.state.get_paths = frozenset(
        r.path for m in modules for r in m.router.routes if isinstance(r, APIRoute) and "GET" in (r.methods or ())
    )
    _handlers(app)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process (``riskmon serve``)."""
    return create_app(load_settings())


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = "/login" + (f"?next={request.url.path}" if request.method == "GET" and request.url.path != "/" else "")
        return _redirect(request, target)

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, exc: PasswordChangeRequired) -> Response:
        return _redirect(request, "/password")

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        lang = language(request)
        return render(request, "error.html", lang, 403, title_key="csrf_title", body_key="csrf_body", message="")

    @app.exception_handler(RiskmonError)
    async def _refused(request: Request, exc: RiskmonError) -> Response:
        lang = language(request)
        status = 403 if isinstance(exc, Refused) else 404 if isinstance(exc, NotFound) else 400
        return render(request, "error.html", lang, status, title_key="csrf_title", body_key="", message=exc.text(lang))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = language(request)
        if exc.status_code == 404:
            return render(request, "error.html", lang, 404, title_key="not_found_title", body_key="", message="")
        return Response(str(exc.detail), status_code=exc.status_code)


def _redirect(request: Request, target: str) -> Response:
    """303 for a page; for an htmx request, HX-Redirect so the whole page moves, not a fragment."""
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
