"""Security headers, CSRF refusal, the morning queue through the review policy, escaping.

The pages' words are checked in tests/test_i18n.py, beside every other entry of the catalogue."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.store.tables import AuditEntry, table_of
from riskmon.web import csrf
from riskmon.web.security import CSP
from tests.web.support import EVIL, csrf_of, login

WEB = Path(__file__).resolve().parents[2] / "riskmon" / "web"


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/login", "/static/htmx.min.js", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        )
        assert headers["content-security-policy"] == CSP
        assert (headers["x-content-type-options"], headers["referrer-policy"], headers["x-frame-options"]) == (
            "nosniff",
            "no-referrer",
            "DENY",
        )
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in client.get("/login").headers


def test_https_adds_hsts(make_client: Callable[..., TestClient]) -> None:
    assert make_client(https=True).get("/login").headers["strict-transport-security"] == "max-age=31536000"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    login(client, "po1")
    for path in ("/", "/password", "/login?lang=en", "/no-such-page", "/flags", "/flags/1", "/events?by=case&q=C1", "/quarantine"):
        html = client.get(path).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
        assert re.findall(r"<style|\sstyle=|\son[a-z]+=", html) == []


def test_a_post_without_the_token_is_refused(engine: Engine, client: TestClient) -> None:
    form = client.get("/login")
    no_token = client.post("/login", data={"user_id": "po1", "password": "correct horse battery"})
    assert no_token.status_code == 403 and "要求を受け付けられませんでした" in no_token.text
    wrong = client.post("/login", data={"user_id": "po1", "password": "correct horse battery", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert "riskmon_session" in client.cookies and csrf_of(form.text)
    login(client, "po1")
    page = client.get("/")
    assert client.post("/logout").status_code == 403  # a forged logout does nothing
    assert client.get("/").status_code == 200
    assert client.post("/logout", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": csrf_of(page.text)}).status_code == 303  # the htmx way
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        assert conn.execute(select(t.c.action).where(t.c.action == "login")).all() == [("login",)]  # the refused ones did not log in


def test_every_state_changing_route_is_guarded(client: TestClient) -> None:
    """Any POST route, today's or a later one, is refused without the token: the guard is app-wide."""
    login(client, "po1")
    posts = sorted(r.path for r in _routes(client.app.routes) if "POST" in getattr(r, "methods", ()))  # type: ignore[attr-defined]
    assert posts == ["/admin/users", "/admin/users/{user_id}", "/audit/verify", "/daily", "/flags/bulk", "/flags/{flag_id}/act", "/login",
                     "/logout", "/password", "/quarantine/{reject_id}/handled", "/reports/committee", "/upload"]  # fmt: skip
    for path in posts:
        concrete = path.replace("{user_id}", "po2").replace("{flag_id}", "1").replace("{reject_id}", "1")
        assert client.post(concrete, data={"x": "1"}).status_code == 403, path
    assert csrf.HEADER == "X-CSRF-Token"


def _routes(routes: list[Any]) -> list[Any]:
    """Every route, through included routers (FastAPI keeps them as wrappers)."""
    found: list[Any] = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        found += _routes(inner.routes) if inner is not None else [r]
    return found


def test_the_queue_shows_an_office_head_only_their_office(client: TestClient, seeded: dict[str, int]) -> None:
    login(client, "po1")
    page = client.get("/")
    assert page.status_code == 200
    shown = sorted(int(n) for n in re.findall(r'data-flag="(\d+)"', page.text))
    assert shown == sorted(seeded[k] for k in ("R01:C1", "R01:C2", "R02:C2"))
    assert set(re.findall(r'data-unit="([^"]+)"', page.text)) == {"PO-001"}
    assert '<span class="n" id="count-total">3</span>' in page.text


def test_second_line_sees_every_office_and_text_is_escaped(make_client: Callable[..., TestClient], seeded: dict[str, int]) -> None:
    client = make_client()
    login(client, "risk1")
    page = client.get("/?lang=en")
    assert sorted(int(n) for n in re.findall(r'data-flag="(\d+)"', page.text)) == sorted(seeded.values())
    assert EVIL not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; office" in page.text
    assert "Today&#39;s review" in page.text and '<html lang="en">' in page.text
    assert '<html lang="en">' in client.get("/").text  # the choice is remembered for the session
    again = make_client()
    login(again, "risk1")
    assert '<html lang="en">' in again.get("/").text  # and as the user's preference


def test_a_deactivated_user_is_logged_out(engine: Engine, client: TestClient) -> None:
    from sqlalchemy import update

    from riskmon.store.tables import User

    login(client, "po1")
    with engine.begin() as conn:
        conn.execute(update(table_of(User)).where(table_of(User).c.user_id == "po1").values(active=False))
    assert client.get("/").headers["location"] == "/login"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    form = client.get("/login")
    r = client.post(
        "/login", data={"user_id": "po1", "password": "correct horse battery", "csrf_token": csrf_of(form.text), "next": target}
    )
    assert r.headers["location"] == "/"


def test_vendored_htmx_is_the_recorded_file() -> None:
    data = (WEB / "static" / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    assert 'version:"2.0.11"' in data.decode()
    readme = (WEB / "static" / "README.md").read_text(encoding="utf-8")
    assert "2.0.11" in readme and "0BSD" in readme
