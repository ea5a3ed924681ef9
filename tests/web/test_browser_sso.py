"""Single sign-on end to end: Debian's Chromium (Playwright) against ``riskmon serve`` and a real
OpenID Connect provider, both on 127.0.0.1 (tests/web/sso_support.py). The whole browser flow —
riskmon's login page, the provider's own login form, the callback, the queue, logout at riskmon and
at the provider — and a person the provider knows but riskmon does not. Local passwords are off
here, so the login page offers single sign-on only. Screenshots in var/test-artifacts/web/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from tests.web.browser_support import browser, browser_en, page, playwright_, shot
from tests.web.serving import serve
from tests.web.sso_support import CLIENT_ID, SECRET_ENV, provider
from tests.web.support import seed

__all__ = ["browser", "browser_en", "page", "playwright_"]  # the shared fixtures


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("web_sso")
    db = folder / "riskmon.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    seed(engine, folder)  # po1 and the others exist in the users master; nobody has a password
    engine.dispose()
    with provider() as issuer:
        config = folder / "config.toml"
        config.write_text(f'[database]\nurl = "sqlite:///{db}"\n\n[sso]\nissuer = "{issuer}"\nclient_id = "{CLIENT_ID}"\n'
                          f'client_secret_env = "{SECRET_ENV}"\nlocal_passwords = false\n', encoding="utf-8")  # fmt: skip
        with serve(folder, {"RISKMON_CONFIG": str(config), SECRET_ENV: "the-client-secret"}) as base:
            yield {"base": base, "issuer": issuer}


@pytest.fixture
def quiet_provider(page: Page) -> Page:
    """The provider's pages ask a CDN for their stylesheet: answered here with an empty one, so
    nothing leaves the machine and no failed load shows as a console error."""

    def empty(route: Route) -> None:
        route.fulfill(status=200, content_type="text/css", body="")

    page.context.route("https://cdn.jsdelivr.net/**", empty)
    return page


def sign_in_at_provider(page: Page, sub: str) -> None:
    """The provider's own login form: who logs in, then Authorize."""
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def end_session_at_provider(page: Page) -> None:
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    page.get_by_role("button", name="End session").click()


def test_login_at_the_provider_and_logout(site: dict[str, str], quiet_provider: Page) -> None:
    page, base = quiet_provider, site["base"]
    page.goto(base + "/flags")
    expect(page).to_have_url(base + "/login?next=/flags")
    expect(page.get_by_role("link", name="シングルサインオンでログイン")).to_be_visible()
    expect(page.get_by_label("パスワード", exact=True)).to_have_count(0)  # local passwords are off
    shot(page, "sso_01_login")
    page.get_by_role("link", name="シングルサインオンでログイン").click()
    expect(page).to_have_url(site["issuer"] + "/oauth2/authorize?" + page.url.split("?", 1)[1])
    page.get_by_placeholder("sub").fill("sub-po1")
    shot(page, "sso_02_provider_form")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(base + "/flags")
    expect(page.get_by_text("佐藤所長 (po1, PO-001)")).to_be_visible()
    shot(page, "sso_03_flags_po1")
    page.get_by_role("button", name="ログアウト").click()
    end_session_at_provider(page)
    shot(page, "sso_04_provider_end_session")
    expect(page).to_have_url(base + "/login?bye=1")
    expect(page.get_by_role("status")).to_have_text("ログアウトしました")
    shot(page, "sso_05_logged_out")
    page.goto(base + "/")
    expect(page).to_have_url(base + "/login")  # riskmon's session is over


def test_a_person_riskmon_does_not_know_is_refused(site: dict[str, str], quiet_provider: Page) -> None:
    page, base = quiet_provider, site["base"]
    page.goto(base + "/login")
    page.get_by_role("link", name="シングルサインオンでログイン").click()
    sign_in_at_provider(page, "sub-nobody")
    expect(page).to_have_url(base + "/login/sso/callback?" + page.url.split("?", 1)[1])
    expect(page.get_by_role("alert")).to_have_text(
        "riskmonの利用者として登録されていません（nobody）。利用者管理の担当者に連絡してください"
    )
    shot(page, "sso_06_refused_unknown")
    page.goto(base + "/")
    expect(page).to_have_url(base + "/login")
    page.get_by_role("link", name="シングルサインオンでログイン").click()
    sign_in_at_provider(page, "sub-nobody")
    page.get_by_role("link", name="認証基盤からログアウトして、別の利用者でログインする").click()
    end_session_at_provider(page)
    expect(page).to_have_url(base + "/login")
    page.get_by_role("link", name="シングルサインオンでログイン").click()
    sign_in_at_provider(page, "sub-risk1")
    expect(page.get_by_role("heading", name="本日の確認", level=1)).to_be_visible()
    expect(page.get_by_text("(risk1, RMD)")).to_be_visible()
