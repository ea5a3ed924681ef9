"""レポート, ダッシュボード and 監査 end to end in Debian's Chromium (Playwright) against ``riskmon serve``.

(1) A risk officer opens the dashboard from the navigation, follows a count to the flag list that
shows the same number, generates a committee pack from the form (PDF included: the shipped
config prints one) and downloads its PDF; (2) an office head sees only the dashboard, with their
own figures, and is refused the reports page in Japanese; (3) the auditor reads the audit trail,
filters the refusals, verifies the chain and shows the assurance report. No console error on any
page (a CSP violation would be one). Screenshots go to ``$RISKMON_SHOTS`` (default
var/test-artifacts/web/), full page, at 1366×768.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser_support import ARTIFACTS, browser, browser_en, log_in, page, playwright_, seed_site
from tests.web.serving import serve
from tests.web.support import PASSWORD

__all__ = ["browser", "browser_en", "page", "playwright_"]  # the shared fixtures (tests/web/browser_support.py)
SHOTS = Path(os.environ.get("RISKMON_SHOTS", str(ARTIFACTS)))


def snap(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_horizontal_overflow(page: Page) -> None:
    """Nothing wider than the window: the page never scrolls sideways at 1366 px."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("web_oversight_e2e")
    env, flags = seed_site(folder)
    with serve(folder, env) as base:
        yield {"base": base, "flags": flags, "folder": folder}


