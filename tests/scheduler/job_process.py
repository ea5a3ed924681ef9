"""A real scheduler process for the hardening tests, started with ``python -m`` and, in some
modes, killed with SIGKILL by the test.

    python -m tests.scheduler.job_process MODE DATABASE_URL WORKDIR

- ``hang``: the nightly job for the 2025-06-04 02:00 fire time starts a real ingest (in a thread)
  and a real evaluation, both of which then hang — rows ``running`` in ingest_runs,
  evaluation_runs and job_runs, the job lock held — until the test kills the process.
- ``lease``: the job runs as holder ``node-a`` (another host, as far as the test process can tell)
  with a 2 s lease renewed every 0.5 s, and sleeps until killed.
- ``fire``: waits for WORKDIR/go, then does what APScheduler does at 02:00:20 for the nightly job;
  the job appends one line to WORKDIR/ran and takes a second.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.config import JobsConfig, PathsConfig, Settings
from riskmon.engine import durable_adapter
from riskmon.flags.evaluation import evaluate
from riskmon.ingest import pipeline
from riskmon.jobs import catalogue as jobs
from riskmon.jobs.host import JobHost
from riskmon.store.db import make_engine
from tests.helpers import jobs_of

FIRE = datetime(2025, 6, 4, 2, 0, tzinfo=TOKYO)


def _hang(*_: Any, **__: Any) -> Any:
    while True:
        time.sleep(60)


def main(mode: str, url: str, workdir: Path) -> None:
    engine = make_engine(url)
    settings = Settings(base_dir=workdir, paths=PathsConfig(reports=workdir / "reports", inbox=workdir / "inbox"),
                        jobs=JobsConfig(lock_lease_seconds=2 if mode == "lease" else 120,
                                        lock_heartbeat_seconds=0.5 if mode == "lease" else 30))  # fmt: skip
    if mode == "hang":
        pipeline._ingest_events = _hang  # type: ignore[assignment]
        durable_adapter.decide = _hang

        def nightly(rm: JobHost, as_of: datetime) -> str:
            e = rm.ready()
            events = workdir / "events.jsonl"
            events.write_text('{"event_id": "X1"}\n', encoding="utf-8")
            threading.Thread(target=pipeline.ingest, args=(e, [events]), kwargs={"tz": TOKYO}, daemon=True).start()
            return str(evaluate(e, [], as_of, BusinessCalendar()))

        jobs.JOBS["nightly"] = jobs.Job("nightly", "t", "0 2 * * *", nightly)
        jobs_of(settings, engine).fire("nightly", at=FIRE)
    elif mode == "lease":
        jobs.JOBS["nightly"] = jobs.Job("nightly", "t", "0 2 * * *", lambda rm, t: str(_hang()))
        jobs_of(settings, engine).fire("nightly", at=FIRE, holder=f"node-a:{os.getpid()}:")
    elif mode == "fire":

        def once(rm: JobHost, as_of: datetime) -> str:
            with (workdir / "ran").open("a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {as_of.isoformat()}\n")
            time.sleep(1)
            return "ran"

        jobs.JOBS["nightly"] = jobs.Job("nightly", "t", "0 2 * * *", once)
        (workdir / f"ready-{os.getpid()}").touch()
        while not (workdir / "go").exists():
            time.sleep(0.01)
        jobs_of(settings, engine).fire("nightly", at=FIRE + timedelta(seconds=20))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
