"""The request-body limit holds before the body is read (riskmon.web.body_limit): a declared
Content-Length over the limit is refused before the application runs, a chunked body without one
is cut off as it streams past the limit; both answer 413 with the error page. In process
(TestClient) for what the pages show and store, and against ``riskmon serve`` over a raw socket
for what a client really sends: a body that is never sent, and one that never ends."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, func, select

from riskmon.store.tables import AuditEntry, User, table_of
from riskmon.web.body_limit import MAX_BODY, MAX_UPLOAD
from tests.web.browser_support import browser, log_in, page, playwright_, seed_site, shot
from tests.web.pages_support import audit_actions
from tests.web.serving import serve
from tests.web.support import PASSWORD, csrf_of

__all__ = ["browser", "page", "playwright_"]  # the browser fixtures (tests/web/browser_support.py)

TITLE = "<h1>送信されたデータが大きすぎます</h1>"
WORDS = f'<p class="error" role="alert">一度に送信できるのは{MAX_BODY:,}バイトまでです。何も受け付けていません</p>'


def counts(engine: Engine) -> tuple[int, int]:
    """How many users and audit entries there are (a refused upload changes neither)."""
    with engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(table_of(User))) or 0,
                conn.scalar(select(func.count()).select_from(table_of(AuditEntry))) or 0)  # fmt: skip


def test_the_limit_leaves_room_for_the_largest_users_file_and_its_form() -> None:
    assert MAX_UPLOAD == 1024 * 1024 and MAX_BODY == MAX_UPLOAD + 64 * 1024


def test_an_oversized_upload_is_refused_with_the_page(as_: Callable[[str], TestClient], engine: Engine) -> None:
    admin = as_("admin1")
    token = csrf_of(admin.get("/admin/users").text)
    before, audited = counts(engine), audit_actions(engine, "admin1")
    big = b"user_id,name,unit_id,role,active\n" + b"x" * (2 * 1024 * 1024)
    r = admin.post("/admin/users", data={"csrf_token": token}, files={"file": ("users.csv", big, "text/csv")})
    assert int(r.request.headers["content-length"]) > MAX_BODY
    assert r.status_code == 413 and TITLE in r.text and WORDS in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")  # the page has the security headers
    assert counts(engine) == before and audit_actions(engine, "admin1") == audited
    en = admin.post("/admin/users?lang=en", data={"csrf_token": token}, files={"file": ("users.csv", big, "text/csv")})
    assert en.status_code == 413 and "<h1>Request too large</h1>" in en.text and f"At most {MAX_BODY:,} bytes" in en.text


def test_a_chunked_body_without_a_length_is_counted(as_: Callable[[str], TestClient], engine: Engine) -> None:
    admin = as_("admin1")
    token = csrf_of(admin.get("/admin/users").text)
    before = counts(engine)

    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&note=".encode()
        for _ in range(20):
            yield b"x" * 64 * 1024

    r = admin.post("/admin/users/po1", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413 and TITLE in r.text
    assert counts(engine) == before
    small = admin.post("/admin/users/po1", content=iter([f"csrf_token={token}&op=revoke_sessions".encode()]),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert small.status_code == 200  # a chunked body under the limit is read as ever


# -- against riskmon serve, over a socket ------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web_body_limit")
    env, _ = seed_site(folder)
    with serve(folder, env) as url:
        yield url


def exchange(base: str, head: str, body: list[bytes]) -> bytes:
    """Send ``head`` and the ``body`` pieces on a fresh connection, never finishing the body, and
    read what the server answers (it must answer without waiting for the rest)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as s:
        s.sendall(head.encode())
        for piece in body:
            s.sendall(piece)
        answer = b""
        while b"</html>" not in answer:
            got = s.recv(65536)
            if not got:
                break
            answer += got
        return answer


def status_of(answer: bytes) -> int:
    found = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert found, answer[:200]
    return int(found.group(1))


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(base: str) -> None:
    head = ("POST /admin/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n")  # fmt: skip
    answer = exchange(base, head, [])  # not one byte of the 50 MiB is sent
    assert status_of(answer) == 413 and TITLE.encode() in answer and WORDS.encode() in answer


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(base: str) -> None:
    # /login reads its form before anything else (no session needed), so the body streams in
    head = ("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
    piece = 64 * 1024
    chunks = [b"%x\r\n" % piece + b"x" * piece + b"\r\n" for _ in range(MAX_BODY // piece + 1)]  # one chunk past the limit
    answer = exchange(base, head, chunks)  # and never the closing 0-length chunk
    assert status_of(answer) == 413 and TITLE.encode() in answer


def test_a_small_chunked_post_still_reaches_the_application(base: str) -> None:
    body = b"user_id=nobody&password=x"
    head = ("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")  # fmt: skip
    answer = exchange(base, head, [b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"])
    assert status_of(answer) == 403 and b"<h1>" in answer  # the application's own answer: no CSRF token


def test_an_oversized_file_from_the_browser(base: str, page: Page, tmp_path: Path) -> None:
    big = tmp_path / "users.csv"
    big.write_bytes(b"user_id,name,unit_id,role,active\n" + b"x" * (3 * 1024 * 1024))
    log_in(page, base, "admin1", PASSWORD)
    page.goto(base + "/admin/users")
    page.get_by_label("利用者ファイル（CSV）").set_input_files(str(big))
    page.get_by_role("button", name="読み込む").click()
    expect(page.get_by_role("heading", name="送信されたデータが大きすぎます", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(f"一度に送信できるのは{MAX_BODY:,}バイトまでです。何も受け付けていません")
    shot(page, "70_body_too_large")
    page.get_by_role("link", name="English").click()  # the language switch of a page a POST rendered: a GET page
    expect(page.get_by_role("heading", name="Today's review", level=1)).to_be_visible()
