"""RFC 9457 problem details: every error of the JSON API, in Japanese (default) or English.

Why one module: another system reads ``status`` and ``type`` and shows ``detail`` to its people, so
every refusal — a bad token, a scope the token lacks, the policy's no, a filter the flag list
refuses, a body the ingest cannot read — must arrive in the one shape, with the very words the CLI
prints (the library's ``ja``/``en`` pairs), never an HTML page or a traceback. The language is
``?lang=en`` or an ``Accept-Language`` that prefers English; Japanese otherwise.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from riskmon.errors import NotFound, Refused, RiskmonError

MEDIA = "application/problem+json"
TYPE_BASE = "https://riskmon.invalid/problems/"  # a stable identifier, not a page (RFC 9457 §3.1.1)

#: each kind of problem: status and title in both languages
KINDS: dict[str, tuple[int, str, str]] = {
    "unauthorized": (401, "認証が必要です", "authentication required"),
    "forbidden": (403, "この操作はできません", "not allowed"),
    "scope": (403, "トークンのスコープが足りません", "the token's scope does not allow this"),
    "not-found": (404, "見つかりません", "not found"),
    "method": (405, "このメソッドは使えません", "method not allowed"),
    "conflict": (409, "今の状態ではできません", "not possible in the current state"),
    "too-large": (413, "本文が大きすぎます", "the body is too large"),
    "media-type": (415, "この形式の本文は受け付けません", "unsupported body format"),
    "validation": (422, "入力に誤りがあります", "the request has problems"),
    "rate-limit": (429, "リクエストが多すぎます", "too many requests"),
    "bad-request": (400, "要求を処理できません", "the request cannot be processed"),
    "server": (500, "内部エラーです", "internal error"),
}


class FieldProblem(BaseModel):
    loc: list[str | int]
    field: str
    reason: str


class Problem(BaseModel):
    """The body of every error response (RFC 9457), ``errors`` for a request with problems."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] = Field(default_factory=list)


class ApiProblem(Exception):
    """Raised by a route or dependency; answered by :func:`install` as problem details."""

    def __init__(self, kind: str, ja: str = "", en: str = "", *, errors: list[tuple[list[str | int], str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        super().__init__(en or kind)
        self.kind, self.ja, self.en = kind, ja, en or ja
        self.errors = errors or []  # (loc, ja, en)
        self.headers = headers or {}


def lang_of(request: Request) -> str:
    """``?lang=``, else the first of ``Accept-Language`` that is ``en`` or ``ja``, else Japanese."""
    asked = request.query_params.get("lang")
    if asked in ("ja", "en"):
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("ja", "en"):
            return code
    return "ja"


def response(request: Request, problem: ApiProblem) -> Response:
    status, title_ja, title_en = KINDS[problem.kind]
    en = lang_of(request) == "en"
    body = Problem(
        type=TYPE_BASE + problem.kind, title=title_en if en else title_ja, status=status,
        detail=(problem.en if en else problem.ja) or (title_en if en else title_ja), instance=request.url.path,
        errors=[FieldProblem(loc=loc, field=".".join(str(p) for p in loc[1:] or loc), reason=e if en else j)
                for loc, j, e in problem.errors],
    )  # fmt: skip
    return JSONResponse(body.model_dump(), status_code=status, media_type=MEDIA, headers=problem.headers)


#: pydantic's validation errors in the CLI's words (the types a request to this API can hit)
_PYDANTIC_JA = {
    "missing": "必須です", "int_parsing": "整数で指定してください", "int_type": "整数で指定してください",
    "string_type": "文字列で指定してください", "date_from_datetime_parsing": "日付（YYYY-MM-DD）で指定してください",
    "date_parsing": "日付（YYYY-MM-DD）で指定してください", "date_type": "日付（YYYY-MM-DD）で指定してください",
    "literal_error": "使える値ではありません", "enum": "使える値ではありません", "model_type": "JSONのオブジェクトで送ってください",
    "json_invalid": "JSONとして読めません", "greater_than_equal": "小さすぎます", "less_than_equal": "大きすぎます",
    "string_too_long": "長すぎます", "extra_forbidden": "この項目は使えません", "dict_type": "JSONのオブジェクトで送ってください",
    "list_type": "配列で送ってください", "bool_parsing": "true か false で指定してください",
}  # fmt: skip


def install(app: FastAPI) -> None:
    """Every error of ``app`` as problem details."""

    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, exc: ApiProblem) -> Response:
        return response(request, exc)

    @app.exception_handler(RiskmonError)
    async def _riskmon(request: Request, exc: RiskmonError) -> Response:
        kind = "not-found" if isinstance(exc, NotFound) else "forbidden" if isinstance(exc, Refused) else "bad-request"
        return response(request, ApiProblem(kind, exc.ja, exc.en))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors: list[tuple[list[str | int], str, str]] = []
        for e in exc.errors():
            loc = [p if isinstance(p, int) else str(p) for p in e.get("loc", ())]
            errors.append((loc, _PYDANTIC_JA.get(str(e.get("type")), "値が正しくありません"), str(e.get("msg", ""))))
        return response(request, ApiProblem("validation", "入力に誤りがあります。errors を見てください",
                                            "the request has problems; see errors", errors=errors))  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method", 413: "too-large", 415: "media-type"}.get(
            exc.status_code, "bad-request")  # fmt: skip
        return response(request, ApiProblem(kind, headers=dict(exc.headers or {})))


    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        """Still problem details (the error itself goes to the server's log, never to the client)."""
        return response(request, ApiProblem("server", "内部エラーが起きました。管理者に連絡してください",
                                            "an internal error occurred; tell the administrator"))  # fmt: skip


def documented(*kinds: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry of these problems (schemathesis checks every answer against it)."""
    return {KINDS[k][0]: {"model": Problem, "content": {MEDIA: {}}, "description": KINDS[k][2]} for k in kinds}
