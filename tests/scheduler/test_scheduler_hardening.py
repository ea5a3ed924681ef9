"""Issue 9 item 9: stale job locks must not lose nights. Real processes killed with SIGKILL, real
databases (SQLite and PostgreSQL): a dead holder's lock is broken, its running rows are marked
crashed (audited), "locked" is not done, a manual run for a future time does not switch off
catch-up, and one fire time runs once however many processes fire it — as of the fire time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from riskmon.business_calendar import TOKYO
from riskmon.config import PathsConfig, Settings
from riskmon.jobs import catalogue as jobs
from riskmon.jobs import locks
from riskmon.jobs.recovery import recover
from riskmon.liveness import Holder, current
from riskmon.store.tables import AuditEntry, EvaluationRun, IngestRun, JobClaim, JobLock, JobRun, table_of
from tests.helpers import ROOT, jobs_of
from tests.scheduler.job_process import FIRE

WAIT_S = 90  # generous: two CPUs are shared by several test runs


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(base_dir=tmp_path, paths=PathsConfig(reports=tmp_path / "reports", inbox=tmp_path / "inbox"))


@pytest.fixture
def only_nightly(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The nightly job is the only job, and it records the as-of time of each run."""
    ran: list[datetime] = []
    for name in [n for n in jobs.JOBS if n != "nightly"]:
        monkeypatch.delitem(jobs.JOBS, name)
    monkeypatch.setitem(jobs.JOBS, "nightly", jobs.Job("nightly", "t", "0 2 * * *", lambda rm, t: ran.append(t) or "ran"))
    return ran


def start(mode: str, engine: Engine, workdir: Path) -> subprocess.Popen[bytes]:
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.scheduler.job_process", mode, url, str(workdir)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:  # only the processes this test started
        if p.poll() is None:
            p.kill()
        p.wait()


def wait_for(what: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not what():
        if proc.poll() is not None:
            pytest.fail(f"job process exited {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            pytest.fail("job process did not get there in time")
        time.sleep(0.1)


def kill_9(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # reaped, as init would reap a killed scheduler


def statuses(engine: Engine, model: type) -> list[str]:
    t = table_of(model)
    with engine.connect() as conn:
        return [r.status for r in conn.execute(select(t.c.status).order_by(t.c.id))]


def job_runs(engine: Engine) -> list[tuple[str, str, datetime]]:
    t = table_of(JobRun)
    with engine.connect() as conn:
        return [(r.trigger, r.status, r.as_of) for r in conn.execute(select(t.c.trigger, t.c.status, t.c.as_of).order_by(t.c.id))]


def audited(engine: Engine, action: str) -> list[tuple[str, dict[str, object]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.subject, t.c.payload).where(t.c.action == action).order_by(t.c.seq))
        return [(r.subject, r.payload) for r in rows]


def count_where(engine: Engine, model: type, **eq: object) -> int:
    t = table_of(model)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t).where(*(t.c[k] == v for k, v in eq.items()))).scalar_one())


def test_a_killed_nightly_is_recovered_and_caught_up_for_its_fire_time(engine: Engine, settings: Settings, tmp_path: Path,
                                                                       processes: list[subprocess.Popen[bytes]],
                                                                       only_nightly: list[datetime]) -> None:  # fmt: skip
    proc = start("hang", engine, tmp_path)
    processes.append(proc)
    # the job holds its lock, and its ingest and its evaluation are under way
    wait_for(lambda: count_where(engine, IngestRun, status="running") == 1 and count_where(engine, EvaluationRun, status="running") == 1
             and count_where(engine, JobLock, job="nightly") == 1, proc)  # fmt: skip
    kill_9(proc)
    # restart at 09:00 (its lock's lease is still valid: the dead pid is what tells)
    outcomes = jobs_of(settings, engine).catch_up(FIRE + timedelta(hours=7)).outcomes
    assert [(o.job, o.status) for o in outcomes] == [("nightly", "ok")]
    assert only_nightly == [FIRE]  # caught up as of the fire time, not of 09:00
    assert job_runs(engine) == [("schedule", "crashed", FIRE), ("catch_up", "ok", FIRE)]
    assert statuses(engine, IngestRun) == ["crashed"] and statuses(engine, EvaluationRun) == ["crashed"]
    crashed = {subject: payload["why"] for subject, payload in audited(engine, "run_crashed")}
    assert crashed == {"job_run:1": "holder process is gone", "ingest:1": "holder process is gone", "run:1": "holder process is gone"}
    broken = audited(engine, "job_lock_broken")
    assert [(subject, payload["why"]) for subject, payload in broken] == [("job:nightly", "holder process is gone")]
    dead = Holder.parse(str(broken[0][1]["holder"]))
    assert dead is not None and (dead.host, dead.pid) == (current().host, proc.pid)
    assert count_where(engine, JobClaim, job="nightly", run_id=2) == 1  # the catch-up took over the crashed run's claim
    assert "nightly" not in jobs_of(settings, engine).missed(FIRE + timedelta(hours=7, minutes=5))  # done once, not again