def test_a_risk_officer_reads_the_dashboard_and_generates_a_pack(site: dict[str, object], page: Page) -> None:
    base = str(site["base"])
    log_in(page, base, "risk1", PASSWORD)
    page.get_by_role("link", name="ダッシュボード").click()
    expect(page.get_by_role("heading", name="ダッシュボード", level=1)).to_be_visible()
    row = page.locator("tr[data-region='RD01']")
    expect(row.locator("th")).to_have_text("北海道地域部")
    expect(row.locator("td.total")).to_have_text("7")
    expect(page.locator("#overdue tr[data-flag]")).to_have_count(2)  # C2 and C9, past their deadline of 2025-04-01
    expect(page.locator("svg.trend rect")).to_have_count(12)
    snap(page, "20_dashboard_risk1")
    no_horizontal_overflow(page)
    expect(row.locator("td[data-severity='critical']")).to_have_text("4")
    row.locator("td[data-severity='critical'] a").click()
    expect(page).to_have_url(re.compile(r"/flags\?severity=critical&region=RD01"))
    expect(page.locator("#total")).to_have_text("4")  # the figure the dashboard showed

    page.get_by_role("link", name="レポート").click()
    expect(page.get_by_role("heading", name="レポート", level=1)).to_be_visible()
    expect(page.locator("p.empty")).to_have_text("作成済みのレポートはまだありません。")
    page.get_by_label("開始日").fill("2025-04-01")
    page.get_by_label("終了日").fill("2025-04-30")
    page.get_by_role("button", name="作成する").click()
    expect(page.locator("#generated")).to_contain_text("第1版として保存しました。", timeout=120_000)
    row = page.locator("tr[data-report]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("令和7年4月1日～令和7年4月30日")
    expect(row.locator("td.maker")).to_have_text("risk1")
    expect(row.locator("td.files a")).to_have_text(["MD", "HTML", "XLSX", "PDF"])
    snap(page, "21_reports_risk1")
    no_horizontal_overflow(page)
    with page.expect_download() as info:
        row.get_by_role("link", name="PDF").click()
    download = info.value
    assert download.suggested_filename == "リスク管理委員会資料_2025-04-01_2025-04-30.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_an_office_head_sees_only_the_dashboard(site: dict[str, object], page: Page) -> None:
    base = str(site["base"])
    log_in(page, base, "po1", PASSWORD)
    nav = page.get_by_role("navigation", name="riskmon リスク監視")
    expect(nav.get_by_role("link", name="ダッシュボード")).to_be_visible()
    expect(nav.get_by_role("link", name="レポート")).to_have_count(0)
    expect(nav.get_by_role("link", name="監査")).to_have_count(0)
    nav.get_by_role("link", name="ダッシュボード").click()
    expect(page.locator("#scoped")).to_have_text("自部署（管轄する部署を含む）の件数だけを表示しています。")
    expect(page.locator("tr[data-region='RD01'] td.total")).to_have_text("3")
    snap(page, "22_dashboard_po1")
    page.goto(f"{base}/reports")
    expect(page.get_by_role("heading", name="この操作・表示は許可されていません")).to_be_visible()
    snap(page, "23_reports_refused_po1")


def test_the_auditor_reads_verifies_and_shows_the_assurance_report(site: dict[str, object], page: Page) -> None:
    base = str(site["base"])
    log_in(page, base, "auditor", PASSWORD)
    page.get_by_role("link", name="監査").click()
    expect(page.get_by_role("heading", name="監査", level=1)).to_be_visible()
    page.get_by_label("操作").select_option("refused")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(re.compile(r"action=refused"))
    refusals = page.locator("tr[data-action^='refused:']")
    expect(refusals.first).to_be_visible()  # po1's look at the reports page, in the previous test
    assert page.locator("tr[data-seq]").count() == refusals.count()
    page.get_by_role("button", name="検証する").click()
    expect(page.locator("#verify-result")).to_have_text("改ざんは検出されませんでした")
    snap(page, "24_audit_auditor")
    no_horizontal_overflow(page)
    when = page.locator("tr[data-seq] td.when time").first  # 和暦 for the reader, the exact moment for a script
    expect(when).to_have_text(re.compile(r"^令和\d+年\d+月\d+日\d+時\d\d分$"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+09:00", when.get_attribute("datetime") or "")
    box, next_box = when.bounding_box(), page.locator("tr[data-seq] td").nth(2).bounding_box()
    assert box is not None and next_box is not None and box["x"] + box["width"] <= next_box["x"]  # the time fits its column
    page.locator("#as-first").fill("2025-04-01")
    page.locator("#as-last").fill("2026-03-31")
    page.get_by_role("button", name="表示する").click()
    expect(page.locator("pre.report")).to_contain_text("#")
    title = "第二線のリスク管理体制の整備・運用状況に関する監査資料（令和7年4月1日～令和8年3月31日）"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    snap(page, "25_assurance_auditor")
    no_horizontal_overflow(page)
    page.get_by_role("link", name="レポート").click()  # the document shown is kept, with its maker
    kept = page.locator("tr[data-kind='assurance']")
    expect(kept.locator("td.maker")).to_have_text("auditor")
    expect(kept.locator("td.files a").first).to_have_text("MD")


@pytest.mark.parametrize("lang", ["en"])
def test_the_dashboard_in_english(site: dict[str, object], page: Page, lang: str) -> None:
    base = str(site["base"])
    log_in(page, base, "risk1", PASSWORD)
    page.goto(f"{base}/dashboard?lang={lang}")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("tr[data-region='RD01'] th")).to_have_text("Hokkaido RD")
    snap(page, "26_dashboard_risk1_en")
    no_horizontal_overflow(page)


def test_the_dashboard_charts_missed_deadlines_and_ranks_offices(site: dict[str, object], page: Page) -> None:
    """``riskmon serve`` runs on today's clock, so the twelve months and the fiscal half end today:
    the seed's deadlines (2025-04) are outside the monthly chart (drawn by the packs'
    riskmon.reports.svg) and its errors outside the score's period — so R02's flags on C2 and C9 are
    no longer the same errors counted twice, and count: PO-002 重大 2×3 + 高 2 + 中 1 = 9, PO-001
    2×3 + 2 = 8. The pack's inspection table is shown; an office's name opens its open flags."""
    base = str(site["base"])
    log_in(page, base, "risk1", PASSWORD)
    page.goto(f"{base}/dashboard?lang=ja")  # the English test before this one set risk1's language
    snap(page, "27_dashboard_scores_risk1")
    expect(page.locator("#overdue-trend svg rect")).to_have_count(12)
    expect(page.locator("#overdue-months tr td.num")).to_have_text(["0"] * 12)
    expect(page.locator("#overdue-trend-def")).to_contain_text("各月に対応期限を過ぎたフラグの件数です")
    expect(page.locator("#offices tr[data-office]")).to_have_count(2)
    expect(page.locator("#offices tr[data-office] td.score")).to_have_text(["9", "8"])
    expect(page.locator("tr[data-office='PO-002'] td[data-severity='critical']")).to_have_text("2")
    expect(page.locator("#formula")).to_contain_text("算式：スコア（最大25点）＝フラグ点")
    expect(page.locator("#inspections tr[data-inspection]")).to_have_count(4)
    no_horizontal_overflow(page)
    page.locator("tr[data-office='PO-001'] th a").click()
    expect(page).to_have_url(re.compile(r"/flags\?unit=PO-001$"))
    expect(page.locator("#total")).to_have_text("3")
