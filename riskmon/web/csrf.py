"""CSRF protection: a synchronizer token kept in the server-side session.

Every state-changing request (anything but GET/HEAD/OPTIONS) must carry the session's token, in
the form field ``csrf_token`` (HTML forms) or the ``X-CSRF-Token`` header (htmx requests; set by
``static/riskmon.js`` from the page's ``<meta name="csrf-token">``). The check is one dependency
on the whole application, so a route added later cannot forget it. A request without a session
(even the login form has an anonymous one) is refused too.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from riskmon.web.deps import current_session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """A state-changing request without the session's token; answered with 403."""


async def csrf_guard(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    session = current_session(request)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfRefused()
