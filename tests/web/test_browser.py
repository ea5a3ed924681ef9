"""End to end in a real browser: Debian's Chromium driven by Playwright against ``riskmon serve``.

The server is the real command in a subprocess on 127.0.0.1 and a free port, on a SQLite file
seeded like the route tests. Screenshots go to var/test-artifacts/web/ (looked at by a person
when the pages change). These tests never skip: CI must run them (the Makefile's setup installs
chromium and fonts-noto-cjk when it runs as root); ``playwright install`` is never used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from riskmon.accounts.auth import Accounts
from riskmon.config import WebConfig
from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from tests.web.browser_support import browser, browser_en, expect_flag_rows, log_in, page, playwright_, shot
from tests.web.serving import serve
from tests.web.support import PASSWORD, Clock, seed

__all__ = ["browser", "browser_en", "page", "playwright_"]  # the shared fixtures


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("web_e2e")
    db = folder / "riskmon.db"
    config = folder / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    seed(engine, folder)
    accounts = Accounts(engine, WebConfig(), Clock())
    accounts.set_password("po1", PASSWORD, by="test")
    accounts.set_password("auditor", PASSWORD, by="test")
    one_time = accounts.set_password("po2", None, by="test")
    engine.dispose()
    assert one_time is not None
    with serve(folder, {"RISKMON_CONFIG": str(config)}) as base:
        yield {"base": base, "po2_one_time": one_time}


def test_an_office_head_sees_only_their_office(server: dict[str, str], page: Page) -> None:
    page.goto(server["base"] + "/")
    expect(page).to_have_url(server["base"] + "/login")
    shot(page, "01_login")
    log_in(page, server["base"], "po1", PASSWORD)
    expect(page.get_by_role("heading", name="本日の確認", level=1)).to_be_visible()
    expect_flag_rows(page, 3, {"PO-001"})
    expect(page.locator("#count-total")).to_have_text("3")
    shot(page, "02_queue_po1")
    page.goto(server["base"] + "/?lang=en")
    expect(page.get_by_role("heading", name="Today's review", level=1)).to_be_visible()
    shot(page, "03_queue_po1_en")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You have logged out")


def test_five_wrong_passwords_lock_the_account(server: dict[str, str], page: Page) -> None:
    for attempt in range(1, 6):
        log_in(page, server["base"], "auditor", f"wrong password {attempt}")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("一時的にロックされています" if attempt == 5 else "利用者IDまたはパスワードが正しくありません")
    log_in(page, server["base"], "auditor", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("一時的にロックされています")
    expect(page).to_have_url(server["base"] + "/login")
    shot(page, "04_locked")


def test_a_generated_password_must_be_changed_at_first_login(server: dict[str, str], page: Page) -> None:
    log_in(page, server["base"], "po2", server["po2_one_time"])
    expect(page).to_have_url(server["base"] + "/password")
    expect(page.get_by_role("status")).to_contain_text("初回ログインのため")
    page.goto(server["base"] + "/")  # nothing else is reachable before the change
    expect(page).to_have_url(server["base"] + "/password")
    page.get_by_label("現在のパスワード").fill(server["po2_one_time"])
    page.get_by_label("新しいパスワード", exact=True).fill("short")
    page.get_by_label("新しいパスワード（確認）").fill("short")
    page.get_by_label("新しいパスワード（確認）").evaluate("e => e.form.noValidate = true")
    page.get_by_role("button", name="変更する").click()
    expect(page.get_by_role("alert")).to_contain_text("パスワードは12文字以上にしてください")
    shot(page, "05_password_refused")
    page.get_by_label("現在のパスワード").fill(server["po2_one_time"])
    page.get_by_label("新しいパスワード", exact=True).fill("a brand new passphrase")
    page.get_by_label("新しいパスワード（確認）").fill("a brand new passphrase")
    page.keyboard.press("Enter")
    expect(page).to_have_url(server["base"] + "/?changed=1")
    expect(page.get_by_role("status")).to_contain_text("パスワードを変更しました")
    expect(page.locator("tr[data-flag]")).to_have_count(2)
    shot(page, "06_queue_po2_after_change")
