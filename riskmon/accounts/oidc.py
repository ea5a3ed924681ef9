"""The OpenID Connect relying party: discovery, the authorization request, the code exchange and
the ID token's checks (issue #14, single sign-on; docs/security.md).

Authorization code flow with PKCE (S256), ``state`` and ``nonce``. authlib supplies the protocol
pieces — the authorization URL, the PKCE challenge, the ID token's claim checks (``iss``, ``aud``,
``exp``, ``iat``, ``nonce``, ``azp``, ``at_hash``) — and joserfc, authlib's JOSE library, the
signature check against the provider's published keys. authlib's framework clients are not used:
they keep the pending login in a cookie signed with one application-wide key, whereas riskmon
binds it to the browser's own server-side session (:mod:`riskmon.web.sso`), and the provider is
reached with the standard library so no HTTP client is added to the runtime.

The provider's metadata is discovered from the configured issuer and kept for an hour; the issuer
it states must be exactly the configured one (Discovery §4.3), so a look-alike cannot stand in.
The ID token's times are checked against the system clock, which the provider shares, not the
business clock the pages are computed with.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from riskmon.config import SsoConfig
from riskmon.errors import Refused

METADATA_SECONDS = 3600  # how long discovered metadata and keys are kept
LEEWAY_SECONDS = 120  # clock skew allowed between riskmon and the provider


class SsoError(Refused):
    """A login through the provider that cannot be completed. ``reason`` is the audit log's
    English code (``bad_state``, ``provider_error`` …); the texts are for the person."""

    def __init__(self, reason: str, ja: str, en: str) -> None:
        super().__init__(ja, en)
        self.reason = reason


def _unreachable(issuer: str, detail: str) -> SsoError:
    return SsoError("provider_unreachable", f"認証基盤（{issuer}）と通信できませんでした（{detail}）。しばらくしてから再度お試しください",
                    f"could not talk to the identity provider ({issuer}): {detail}; try again later")  # fmt: skip


@dataclass(frozen=True)
class Provider:
    """What discovery says about the provider (only what riskmon uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]
    auth_method: str  # client_secret_basic, or client_secret_post when that is all the provider takes


@dataclass(frozen=True)
class Pending:
    """One login begun: what the callback must match. Never shown to anyone but the browser that began it."""

    state: str
    nonce: str
    code_verifier: str
    next: str = "/"


