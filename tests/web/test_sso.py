"""Single sign-on through a real OpenID Connect provider on 127.0.0.1 (tests/web/sso_support.py):
login → callback → the same session a password gives; unknown and deactivated users refused with
a page and audited; a state that does not match refused; local passwords off; logout at the provider.
On both backends (SQLite and PostgreSQL), like the other route tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, delete, select, update

from riskmon.accounts.auth import Accounts
from riskmon.config import Settings, SsoConfig, WebConfig
from riskmon.store.tables import AuditEntry, User, WebCredential, WebSession, table_of
from riskmon.web.app import create_app
from tests.web.sso_support import CLIENT_ID, SECRET_ENV, authorize, provider
from tests.web.support import PASSWORD, Clock, csrf_of, login

UNKNOWN = "riskmonの利用者として登録されていません（nobody）。利用者管理の担当者に連絡してください"
DEACTIVATED = "riskmonの利用者po2は利用停止中です。利用者管理の担当者に連絡してください"
BAD_STATE = "ログインの手続きが一致しません（期限切れか、別の画面で始めたものです）。もう一度ログインしてください"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with provider() as url:
        yield url


@pytest.fixture
def sso_client(engine: Engine, clock: Clock, seeded: dict[str, int], issuer: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TestClient]]:  # fmt: skip
    """``sso_client(local_passwords=False, …)``: a TestClient on an application with ``[sso]`` set."""
    monkeypatch.setenv(SECRET_ENV, "the-client-secret")
    clients: list[TestClient] = []

    def make(**sso: Any) -> TestClient:
        config = SsoConfig(issuer=issuer, client_id=CLIENT_ID, client_secret_env=SECRET_ENV, **sso)
        client = TestClient(create_app(Settings(web=WebConfig(), sso=config), engine=engine, clock=clock), follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


def through_provider(client: TestClient, sub: str, start: str = "/login/sso") -> Response:
    """The browser's round trip: riskmon → the provider's form (``sub`` chosen) → riskmon's callback."""
    begun = client.get(start)
    assert begun.status_code == 303, begun.text
    path, params = authorize(begun.headers["location"], sub)
    assert path == "/login/sso/callback"
    return client.get(path, params=params)


def audit(engine: Engine, *actions: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.actor, t.c.action, t.c.payload).where(t.c.action.in_(actions)).order_by(t.c.seq)).all()
    return [(a, b, dict(p)) for a, b, p in rows]


def test_login_through_the_provider_gives_a_riskmon_session(sso_client: Callable[..., TestClient], engine: Engine, issuer: str) -> None:
    client = sso_client()
    page = client.get("/login")
    assert '<a class="button primary" href="/login/sso" id="sso-login">シングルサインオンでログイン</a>' in page.text
    assert 'name="password"' in page.text  # local passwords stay on by default
    anonymous = client.cookies["riskmon_session"]
    begun = client.get("/login/sso?next=/flags")
    sent = dict(p.split("=", 1) for p in begun.headers["location"].split("?", 1)[1].split("&"))
    assert begun.headers["location"].startswith(issuer + "/oauth2/authorize?")
    assert (sent["response_type"], sent["client_id"], sent["code_challenge_method"], sent["scope"]) == ("code", "riskmon", "S256",
                                                                                                       "openid+profile+email")  # fmt: skip
    assert len(sent["state"]) == 43 and len(sent["nonce"]) == 43 and len(sent["code_challenge"]) == 43
    payload, _, mac = client.cookies["riskmon_sso_pending"].partition(".")  # HttpOnly: only riskmon reads it
    kept = json.loads(base64.urlsafe_b64decode(payload))
    assert (kept["s"], kept["n"], kept["next"], len(mac)) == (sent["state"], sent["nonce"], "/flags", 64)
    assert sent["code_challenge"] == create_s256_code_challenge(kept["v"])  # PKCE S256 of the verifier kept for the token request
    path, params = authorize(begun.headers["location"], "sub-po1")
    back = client.get(path, params=params)
    assert (back.status_code, back.headers["location"]) == (303, "/flags")
    assert client.cookies["riskmon_session"] != anonymous  # rotated: an id planted before the login is worth nothing
    queue = client.get("/")
    assert queue.status_code == 200 and "佐藤所長 (po1, PO-001)" in queue.text
    with engine.connect() as conn:
        t = table_of(WebSession)
        rows = conn.execute(select(t.c.user_id, t.c.revoked_at.is_not(None))).all()
    assert sorted((u or "-", revoked) for u, revoked in rows) == [("-", True), ("po1", False)]
    [(actor, action, payload)] = audit(engine, "login")
    facts = (actor, action, payload["channel"], payload["method"], payload["issuer"], payload["sub"])
    assert facts == ("po1", "login", "web", "sso", issuer, "sub-po1")
    assert len(payload["session"]) == 12


