"""What every route needs: the application's context, the session, the language, the viewer.

Routes get a :class:`Viewer` (the session and the :class:`~riskmon.review.users.Actor` the policy
checks) from :func:`require_viewer`; without a live session they never run — the user is sent to
the login page, and a user whose generated password is still unchanged only ever reaches the
password page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import Engine

from riskmon import app_ingest as ingest
from riskmon import app_oversight as oversight
from riskmon.accounts.auth import Accounts
from riskmon.accounts.sessions import Session
from riskmon.app import Riskmon
from riskmon.business_calendar import BusinessCalendar
from riskmon.config import Settings
from riskmon.domain import Bucket, CaseAction, FlagStatus, Line, Resolution, ReviewStatus, RiskCategory, Severity
from riskmon.i18n import label as i18n_label
from riskmon.i18n import translator
from riskmon.review import changes, permissions
from riskmon.review.service import ReviewService
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.web.when import when_tag

LANGS = ("ja", "en")
_KINDS: dict[str, type[StrEnum]] = {
    "severity": Severity, "review": ReviewStatus, "line": Line, "category": RiskCategory, "resolution": Resolution,
    "action": CaseAction, "engine": FlagStatus, "bucket": Bucket,
}  # fmt: skip
_UNSET = object()


@dataclass
class WebContext:
    """What the application holds: the composition root every route goes through (``rm``), the
    accounts, the calendar, the clock and the templates."""

    rm: Riskmon
    accounts: Accounts
    calendar: BusinessCalendar
    clock: Callable[[], datetime]
    templates: Environment

    @property
    def settings(self) -> Settings:
        return self.rm.settings

    @property
    def engine(self) -> Engine:
        """The database, for the accounts and users glue that takes one (riskmon.accounts)."""
        return self.rm.engine

    def cases(self, viewer: Viewer) -> ReviewService:
        """The review service for one request: every case event and audit entry it writes names the
        web channel and the session (as the CLI's names its token), issue #11."""
        return ReviewService(self.rm.engine, self.clock, via=web_via(viewer), powers=self.rm.settings.powers)

    @property
    def cookie_name(self) -> str:
        # __Host-: the browser refuses it unless Secure, Path=/ and no Domain — no subdomain can plant it
        return "__Host-riskmon_session" if self.settings.web.https else "riskmon_session"


@dataclass(frozen=True)
class Viewer:
    session: Session
    actor: Actor
    lang: str


def web_via(viewer: Viewer) -> dict[str, str]:
    """How a web action is named in the audit log and the case history: the channel and the
    session's reference (a hash prefix, never the secret)."""
    return {"channel": "web", "session": viewer.session.ref}


class LoginRequired(Exception):
    """No live session: answered with a redirect to the login page."""


class PasswordChangeRequired(Exception):
    """A generated password not yet changed: answered with a redirect to the password page."""


def templates_env() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True, undefined=StrictUndefined)
    return env


def context(request: Request) -> WebContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, WebContext)
    return ctx


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def current_session(request: Request) -> Session | None:
    """The live session of this request's cookie (looked up once per request)."""
    cached = getattr(request.state, "session", _UNSET)
    if cached is _UNSET:
        ctx = context(request)
        cached = ctx.accounts.sessions.lookup(request.cookies.get(ctx.cookie_name))
        request.state.session = cached
    assert cached is None or isinstance(cached, Session)
    return cached


def language(request: Request) -> str:
    """``?lang=`` (remembered in the session and as the user's preference), else the session's,
    else the configured default (Japanese)."""
    ctx = context(request)
    session = current_session(request)
    asked = request.query_params.get("lang")
    if asked in LANGS:
        if session is not None and session.lang != asked:
            ctx.accounts.sessions.set_lang(session.id_hash, asked)
            if session.user_id:
                ctx.accounts.set_lang(session.user_id, asked)
        return asked
    if session is not None and session.lang in LANGS:
        return session.lang
    return ctx.settings.display.lang


