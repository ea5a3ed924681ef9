"""取込 and 日次業務報告 in Debian's Chromium against ``riskmon serve`` (issue #14): an office head
uploads a CSV with one bad row, reads the reject line, downloads the rejects CSV, corrects the
daily form's mistakes beside the fields and submits it twice (accepted, then a duplicate).
Screenshots go to var/test-artifacts/web/ (upload_result.png, daily_*.png)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.browser_support import browser, browser_en, log_in, page, playwright_, seed_site, shot
from tests.web.serving import serve
from tests.web.support import PASSWORD

__all__ = ["browser", "browser_en", "page", "playwright_"]

CSV = (
    "event_id,type,unit_id,case_id,discovered_at,category,affected_customers,personal_info_involved,summary\n"
    "WB1,error_report,PO-001,CW1,2025-04-09T10:00:00,misissuance,1,false,誤送付\n"
    "WB2,error_report,PO-001,CW2,2025-04-09T10:00:00,misisuance,1,false,分類の誤り\n"
)
REJECT = "offices.csv:3: category: 'misisuance' は使えません（もしかして 'misissuance'？）"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("ingest_site")
    env, _ = seed_site(folder)
    with serve(folder, env) as base:
        yield base, folder


def test_an_office_head_uploads_reads_the_reject_downloads_it_and_reports_the_day(
    site: tuple[str, Path], page: Page, tmp_path: Path
) -> None:
    base, folder = site
    log_in(page, base, "po1", PASSWORD)
    page.get_by_role("link", name="取込", exact=True).click()
    expect(page.get_by_role("heading", name="データの取込")).to_be_visible()
    sent = tmp_path / "offices.csv"
    sent.write_text(CSV, encoding="utf-8")
    page.get_by_label("ファイル").set_input_files(str(sent))
    page.get_by_role("button", name="取り込む").click()
    lines = page.locator("#reject-lines li")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text(REJECT)
    run = page.locator("#upload-result").get_attribute("data-run")
    assert run is not None and (folder / "var" / "uploads" / run / "offices.csv").read_text(encoding="utf-8") == CSV
    expect(page.locator('#upload-summary tr[data-type="total"] td').first).to_have_text("1")
    shot(page, "upload_result")

    with page.expect_download() as got:
        page.locator("#rejects-csv").click()
    download = got.value
    assert download.suggested_filename == f"rejects_run{run}.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[:5] for r in rows] == [
        ["ファイル", "行", "種類", "イベントID", "項目"],
        ["offices.csv", "3", "error_report", "WB2", "category"],
    ]

    page.get_by_role("link", name="日次業務報告").click()
    day = page.get_by_label("業務日").input_value()
    assert len(day) == 10  # today's business day, filled in
    for label, value in (("届書の受付件数", "十"), ("届書の処理件数", "10"), ("未処理の届書", "2"), ("最も古い未処理の経過日数", "1"),
                         ("苦情の件数", "0"), ("事務処理誤りの疑い", "0"), ("備考", "端末1台故障")):  # fmt: skip
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="提出する").click()
    expect(page.locator("#e-forms_received")).to_have_text("整数ではありません: '十'")
    expect(page.get_by_label("届書の受付件数", exact=True)).to_have_attribute("aria-invalid", "true")
    shot(page, "daily_problems")

    page.get_by_label("届書の受付件数", exact=True).fill("12")
    page.get_by_role("button", name="提出する").click()
    outcome = page.locator("#daily-outcome")
    expect(outcome).to_have_attribute("data-outcome", "accepted")
    expect(outcome).to_contain_text(f"{day}の日次業務報告を受け付けました")
    shot(page, "daily_accepted")

    page.get_by_role("button", name="提出する").click()  # the form keeps what was sent: the same report again
    expect(outcome).to_have_attribute("data-outcome", "duplicate")
    expect(outcome).to_contain_text(f"{day}の日次業務報告は同じ内容で提出済みです。変更はありません（重複")
    shot(page, "daily_duplicate")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_both_pages_fit_the_screen_and_are_translated(site: tuple[str, Path], page: Page, lang: str) -> None:
    base, _ = site
    log_in(page, base, "po1", PASSWORD)
    for path in ("/upload", "/daily"):
        page.goto(f"{base}{path}?lang={lang}")
        if path == "/daily":
            page.locator("details").evaluate("d => { d.open = true; }")  # the optional fields too
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, f"ingest{path.replace('/', '_')}_{lang}")
        if lang == "en":  # the page's own words (labels, headings, buttons, navigation) are all English
            chrome = page.locator("header.top nav, h1, h2, legend, summary, form label, button, .help, .intro").all_inner_texts()
            assert [text for text in chrome if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)] == []
