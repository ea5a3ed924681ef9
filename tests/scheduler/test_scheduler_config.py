"""The scheduler honours --config: the callable APScheduler holds carries the config file the
scheduler was started with, and a fired job reads that file's database and [paths], wherever the
process happens to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from riskmon import Riskmon
from riskmon.config import load_settings
from riskmon.jobs.catalogue import JOBS
from riskmon.scheduler import shell
from riskmon.store.tables import JobRun, table_of


def test_the_scheduled_callable_reads_the_config_it_was_started_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "deploy"
    home.mkdir()
    cfg = home / "config.toml"
    cfg.write_text('[database]\nurl = "sqlite:///t.db"\n[paths]\nreports = "packs"\n[jobs.weekly_digest]\ncron = "0 6 * * mon"\n',
                   encoding="utf-8")  # fmt: skip
    settings = load_settings(cfg)
    with Riskmon(settings) as rm:
        rm.upgrade()
    scheduler = shell.build_scheduler(settings, blocking=False)
    held = {job.id: job for job in scheduler.get_jobs()}  # type: ignore[attr-defined]
    assert sorted(held) == sorted(JOBS)
    assert held["weekly_digest"].args == ("weekly_digest", str(cfg.resolve()))
    assert str(held["weekly_digest"].trigger) == "cron[month='*', day='*', day_of_week='mon', hour='6', minute='0']"

    elsewhere = tmp_path / "elsewhere"  # no config.toml here: ./config.toml must not be what is read
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    shell.scheduled(*held["weekly_digest"].args)
    assert list(elsewhere.iterdir()) == []
    assert len(list((home / "packs").glob("weekly_*.md"))) == 1
    with Riskmon(settings) as rm, rm.ready().connect() as conn:
        runs = conn.execute(select(table_of(JobRun).c.job, table_of(JobRun).c.trigger, table_of(JobRun).c.status)).all()
    assert [tuple(r) for r in runs] == [("weekly_digest", "schedule", "ok")]
