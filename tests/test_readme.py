"""README.md's Quick start and its web section say what `make demo` and `make serve` really do.

The Quick start stays two commands; the demo accounts the README lists are the ones
scripts/demo_accounts.py issues (the last step of `make demo`), exist in sample_events/users.csv
with the role, unit and line the README gives, and get fresh one-time passwords on every run
that log in only to be changed; `make serve` serves the address the README names; and the
screenshots the README shows are committed, small and 1366×768.
"""

from __future__ import annotations

import csv
import os
import re
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from riskmon.accounts.auth import Accounts
from riskmon.config import WebConfig
from riskmon.events.units import UnitRecord
from riskmon.review.users import load_users
from riskmon.store.migrate import upgrade
from tests.helpers import ROOT, SAMPLE, run

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
WEB_SECTION = "## ブラウザで使う / The web application"


def section(title: str) -> str:
    start = README.index(title + "\n")
    end = README.find("\n## ", start + len(title))
    return README[start : end if end != -1 else None]


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target (tab-indented, without the @ echo suppression)."""
    block = re.search(rf"^{target}:.*\n((?:\t.*\n|#.*\n)*)", MAKEFILE, re.M)
    assert block, target
    return [line[1:].lstrip("@") for line in block.group(1).splitlines() if line.startswith("\t") and not line.startswith("\t@#")]


def readme_accounts() -> dict[str, tuple[str, str, str]]:
    """account → (role, unit id, line) from the web section's table."""
    rows = re.findall(r"^\| `([a-z0-9.]+)` \| `([a-z_]+)`[^|]*\| (\S+) [^|]*\| (\w+) \|", section(WEB_SECTION), re.M)
    return {user: (role, unit, line) for user, role, unit, line in rows}


def sample_users() -> dict[str, dict[str, str]]:
    with (SAMPLE / "users.csv").open(encoding="utf-8") as f:
        return {row["user_id"]: row for row in csv.DictReader(f)}


def unit_lines() -> dict[str, str]:
    """The line of each sample unit, as the domain derives it when units.csv leaves it empty."""
    with (SAMPLE / "units.csv").open(encoding="utf-8") as f:
        units = [UnitRecord.model_validate({k: v for k, v in row.items() if v}) for row in csv.DictReader(f)]
    return {u.unit_id: str(u.effective_line.value) for u in units}


def test_the_quick_start_is_exactly_two_commands() -> None:
    blocks = re.findall(r"```\n(.*?)```", section("## Quick start"), re.S)
    assert blocks[0] == "make demo\nmake test\n"
    assert len(blocks) == 1


def test_make_serve_serves_the_address_the_readme_names_and_make_demo_ends_with_the_accounts() -> None:
    assert recipe("serve") == ["$(BIN)/riskmon serve --host 127.0.0.1 --port 8000"]
    web = section(WEB_SECTION)
    assert "```\nmake serve\n```" in web and "<http://127.0.0.1:8000/>" in web
    assert recipe("demo")[-1] == "$(BIN)/python scripts/demo_accounts.py"  # the passwords are the last thing printed


def test_the_readme_accounts_are_sample_users_with_that_role_unit_and_line() -> None:
    listed = readme_accounts()
    users, lines = sample_users(), unit_lines()
    assert len(listed) == 6
    assert {u: (users[u]["role"], users[u]["unit_id"], lines[users[u]["unit_id"]]) for u in listed} == listed
    # one of each kind the pages serve: an office, a 地域部, two risk officers (four eyes), audit, a user administrator
    assert sorted(role for role, _, _ in listed.values()) == [
        "auditor", "regional_manager", "risk_officer", "risk_officer", "site_manager", "user_admin"
    ]  # fmt: skip


def test_the_screenshots_are_committed_small_and_1366_by_768() -> None:
    images = re.findall(r"!\[[^]]+\]\((docs/img/[a-z_]+\.png)\)", section(WEB_SECTION))
    assert images == ["docs/img/login.png", "docs/img/queue.png", "docs/img/flags.png", "docs/img/flag_detail.png"]
    for name in images:
        data = (ROOT / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", name
        assert struct.unpack(">II", data[16:24]) == (1366, 768), name
        assert len(data) <= 250 * 1024, f"{name}: {len(data)} bytes"


def _demo_accounts(config: Path) -> dict[str, str]:
    """Run scripts/demo_accounts.py as `make demo` does; account → one-time password from its table."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKMON_") or k in ("RISKMON_AUDIT_KEY", "RISKMON_AUDIT_ANCHORS")}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_accounts.py")], env={**env, "RISKMON_CONFIG": str(config)},
                          cwd=config.parent, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "一時パスワードはここに一度だけ表示します。初回ログイン時に新しいパスワードへの変更が必要です。" in done.stdout
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in done.stdout.splitlines() if line.startswith("│")]
    return {row[0]: row[-1] for row in rows}


def test_make_demo_prints_fresh_one_time_passwords_for_exactly_those_accounts(sqlite_engine: Engine, tmp_path: Path) -> None:
    upgrade(sqlite_engine)
    run(sqlite_engine, SAMPLE / "units.csv")
    with sqlite_engine.begin() as conn:
        assert load_users(conn, SAMPLE / "users.csv") == (len(sample_users()), [])
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{sqlite_engine.url}"\n', encoding="utf-8")
    first, second = _demo_accounts(config), _demo_accounts(config)  # `make demo` twice
    assert list(first) == list(second) == list(readme_accounts())
    assert all(re.fullmatch(r"[a-zA-Z2-9]{16}", p) for p in [*first.values(), *second.values()])
    assert not set(first.values()) & set(second.values())
    accounts = Accounts(sqlite_engine, WebConfig(), lambda: datetime.now(UTC))
    for user in first:
        assert not accounts.login(user, first[user], "127.0.0.1").ok  # the first run's password no longer works
        now = accounts.login(user, second[user], "127.0.0.1")
        assert now.ok and now.must_change, user


def test_the_sample_holds_about_as_many_events_as_the_readme_says() -> None:
    """「about 100,000 events」: every record line of the shipped sample (the units and users
    masters aside), within 5 % of the figure the README gives."""
    import gzip

    said = int(re.search(r"about ([\d,]+) events", README).group(1).replace(",", ""))  # type: ignore[union-attr]
    total = 0
    for path in sorted(SAMPLE.iterdir()):
        if path.name in {"units.csv", "users.csv"}:
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            lines = sum(1 for line in f if line.strip())
        total += lines - (1 if ".csv" in path.name else 0)  # a CSV's header is not an event
    assert abs(total - said) <= said * 0.05, total
