"""The web side of single sign-on: the relying party the application holds, the pending login's
cookie, and the addresses registered with the provider (routes in :mod:`riskmon.web.routes_auth`).

The pending login (state, nonce, PKCE verifier, where to go afterwards) lives in the browser, in a
short-lived HttpOnly cookie MACed with the secret of the browser's own anonymous session. So the
callback is accepted only in the browser that began the login, within ten minutes, once: the
login rotates the session, after which the old secret — the MAC key — is gone. No table and no
application-wide signing key are needed, and several workers agree without sharing memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from riskmon.accounts.oidc import Pending, RelyingParty
from riskmon.config import Settings

PENDING_SECONDS = 600  # a login begun at the provider must come back within this
CALLBACK = "/login/sso/callback"


def relying_party(settings: Settings) -> RelyingParty | None:
    """The application's client of the provider, or None without ``[sso]``; the client secret is
    read from its environment variable now, so a missing one stops the start with file and key."""
    if settings.sso is None:
        return None
    return RelyingParty(settings.sso, settings.sso.client_secret(settings.config_file))


def cookie_names(https: bool) -> tuple[str, str]:
    """The pending login's cookie, and the one that says this browser's session came through the provider."""
    prefix = "__Host-" if https else ""
    return prefix + "riskmon_sso_pending", prefix + "riskmon_sso"


def base_url(request: Request, settings: Settings) -> str:
    """Where users reach riskmon: ``[sso] base_url``, else this request's own scheme and host."""
    configured = settings.sso.base_url if settings.sso else None
    return configured or str(request.base_url).rstrip("/")


def _mac(key: str, payload: str) -> str:
    return hmac.new(hashlib.sha256(key.encode()).digest(), payload.encode(), hashlib.sha256).hexdigest()


def set_pending(response: Response, pending: Pending, session_secret: str, now: datetime, https: bool) -> None:
    data = {"s": pending.state, "n": pending.nonce, "v": pending.code_verifier, "next": pending.next, "at": int(now.timestamp())}
    payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    response.set_cookie(cookie_names(https)[0], f"{payload}.{_mac(session_secret, payload)}", max_age=PENDING_SECONDS, httponly=True,
                        samesite="lax", secure=https, path="/")  # fmt: skip


def read_pending(request: Request, session_secret: str | None, now: datetime, https: bool) -> Pending | None:
    """The pending login of this browser's session, or None (absent, altered, another session's, expired)."""
    value = request.cookies.get(cookie_names(https)[0], "")
    payload, _, mac = value.partition(".")
    if not session_secret or not payload or not hmac.compare_digest(mac.encode(), _mac(session_secret, payload).encode()):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        pending = Pending(str(data["s"]), str(data["n"]), str(data["v"]), str(data["next"]))
        begun = int(data["at"])
    except (ValueError, KeyError, TypeError):
        return None
    return pending if 0 <= now.timestamp() - begun <= PENDING_SECONDS else None


def forget_pending(response: Response, https: bool) -> None:
    response.delete_cookie(cookie_names(https)[0], path="/", secure=https, httponly=True, samesite="lax")


def mark_sso_session(response: Response, https: bool, on: bool) -> None:
    """Remember (or forget) that this browser's session came through the provider: its logout
    then ends the provider's session too. It only steers the logout; it grants nothing."""
    name = cookie_names(https)[1]
    if on:
        response.set_cookie(name, "1", httponly=True, samesite="lax", secure=https, path="/")
    else:
        response.delete_cookie(name, path="/", secure=https, httponly=True, samesite="lax")