class RelyingParty:
    """riskmon as a client of one provider; thread-safe (one per web application)."""

    def __init__(self, config: SsoConfig, secret: str) -> None:
        self.config, self._secret = config, secret
        self._lock = threading.Lock()
        self._provider: tuple[float, Provider] | None = None
        self._keys: tuple[float, dict[str, Any]] | None = None

    # -- the provider ---------------------------------------------------------------------------
    def provider(self) -> Provider:
        """The discovered metadata, fetched again after :data:`METADATA_SECONDS`."""
        with self._lock:
            if self._provider is not None and time.monotonic() - self._provider[0] < METADATA_SECONDS:
                return self._provider[1]
        issuer = self.config.issuer
        meta = self._json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if meta.get("issuer") != issuer:
            stated = meta.get("issuer")
            raise SsoError("issuer_mismatch", f"認証基盤の発行者（issuer）が設定と一致しません（設定：{issuer}、応答：{stated}）",
                           f"the provider names another issuer ({meta.get('issuer')!r}, configured: {issuer})")  # fmt: skip
        missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not isinstance(meta.get(k), str)]
        if missing:
            raise _unreachable(issuer, f"discovery lacks {', '.join(missing)}")
        methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        algorithms = [a for a in meta.get("id_token_signing_alg_values_supported") or ["RS256"] if a != "none" and not a.startswith("HS")]
        found = Provider(issuer, meta["authorization_endpoint"], meta["token_endpoint"], meta["jwks_uri"],
                         meta.get("userinfo_endpoint"), meta.get("end_session_endpoint"), tuple(algorithms) or ("RS256",),
                         "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post")  # fmt: skip
        with self._lock:
            self._provider = (time.monotonic(), found)
        return found

    # -- the flow -------------------------------------------------------------------------------
    def begin(self, redirect_uri: str, next_path: str = "/") -> tuple[str, Pending]:
        """The provider's authorization URL for a new login, and what its callback must match."""
        pending = Pending(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48), next_path)
        url = prepare_grant_uri(self.provider().authorization_endpoint, self.config.client_id, "code", redirect_uri=redirect_uri,
                                scope=" ".join(self.config.scopes), state=pending.state, nonce=pending.nonce,
                                code_challenge=create_s256_code_challenge(pending.code_verifier), code_challenge_method="S256")  # fmt: skip
        return str(url), pending

    def finish(self, params: Mapping[str, str], pending: Pending | None, redirect_uri: str) -> dict[str, Any]:
        """The callback's parameters checked against the pending login, the code exchanged, the
        ID token verified; returns its claims (with the userinfo's when the ID token lacks the user claim)."""
        if pending is None or not hmac.compare_digest(params.get("state", "").encode(), pending.state.encode()):
            raise SsoError(
                "bad_state",
                "ログインの手続きが一致しません（期限切れか、別の画面で始めたものです）。もう一度ログインしてください",
                "this login does not match the one begun here (it expired or began elsewhere); log in again",
            )
        if "error" in params:
            error = params.get("error", "")[:64]
            raise SsoError(f"provider_error:{error}", f"認証基盤がログインを完了しませんでした（{error}）",
                           f"the identity provider did not complete the login ({error})")  # fmt: skip
        code = params.get("code", "")
        if not code:
            raise SsoError("no_code", "認証基盤から認可コードが届きませんでした", "the identity provider sent no authorization code")
        provider = self.provider()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": pending.code_verifier}
        headers = {}
        if provider.auth_method == "client_secret_basic":
            pair = f"{_form_quote(self.config.client_id)}:{_form_quote(self._secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            form |= {"client_id": self.config.client_id, "client_secret": self._secret}
        token = self._json(provider.token_endpoint, data=form, headers=headers)
        if not isinstance(token.get("id_token"), str):
            raise SsoError("no_id_token", "認証基盤からIDトークンが届きませんでした（scopes に openid が必要です）",
                           "the identity provider sent no ID token (the scopes need openid)")  # fmt: skip
        claims = self.verify_id_token(provider, token["id_token"], pending.nonce, token.get("access_token"))
        if self.config.user_claim not in claims and provider.userinfo_endpoint and isinstance(token.get("access_token"), str):
            info = self._json(provider.userinfo_endpoint, headers={"Authorization": f"Bearer {token['access_token']}"})
            if info.get("sub") == claims["sub"]:  # OpenID Connect Core §5.3.2: else the userinfo is not this user's
                claims = {**info, **claims}
        return claims

    def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider, when it advertises an ``end_session_endpoint``."""
        try:
            end = self.provider().end_session_endpoint
        except SsoError:
            return None  # riskmon's own session is ended anyway
        if not end:
            return None
        query = urlencode({"client_id": self.config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
        return end + ("&" if "?" in end else "?") + query

    # -- machinery ------------------------------------------------------------------------------
    def verify_id_token(self, provider: Provider, id_token: str, nonce: str, access_token: object = None) -> dict[str, Any]:
        """The ID token's signature (the provider's published keys, no HS* and no none) and claims
        (iss, aud, exp, iat, nonce, azp, at_hash) checked; its claims, or :class:`SsoError` (bad_id_token)."""
        try:
            algorithms = list(provider.algorithms)
            try:
                decoded = jwt.decode(id_token, self._keyset(provider), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider rotated its keys: fetch them once more
                decoded = jwt.decode(id_token, self._keyset(provider, force=True), algorithms=algorithms)
            params = {"nonce": nonce, "client_id": self.config.client_id}
            if isinstance(access_token, str):
                params["access_token"] = access_token
            options = {"iss": {"essential": True, "value": provider.issuer}, "aud": {"essential": True, "value": self.config.client_id}}
            claims = CodeIDToken(decoded.claims, decoded.header, options, params)
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            detail = str(exc).rstrip(": ") if isinstance(exc, JoseError) else f"{type(exc).__name__}: {exc}"
            raise SsoError("bad_id_token", f"認証基盤のIDトークンを検証できませんでした（{detail}）",
                           f"the identity provider's ID token did not verify ({detail})") from exc  # fmt: skip
        return dict(claims)

    def _keyset(self, provider: Provider, force: bool = False) -> KeySet:
        with self._lock:
            if not force and self._keys is not None and time.monotonic() - self._keys[0] < METADATA_SECONDS:
                return KeySet.import_key_set(cast(KeySetSerialization, self._keys[1]))
        keys = self._json(provider.jwks_uri)
        with self._lock:
            self._keys = (time.monotonic(), keys)
        return KeySet.import_key_set(cast(KeySetSerialization, keys))

    def _json(self, url: str, data: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        """One call to the provider: a JSON object, or :class:`SsoError` saying what went wrong."""
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Accept": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_seconds) as response:
                payload = json.loads(response.read(1_000_001))
        except urllib.error.HTTPError as exc:
            error = _error_of(exc)
            raise SsoError(f"provider_http_{exc.code}", f"認証基盤が要求を拒否しました（HTTP {exc.code}{error}）",
                           f"the identity provider refused the request (HTTP {exc.code}{error})") from exc  # fmt: skip
        except (OSError, ValueError) as exc:
            raise _unreachable(self.config.issuer, str(getattr(exc, "reason", exc))) from exc
        if not isinstance(payload, dict):
            raise _unreachable(self.config.issuer, "the answer is not a JSON object")
        return payload


def _form_quote(value: str) -> str:
    """RFC 6749 §2.3.1: the client id and secret are form-encoded before the Basic header."""
    return urlencode({"": value})[1:]


def _error_of(exc: urllib.error.HTTPError) -> str:
    """The OAuth ``error`` code of a refused request, if the provider sent one."""
    try:
        answer = json.loads(exc.read(10_000))
    except (OSError, ValueError):
        return ""
    error = answer.get("error") if isinstance(answer, dict) else None
    return f": {str(error)[:64]}" if error else ""
