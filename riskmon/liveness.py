"""Which process is doing something, and whether it is still alive.

A run record (``job_runs``, ``ingest_runs``, ``evaluation_runs``) and a job lock carry their
*holder*: host, pid and when that process started. Without it a crash (``kill -9``, power cut,
OOM killer) leaves a row that says ``running`` for ever and a lock that nobody will release,
and nothing can tell a dead holder from a slow one.

The start time is the boot id plus the process's start in clock ticks (``/proc`` on Linux), so a
pid that the kernel hands out again after the crash — or after a reboot — is not mistaken for
the original process. Where ``/proc`` is missing the pid alone is checked.

Only a holder on *this* host can be checked; for another host :meth:`Holder.alive` answers
``None`` and callers fall back on a lease (job locks are renewed by a heartbeat, see
riskmon.jobs.locks).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_PROC = Path("/proc")


@cache
def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return ""


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start ticks) of ``pid`` from /proc, or None where it cannot be read."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may contain spaces and parentheses
    return fields[0], fields[19]  # field 3 (state) and field 22 (starttime) of proc(5)


def _start_token(pid: int) -> str:
    stat = _stat(pid)
    return f"{_boot_id()}-{stat[1]}" if stat and _boot_id() else ""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    start: str = ""  # boot id and start ticks; "" where unknown

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}"

    @classmethod
    def parse(cls, text: str | None) -> Holder | None:
        """A holder written by :func:`current_id` (also the older ``host:pid``); None if unreadable."""
        parts = (text or "").split(":")
        if len(parts) not in (2, 3) or not parts[1].isdigit() or not parts[0]:
            return None
        return cls(parts[0], int(parts[1]), parts[2] if len(parts) == 3 else "")

    def alive(self) -> bool | None:
        """True / False for a holder on this host; None for another host (cannot be checked here)."""
        if self.host != _hostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by someone else
            pass
        stat = _stat(self.pid)
        if stat is None:
            return True  # no /proc here: the pid exists, that is all we can know
        if stat[0] in ("Z", "X"):  # killed, not yet reaped by its parent: it will never finish
            return False
        return not self.start or self.start == _start_token(self.pid)


@cache
def _hostname() -> str:
    return socket.gethostname()[:80]


def current() -> Holder:
    pid = os.getpid()
    return Holder(_hostname(), pid, _start_token(pid))


def current_id() -> str:
    """This process as a holder string (stored in run records and job locks)."""
    return str(current())
