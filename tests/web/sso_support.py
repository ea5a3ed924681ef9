"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock's Flask
application served by werkzeug in a thread on a free port of 127.0.0.1 (never the network), with
the people it knows; and the steps a browser takes at it, for the route tests (tests/web/test_sso.py).

The provider signs its ID tokens with its own RSA key, publishes it at its jwks_uri, checks PKCE
and puts the nonce in the ID token, as an agency's provider would. It shows a form that asks
which subject logs in; the route tests post that form as the browser would, the end-to-end test
(tests/web/test_browser_sso.py) fills it in Chromium.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import werkzeug.serving

SECRET_ENV = "RISKMON_TEST_SSO_SECRET"
CLIENT_ID = "riskmon"
#: the provider's people: a subject and the claims it sends; ``nobody`` is not in riskmon's users master
PEOPLE = {
    "sub-po1": {"preferred_username": "po1", "email": "po1@agency.example", "name": "佐藤所長"},
    "sub-risk1": {"preferred_username": "risk1", "email": "risk1@agency.example"},
    "sub-po2": {"preferred_username": "po2"},
    "sub-nobody": {"preferred_username": "nobody", "email": "nobody@agency.example"},
    "sub-noname": {"email": "noname@agency.example"},
}


@contextmanager
def provider() -> Iterator[str]:
    """The provider running on 127.0.0.1; yields its issuer (``http://127.0.0.1:PORT``)."""
    users = [oidc_provider_mock.User(sub=sub, claims=dict(claims)) for sub, claims in PEOPLE.items()]
    app = oidc_provider_mock.app(require_nonce=True, user_claims=users)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def authorize(url: str, sub: str) -> tuple[str, dict[str, str]]:
    """What the browser does at the provider's login form: pick ``sub`` and send the form (``""``:
    press Deny instead). Returns the redirect back to riskmon as (path, query parameters)."""
    with httpx.Client(timeout=30) as http:  # a busy test machine: the provider may take its time
        form = http.get(url)
        assert form.status_code == 200, form.text
        back = http.post(url, data={"sub": sub} if sub else {"action": "deny"})
    assert back.status_code == 302, back.text
    target = urlsplit(back.headers["location"])
    return target.path, {k: v[0] for k, v in parse_qs(target.query).items()}