def test_unit_and_role_come_from_riskmon_not_the_provider(sso_client: Callable[..., TestClient], issuer: str) -> None:
    """The provider says po1 is a user administrator of the risk department; riskmon keeps po1 an
    office head of PO-001: 利用者管理 stays closed and only PO-001's flags show."""
    import httpx

    assert httpx.put(f"{issuer}/users/sub-po1-claims", json={"preferred_username": "po1", "role": "user_admin", "unit_id": "RMD",
                                                             "groups": ["riskmon-admins"]}).status_code == 204  # fmt: skip
    client = sso_client()
    assert through_provider(client, "sub-po1-claims").status_code == 303
    assert client.get("/admin/users").status_code == 403
    flags = client.get("/flags")
    assert flags.status_code == 200 and "(po1, PO-001)" in flags.text and 'data-unit="PO-002"' not in flags.text


def test_an_unknown_user_is_refused_with_a_page_and_audited(sso_client: Callable[..., TestClient], engine: Engine, issuer: str) -> None:
    client = sso_client()
    refused = through_provider(client, "sub-nobody")
    assert refused.status_code == 403
    assert f'<p class="error" role="alert" id="login-error">{UNKNOWN}</p>' in refused.text
    switch = issuer + "/oauth2/end_session?" + urlencode({"client_id": CLIENT_ID, "post_logout_redirect_uri": "http://testserver/login"})
    assert f'href="{switch.replace("&", "&amp;")}" id="sso-switch"' in refused.text
    assert client.get("/").status_code == 303  # no session
    assert [(a, p["reason"], p["sub"]) for a, _, p in audit(engine, "login_refused")] == [("nobody", "unknown_user", "sub-nobody")]
    english = sso_client()
    english.get("/login?lang=en")
    assert "nobody is not registered as a riskmon user; contact your user administrator" in through_provider(english, "sub-nobody").text


