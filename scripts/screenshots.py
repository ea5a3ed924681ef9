"""The README's screenshots (docs/img/*.png), taken from the demo database by a real browser.

Why a script: the pictures in README.md must show what `make demo` + `make serve` really give, and
must be easy to take again when a page changes. It needs `make demo` first, then:

    .venv/bin/python scripts/screenshots.py            # writes docs/img/{login,queue,flags,flag_detail}.png

It never touches the demo database itself (the passwords `make demo` printed keep working): the
database is copied to a temporary folder, where ``rmd.suzuki`` proposes closing one flag (so
the queue and the detail show a four-eyes confirmation waiting for the other risk officer) and the
screenshot account gets a generated password
(:func:`riskmon.accounts.passwords.generate_password`, set through the same call as
``riskmon users set-password``), and ``riskmon serve`` runs on that copy on a free port of
127.0.0.1. Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright at 1366×768 with the
same launch flags as the browser tests; every request the browser makes must go to that server —
the pages work with no internet (vendored htmx, system fonts) — or the script stops.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

import riskmon
from riskmon.accounts import passwords
from riskmon.accounts.auth import Accounts
from riskmon.flags.store import FlagFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser and the server start as in the tests (tests/web/chromium.py, serving.py)
from tests.web.chromium import VIEWPORT, launch  # noqa: E402
from tests.web.serving import serve  # noqa: E402

USER = "rmd.tanaka"  # a second-line risk officer: sees every office, has the case actions
PROPOSER = "rmd.suzuki"  # the first pair of eyes, whose proposal USER is shown asked to confirm
#: the detail picture shows the first open flag of this rule: a deadline, how late, and the actions
DETAIL_RULE = "R01"


def copy_demo_database(folder: Path) -> tuple[str, str, int]:
    """Copy var/riskmon.db (sqlite's backup API: consistent even mid-write); set a generated
    password for ``USER`` in the copy. Returns the copy's URL, the password and the detail flag id."""
    with riskmon.Riskmon.from_config(ROOT / "config.toml") as rm:
        source = rm.missing_database()
        url = rm.settings.database_url
    if source is not None or not url.startswith("sqlite:///"):
        sys.exit("error: make demo を先に実行してください（デモの SQLite データベースがありません）\n"
                 "run make demo first (there is no demo SQLite database)")  # fmt: skip
    copy = folder / "riskmon.db"
    with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    copy_url = f"sqlite:///{copy}"
    os.environ["RISKMON_DATABASE_URL"] = copy_url
    os.environ["RISKMON_AUDIT_ANCHORS"] = str(folder / "anchors.jsonl")  # the copy's anchors stay in the copy
    with riskmon.Riskmon.from_config(ROOT / "config.toml") as rm:
        password = passwords.generate_password(20)
        Accounts(rm.ready(), rm.settings.web, lambda: datetime.now(UTC)).set_password(USER, password, by="cli:screenshots")
        flags = [f for f in rm.flags(FlagFilter(rule=DETAIL_RULE)) if f["review_status"] == "open"]
        if not flags:
            sys.exit(f"error: no open {DETAIL_RULE} flag in the demo database: run make demo first")
        flag_id = min(int(f["id"]) for f in flags)
        # four eyes in the pictures: the other risk officer proposes closing it, so it waits for USER
        proposed = rm.cases.resolve(PROPOSER, flag_id, "remediated", "所長から是正報告を受領し、記録を確認しました")
        if not proposed.ok:
            sys.exit(f"error: {proposed.text('ja')}")
    return copy_url, password, flag_id


@contextmanager
def serving(folder: Path, database_url: str) -> Iterator[str]:
    """``riskmon serve`` on the copy, on a free port (as the browser tests start it); yields the base URL."""
    env = {"RISKMON_CONFIG": str(ROOT / "config.toml"), "RISKMON_DATABASE_URL": database_url}
    try:
        with serve(folder, env, cwd=ROOT) as base:
            yield base
    except RuntimeError as exc:
        sys.exit(f"error: {exc}")


def take(page: Page, base: str, password: str, flag_id: int, out: Path) -> list[Path]:
    """Log in and photograph the four pages; returns the files written."""
    written: list[Path] = []

    def shot(name: str) -> None:
        page.wait_for_load_state("networkidle")
        path = out / f"{name}.png"
        page.screenshot(path=str(path))  # the viewport: 1366×768, as a user first sees the page
        written.append(path)

    page.goto(base + "/login")
    page.get_by_label("利用者ID").fill(USER)
    page.get_by_label("パスワード", exact=True).fill(password)
    shot("login")
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="本日の確認", level=1).wait_for()
    shot("queue")
    page.goto(base + "/flags?severity=high&sort=severity")
    page.get_by_role("heading", name="フラグ一覧", level=1).wait_for()
    shot("flags")
    page.goto(f"{base}/flags/{flag_id}")
    page.locator("h1").wait_for()
    shot("flag_detail")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="riskmon-shots-") as tmp:
        folder = Path(tmp)
        url, password, flag_id = copy_demo_database(folder)
        with serving(folder, url) as base, sync_playwright() as p:
            browser = launch(p, "ja-JP")  # date inputs follow the browser's own language, not the context's locale
            context = browser.new_context(viewport=VIEWPORT, locale="ja-JP")
            page = context.new_page()
            foreign: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(base + "/") else foreign.append(r.url))
            written = take(page, base, password, flag_id, args.out)
            browser.close()
        if foreign:
            sys.exit(f"error: the pages asked for something outside riskmon: {foreign}")
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
