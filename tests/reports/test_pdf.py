"""The committee pack's PDF, printed by Debian's Chromium from the pack's HTML (riskmon.reports.pdf)."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import ReportsConfig
from riskmon.reports import committee
from riskmon.reports.pdf import PdfUnavailable, print_pdf, restamp
from tests.helpers import shipped

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = BusinessCalendar()
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)
H1 = (date(2025, 4, 1), date(2025, 9, 30))


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_the_pack_prints_to_a_reproducible_pdf(sample_db: Engine, tmp_path: Path) -> None:
    assert shutil.which("chromium"), "Debian's chromium is missing: run make setup as root (apt-get install chromium fonts-noto-cjk)"
    look = ReportsConfig(pdf=True)
    a = committee.write(sample_db, committee.build(sample_db, *H1, AS_OF, CAL, shipped()), tmp_path / "a", CAL, look)
    committee.write(sample_db, committee.build(sample_db, *H1, AS_OF, CAL, shipped()), tmp_path / "b", CAL, look)
    pdf_a, pdf_b = (tmp_path / "a" / "committee.pdf").read_bytes(), (tmp_path / "b" / "committee.pdf").read_bytes()
    assert a.pdf_problem is None and tmp_path / "a" / "committee.pdf" in a.files
    assert pdf_a.startswith(b"%PDF-") and pdf_a == pdf_b  # printed twice, byte-identical
    assert b"/CreationDate (D:20250930145959+00'00')" in pdf_a  # the data date, not the print time
    assert _pages(pdf_a) >= 3  # the cover on its own page, then the sections


def test_no_browser_is_said_plainly_and_the_other_files_are_written(sample_db: Engine, tmp_path: Path) -> None:
    look = ReportsConfig(pdf=True, browser="no-such-browser-riskmon")
    written = committee.write(sample_db, committee.build(sample_db, *H1, AS_OF, CAL, shipped()), tmp_path / "p", CAL, look)
    assert written.pdf_problem is not None
    assert written.pdf_problem.text("ja").startswith(
        "PDF を作成できません：ブラウザ「no-such-browser-riskmon」が見つかりません（config.toml [reports] browser）"
    )
    assert [f.name for f in written.files] == ["committee.md", "committee.html", "committee.xlsx"]
    assert not (tmp_path / "p" / "committee.pdf").exists()


def test_a_browser_that_fails_is_reported_not_raised_as_a_traceback(tmp_path: Path) -> None:
    html = tmp_path / "x.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfUnavailable, match="the browser failed"):
        print_pdf(html, tmp_path / "x.pdf", AS_OF, "/bin/false")


def test_restamp_keeps_the_length_and_sets_both_dates() -> None:
    raw = b"<</Producer (Skia/PDF m156)\n/CreationDate (D:20261201201428+00'00')\n/ModDate (D:20261201201428+00'00')>>"
    out = restamp(raw, AS_OF)
    assert len(out) == len(raw)
    assert out.count(b"(D:20250930145959+00'00')") == 2
