"""Issue #9 item 10: an evaluation never runs over a half-loaded ingest.

The consistent point (riskmon/store/consistency.py): an evaluation sees the ingest runs that had
finished when it started reading — it waits for runs in progress — and nothing committed after
that, however long it reads. Real threads on real databases, both backends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.engine import facts
from riskmon.flags.evaluation import RunResult, evaluate
from riskmon.ingest.pipeline import ingest
from riskmon.store import consistency
from riskmon.store.db import DatabaseBusy
from riskmon.store.tables import Flag, table_of
from tests.helpers import error_report, run, shipped, write_jsonl
from tests.procs import url_of

CAL = BusinessCalendar()
AS_OF = datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO)
CASES = 6


def _flagged(engine: Engine) -> list[str]:
    t = table_of(Flag)
    with engine.connect() as conn:
        return sorted(conn.execute(select(t.c.subject).where(t.c.rule_id == "R01", t.c.status == "open")).scalars())


class _PausedAfterFirstBatch:
    """An ingest's progress sink that holds the ingest after its first committed batch."""

    def __init__(self) -> None:
        self.half_loaded, self.go = threading.Event(), threading.Event()

    def start_file(self, path: Path, size: int) -> None:
        pass

    def advance(self, position: int) -> None:
        if not self.half_loaded.is_set():
            self.half_loaded.set()
            assert self.go.wait(60)

    def end_file(self) -> None:
        pass


def _cases(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "cases.jsonl", [error_report(f"E{i}", f"C{i}", category="data_entry_error") for i in range(CASES)])


def test_an_evaluation_waits_for_an_ingest_in_progress(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file)
    paused = _PausedAfterFirstBatch()
    loading = threading.Thread(target=ingest, args=(engine, [_cases(tmp_path)]),
                               kwargs={"tz": TOKYO, "batch_size": 1, "progress": paused})  # fmt: skip
    loading.start()
    assert paused.half_loaded.wait(30)  # one case of six committed, the run still going
    results: list[RunResult] = []
    evaluating = threading.Thread(target=lambda: results.append(evaluate(engine, shipped("R01"), AS_OF, CAL)))
    evaluating.start()
    evaluating.join(1.5)
    assert evaluating.is_alive(), "the evaluation ran over a half-loaded ingest"
    paused.go.set()
    loading.join(60)
    evaluating.join(120)
    assert not evaluating.is_alive() and results[0].errors == {}
    assert _flagged(engine) == [f"C{i}" for i in range(CASES)]


def test_an_evaluation_does_not_see_what_is_committed_while_it_reads(
    engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "first.jsonl", [error_report("E-first", "C-first", category="data_entry_error")]))
    real_build = facts.build

    def build_after_an_ingest(*args: Any) -> Any:  # another process loads more while the evaluation reads
        loading = threading.Thread(target=run, args=(engine, _cases(tmp_path)))
        loading.start()
        loading.join(60)
        return real_build(*args)

    monkeypatch.setattr(facts, "build", build_after_an_ingest)
    result = evaluate(engine, shipped("R01"), AS_OF, CAL)
    assert result.errors == {} and result.per_rule == {"R01": 1}
    assert _flagged(engine) == ["C-first"]
    monkeypatch.setattr(facts, "build", real_build)
    evaluate(engine, shipped("R01"), AS_OF, CAL)  # the next evaluation sees them
    assert _flagged(engine) == sorted(["C-first"] + [f"C{i}" for i in range(CASES)])


def test_an_evaluation_gives_up_cleanly_when_an_ingest_never_ends(engine: Engine) -> None:
    with consistency.ingest_running(engine), pytest.raises(DatabaseBusy) as caught, consistency.read_snapshot(engine, wait_s=0.3):
        pass
    assert "実行中の取込が終わりません" in caught.value.ja and "an ingest run still had not finished" in caught.value.en


HOLDER = """
import sys, time
from riskmon.store import consistency
from riskmon.store.db import make_engine
with consistency.ingest_running(make_engine(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_killed_ingest_does_not_block_evaluations(engine: Engine) -> None:
    with consistency.ingest_running(engine), consistency.ingest_running(engine):
        pass  # shared: a second ingest does not wait for the first
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url_of(engine)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(DatabaseBusy), consistency.read_snapshot(engine, wait_s=0.3):
            pass  # another process's ingest is running
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        with consistency.read_snapshot(engine, wait_s=10) as conn:
            assert conn.execute(select(1)).scalar_one() == 1
    finally:
        holder.kill()
        holder.wait(10)
