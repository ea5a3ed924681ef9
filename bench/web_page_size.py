"""How many bytes フラグ一覧 (``/flags``) sends, per user, on bench/web_store.py's store.

The page once carried every unit as an ``<option>`` of the unit filter (4,148 at 1M events, most
of a 320 KB page); this measures what it carries now. To measure older code, put its ``riskmon``
first on ``PYTHONPATH`` (docs/benchmarks.md, "Web pages", shows the command).

    .venv/bin/python bench/web_page_size.py --events 100k
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # appended: a riskmon on PYTHONPATH (older code) stays first

import riskmon  # noqa: E402  (imported before bench.web_store, which puts this checkout first on sys.path)
from bench.web_store import prepare  # noqa: E402

USERS = ("rmd.aoki", "rd01.head", "po001.head")  # second line, a 地域部, an office head
PASSWORD = "bench page size passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="100k", choices=("100k", "1m"))
    args = parser.parse_args()
    os.environ["RISKMON_DATABASE_URL"] = prepare("sqlite", args.events, log=lambda m: None)
    from fastapi.testclient import TestClient

    from riskmon.accounts.auth import Accounts
    from riskmon.app import Riskmon
    from riskmon.web.app import create_app
    from tests.web.support import csrf_of

    rm = Riskmon.from_config(ROOT / "config.toml")
    print(f"code: {Path(riskmon.__file__).parent}")
    for user in USERS:
        Accounts(rm.engine, rm.settings.web, lambda: datetime.now(UTC)).set_password(user, PASSWORD, by="bench")
        client = TestClient(create_app(rm), follow_redirects=False)
        form = client.get("/login")
        client.post("/login", data={"user_id": user, "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/"})
        page = client.get("/flags")
        print(f"{user}: HTTP {page.status_code}, {len(page.content):,} bytes, {page.text.count('<option'):,} <option>s")


if __name__ == "__main__":
    main()
