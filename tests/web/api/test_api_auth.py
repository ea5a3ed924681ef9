"""Tokens on the API: only a bearer token authenticates (no cookie), an unknown, expired or revoked
token or an inactive user is 401 as problem details, a token's scopes narrow what it may do (403,
audited), every use is audited with the token id, each token has its bucket (429 + Retry-After),
and the problem details speak Japanese unless asked for English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from riskmon.accounts.tokens import Caller, Tokens, parse_scopes
from riskmon.errors import Refused
from riskmon.review.users import actor
from riskmon.store.tables import ApiToken, AuditEntry, User, table_of
from riskmon.web.app import create_app
from tests.web.api.api_support import Token, api_settings, problem
from tests.web.support import Clock, login


def audit_rows(engine: Engine, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        return [(r.actor, r.subject, r.payload) for r in conn.execute(select(t).where(t.c.action == action).order_by(t.c.seq))]


def test_no_token_is_401_with_a_bearer_challenge(api: TestClient) -> None:
    r = api.get("/api/v1/flags")
    body = problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"
    assert body["detail"] == "Authorization: Bearer <トークン> が必要です"
    assert body["title"] == "認証が必要です"


def test_a_web_session_cookie_is_not_a_token(api: TestClient, flags: dict[str, int]) -> None:
    assert login(api, "risk1").status_code == 303  # type: ignore[attr-defined]
    problem(api.get("/api/v1/flags"), 401, "unauthorized")


@pytest.mark.parametrize("how", ["unknown", "expired", "revoked", "inactive"])
def test_unusable_tokens_are_401_and_audited(api: TestClient, token: Token, engine: Engine, clock: Clock, how: str) -> None:
    headers = token("risk1", days=1) if how != "unknown" else {"Authorization": "Bearer rmt_nothing"}
    if how == "expired":
        clock.advance(days=1)
    elif how == "revoked":
        assert len(Tokens(engine, clock).revoke(Caller("cli:test", "cli"), user_id="risk1")) == 1
    elif how == "inactive":
        with engine.begin() as conn:
            conn.execute(update(table_of(User)).where(table_of(User).c.user_id == "risk1").values(active=False))
    body = problem(api.get("/api/v1/flags", headers=headers), 401, "unauthorized")
    assert body["detail"].startswith("APIトークンが無効です（不明・期限切れ・失効済み、または利用者が無効）")
    reasons = [p["reason"] for _, _, p in audit_rows(engine, "token_refused")]
    assert reasons == [{"unknown": "unknown token", "inactive": "user inactive"}.get(how, how)]


def test_every_use_is_audited_with_the_token_id(api: TestClient, token: Token, engine: Engine) -> None:
    headers = token("risk1", "read")
    with engine.connect() as conn:
        (token_id,) = [r[0][:12] for r in conn.execute(select(table_of(ApiToken).c.id_hash))]
    assert api.get("/api/v1/flags", headers=headers).status_code == 200
    assert api.get("/api/v1/events/E1", headers=headers).status_code == 200
    assert audit_rows(engine, "token_used") == [
        ("risk1", f"token:{token_id}", {"channel": "api", "token": token_id, "method": "GET", "path": "/api/v1/flags"}),
        ("risk1", f"token:{token_id}", {"channel": "api", "token": token_id, "method": "GET", "path": "/api/v1/events/E1"}),
    ]


# each endpoint and the scope it needs; any other scope alone is refused before anything is read
ENDPOINTS = [
    ("GET", "/api/v1/flags", "read"),
    ("GET", "/api/v1/flags/1", "read"),
    ("GET", "/api/v1/events/E1", "read"),
    ("GET", "/api/v1/ingest-runs", "read"),
    ("GET", "/api/v1/ingest-runs/1", "read"),
    ("GET", "/api/v1/ingest-runs/1/rejects", "read"),
    ("GET", "/api/v1/reports", "read"),
    ("GET", "/api/v1/reports/1/file.md", "read"),
    ("POST", "/api/v1/events", "ingest"),
    ("POST", "/api/v1/flags/1/acknowledge", "review"),
    ("POST", "/api/v1/reports", "review"),
]


def test_a_scope_the_token_lacks_is_403_and_audited(api: TestClient, token: Token, engine: Engine) -> None:
    """Every endpoint × the two scopes that are not its own (one test: the check comes before any read)."""
    for method, path, needs in ENDPOINTS:
        others = [s for s in ("read", "ingest", "review") if s != needs]
        for scope in others:
            r = api.request(method, path, headers=token("risk1", scope), json=[] if path.endswith("events") else {})
            body = problem(r, 403, "scope")
            assert body["detail"] == f"このトークンにはスコープ「{needs}」がありません"
            assert audit_rows(engine, "refused:api_scope")[-1][:2] == ("risk1", f"{method} {path}")
        assert api.request(method, path, headers=token("risk1", needs), json=[] if path.endswith("events") else {}).status_code != 403


def test_english_by_accept_language_or_lang(api: TestClient) -> None:
    assert problem(api.get("/api/v1/flags", headers={"Accept-Language": "en-GB,en;q=0.8"}), 401, "unauthorized")["title"] == (
        "authentication required"
    )
    body = problem(api.get("/api/v1/flags?lang=en", headers={"Accept-Language": "ja"}), 401, "unauthorized")
    assert body["detail"] == "send Authorization: Bearer <token>"


def test_the_rate_limit_is_per_token_with_retry_after(engine: Engine, clock: Clock, flags: dict[str, int], token: Token,
                                                      tmp_path: Path) -> None:  # fmt: skip
    client = TestClient(create_app(api_settings(tmp_path, api_burst=2, api_rate_per_minute=6), engine=engine, clock=clock))
    first, second = token("risk1", "read"), token("risk2", "read")
    assert [client.get("/api/v1/flags", headers=first).status_code for _ in range(2)] == [200, 200]
    r = client.get("/api/v1/flags", headers=first)
    body = problem(r, 429, "rate-limit")
    assert r.headers["retry-after"] == "10"  # one request every 10 s at 6 a minute
    assert body["detail"] == "このトークンの要求が多すぎます。10秒後に再試行してください"
    assert client.get("/api/v1/flags", headers=second).status_code == 200  # another token has its own bucket
    guess = {"Authorization": "Bearer rmt_guessed"}  # an invalid token has a bucket too: guessing is slowed
    assert [client.get("/api/v1/flags", headers=guess).status_code for _ in range(3)] == [401, 401, 429]


def test_openapi_is_served_without_a_token(api: TestClient) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "riskmon API"
    assert sorted(spec["paths"]) == ["/events", "/events/{event_id}", "/flags", "/flags/{flag_id}", "/flags/{flag_id}/{action}",
                                     "/ingest-runs", "/ingest-runs/{run_id}", "/ingest-runs/{run_id}/rejects", "/reports",
                                     "/reports/{report_id}/file.{ext}"]  # fmt: skip
    assert spec["components"]["securitySchemes"]["token"] == {
        "type": "http", "scheme": "bearer", "description": "個人用・サービス用APIトークン（rmt_…）/ a personal or service API token (rmt_…)"
    }  # fmt: skip
    assert api.get("/openapi.json").status_code == 404  # the pages' application still has none


def test_scopes_are_three_words() -> None:
    assert parse_scopes(["read", "ingest,review"]) == frozenset({"read", "ingest", "review"})
    with pytest.raises(Refused) as refused:
        parse_scopes(["write"])
    assert refused.value.ja == "スコープ「write」は使えません。使えるスコープ：read, ingest, review"
    with pytest.raises(Refused):
        parse_scopes([])


def test_a_service_token_is_issued_by_a_user_admin_only(engine: Engine, clock: Clock, flags: dict[str, int], api: TestClient) -> None:
    tokens = Tokens(engine, clock)
    with engine.connect() as conn:
        admin, officer = actor(conn, "admin1"), actor(conn, "risk1")
    with pytest.raises(Refused) as refused:
        tokens.issue_service(Caller("risk1", "api", officer, "aaaaaaaaaaaa"), "risk2", name="x", days=30, scopes=frozenset({"read"}))
    assert refused.value.en == "only a user_admin issues service tokens (pass your own token with --token-file)"
    assert audit_rows(engine, "refused:token_created")[-1][:2] == ("risk1", "user:risk2")
    secret, info = tokens.issue_service(Caller("admin1", "api", admin, "bbbbbbbbbbbb"), "risk2", name="基幹", days=30,
                                        scopes=frozenset({"read"}))  # fmt: skip
    assert (info.user_id, info.issued_by, info.scopes) == ("risk2", "admin1", frozenset({"read"}))
    actor_, subject, payload = audit_rows(engine, "token_created")[-1]
    assert (actor_, subject) == ("admin1", "user:risk2")
    assert (payload["service"], payload["scopes"], payload["issued_by"]) == ("true", "read", "admin1")
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/flags", headers=headers).status_code == 200
    problem(api.post("/api/v1/flags/1/acknowledge", headers=headers, json={}), 403, "scope")


def test_a_crash_is_still_problem_details(engine: Engine, clock: Clock, flags: dict[str, int], token: Token, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from riskmon.store import ingest_runs

    def broken(*args: object) -> None:
        raise RuntimeError("a secret detail of the server")

    monkeypatch.setattr(ingest_runs, "runs", broken)
    client = TestClient(create_app(api_settings(tmp_path), engine=engine, clock=clock), raise_server_exceptions=False)
    r = client.get("/api/v1/ingest-runs", headers=token("risk1", "read"))
    body = problem(r, 500, "server")
    assert body["detail"] == "内部エラーが起きました。管理者に連絡してください" and "secret" not in r.text
