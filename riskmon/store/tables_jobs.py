"""The scheduler's tables: job runs with their outcome, the running job's lock, and one claim per
scheduled fire time (riskmon.jobs). Apart from the pipeline's tables because only the job
bookkeeping reads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from riskmon.store.columns import holder, tz
from riskmon.store.types import TZDateTime


class JobRun(SQLModel, table=True):
    """One run of a scheduled job (by the scheduler or by hand), with its outcome."""

    __tablename__ = "job_runs"
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64, index=True)
    as_of: datetime = tz(nullable=False)
    started_at: datetime = tz(nullable=False)
    finished_at: datetime | None = tz(nullable=True)
    trigger: str = Field(max_length=16)  # schedule | catch_up | manual
    # running | ok | failed | skipped (nothing to do that day) | locked | duplicate | crashed; only ok
    # and skipped mean the fire time is done (riskmon.jobs.runs)
    status: str = Field(max_length=16)
    detail: str | None = Field(default=None, sa_column=Column(Text))
    holder: str | None = holder()


class JobLock(SQLModel, table=True):
    """Who is running a job now; two scheduler processes never run the same job at once. The
    holder renews ``expires_at`` (a short lease) while it runs (riskmon.jobs.locks)."""

    __tablename__ = "job_locks"
    job: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime = tz(nullable=False)


class JobClaim(SQLModel, table=True):
    """One scheduled fire time of a job, claimed by the run that carries it out: the primary key
    makes each fire run at most once however many schedulers fire it."""

    __tablename__ = "job_claims"
    job: str = Field(primary_key=True, max_length=64)
    fire_at: datetime = Field(sa_column=Column(TZDateTime(), primary_key=True))
    run_id: int
    holder: str = Field(max_length=128)
    claimed_at: datetime = tz(nullable=False)
