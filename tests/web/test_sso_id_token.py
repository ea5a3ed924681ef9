"""The ID token's checks (riskmon.accounts.oidc): signed tokens made here with a key of the test's
own, as a provider would make them — the good one accepted; a wrong nonce, audience or issuer, an
expired token, another key's signature, an HMAC or unsigned token, a second audience without
``azp`` refused with ``bad_id_token``. And discovery that names another issuer, served over real
HTTP on 127.0.0.1, refused before any login begins."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from riskmon.accounts.oidc import Provider, RelyingParty, SsoError
from riskmon.config import SsoConfig

ISSUER = "http://127.0.0.1:9"  # never called: the keys are given, the provider is described here
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, another key: a forger's
PROVIDER = Provider(ISSUER, ISSUER + "/authorize", ISSUER + "/token", ISSUER + "/jwks", None, None, ("RS256",), "client_secret_basic")


def party() -> RelyingParty:
    rp = RelyingParty(SsoConfig(issuer=ISSUER, client_id="riskmon", client_secret_env="UNUSED"), "the-client-secret")
    rp._keys = (time.monotonic(), {"keys": [KEY.as_dict(private=False)]})  # what jwks_uri would answer
    return rp


def token(key: RSAKey | OctKey = KEY, alg: str = "RS256", **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "sub-po1", "aud": "riskmon", "iat": now, "exp": now + 300, "nonce": "n-1", "preferred_username": "po1"}
    claims.update(changes)
    return jwt.encode({"alg": alg, "kid": "k1"}, {k: v for k, v in claims.items() if v is not None}, key, algorithms=[alg])


def test_a_good_token_gives_its_claims() -> None:
    claims = party().verify_id_token(PROVIDER, token(), "n-1")
    assert (claims["sub"], claims["preferred_username"]) == ("sub-po1", "po1")


@pytest.mark.parametrize(
    ("made", "problem"),
    [
        (lambda: token(nonce="n-2"), "invalid_claim: Invalid claim: 'nonce'"),
        (lambda: token(nonce=None), "missing_claim: Missing claim: 'nonce'"),
        (lambda: token(aud="another-client"), "invalid_claim: Invalid claim: 'aud'"),
        (lambda: token(iss="http://127.0.0.1:10"), "invalid_claim: Invalid claim: 'iss'"),
        (lambda: token(exp=int(time.time()) - 600), "expired_token: The token is expired"),
        (lambda: token(key=OTHER), "bad_signature"),
        (lambda: token(key=OctKey.import_key("the-client-secret"), alg="HS256"),
         "unsupported_algorithm: Algorithm of 'HS256' is not allowed"),
        (lambda: token(aud=["riskmon", "another-client"]), "missing_claim: Missing claim: 'azp'"),
    ],
    ids=["nonce", "no-nonce", "audience", "issuer", "expired", "forged", "hmac", "azp"],
)  # fmt: skip
def test_a_bad_token_is_refused(made: Any, problem: str) -> None:
    with pytest.raises(SsoError) as caught:
        party().verify_id_token(PROVIDER, made(), "n-1")
    assert caught.value.reason == "bad_id_token"
    assert caught.value.text("en") == f"the identity provider's ID token did not verify ({problem})"
    assert caught.value.text("ja") == f"認証基盤のIDトークンを検証できませんでした（{problem}）"


@pytest.fixture
def impostor() -> Iterator[str]:
    """A discovery document on 127.0.0.1 that names another issuer than the address it is served from."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            evil = "https://evil.example"
            body = json.dumps({"issuer": "https://idp.agency.example", "authorization_endpoint": evil + "/authorize",
                               "token_endpoint": evil + "/token", "jwks_uri": evil + "/jwks"}).encode()  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_discovery_naming_another_issuer_is_refused(impostor: str) -> None:
    rp = RelyingParty(SsoConfig(issuer=impostor, client_id="riskmon", client_secret_env="UNUSED"), "s")
    with pytest.raises(SsoError) as caught:
        rp.begin("http://testserver/login/sso/callback")
    assert caught.value.reason == "issuer_mismatch"
    assert caught.value.text("en") == f"the provider names another issuer ('https://idp.agency.example', configured: {impostor})"


def test_an_unreachable_provider_is_a_message() -> None:
    rp = RelyingParty(SsoConfig(issuer="http://127.0.0.1:9", client_id="riskmon", client_secret_env="UNUSED", timeout_seconds=2), "s")
    with pytest.raises(SsoError) as caught:
        rp.begin("http://testserver/login/sso/callback")
    assert caught.value.reason == "provider_unreachable"
    assert caught.value.text("ja").startswith("認証基盤（http://127.0.0.1:9）と通信できませんでした（")
    assert rp.logout_url("http://testserver/login") is None  # riskmon's own logout does not wait on it
