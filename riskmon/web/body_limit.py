"""The request-body limit, enforced before the body is read (plain ASGI middleware on ``receive``).

The largest thing a page sends is the users file of 利用者管理 (at most :data:`MAX_UPLOAD`).
Checking its size in the route came too late: by then Starlette had parsed the whole multipart
body and spooled it to disk — for the CSRF check (riskmon.web.csrf reads the form) and for the
route's own ``File()`` parameter — so a client could make the server read and store any amount.
Here a request is refused before the application runs when its ``Content-Length`` says it is too
large, and a body without one (``Transfer-Encoding: chunked``) is counted as it streams in and
cut off the moment it passes :data:`MAX_BODY`. Either way the answer is 413 with the error page,
and whatever the application would have answered to the cut-off body is dropped.

(Starlette's own ``RequestBodyLimitMiddleware`` answers a plain-text 413, and only once the
application has run up to its first read of the body; the pages answer with a page.)
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riskmon.i18n import phrase
from riskmon.web.api import problems
from riskmon.web.deps import language, render

#: where the JSON API lives (riskmon.web.api): its 413 is problem details, like its other errors
API_PREFIX = "/api/"

#: The largest users file 利用者管理 takes (1 MiB): a master of thousands of users fits.
MAX_UPLOAD = 1024 * 1024
#: The largest request body: the users file plus its form (the CSRF token, the multipart framing).
#: A file a little over MAX_UPLOAD gets past this and is refused by the route with its own words.
MAX_BODY = MAX_UPLOAD + 64 * 1024


class BodyTooLarge(Exception):
    """Raised into the application from ``receive`` when the body passes the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, wider: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.wider = wider or {}  # path → its own limit (the 取込 page takes event files larger than a users file)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.wider.get(scope["path"], self.limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)  # the body is never read
            return
        received, cut_off, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, cut_off
            if cut_off:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    raise BodyTooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if cut_off:
                return  # the application's answer to a body it never got whole: replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not cut_off:
                raise
        if cut_off and not started:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        request = Request(scope, receive)
        if scope["path"].startswith(API_PREFIX):  # another system reads problem details, never a page
            words = phrase("web", "too_large_body", "ja").replace("{max}", f"{limit:,}"), phrase(
                "web", "too_large_body", "en"
            ).replace("{max}", f"{limit:,}")
            answer = problems.response(request, problems.ApiProblem("too-large", *words, headers={"Connection": "close"}))
            await answer(scope, receive, send)
            return

        def page() -> HTMLResponse:  # the session lookup and the page are blocking calls (the database)
            lang = language(request)
            message = phrase("web", "too_large_body", lang).replace("{max}", f"{limit:,}")
            return render(request, "error.html", lang, 413, title_key="too_large_title", body_key="", message=message)

        response = await run_in_threadpool(page)
        response.headers["Connection"] = "close"  # the rest of the body is not read: the connection cannot be reused
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
