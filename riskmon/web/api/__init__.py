"""``/api/v1``: the JSON API for other systems (issue #14), a FastAPI application of its own.

Why a sub-application: the pages' application has no OpenAPI and guards every form with the CSRF
check on the session cookie; the API has its own OpenAPI (``/api/v1/openapi.json``), knows no
cookie and takes only bearer tokens (:mod:`riskmon.web.api.auth`), and answers every error as
problem details (:mod:`riskmon.web.api.problems`). It shares the pages' ``WebContext`` — the one
``Riskmon``, its clock and its library calls — so nothing is decided twice.
"""

from __future__ import annotations

from fastapi import FastAPI

from riskmon.web.api import routes_flags, routes_ingest, routes_reports
from riskmon.web.api.problems import documented, install
from riskmon.web.api.ratelimit import Buckets
from riskmon.web.deps import WebContext

DESCRIPTION = """riskmon の JSON API。トークン（`Authorization: Bearer rmt_…`）で認証し、スコープ（read / ingest / review）と
利用者の権限の両方が許すことだけができます。エラーは RFC 9457のproblem details（既定は日本語、`?lang=en` か
`Accept-Language: en` で英語）。 / riskmon's JSON API: see docs/api.md."""


def create_api(ctx: WebContext) -> FastAPI:
    api = FastAPI(title="riskmon API", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", responses=documented("unauthorized", "scope", "rate-limit"))  # fmt: skip
    api.state.ctx = ctx
    web = ctx.settings.web
    api.state.buckets = Buckets(web.api_rate_per_minute, web.api_burst)
    for module in (routes_ingest, routes_flags, routes_reports):
        api.include_router(module.router)
    install(api)
    return api
