"""Debian's Chromium as every browser run of riskmon starts it: the end-to-end tests
(tests/web/browser_support.py) and the README's screenshots (scripts/screenshots.py) import this
one definition, so the pictures are taken by the browser the tests drive.

The launch arguments are riskmon's own (riskmon.reports.pdf prints the committee PDF with the same
browser); only riskmon and Playwright are imported: the screenshot script imports this without pytest.
"""

from __future__ import annotations

import os

from playwright.sync_api import Browser, Playwright, ViewportSize

from riskmon.reports.pdf import BROWSER_ARGS

CHROMIUM = "/usr/bin/chromium"
#: no sandbox (containers, root), no GPU, and nothing that reaches the network on its own
ARGS = list(BROWSER_ARGS)
#: the size every page must work at (issue #11), and the screenshots' size
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
#: Chromium formats a date input (年/月/日 or mm/dd/yyyy) by its *application* locale, which on
#: Linux comes from the process environment (and needs Debian's chromium-l10n), not from the
#: context's ``locale``: so each page language gets a browser started in that language.
BROWSER_LANGUAGE = {"ja-JP": "ja", "en-US": "en-US"}


def launch(p: Playwright, locale: str = "ja-JP") -> Browser:
    """Debian's Chromium whose own words and date inputs follow ``locale``."""
    return p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, f"--lang={locale}"],
                             env={**os.environ, "LANGUAGE": BROWSER_LANGUAGE[locale]})  # fmt: skip