def test_a_lease_is_renewed_while_the_holder_lives_and_lapses_when_it_is_killed(
    engine: Engine, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Across hosts only the lease can tell: node-a's heartbeat keeps a 2 s lease alive well past
    2 s; once node-a is killed, the lease lapses and node-b takes the lock."""
    proc = start("lease", engine, tmp_path)
    processes.append(proc)
    wait_for(lambda: count_where(engine, JobLock, job="nightly") == 1, proc)
    lease = locks.Lease(timedelta(seconds=2), timedelta(seconds=0.5))
    time.sleep(3.5)  # beyond the first lease: only renewals keep it
    assert not locks.acquire(engine, "nightly", "node-b:1:", datetime.now(UTC), lease)
    assert recover(engine, datetime.now(UTC), "node-b:1:", lease) == []  # node-a's run is alive as far as anyone can tell
    kill_9(proc)
    time.sleep(2.5)  # the lease runs out
    assert locks.acquire(engine, "nightly", "node-b:1:", datetime.now(UTC), lease)
    assert [(s, p["why"]) for s, p in audited(engine, "job_lock_broken")] == [("job:nightly", "lease expired")]
    crashed = recover(engine, datetime.now(UTC), "node-b:1:", lease)
    assert [(c.table, c.run_id, c.why) for c in crashed] == [("job_runs", 1, "its job lock lapsed")]
    assert crashed[0].holder == f"node-a:{proc.pid}:"


def test_one_fire_time_runs_once_across_two_scheduler_processes(engine: Engine, tmp_path: Path,
                                                                processes: list[subprocess.Popen[bytes]]) -> None:  # fmt: skip
    pair = [start("fire", engine, tmp_path) for _ in range(2)]
    processes.extend(pair)
    for p in pair:
        wait_for(lambda p=p: (tmp_path / f"ready-{p.pid}").exists(), p)  # type: ignore[misc]
    (tmp_path / "go").touch()
    for p in pair:
        assert p.wait(timeout=WAIT_S) == 0, p.stderr.read().decode() if p.stderr else ""
    ran = (tmp_path / "ran").read_text(encoding="utf-8").splitlines()
    assert len(ran) == 1 and ran[0].endswith(" 2025-06-04T02:00:00+09:00")  # once, as of the fire time (fired at 02:00:20)
    assert sorted(job_runs(engine)) == [("schedule", "duplicate", FIRE), ("schedule", "ok", FIRE)]
    assert count_where(engine, JobClaim, job="nightly") == 1


def test_locked_is_not_done_and_catch_up_runs_the_night_later(engine: Engine, settings: Settings, only_nightly: list[datetime]) -> None:
    nine = FIRE + timedelta(hours=7)
    assert locks.acquire(engine, "nightly", "other-host:7:", nine, locks.Lease())  # a live job elsewhere
    assert [o.status for o in jobs_of(settings, engine, nine).catch_up(nine).outcomes] == ["locked"]
    assert jobs_of(settings, engine).missed(nine) == {"nightly": FIRE}  # still owed
    locks.release(engine, "nightly", "other-host:7:")
    assert [o.status for o in jobs_of(settings, engine, nine).catch_up(nine).outcomes] == ["ok"]
    assert only_nightly == [FIRE] and jobs_of(settings, engine).missed(nine) == {}
    assert [(t, s) for t, s, _ in job_runs(engine)] == [("catch_up", "locked"), ("catch_up", "ok")]


def test_a_manual_run_for_a_future_time_does_not_switch_off_catch_up(engine: Engine, settings: Settings,
                                                                      only_nightly: list[datetime]) -> None:  # fmt: skip
    future = datetime(2030, 1, 1, 2, 0, tzinfo=TOKYO)
    assert jobs_of(settings, engine).run("nightly", as_of=future).status == "ok"
    assert jobs_of(settings, engine).missed(FIRE + timedelta(hours=7)) == {"nightly": FIRE}
    # nor does a manual run for the fire time itself stand in for the scheduled run
    jobs_of(settings, engine).run("nightly", as_of=FIRE)
    assert jobs_of(settings, engine).missed(FIRE + timedelta(hours=7)) == {"nightly": FIRE}


def test_liveness_of_holders_on_this_host() -> None:
    me = current()
    assert me.alive() is True and Holder.parse(str(me)) == me
    assert Holder(me.host, me.pid, "0-0").alive() is False  # the pid now belongs to a later process
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    zombie = Holder(me.host, child.pid)
    os.kill(child.pid, signal.SIGKILL)
    time.sleep(0.2)
    assert zombie.alive() is False  # killed, not yet reaped
    child.wait()
    assert zombie.alive() is False
    assert Holder("elsewhere", 1).alive() is None and Holder.parse("legacy-host:12") == Holder("legacy-host", 12, "")
    assert Holder.parse(None) is None and Holder.parse("garbage") is None