def test_a_deactivated_user_is_refused(sso_client: Callable[..., TestClient], engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(table_of(User)).where(table_of(User).c.user_id == "po2").values(active=False))
    client = sso_client()
    refused = through_provider(client, "sub-po2")
    assert refused.status_code == 403 and DEACTIVATED in refused.text
    assert client.get("/").status_code == 303
    assert [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")] == [("po2", "deactivated")]


def test_a_provider_that_names_no_user_is_refused(sso_client: Callable[..., TestClient], engine: Engine) -> None:
    refused = through_provider(sso_client(), "sub-noname")
    assert refused.status_code == 403
    assert "認証基盤から利用者を示す情報（preferred_username）が届きませんでした。利用者管理の担当者に連絡してください" in refused.text
    assert [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")] == [("-", "claim_missing")]


def test_the_email_claim_is_looked_up_in_the_users_email(sso_client: Callable[..., TestClient], engine: Engine, issuer: str) -> None:
    import httpx

    u = table_of(User)
    with engine.begin() as conn:
        conn.execute(update(u).where(u.c.user_id == "risk1").values(email="Risk1@Agency.example"))
    client = sso_client(user_claim="email")
    assert through_provider(client, "sub-risk1").headers["location"] == "/"
    assert "(risk1, RMD)" in client.get("/").text
    assert UNKNOWN.replace("nobody", "po1@agency.example") in through_provider(sso_client(user_claim="email"), "sub-po1").text
    assert httpx.put(f"{issuer}/users/sub-unverified", json={"email": "risk1@agency.example", "email_verified": False}).status_code == 204
    unverified = through_provider(sso_client(user_claim="email"), "sub-unverified")
    assert unverified.status_code == 403
    assert "認証基盤がメールアドレスrisk1@agency.exampleを確認済みとしていません。利用者管理の担当者に連絡してください" in unverified.text
    with engine.begin() as conn:
        conn.execute(update(u).where(u.c.user_id.in_(["po1", "po2"])).values(email="po1@agency.example"))
    shared = through_provider(sso_client(user_claim="email"), "sub-po1")
    assert shared.status_code == 403
    assert "メールアドレスpo1@agency.exampleの利用者が複数登録されています。利用者管理の担当者に連絡してください" in shared.text
    reasons = [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")]
    assert reasons == [("po1@agency.example", "unknown_user"), ("risk1@agency.example", "email_unverified"),
                       ("po1@agency.example", "ambiguous_email")]  # fmt: skip


def test_a_callback_whose_state_does_not_match_is_refused(sso_client: Callable[..., TestClient], engine: Engine) -> None:
    client = sso_client()
    begun = client.get("/login/sso")
    path, params = authorize(begun.headers["location"], "sub-po1")
    forged = client.get(path, params={**params, "state": "x" + params["state"][1:]})
    assert forged.status_code == 400 and BAD_STATE in forged.text
    assert client.get(path, params=params).status_code == 400  # the pending login was dropped with the refusal
    other = sso_client()  # another browser with the victim's code and state: no pending login of its own
    other.get("/login")
    assert other.get(path, params=params).status_code == 400
    assert client.get("/").status_code == 303 and other.get("/").status_code == 303
    assert [p["reason"] for _, _, p in audit(engine, "login_refused")] == ["bad_state", "bad_state", "bad_state"]
    assert audit(engine, "login") == []


def test_a_callback_is_used_once(sso_client: Callable[..., TestClient]) -> None:
    client = sso_client()
    begun = client.get("/login/sso")
    path, params = authorize(begun.headers["location"], "sub-po1")
    assert client.get(path, params=params).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    client.get("/login")
    assert client.get(path, params=params).status_code == 400


def test_local_passwords_off(sso_client: Callable[..., TestClient], engine: Engine) -> None:
    client = sso_client(local_passwords=False)
    page = client.get("/login")
    assert 'id="sso-login"' in page.text and 'name="password"' not in page.text and 'action="/login"' not in page.text
    refused = client.post("/login", data={"user_id": "po1", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/"})
    assert refused.status_code == 403 and "パスワードでのログインは使えません（シングルサインオンのみ）" in refused.text
    assert client.get("/").status_code == 303
    assert [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")] == [("po1", "local passwords are off")]
    assert through_provider(client, "sub-po1").status_code == 303
    assert 'href="/password"' not in client.get("/").text  # no password to change: the menu does not offer it
    password_page = client.get("/password")
    assert password_page.status_code == 404 and "このriskmonではシングルサインオンでログインするため" in password_page.text


def test_local_passwords_on_keep_password_login(sso_client: Callable[..., TestClient]) -> None:
    client = sso_client()
    assert login(client, "po1").status_code == 303  # type: ignore[attr-defined]
    home = client.get("/").text
    assert "(po1, PO-001)" in home and 'href="/password"' in home


def test_logout_ends_the_session_and_goes_to_the_provider(sso_client: Callable[..., TestClient], engine: Engine, issuer: str) -> None:
    client = sso_client()
    assert through_provider(client, "sub-po1").status_code == 303
    out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    end = issuer + "/oauth2/end_session?" + urlencode({"client_id": CLIENT_ID, "post_logout_redirect_uri": "http://testserver/login?bye=1"})
    assert out.status_code == 200
    assert f'<meta http-equiv="refresh" content="0; url={end.replace("&", "&amp;")}">' in out.text
    assert "ログアウトしました" in out.text and 'name="password"' not in out.text
    assert client.get("/").status_code == 303
    assert [(a, b) for a, b, _ in audit(engine, "logout")] == [("po1", "logout")]
    password_user = sso_client()  # a password session ends at riskmon only
    assert login(password_user, "po1").status_code == 303  # type: ignore[attr-defined]
    plain = password_user.post("/logout", data={"csrf_token": csrf_of(password_user.get("/").text)})
    assert (plain.status_code, plain.headers["location"]) == (303, "/login?bye=1&lang=ja")


def test_without_sso_the_routes_lead_to_the_login_page(client: TestClient) -> None:
    page = client.get("/login")
    assert 'id="sso-login"' not in page.text and 'name="password"' in page.text
    assert client.get("/login/sso").headers["location"] == "/login"
    assert client.get("/login/sso/callback?code=x&state=y").headers["location"] == "/login"


def test_who_is_sent_to_the_password_page(sso_client: Callable[..., TestClient], engine: Engine, clock: Clock) -> None:
    """A one-time password an administrator generated is a live credential they know: with local
    passwords on it is replaced first, however one logged in. With them off there is nothing to
    change; and a user with no password at all is never sent there."""
    Accounts(engine, WebConfig(), clock).set_password("po1", None, by="test")
    mixed = sso_client()
    assert through_provider(mixed, "sub-po1").status_code == 303
    assert mixed.get("/").headers["location"] == "/password"
    off = sso_client(local_passwords=False)
    assert through_provider(off, "sub-po1").status_code == 303
    assert off.get("/").status_code == 200
    with engine.begin() as conn:
        conn.execute(delete(table_of(WebCredential)).where(table_of(WebCredential).c.user_id == "risk1"))
    no_password = sso_client()
    assert through_provider(no_password, "sub-risk1").status_code == 303
    assert no_password.get("/").status_code == 200


def test_a_provider_that_cannot_be_reached_is_a_page(engine: Engine, clock: Clock, seeded: dict[str, int],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv(SECRET_ENV, "the-client-secret")
    config = SsoConfig(issuer="http://127.0.0.1:9", client_id=CLIENT_ID, client_secret_env=SECRET_ENV, timeout_seconds=2)
    with TestClient(create_app(Settings(sso=config), engine=engine, clock=clock), follow_redirects=False) as client:
        page = client.get("/login/sso")
    assert page.status_code == 502
    assert "認証基盤（http://127.0.0.1:9）と通信できませんでした（" in page.text and 'name="password"' in page.text
    assert [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")] == [("-", "provider_unreachable")]


def test_base_url_names_the_addresses_sent_to_the_provider(sso_client: Callable[..., TestClient]) -> None:
    client = sso_client(base_url="https://riskmon.example.internal")
    begun = client.get("/login/sso", headers={"Host": "attacker.example"})
    assert "redirect_uri=https%3A%2F%2Friskmon.example.internal%2Flogin%2Fsso%2Fcallback&" in begun.headers["location"]
    default = sso_client().get("/login/sso")
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Flogin%2Fsso%2Fcallback&" in default.headers["location"]


def test_an_answer_without_the_state_is_not_trusted_even_a_refusal(sso_client: Callable[..., TestClient], engine: Engine) -> None:
    """The provider's Deny comes back as ``error=access_denied`` without the state (oidc-provider-mock
    leaves it out): unverifiable, so it is the state refusal, not the provider's word."""
    declined = through_provider(sso_client(), "")
    assert declined.status_code == 400 and BAD_STATE in declined.text
    assert [(a, p["reason"]) for a, _, p in audit(engine, "login_refused")] == [("-", "bad_state")]
    client = sso_client()  # a provider that keeps the state (RFC 6749 §4.1.2.1): its refusal is shown as such
    begun = client.get("/login/sso")
    state = dict(p.split("=", 1) for p in begun.headers["location"].split("?", 1)[1].split("&"))["state"]
    refused = client.get("/login/sso/callback", params={"error": "access_denied", "state": state})
    assert refused.status_code == 403 and "認証基盤がログインを完了しませんでした（access_denied）" in refused.text
    assert [p["reason"] for _, _, p in audit(engine, "login_refused")] == ["bad_state", "provider_error:access_denied"]
