"""Runs whose process died are marked ``crashed`` (and audited), so nothing waits for them.

A ``kill -9``, an OOM kill or a power cut leaves ``running`` rows in ``job_runs``,
``ingest_runs`` and ``evaluation_runs``: they looked as if the work were still going on, and a
crashed job's fire time looked taken. Every run records its holder (riskmon.liveness); at the
start of each job run, of ``riskmon ingest`` and of ``riskmon evaluate`` (and of the scheduler),
:func:`recover` marks the rows of dead holders ``crashed``. A crashed job run does not count as
done, so catch-up runs its fire time again; an ingest is idempotent, so running it again
continues where the crashed one stopped.

Dead means: on this host, the holder's process is gone (riskmon.liveness). A job run of another
host is dead when its job lock is no longer held by it (its lease ran out: riskmon.jobs.locks).
Ingest and evaluation runs of another host are left alone — nothing here can tell whether that
process lives — until recovery runs on their own host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.engine import Row

from riskmon import audit
from riskmon.jobs.locks import Lease, why_stale
from riskmon.liveness import Holder, current_id
from riskmon.store.tables import EvaluationRun, IngestRun, JobLock, JobRun, table_of

#: table → (states that mean "still working", audit subject prefix)
_RUN_TABLES: dict[str, tuple[type[Any], tuple[str, ...], str]] = {
    "job_runs": (JobRun, ("running",), "job_run"),
    "ingest_runs": (IngestRun, ("running",), "ingest"),
    "evaluation_runs": (EvaluationRun, ("running", "saving"), "run"),
}


@dataclass(frozen=True)
class Crashed:
    table: str
    run_id: int
    holder: str
    why: str


def recover(engine: Engine, now: datetime, actor: str | None = None, lease: Lease | None = None) -> list[Crashed]:
    """Mark every run of a dead holder ``crashed``; returns what was marked."""
    lease = lease or Lease()
    found: list[Crashed] = []
    with engine.begin() as conn:
        locks = {r.job: r for r in conn.execute(select(table_of(JobLock)))}
        for name, (model, states, prefix) in _RUN_TABLES.items():
            t = table_of(model)
            rows = conn.execute(select(t).where(t.c.status.in_(states), t.c.holder.is_not(None)).order_by(t.c.id)).all()
            for row in rows:
                why = _why_dead(row, locks if name == "job_runs" else None, now, lease)
                if why is None:
                    continue
                if _mark(conn, t, row, now):
                    audit.append(conn, actor or current_id(), "run_crashed", f"{prefix}:{row.id}",
                                 {"table": name, "holder": row.holder, "started_at": row.started_at.isoformat(),
                                  "was": row.status, "why": why}, now)  # fmt: skip
                    found.append(Crashed(name, int(row.id), str(row.holder), why))
    return found


def _why_dead(row: Row[Any], locks: dict[str, Row[Any]] | None, now: datetime, lease: Lease) -> str | None:
    holder = Holder.parse(row.holder)
    alive = holder.alive() if holder else None
    if alive is False:
        return "holder process is gone"
    if alive is True or locks is None:
        return None
    # a job run of another host: alive while it holds its job's lock (renewed by its heartbeat);
    # just started runs get one lease to take the lock
    lock = locks.get(row.job)
    if lock is not None and lock.holder == row.holder and why_stale(lock.holder, lock.expires_at, now) is None:
        return None
    if row.started_at > now - lease.length:
        return None
    return "its job lock lapsed"


def _mark(conn: Connection, t: Any, row: Row[Any], now: datetime) -> bool:
    """Compare-and-set, so two processes recovering at once mark (and audit) a run once."""
    done = conn.execute(update(t).where(t.c.id == row.id, t.c.status == row.status).values(status="crashed", finished_at=now))
    return bool(done.rowcount)
