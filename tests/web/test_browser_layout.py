"""Every page in Debian's Chromium: escaped event text, 1366×768 without horizontal scrolling,
every control reachable by Tab and labelled, A4 print output, and the English pages.

The pages are those of the issue (queue, list, detail, events by event/case/unit, import errors,
user administration, login, password change). The seed puts ``<script>alert(1)</script>`` in an
event summary, a 不適事項, a unit name, a flag title and a rejected record; the page fixture
fails the test if any JavaScript dialog opens or any console error (a CSP violation) appears.
Screenshots (screen, ``?lang=en`` and print) go to var/test-artifacts/web/ to be looked at.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from riskmon.store.db import make_engine
from riskmon.store.tables import Flag, table_of
from tests.web.browser_support import ARTIFACTS, browser, browser_en, log_in, page, playwright_, print_shot, seed_site, shot
from tests.web.serving import serve
from tests.web.support import EVIL, PASSWORD

__all__ = ["browser", "browser_en", "page", "playwright_"]  # the shared fixtures (tests/web/browser_support.py)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("web_layout_e2e")
    env, flags = seed_site(folder)
    engine = make_engine(env["RISKMON_DATABASE_URL"])
    t = table_of(Flag)
    with engine.begin() as conn:  # a flag whose title carries event text, as a rule quoting a summary would make
        conn.execute(update(t).where(t.c.id == flags["R02:C9"]).values(title_ja=f"誤送付: {EVIL}", title_en=f"Misdelivery: {EVIL}"))
    engine.dispose()
    with serve(folder, env) as base:
        yield {"base": base, "flags": flags}


def pages_of(flags: dict[str, int]) -> dict[str, str]:
    """Name → path of every page a second-line user reaches (the user administrator adds one)."""
    return {
        "queue": "/",
        "list": "/flags?status=all",
        "detail": f"/flags/{flags['R02:C9']}",
        "event": "/events?by=event&q=E9",
        "case": "/events?by=case&q=C1",
        "unit": "/events?by=unit&q=PO-002",
        "inspection": "/events?by=event&q=I1",
        "quarantine": "/quarantine?show=all",
    }


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url}: {width[0]}px wide in a {width[1]}px window"


def test_a_script_tag_in_event_text_is_text_on_every_page_that_shows_it(site: dict[str, object], page: Page) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    log_in(page, base, "risk1", PASSWORD)
    for path in pages_of(flags).values():
        page.goto(base + path)
        expect(page.get_by_text(EVIL).filter(visible=True).first).to_be_visible()  # the text itself, on screen
        expect(page.locator("body script")).to_have_count(0)  # and no element was made of it
    page.goto(base + "/flags?q=" + EVIL)  # typed into the search box: kept as the box's value
    expect(page.get_by_label("キーワード")).to_have_value(EVIL)
    expect(page.locator("body script")).to_have_count(0)
    # the page fixture fails the test if alert() ran (a dialog) or the CSP refused an inline script


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_fits_1366x768_and_is_translated(site: dict[str, object], page: Page, lang: str) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    page.goto(f"{base}/login?lang={lang}")
    no_horizontal_scroll(page)
    shot(page, f"50_login_{lang}")
    page.goto(f"{base}/login?lang=ja")
    log_in(page, base, "admin1", PASSWORD)
    page.goto(f"{base}/?lang={lang}")
    oversight = {"dashboard": "/dashboard", "reports": "/reports", "audit": "/audit"}  # tests/web/test_browser_oversight.py too
    for name, path in {**pages_of(flags), "users": "/admin/users", "password": "/password", **oversight}.items():
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        no_horizontal_scroll(page)
        shot(page, f"5{'1' if lang == 'ja' else '2'}_{name}_{lang}")
        if lang == "en":  # no Japanese left in the page's own words (data such as unit names may be Japanese)
            chrome = page.locator("header.top nav, h1, table thead, form label, button").all_inner_texts()
            untranslated = [text for text in chrome if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)]
            assert untranslated == [], (name, untranslated)


KEYBOARD = {"queue": "/", "list": "/flags?status=all", "detail": "/flags/{id}", "events": "/events?by=event&q=I1",
            "quarantine": "/quarantine", "users": "/admin/users", "password": "/password",
            "dashboard": "/dashboard", "reports": "/reports", "audit": "/audit"}  # fmt: skip
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea"


@pytest.mark.parametrize("name", sorted(KEYBOARD))
def test_every_control_is_reachable_by_tab_and_labelled(site: dict[str, object], page: Page, name: str) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    log_in(page, base, "admin1", PASSWORD)
    page.goto(base + KEYBOARD[name].format(id=flags["R01:C2"]))
    controls = page.locator(CONTROLS)
    total = controls.count()
    assert total > 3
    page.evaluate(f"() => document.querySelectorAll('{CONTROLS}').forEach((e, i) => e.dataset.tabOrder = i)")
    visible = {i for i in range(total) if controls.nth(i).is_visible()}
    reached: list[int] = []
    for _ in range(2 * total + 10):  # scrollable boxes are tab stops too; stop when the focus comes round again
        page.keyboard.press("Tab")
        order = page.evaluate("() => document.activeElement && document.activeElement.dataset.tabOrder")
        if order is not None and reached and int(order) == reached[0]:
            break
        if order is not None:
            reached.append(int(order))
    assert visible - set(reached) == set(), [controls.nth(i).evaluate("e => e.outerHTML.slice(0, 120)") for i in visible - set(reached)]
    for field in page.locator("input:not([type=hidden]), select, textarea").all():
        expect(field).to_have_accessible_name(re.compile(r"\S"))
    for button in page.get_by_role("button").all():
        expect(button).to_have_accessible_name(re.compile(r"\S"))
    # each note field says which action it belongs to (not 「メモ」 once per form): names are distinct
    notes = [page.locator(f"label[for='{t.get_attribute('id')}']").inner_text() for t in page.locator("textarea").all()]
    assert len(set(notes)) == len(notes), notes
    for name in notes:
        expect(page.get_by_role("textbox", name=name, exact=True)).to_have_count(1)


def pdf_pages(pdf: object) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.+)$", info, re.M).group(1)  # type: ignore[union-attr]
    return pages, size


@pytest.mark.parametrize("name", ["list", "detail"])
def test_the_list_and_the_detail_print_on_a4(site: dict[str, object], page: Page, name: str) -> None:
    base, flags = str(site["base"]), site["flags"]
    assert isinstance(flags, dict)
    log_in(page, base, "risk1", PASSWORD)
    page.goto(base + pages_of(flags)[name])
    pdf = print_shot(page, f"60_{name}")
    pages, size = pdf_pages(pdf)
    assert re.fullmatch(r"59[56]\.\d+ x 84[12]\.\d+ pts \(A4\)", size), size
    assert 1 <= pages <= 3, pages
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "未対応" in raw  # a status is never broken across lines (未対 / 応)
    text = re.sub(r"\s", "", raw)
    assert ("フラグ一覧" if name == "list" else "対応の経過") in text
    assert EVIL in text  # printed as text
    for hidden in ("ログアウト", "絞り込む", "本日の確認", "操作"):  # navigation, filters, buttons, the actions panel
        assert hidden not in text, hidden
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / f"60_{name}_pdf")], check=True)
