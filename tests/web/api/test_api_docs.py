"""docs/api.md's JSON API examples, run as written with the real curl against a real ``riskmon
serve`` on 127.0.0.1 (the pages' seed in a SQLite file), in order: each block's status is the one
its ``# →`` line says, and a ```json block right after an example is that example's exact answer."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.accounts.tokens import Tokens
from riskmon.store.db import make_engine
from tests.helpers import ROOT
from tests.web.browser_support import seed_site
from tests.web.serving import serve

BLOCK = re.compile(r"```(sh|json)\n(.*?)```", re.S)


def examples() -> list[tuple[int, str, object | None]]:
    """(status, command, the exact answer or None) of each curl block of the JSON API section."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").split("## The JSON API for other systems", 1)[1]
    found: list[tuple[int, str, object | None]] = []
    for kind, body in BLOCK.findall(text):
        if kind == "json" and found:
            found[-1] = (found[-1][0], found[-1][1], json.loads(body))
        elif kind == "sh" and body.startswith("# → "):
            first, command = body.split("\n", 1)
            found.append((int(first.removeprefix("# → ")), command, None))
    return found


def test_the_section_has_examples() -> None:
    assert [s for s, _, _ in examples()] == [200, 200, 200, 200, 200, 200, 200, 200, 200, 422]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("api_docs")
    env, _ = seed_site(folder)
    engine = make_engine(env["RISKMON_DATABASE_URL"])
    secret, _ = Tokens(engine, lambda: datetime.now(UTC)).issue("risk1", name="docs", days=1)
    engine.dispose()
    with serve(folder, env) as base:
        yield base, secret, folder


def test_every_example_answers_as_documented(site: tuple[str, str, Path]) -> None:
    base, secret, folder = site
    for status, command, answer in examples():
        done = subprocess.run(["bash", "-c", command.rstrip() + " -w '\\n%{http_code}'"], capture_output=True, text=True, cwd=folder,
                              env={"PATH": "/usr/bin:/bin", "RISKMON_URL": base, "TOKEN": secret}, timeout=120)  # fmt: skip
        *out, code = done.stdout.rsplit("\n", 1)
        assert (done.returncode, int(code)) == (0, status), (command, done.stdout, done.stderr)
        if answer is not None:
            assert json.loads(out[0]) == answer
    (downloaded,) = folder.glob("*_2025-04-01_2025-04-10.md")  # curl -OJ: the name the server gave
    assert "リスク管理委員会" in downloaded.read_text(encoding="utf-8")
