"""Catch-up, locking and failure paths of the scheduler, driven by a controllable clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO
from riskmon.config import PathsConfig, Settings
from riskmon.jobs import catalogue as jobs
from riskmon.jobs import locks
from riskmon.scheduler import shell
from riskmon.store.tables import JobRun, table_of
from tests.helpers import jobs_of


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(base_dir=tmp_path, paths=PathsConfig(reports=tmp_path / "reports", inbox=tmp_path / "inbox",
                                                         rules=Path(__file__).resolve().parents[2] / "rules"))  # fmt: skip


def outcomes(engine: Engine, job: str) -> list[tuple[str, str]]:
    t = table_of(JobRun)
    with engine.connect() as conn:
        return [(r.trigger, r.status) for r in conn.execute(select(t.c.trigger, t.c.status).where(t.c.job == job).order_by(t.c.id))]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def test_missed_runs_are_caught_up_once_and_coalesced(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[datetime] = []
    monkeypatch.setitem(jobs.JOBS, "nightly", jobs.Job("nightly", "t", "0 2 * * *", lambda rm, t: calls.append(t) or "ok"))
    jobs_of(settings, engine).fire("nightly", at=at("2025-06-01T02:00"))
    # down from the 1st to the 4th at 09:00: three nights missed, within a 24 h grace only the last counts
    due = jobs_of(settings, engine).missed(at("2025-06-04T09:00"))
    assert due["nightly"] == at("2025-06-04T02:00")
    jobs_of(settings, engine).catch_up(at("2025-06-04T09:00"))
    assert calls[-1] == at("2025-06-04T02:00") and len(calls) == 2
    assert outcomes(engine, "nightly")[-1] == ("catch_up", "ok")
    assert "nightly" not in jobs_of(settings, engine).missed(at("2025-06-04T09:05"))  # nothing twice


def test_a_held_lock_makes_the_second_process_wait_not_skip(engine: Engine, settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    now = at("2025-06-02T07:30")
    assert locks.acquire(engine, "weekly_digest", "other-host:1", now, locks.Lease())
    out = jobs_of(settings, engine, now).run("weekly_digest", as_of=now, holder="me:2")
    assert out.status == "locked" and "another process" in out.detail
    later = now + timedelta(minutes=3)  # the other host stopped renewing its lease: it is dead
    monkeypatch.setitem(jobs.JOBS, "weekly_digest", jobs.Job("weekly_digest", "t", "0 7 * * mon", lambda rm, t: "ran"))
    assert jobs_of(settings, engine, later).run("weekly_digest", as_of=later, holder="me:2").status == "ok"


def test_a_failing_job_is_recorded_and_the_others_still_run(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(rm: object, t: datetime) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "weekly_digest", jobs.Job("weekly_digest", "t", "0 7 * * mon", boom))
    monkeypatch.setitem(jobs.JOBS, "nightly", jobs.Job("nightly", "t", "0 2 * * *", lambda rm, t: "ok"))
    results = jobs_of(settings, engine).catch_up(at("2025-06-02T09:00")).outcomes  # a Monday: both were due
    by_job = {r.job: r for r in results}
    assert by_job["weekly_digest"].status == "failed" and "disk full" in by_job["weekly_digest"].detail
    assert by_job["nightly"].status == "ok"
    assert locks.acquire(engine, "weekly_digest", "x", at("2025-06-02T09:01"), locks.Lease())  # the failed run released its lock
    assert "weekly_digest" in jobs_of(settings, engine).missed(at("2025-06-02T09:02"))  # retried: a failure is not a run


def test_monthly_job_waits_for_the_last_business_day(engine: Engine, settings: Settings) -> None:
    # 2025-11-30 is a Sunday: the last business day of November is Friday 28 November, and its
    # draft is October's (the end of the following month, docs/scheduler.md)
    for day in ("2025-11-04", "2025-11-27", "2025-11-30"):
        assert jobs_of(settings, engine).run("monthly_publication", as_of=at(f"{day}T07:30")).status == "skipped"
    out = jobs_of(settings, engine).run("monthly_publication", as_of=at("2025-11-28T07:30"))
    assert out.status == "ok" and "monthly_2025-10" in out.detail


def test_by_hand_for_a_past_date_equals_the_scheduled_run(engine: Engine, settings: Settings) -> None:
    first = jobs_of(settings, engine).fire("monthly_publication", at=at("2025-06-30T07:30"))
    path = Path(first.detail.split(", ")[1])
    before = path.read_bytes()
    again = jobs_of(settings, engine).run("monthly_publication", as_of=at("2025-06-30T07:30"))
    assert again.status == "ok" and path.read_bytes() == before


def test_scheduler_keeps_its_schedule_in_memory_not_in_a_shared_job_store(engine: Engine, settings: Settings) -> None:
    """APScheduler 3 does not support two schedulers on one job store (docs/scheduler.md): each
    instance builds its schedule from the configuration; the database only coordinates runs."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import inspect

    url = engine.url.render_as_string(hide_password=False)
    scheduler = shell.build_scheduler(settings.model_copy(update={"database": settings.database.model_copy(update={"url": url})}),
                                       blocking=False)  # fmt: skip
    assert isinstance(scheduler, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        assert {j.id for j in scheduler.get_jobs()} == set(jobs.JOBS)
        assert str(scheduler.get_job("nightly").trigger.timezone) == "Asia/Tokyo"
        assert isinstance(scheduler._lookup_jobstore("default"), MemoryJobStore)
    finally:
        scheduler.shutdown(wait=False)
    assert "apscheduler_jobs" not in inspect(engine).get_table_names()
