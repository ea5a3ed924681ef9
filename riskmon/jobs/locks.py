"""Job locks: one process runs a job at a time, and a crashed holder never blocks it for long.

A lock is the job's row in ``job_locks``: its holder (host, pid, process start — riskmon.liveness)
and a short lease (``lock_lease_seconds``, 120 by default) that a heartbeat thread renews every
``lock_heartbeat_seconds`` (30) while the job runs. Before this, a lock simply expired after
``lock_minutes`` (two hours): a job killed at 02:05 blocked the restart and the catch-up, which
recorded the night as done. Now a lock is broken (and the breaking audited) when its holder is dead:

- a holder on this host whose process is gone (no such pid, a zombie, or the pid now belongs to a
  process that started later) is dead at once, whatever its lease says;
- a holder on another host cannot be checked from here: it is dead when its lease ran out, because
  a live holder renews it.

A live holder on this host is never broken, even when its lease ran out (a renewal can wait
behind a long SQLite write): the process is there, so the job is still running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from riskmon import audit
from riskmon.config import JobsConfig
from riskmon.liveness import Holder
from riskmon.store.tables import JobLock, table_of

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Lease:
    length: timedelta = timedelta(seconds=120)
    heartbeat: timedelta = timedelta(seconds=30)

    @classmethod
    def from_settings(cls, jobs: JobsConfig) -> Lease:
        return cls(timedelta(seconds=jobs.lock_lease_seconds), timedelta(seconds=jobs.lock_heartbeat_seconds))


def why_stale(holder: str, expires_at: datetime, now: datetime) -> str | None:
    """Why a lock's holder counts as dead, or None while it may be alive."""
    parsed = Holder.parse(holder)
    alive = parsed.alive() if parsed else None
    if alive is False:
        return "holder process is gone"
    if alive is None and expires_at < now:
        return "lease expired"
    return None


def acquire(engine: Engine, job: str, holder: str, now: datetime, lease: Lease) -> bool:
    """Take the job's lock for ``holder``, breaking it first if its holder is dead."""
    t = table_of(JobLock)
    with engine.begin() as conn:
        row = conn.execute(select(t.c.holder, t.c.expires_at).where(t.c.job == job)).first()
        why = why_stale(row.holder, row.expires_at, now) if row is not None else None
        if row is not None and why is not None:
            cond = [t.c.job == job, t.c.holder == row.holder]
            if why == "lease expired":  # unless the holder renewed it meanwhile
                cond.append(t.c.expires_at < now)
            if conn.execute(delete(t).where(*cond)).rowcount:
                audit.append(conn, holder, "job_lock_broken", f"job:{job}",
                             {"holder": row.holder, "expires_at": row.expires_at.isoformat(), "why": why}, now)  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(job=job, holder=holder, expires_at=now + lease.length))
        return True
    except IntegrityError:
        return False


def holder_of(engine: Engine, job: str) -> str | None:
    t = table_of(JobLock)
    with engine.connect() as conn:
        value = conn.execute(select(t.c.holder).where(t.c.job == job)).scalar()
    return None if value is None else str(value)


def release(engine: Engine, job: str, holder: str) -> None:
    t = table_of(JobLock)
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.job == job, t.c.holder == holder))


class Heartbeat:
    """Renews a held lock's lease from a background thread while the job runs.

    A renewal that fails (the database busy or briefly unreachable) is tried again at the next
    beat; ``lost`` says the lock was no longer ours (broken by another process after our lease
    ran out), which the run then records.
    """

    def __init__(self, engine: Engine, job: str, holder: str, lease: Lease, clock: Clock) -> None:
        self.engine, self.job, self.holder, self.lease, self.clock = engine, job, holder, lease, clock
        self.lost = False
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"riskmon-lease-{job}", daemon=True)

    def renew(self) -> None:
        t = table_of(JobLock)
        try:
            with self.engine.begin() as conn:
                renewed = conn.execute(update(t).where(t.c.job == self.job, t.c.holder == self.holder)
                                       .values(expires_at=self.clock() + self.lease.length)).rowcount  # fmt: skip
            self.lost = self.lost or renewed == 0
        except SQLAlchemyError:
            self.failures += 1

    def _beat(self) -> None:
        while not self._stop.wait(self.lease.heartbeat.total_seconds()):
            self.renew()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
