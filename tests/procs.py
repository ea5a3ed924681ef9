"""Running the real ``riskmon`` command in a subprocess against a test database, and looking at
processes through /proc — for the concurrency and crash tests, which need real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

RISKMON = Path(sys.executable).parent / "riskmon"


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def configure(folder: Path, engine: Engine, batch_size: int = 5000, workers: int | None = None) -> Path:
    """A config.toml in ``folder`` pointing at the test database."""
    folder.mkdir(parents=True, exist_ok=True)
    ingest = f"batch_size = {batch_size}\n" + (f"workers = {workers}\n" if workers else "")
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "{url_of(engine)}"\n\n[ingest]\n{ingest}', encoding="utf-8")
    return path


def riskmon(config: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``riskmon <args>`` with ``config``, in its own process group (so its workers can be found)."""
    # the config decides everything but the audit key and anchors, which every test run shares (tests/conftest.py)
    keep = ("RISKMON_AUDIT_KEY", "RISKMON_AUDIT_ANCHORS")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKMON_") or k in keep}
    env["RISKMON_CONFIG"] = str(config)
    return subprocess.Popen([str(RISKMON), *args], cwd=config.parent, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                out += [int(p) for p in f.read().split()]
    except FileNotFoundError:
        pass
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped by whoever adopted it counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found


def sockets_of(pid: int) -> list[str]:
    """The socket descriptors ``pid`` holds (a database connection over TCP or a Unix socket)."""
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:"):
            out.append(f"{fd} -> {target}")
    return out