def require_viewer(request: Request) -> Viewer:
    ctx = context(request)
    session = current_session(request)
    if session is None or session.user_id is None:
        raise LoginRequired()
    try:
        with ctx.engine.connect() as conn:
            who = actor(conn, session.user_id)
    except UnknownUser as exc:  # deactivated or removed since the login
        raise LoginRequired() from exc
    if request.url.path != "/password" and ctx.accounts.must_change(session.user_id):
        raise PasswordChangeRequired()
    return Viewer(session, who, language(request))


def language_links(request: Request, get_url: str | None = None) -> dict[str, str]:
    """Where the 日本語 | English switch leads: always a page a GET can fetch.

    On a GET page it is the page itself with its parameters (filters, look-ups) and only ``lang``
    changed. A page rendered by a POST (a form sent back with a validation error, a refusal) must
    not link to the POST's own URL — following it is a GET there, a 405 or a different page — so
    it links to ``get_url``, the page's canonical GET address the route names; without one, to
    the same path when a GET route has exactly that path (``/login``, ``/password``), else to
    the start page."""
    if request.method in ("GET", "HEAD"):
        base, params = "", request.query_params.multi_items()
    elif get_url is not None:
        base, _, query_string = get_url.partition("?")
        params = parse_qsl(query_string, keep_blank_values=True)
    elif _has_get_route(request):
        base, params = request.url.path, request.query_params.multi_items()
    else:
        base, params = "/", []
    others = [(k, v) for k, v in params if k != "lang"]
    return {code: base + "?" + urlencode([*others, ("lang", code)]) for code in LANGS}


def _has_get_route(request: Request) -> bool:
    """A GET route with the very path pattern of the route that answered (``/flags/bulk`` matches
    the pattern ``/flags/{flag_id}`` too, so a plain path match would not do); the application
    lists its GET patterns at start (``app.state.get_paths``, riskmon.web.app)."""
    pattern = getattr(request.scope.get("route"), "path", None)
    return pattern is not None and pattern in getattr(request.app.state, "get_paths", frozenset())


def render(request: Request, template: str, lang: str, status: int = 200, *, get_url: str | None = None, **values: Any) -> HTMLResponse:
    """A page in ``lang``; every value is escaped by the template engine (autoescape). ``get_url``:
    the page's GET address, for a page a POST renders (the language switch leads there)."""
    ctx = context(request)
    session = current_session(request)

    def label(kind: str, value: str | None) -> str:
        """A domain value's label (``kind`` says which enum, as ``"open"`` is two things); anything
        else (an event type, a step) by its code, or as it is — all through the one catalogue."""
        if value is None:
            return ""
        try:
            return i18n_label(_KINDS[kind](value), lang)
        except (KeyError, ValueError):
            return i18n_label(value, lang)

    def local(value: datetime | date | str | None, day: bool = False) -> Markup:
        """A moment (or, ``day``, its date) as the documents say it, in a ``<time>`` (riskmon.web.when)."""
        return when_tag(value, ctx.settings.tz, lang, day=day)

    viewer = values.get("viewer")
    who = viewer.actor if isinstance(viewer, Viewer) else None
    # a generated password not yet changed: every other page redirects to /password, so no links
    nav = {"pages": who is not None and not values.get("forced"),
           "quarantine": who is not None and permissions.can_read_quarantine(who),
           "users": who is not None and permissions.can_administer_users(who),
           "changes": who is not None and changes.can_read(who),
           "reports": who is not None and oversight.may_read_reports(who),
           "audit": who is not None and oversight.may_read_audit(who),
           "upload": who is not None and ingest.may_upload(who), "daily": who is not None and ingest.may_report_daily(who),
           "password": ctx.accounts.local_passwords}  # fmt: skip
    switch = language_links(request, get_url)

    def query(**params: Any) -> str:
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    html = ctx.templates.get_template(template).render(
        t=translator("web", lang), lang=lang, label=label, local=local, path=request.url.path, nav=nav, query=query, switch=switch,
        csrf_token=session.csrf_token if session else "", **values,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)
