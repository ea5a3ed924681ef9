"""APScheduler 3 in the foreground: the schedule from config.toml, each fire a call of ``rm.jobs.fire``.

Everything that makes a run safe — one run per fire time, job locks, crash recovery, run records,
catch-up — is in riskmon.jobs, reached through ``Riskmon.jobs``; this module only keeps time.
"""

from __future__ import annotations

from riskmon.app import Riskmon
from riskmon.config import Settings
from riskmon.jobs.catalogue import JOBS
from riskmon.jobs.runs import trigger_for


def scheduled(name: str, config: str | None = None) -> None:
    """The callable APScheduler holds (by reference) for every job: it reads the same config file
    the scheduler was started with (``--config`` / ``RISKMON_CONFIG``), not ./config.toml, and
    fires the job through a fresh ``Riskmon`` (its own database engine, disposed afterwards)."""
    with Riskmon.from_config(config) as rm:
        rm.jobs.fire(name)


def build_scheduler(settings: Settings, *, blocking: bool = True) -> object:
    """APScheduler 3 in the configured zone, with its schedule in memory, built from config.toml.

    Deliberately no shared (SQLAlchemy) job store: APScheduler 3 does not support two schedulers
    on one job store — each reads and advances the other's next run times, so a job can run twice
    or be missed. Each instance keeps its own schedule; the database makes each fire time run
    once (riskmon.jobs.claims) and catch-up covers the time an instance was down.
    """
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone=settings.tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    config = str(settings.config_file) if settings.config_file else None
    for name in JOBS:
        scheduler.add_job("riskmon.scheduler.shell:scheduled", trigger=trigger_for(settings, name), args=[name, config], id=name,
                          name=JOBS[name].title, replace_existing=True)  # fmt: skip
    return scheduler
