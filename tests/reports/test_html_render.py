"""Look at the pack as a person would: render the HTML in headless Chromium and check the picture.

Skipped, with the reason, where no Chromium is installed (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.reports import committee
from tests.helpers import shipped

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine: the HTML screenshot check needs `apt-get install chromium`")
def test_pack_renders_to_a_non_blank_page(sample_db: Engine, tmp_path: Path) -> None:
    content = committee.build(
        sample_db, date(2025, 4, 1), date(2025, 9, 30), datetime(2025, 9, 30, 23, 0, tzinfo=TOKYO), BusinessCalendar(), shipped()
    )
    written = committee.write(sample_db, content, tmp_path / "pack", BusinessCalendar())
    png = tmp_path / "pack.png"
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=900,1400", f"--screenshot={png}", (written.folder / "committee.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page with text, tables and charts, not a blank one
