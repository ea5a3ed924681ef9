"""Shared browser machinery for the end-to-end tests: the site's seed, Debian's Chromium under
Playwright (started as tests/web/chromium.py says; ``riskmon serve`` as tests/web/serving.py
does), the page fixture that fails a test on any console error (a CSP violation shows there) or
any JavaScript dialog (an escaped ``<script>`` never opens one), screenshots and A4 print views.

Kept out of the test modules so each of them imports it rather than another test module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, expect, sync_playwright

from riskmon.accounts.auth import Accounts
from riskmon.config import WebConfig
from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from tests.helpers import ROOT, error_report, run, write_jsonl
from tests.web.chromium import CHROMIUM, VIEWPORT, launch
from tests.web.pages_support import seed_pages
from tests.web.support import EVIL, PASSWORD, Clock, seed

EXPECTED_STATUS = "Failed to load resource: the server responded with a status of 4"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "web"


def seed_site(folder: Path) -> tuple[dict[str, str], dict[str, int]]:
    """The page tests' database as a SQLite file with the shipped config and rules beside it, plus
    a rejected record whose unit is a script tag (so the 取込エラー page shows one too). Returns
    the environment for :func:`serve` and the flag ids by ``rule:case``."""
    db = folder / "riskmon.db"
    config = folder / "config.toml"
    config.write_text((ROOT / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")  # the rule values the rule book needs
    shutil.copytree(ROOT / "rules", folder / "rules")  # [paths] rules, beside the config file
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    seed(engine, folder)
    accounts = Accounts(engine, WebConfig(), Clock())
    for user in ("po1", "po2", "risk1", "auditor"):
        accounts.set_password(user, PASSWORD, by="test")
    flags = seed_pages(engine, folder)
    run(engine, write_jsonl(folder / "evil.jsonl", [error_report("X2", "C99", unit_id=EVIL)]))
    engine.dispose()
    return {"RISKMON_CONFIG": str(config), "RISKMON_DATABASE_URL": f"sqlite:///{db}"}, flags


@pytest.fixture(scope="module")
def playwright_() -> Iterator[Playwright]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run make setup as root (apt-get install chromium fonts-noto-cjk)"
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_: Playwright) -> Iterator[Browser]:
    b = launch(playwright_, "ja-JP")
    yield b
    b.close()


@pytest.fixture(scope="module")
def browser_en(playwright_: Playwright) -> Iterator[Browser]:
    """For the ``?lang=en`` pages (a test parametrised with ``lang="en"``)."""
    b = launch(playwright_, "en-US")
    yield b
    b.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    english = getattr(request.node, "callspec", None) is not None and request.node.callspec.params.get("lang") == "en"
    chosen: Browser = request.getfixturevalue("browser_en") if english else browser
    context = chosen.new_context(viewport=VIEWPORT, locale="en-US" if english else "ja-JP")
    pg = context.new_page()
    errors: list[str] = []
    # A CSP violation or a script error shows here; a 401/429 page answered on purpose does not count.
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and not m.text.startswith(EXPECTED_STATUS) else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))

    def dialog(d: Dialog) -> None:  # an escaped <script> never opens one
        errors.append(f"a dialog opened: {d.message}")
        d.dismiss()

    pg.on("dialog", dialog)
    yield pg
    context.close()
    assert errors == []


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def print_shot(page: Page, name: str) -> Path:
    """The page as it prints on A4 (print stylesheet): the PDF, and a screenshot beside it."""
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shot(page, f"{name}_print")
    page.set_viewport_size(VIEWPORT)
    page.emulate_media(media="screen")
    return pdf


def expect_flag_rows(page: Page, count: int, units: set[str]) -> None:
    """The page lists ``count`` flags (``tr[data-flag]``), all of them owned by ``units``."""
    rows = page.locator("tr[data-flag]")
    expect(rows).to_have_count(count)
    assert {rows.nth(i).get_attribute("data-unit") for i in range(count)} == units


def log_in(page: Page, base: str, user: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("利用者ID").fill(user)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_role("button", name="ログイン").click()
