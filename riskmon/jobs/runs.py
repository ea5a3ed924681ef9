"""Running jobs safely: one run per fire time, a lock per job, a record of every run, catch-up.

- **Fire times**: a scheduled or caught-up run is *for* a fire time of the job's cron, and the
  job runs as of that time, not the wall clock — a catch-up at 09:00 of the 02:00 nightly
  evaluates as of 02:00, exactly as the scheduled run would have. The run claims
  ``(job, fire time)`` first (riskmon.jobs.claims): two schedulers firing the same time
  produce one run and one ``duplicate``.
- **Locking**: a job runs only while it holds its lock (riskmon.jobs.locks: holder liveness
  and a lease renewed by a heartbeat). A run that finds the lock held by a live process is
  recorded ``locked`` — which is *not* done: catch-up runs the fire time later. A lock of a dead
  process is broken at once (same host) or when its lease runs out (another host).
- **Recovery**: every run first marks the runs of dead processes ``crashed``
  (riskmon.jobs.recovery).
- **Records**: every run — scheduled, caught up or by hand — is a row in ``job_runs`` with its
  outcome; a failure keeps its error and never stops the other jobs; the next schedule retries.
- **Catch-up**: on start, a job whose latest fire time within the grace period has no completed
  scheduled run (``ok``, or ``skipped`` for a day with nothing to do) runs once, for that time —
  several missed runs coalesce into one. Runs by hand (``riskmon jobs run --as-of …``, even for a
  future time) are not fire times and never stand in for one.

The clock is the host's (``Riskmon(clock=…)``), so tests drive all of this with a controllable time.
This is the bookkeeping only: *when* to fire is the APScheduler shell's business (riskmon.scheduler).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import exists, insert, select, update

from riskmon import audit
from riskmon.config import Settings
from riskmon.jobs import claims, locks
from riskmon.jobs.catalogue import JOBS, Skip, cron_of
from riskmon.jobs.host import JobHost
from riskmon.jobs.recovery import Crashed, recover
from riskmon.liveness import current_id
from riskmon.store.tables import JobRun, table_of

Clock = Callable[[], datetime]

#: outcomes that complete a fire time; locked, duplicate, failed and crashed runs do not
DONE = ("ok", "skipped")
#: triggers whose as-of is a fire time of the job's schedule
FIRED = ("schedule", "catch_up")
#: how far back a scheduled call looks for the fire time it was called for (APScheduler runs a
#: job within its misfire grace of 60 s, or not at all)
FIRE_LOOKBACK = timedelta(hours=1)


@dataclass(frozen=True)
class RunOutcome:
    job: str
    status: str  # ok | failed | skipped | locked | duplicate
    detail: str
    note: tuple[str, str] | None = None  # (ja, en) for people, where the detail is not a sentence
    #: runs of dead processes this run's recovery marked ``crashed`` before it started (the CLI names them)
    crashed: tuple[Crashed, ...] = ()


def run_job(host: JobHost, name: str, as_of: datetime, *, trigger: str = "manual", holder: str | None = None) -> RunOutcome:
    """Run one job for ``as_of`` (a fire time unless ``trigger`` is manual) and record the outcome."""
    settings, engine, clock = host.settings, host.ready(), host.now
    now = clock()
    who = holder or current_id()
    lease = locks.Lease.from_settings(settings.jobs)
    crashed = tuple(recover(engine, now, who, lease))
    runs = table_of(JobRun)
    with engine.begin() as conn:
        run_id = conn.execute(insert(runs).values(job=name, as_of=as_of, started_at=now, trigger=trigger, status="running",
                                                  holder=who).returning(runs.c.id)).scalar_one()  # fmt: skip
    taken = claims.claim(engine, name, as_of, run_id, who, now) if trigger in FIRED else None
    if taken is not None:
        outcome = RunOutcome(name, "duplicate", f"fire time {as_of.isoformat()} is run {taken[0]} ({taken[1]})",
                             (f"この実行時刻（{as_of.isoformat()}）は実行{taken[0]}が担当しています（{taken[1]}）",
                              f"this fire time ({as_of.isoformat()}) belongs to run {taken[0]} ({taken[1]})"))  # fmt: skip
    elif not locks.acquire(engine, name, who, now, lease):
        other = locks.holder_of(engine, name) or "?"
        outcome = RunOutcome(name, "locked", f"another process is running this job: {other}",
                             (f"別のプロセス（{other}）がこのジョブを実行中です。終わった後にもう一度実行してください",
                              f"another process ({other}) is running this job; run it again when it has finished"))  # fmt: skip
    else:
        outcome = _run_locked(host, name, as_of, who, lease, clock)
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status=outcome.status, detail=outcome.detail[-4000:], finished_at=clock()))  # fmt: skip
        audit.append(conn, who, "job_run", f"job:{name}", {"as_of": as_of.isoformat(), "trigger": trigger, "status": outcome.status,
                                                           "detail": outcome.detail[-500:]}, now)  # fmt: skip
    return replace(outcome, crashed=crashed)


def _run_locked(host: JobHost, name: str, as_of: datetime, who: str, lease: locks.Lease, clock: Clock) -> RunOutcome:
    engine = host.ready()
    try:
        with locks.Heartbeat(engine, name, who, lease, clock) as beat:
            try:
                outcome = RunOutcome(name, "ok", JOBS[name].run(host, as_of))
            except Skip as skip:
                outcome = RunOutcome(name, "skipped", str(skip))
            except Exception:  # a failed job is recorded and retried by its next schedule
                outcome = RunOutcome(name, "failed", traceback.format_exc(limit=8))
        if beat.lost:
            outcome = RunOutcome(name, outcome.status, outcome.detail + "\n(warning: the job lock's lease was lost while running)")
    finally:
        locks.release(engine, name, who)
    return outcome


def trigger_for(settings: Settings, name: str) -> CronTrigger:
    """The job's schedule as an APScheduler trigger in the configured zone (the one cron parser)."""
    return CronTrigger.from_crontab(cron_of(settings, name), timezone=settings.tz)


def last_due(trigger: CronTrigger, since: datetime, now: datetime) -> datetime | None:
    """The latest fire time in ``(since, now]``."""
    latest, fire = None, trigger.get_next_fire_time(None, since + timedelta(seconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def missed(host: JobHost, now: datetime) -> dict[str, datetime]:
    """Jobs whose latest fire time within the grace period has no completed (or running) fired run."""
    settings = host.settings
    grace = timedelta(hours=settings.jobs.catch_up_grace_hours)
    runs = table_of(JobRun)
    out: dict[str, datetime] = {}
    with host.ready().connect() as conn:
        for name in JOBS:
            due = last_due(trigger_for(settings, name), now - grace, now)
            if due is None:
                continue
            held = conn.execute(select(exists().where(runs.c.job == name, runs.c.as_of == due, runs.c.trigger.in_(FIRED),
                                                      runs.c.status.in_((*DONE, "running"))))).scalar()  # fmt: skip
            if not held:
                out[name] = due
    return out


def fire_time(settings: Settings, name: str, now: datetime) -> datetime:
    """The fire time a scheduled call at ``now`` is for (APScheduler 3 does not pass it, so it is
    recomputed from the trigger): a job fired at 02:00:20 runs as of 02:00."""
    return last_due(trigger_for(settings, name), now - FIRE_LOOKBACK, now) or now
