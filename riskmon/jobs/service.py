"""``rm.jobs``: the scheduled jobs as the CLI, the scheduler and the web application use them.

Before this facade the CLI read ``job_runs`` itself and the scheduler package held the job
catalogue, the run bookkeeping and the APScheduler timing together, so nothing but the scheduler
could run a job the safe way. Here every caller gets the same calls — ``run`` (by hand),
``fire`` (what APScheduler does at a fire time), ``catch_up``, ``recover``, ``overview`` and
``list_runs`` — each one going through the same claims, locks and run records
(riskmon.jobs.runs); the ``riskmon.scheduler`` package is only the timer that calls ``fire``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from riskmon.errors import NotFound
from riskmon.jobs import locks, runs
from riskmon.jobs.catalogue import JOBS, Job, cron_of
from riskmon.jobs.host import JobHost
from riskmon.jobs.recovery import Crashed, recover
from riskmon.store.tables import JobRun, table_of


class UnknownJob(NotFound):
    """A job name that is not in the catalogue (riskmon.jobs.catalogue.JOBS)."""

    def __init__(self, name: str) -> None:
        known = ", ".join(JOBS)
        super().__init__(f"不明なジョブ：{name}（{known}）", f"unknown job: {name} ({known})")
        self.name = name


@dataclass(frozen=True)
class JobOverview:
    """One job as ``riskmon jobs list`` shows it: its schedule, next fire time and last run."""

    job: str
    title: str
    cron: str
    next: datetime | None
    last_as_of: datetime | None
    last_status: str | None
    last_detail: str | None  # the first 120 characters
    failures: int  # failed runs recorded, ever


@dataclass(frozen=True)
class JobRunRecord:
    """One row of ``job_runs``: a run by the scheduler, a catch-up or by hand, with its outcome."""

    id: int
    job: str
    as_of: datetime
    started_at: datetime
    finished_at: datetime | None
    trigger: str  # schedule | catch_up | manual
    status: str  # running | ok | skipped | failed | locked | duplicate | crashed
    detail: str | None
    holder: str | None


@dataclass(frozen=True)
class CatchUp:
    """What ``catch_up`` did: the dead runs it marked first, then one outcome per missed job."""

    crashed: list[Crashed]
    outcomes: list[runs.RunOutcome]


class Jobs:
    """The job catalogue and its runs over one host (a ``Riskmon``: ``rm.jobs``). Nothing here
    touches the database until a method that needs it is called."""

    def __init__(self, host: JobHost) -> None:
        self._host = host

    @property
    def catalogue(self) -> dict[str, Job]:
        return JOBS

    def cron(self, name: str) -> str:
        """The job's schedule: ``[jobs.<name>] cron`` from config.toml, else its default."""
        return cron_of(self._host.settings, self._job(name).name)

    def run(self, name: str, *, as_of: datetime | None = None, holder: str | None = None) -> runs.RunOutcome:
        """Run a job by hand as of ``as_of`` (default: now). It takes the job's lock and is recorded
        like a scheduled run, but it is not a fire time: it never stands in for one."""
        self._job(name)
        return runs.run_job(self._host, name, as_of or self._host.now(), trigger="manual", holder=holder)

    def fire(self, name: str, *, at: datetime | None = None, holder: str | None = None) -> runs.RunOutcome:
        """What the scheduler does when it fires ``name`` at ``at`` (default: now): claim the fire
        time it was called for and run as of that time, not of the wall clock."""
        self._job(name)
        fire = runs.fire_time(self._host.settings, name, at or self._host.now())
        return runs.run_job(self._host, name, fire, trigger="schedule", holder=holder)

    def missed(self, now: datetime | None = None) -> dict[str, datetime]:
        """Each job whose latest fire time within the grace period has no completed run → that time."""
        return runs.missed(self._host, now or self._host.now())

    def catch_up(self, now: datetime | None = None) -> CatchUp:
        """Mark dead runs crashed, then run each missed job once, for its latest missed fire time."""
        when = now or self._host.now()
        crashed = self.recover(when)  # a crashed run is missed, not running
        outcomes = [runs.run_job(self._host, name, due, trigger="catch_up") for name, due in runs.missed(self._host, when).items()]
        return CatchUp(crashed, outcomes)

    def recover(self, now: datetime | None = None) -> list[Crashed]:
        """Mark the ``running`` job, ingest and evaluation runs of dead processes ``crashed``
        (riskmon.jobs.recovery); the CLI calls this before an ingest or an evaluation."""
        host = self._host
        return recover(host.ready(), now or host.now(), lease=locks.Lease.from_settings(host.settings.jobs))

    def overview(self, now: datetime | None = None) -> list[JobOverview]:
        """Every job with its schedule, its next fire time after ``now`` and its last run."""
        host, t = self._host, table_of(JobRun)
        when = now or host.now()
        out = []
        with host.ready().connect() as conn:
            for name, job in JOBS.items():
                last = conn.execute(select(t).where(t.c.job == name).order_by(t.c.id.desc()).limit(1)).mappings().first()
                failures = conn.execute(select(func.count()).select_from(t).where(t.c.job == name, t.c.status == "failed")).scalar_one()
                nxt = runs.trigger_for(host.settings, name).get_next_fire_time(None, when)
                out.append(JobOverview(name, job.title, cron_of(host.settings, name), nxt, last["as_of"] if last else None,
                                       last["status"] if last else None, (last["detail"] or "")[:120] if last else None,
                                       int(failures)))  # fmt: skip
        return out

    def list_runs(self, job: str | None = None, *, limit: int = 50) -> list[JobRunRecord]:
        """The latest runs (of one job, or of all), newest first."""
        t = table_of(JobRun)
        q = select(t).order_by(t.c.id.desc()).limit(limit)
        if job is not None:
            q = q.where(t.c.job == self._job(job).name)
        with self._host.ready().connect() as conn:
            return [JobRunRecord(**dict(r)) for r in conn.execute(q).mappings()]

    def _job(self, name: str) -> Job:
        if name not in JOBS:
            raise UnknownJob(name)
        return JOBS[name]
