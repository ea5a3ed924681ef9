"""Running jobs safely: a database lock per job, a record of every run, catch-up after downtime.

- **Locking**: a job runs only while its row in ``job_locks`` is held; a second process (or a
  second scheduler) finds it held and records the run as skipped. A lock left by a crashed
  process expires after ``lock_minutes``.
- **Records**: every run — scheduled, caught up or by hand — is a row in ``job_runs`` with its
  outcome; a failure keeps its error and never stops the other jobs; the next schedule retries.
- **Catch-up**: on start, a job whose latest scheduled time passed while nothing was running
  (and is within the grace period) runs once, now, for that time — several missed runs
  coalesce into one. APScheduler's own misfire handling is therefore kept minimal.

The clock is a parameter everywhere, so tests drive all of this with a controllable time.
"""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from riskmon import audit
from riskmon.config import Settings, load_settings
from riskmon.scheduler.jobs import JOBS, Skip, cron_of
from riskmon.store.db import make_engine, normalize_url
from riskmon.store.tables import JobLock, JobRun, table_of

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RunOutcome:
    job: str
    status: str  # ok | failed | skipped
    detail: str


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(engine: Engine, job: str, holder: str, now: datetime, minutes: int) -> bool:
    t = table_of(JobLock)
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.job == job, t.c.expires_at < now))
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(job=job, holder=holder, expires_at=now + timedelta(minutes=minutes)))
        return True
    except IntegrityError:
        return False


def release(engine: Engine, job: str, holder: str) -> None:
    t = table_of(JobLock)
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.job == job, t.c.holder == holder))


def run_job(settings: Settings, engine: Engine, name: str, as_of: datetime, *, trigger: str = "manual",
            clock: Clock | None = None, holder: str | None = None) -> RunOutcome:  # fmt: skip
    """Run one job for ``as_of`` under its lock and record the outcome."""
    now = (clock or (lambda: datetime.now(UTC)))()
    who = holder or holder_id()
    runs = table_of(JobRun)
    lock_minutes = int(settings.jobs.get("lock_minutes", 120))
    with engine.begin() as conn:
        run_id = conn.execute(insert(runs).values(job=name, as_of=as_of, started_at=now, trigger=trigger, status="running")
                              .returning(runs.c.id)).scalar_one()  # fmt: skip
    if not acquire(engine, name, who, now, lock_minutes):
        outcome = RunOutcome(name, "skipped", "another process is running this job")
    else:
        try:
            outcome = RunOutcome(name, "ok", JOBS[name].run(settings, engine, as_of))
        except Skip as skip:
            outcome = RunOutcome(name, "skipped", str(skip))
        except Exception:  # a failed job is recorded and retried by its next schedule
            outcome = RunOutcome(name, "failed", traceback.format_exc(limit=8))
        finally:
            release(engine, name, who)
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status=outcome.status, detail=outcome.detail[-4000:], finished_at=(clock or (lambda: datetime.now(UTC)))()))  # fmt: skip
        audit.append(conn, who, "job_run", f"job:{name}", {"as_of": as_of.isoformat(), "trigger": trigger, "status": outcome.status,
                                                           "detail": outcome.detail[-500:]}, now)  # fmt: skip
    return outcome


def trigger_for(settings: Settings, name: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron_of(settings, name), timezone=settings.tz)


def last_due(trigger: CronTrigger, since: datetime, now: datetime) -> datetime | None:
    """The latest fire time in ``(since, now]``."""
    latest, fire = None, trigger.get_next_fire_time(None, since + timedelta(seconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def missed(settings: Settings, engine: Engine, now: datetime) -> dict[str, datetime]:
    """Jobs whose latest scheduled time passed with no run for it, within the grace period."""
    grace = timedelta(hours=float(settings.jobs.get("catch_up_grace_hours", 24)))
    runs = table_of(JobRun)
    out: dict[str, datetime] = {}
    with engine.connect() as conn:
        for name in JOBS:
            last_run = conn.execute(select(runs.c.as_of).where(runs.c.job == name, runs.c.status.in_(("ok", "skipped")))
                                    .order_by(runs.c.as_of.desc()).limit(1)).scalar()  # fmt: skip
            since = last_run or (now - grace)
            due = last_due(trigger_for(settings, name), max(since, now - grace), now)
            if due is not None:
                out[name] = due
    return out


def catch_up(settings: Settings, engine: Engine, now: datetime, clock: Clock | None = None) -> list[RunOutcome]:
    """Run each missed job once, for its latest missed time (coalesced)."""
    return [run_job(settings, engine, name, due, trigger="catch_up", clock=clock) for name, due in missed(settings, engine, now).items()]


def scheduled(name: str) -> None:
    """The callable APScheduler stores (by reference) for every job."""
    settings = load_settings()
    run_job(settings, make_engine(settings.database_url), name, datetime.now(settings.tz), trigger="schedule")


def build_scheduler(settings: Settings, *, blocking: bool = True) -> object:
    """APScheduler 3 with its jobs persisted in the same database, times in the configured zone."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        jobstores={"default": SQLAlchemyJobStore(url=normalize_url(settings.database_url), tablename="apscheduler_jobs")},
        timezone=settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for name in JOBS:
        scheduler.add_job("riskmon.scheduler.runner:scheduled", trigger=trigger_for(settings, name), args=[name], id=name,
                          name=JOBS[name].title, replace_existing=True)  # fmt: skip
    return scheduler
