"""Issue #9 item 8: worker processes die with a killed ingest and never hold its database connection.

A real ``riskmon ingest`` of a large JSONL file runs with two workers and is killed with SIGKILL
half-way. Before the fix the workers lived on (blocked on their task queue) and, on PostgreSQL,
held a copy of the ingest's socket, so its open transaction stayed open and the next ingest of the
same file waited forever on its row locks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from riskmon.ingest.parallel import PARALLEL_MIN_BYTES
from riskmon.store.tables import Event, table_of
from tests.helpers import daily
from tests.procs import alive, children, configure, group_members, riskmon, sockets_of

RECORDS = 120_000  # about 35 MB: well above PARALLEL_MIN_BYTES, and several seconds of work


def _big_file(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(RECORDS):
            rec = daily(f"D{i:07d}", day=f"2025-{4 + i % 9:02d}-{1 + i % 28:02d}", note="定例の報告です。特記事項なし。" * 2)
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    assert path.stat().st_size > 2 * PARALLEL_MIN_BYTES
    return path


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table_of(Event))).scalar_one())


def _wait(what: str, cond: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_killed_ingest_leaves_no_worker_and_the_next_ingest_completes(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = _big_file(tmp_path / "big.jsonl")
    config = configure(tmp_path / "site", engine, batch_size=1000, workers=2)
    setup = riskmon(config, "ingest", str(units_file))
    assert setup.wait(60) == 0, setup.communicate()
    proc = riskmon(config, "ingest", str(events))
    try:
        _wait("two workers", lambda: len(children(proc.pid)) >= 2, 60)
        workers = children(proc.pid)
        _wait("committed batches", lambda: _stored(engine) > 5000, 60)  # a few batches in
        for pid in workers:  # validating for a while: their start-up is long done
            assert sockets_of(pid) == [], f"worker {pid} holds a socket it inherited"
        assert proc.poll() is None, "the ingest ended before it could be killed: make the file bigger"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        _wait("the workers to die with their parent", lambda: not any(alive(p) for p in workers), 5)
        _wait("the process group to be empty", lambda: group_members(proc.pid) == [], 5)
    finally:
        for pid in group_members(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.communicate()
    assert 0 < _stored(engine) < RECORDS
    again = riskmon(config, "ingest", "--workers", "1", str(events))
    try:
        _, err = again.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        again.kill()
        raise AssertionError("the ingest after the crash is blocked (a transaction of the killed one is still open)") from None
    assert again.returncode == 0, err
    assert "Traceback" not in err
    assert _stored(engine) == RECORDS
