"""``riskmon serve`` started as the real command on a free port of 127.0.0.1, for the browser
tests (tests/web/browser_support.py) and the README's screenshots (scripts/screenshots.py): one
definition of how the server is started, waited for and stopped.

Only the standard library: the screenshot script imports it without pytest.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(folder: Path, env: dict[str, str], cwd: Path | None = None) -> Iterator[str]:
    """``riskmon serve`` on a free port of 127.0.0.1 with ``env`` added (without a
    ``RISKMON_DATABASE_URL`` of its own it takes the config's, not this process's); yields its base
    URL once ``/healthz`` answers (RuntimeError with the server's output if it never does, within
    60 s) and stops it afterwards. Its output goes to ``folder/server.log``."""
    port = free_port()
    full = {**os.environ, **env}
    if "RISKMON_DATABASE_URL" not in env:
        full.pop("RISKMON_DATABASE_URL", None)
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("riskmon")), "serve", "--port", str(port)], env=full, cwd=cwd,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"riskmon serve did not start: {(folder / 'server.log').read_text()}") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
