"""The committee pack as the committee reads it: printed on A4 from Chromium, in the pack's language.

Looked at by eye (headless Chromium, A4 PDF): headings were left alone at the foot of a page while
their table or chart went to the next, and the changes section showed severity codes
(``medium → high``) and English punctuation in the Japanese pack. These tests pin the print rules
and the wording that fixed that.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.reports import committee
from tests.helpers import NOW, shipped
from tests.web.browser_support import browser, playwright_  # noqa: F401  (the fixtures)

CAL = BusinessCalendar()
CHANGES = {"previous": ["2025-04-01", "2025-09-30"], "previous_id": 1, "new": ["R01:C9"], "resolved": [],
           "worsened": [{"key": "R03:C3", "before": "medium", "after": "high"}]}  # fmt: skip


def _pack(engine: Engine, folder: Path, lang: str) -> Path:
    """A pack whose changes section has one worsened flag (medium → high)."""
    pack_lang = "en" if lang == "en" else "ja"
    content = committee.build(engine, date(2025, 4, 1), date(2025, 9, 30), NOW, CAL, shipped("R01", "R03"), lang=pack_lang)
    content["changes"] = CHANGES
    return committee.write(engine, content, folder, CAL).folder


@pytest.mark.parametrize(
    ("lang", "summary", "worsened_html", "worsened_md"),
    [
        ("ja", "前回（令和7年4月1日～令和7年9月30日）：新規1件、完了0件、悪化1件。", "<li>R03:C3（中 → 高）</li>",
         "- 悪化: R03:C3（中 → 高）"),
        ("en", "Since the previous pack (1 Apr 2025 – 30 Sep 2025): opened 1, closed 0, worsened 1.", "<li>R03:C3（medium → high）</li>",
         "- worsened: R03:C3（medium → high）"),
    ],
)  # fmt: skip
def test_the_changes_section_speaks_the_pack_language(engine: Engine, tmp_path: Path, lang: str, summary: str, worsened_html: str,
                                                     worsened_md: str) -> None:  # fmt: skip
    folder = _pack(engine, tmp_path / lang, lang)
    html = (folder / "committee.html").read_text(encoding="utf-8")
    md = (folder / "committee.md").read_text(encoding="utf-8")
    assert summary in html and summary in md
    assert worsened_html in html and worsened_md in md


def test_the_japanese_markdown_lists_with_the_japanese_comma(engine: Engine, tmp_path: Path) -> None:
    md = (_pack(engine, tmp_path, "ja") / "committee.md").read_text(encoding="utf-8")
    breakdowns = [line for line in md.splitlines() if line.startswith("- 未完了、")]
    assert [line.split(":")[0] for line in breakdowns] == ["- 未完了、三線防御の区分別", "- 未完了、重大度別", "- 未完了、リスク区分別"]
    assert all(", " not in line for line in breakdowns)


def test_printed_on_a4_headings_stay_with_their_tables_and_rows_stay_whole(engine: Engine, tmp_path: Path,
                                                                          browser: Browser) -> None:  # noqa: F811  # fmt: skip
    html = _pack(engine, tmp_path, "ja") / "committee.html"
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(html.as_uri())
    page.emulate_media(media="print")
    style = page.evaluate(
        """() => {
            const s = (el) => getComputedStyle(el);
            return {
              headings: [...document.querySelectorAll('h2, h3')].map(h => s(h).breakAfter),
              formula: s(document.querySelector('h3 + p.meta')).breakAfter,
              thead: [...document.querySelectorAll('thead')].map(t => s(t).display),
              rows: [...document.querySelectorAll('tr')].map(r => s(r).breakInside),
              charts: [...document.querySelectorAll('svg')].map(c => s(c).breakInside),
            };
        }"""
    )
    assert len(style["headings"]) >= 8 and set(style["headings"]) == {"avoid"}
    assert style["formula"] == "avoid"  # the score formula stays with the offices table it explains
    assert set(style["thead"]) == {"table-header-group"} and set(style["rows"]) == {"avoid"}
    assert style["charts"] and set(style["charts"]) == {"avoid"}
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    context.close()
    sizes = {tuple(round(float(x)) for x in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(595, 842)}  # every page A4 (210 × 297 mm in points), from the pack's own @page rule
