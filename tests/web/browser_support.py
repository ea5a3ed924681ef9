"""Shared browser machinery for the end-to-end tests: Debian's Chromium under Playwright, the
page fixture that fails a test on any console error (a CSP violation shows there), screenshots.

Kept out of the test modules so each of them imports it rather than another test module.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.helpers import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXPECTED_STATUS = "Failed to load resource: the server responded with a status of 4"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "web"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run make setup as root (apt-get install chromium fonts-noto-cjk)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP")
    pg = context.new_page()
    errors: list[str] = []
    # A CSP violation or a script error shows here; a 401/429 page answered on purpose does not count.
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith(EXPECTED_STATUS) else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == []


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("利用者ID").fill(user)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_role("button", name="ログイン").click()
