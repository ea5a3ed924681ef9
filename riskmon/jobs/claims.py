"""One scheduled fire of a job runs at most once, however many schedulers fire it.

Every scheduler instance (two hosts for availability, or a restart that overlaps the old
process) fires the same cron times. Before the job runs, its run claims ``(job, fire time)`` in
``job_claims``, whose primary key lets exactly one insert succeed. The others record a
``duplicate`` run and do nothing.

A claim is taken over only when its run cannot finish the fire any more: it failed, crashed
(riskmon.jobs.recovery marks dead runs first), found the job locked, or was itself a
duplicate. Taking over compares and swaps the claimed run id, so two restarts racing for a
crashed fire still produce one run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from riskmon.store.tables import JobClaim, JobRun, table_of

#: a run in one of these states has the fire time: done, or being done by a live process
HOLDS_FIRE = ("ok", "skipped", "running")


def claim(engine: Engine, job: str, fire_at: datetime, run_id: int, holder: str, now: datetime) -> tuple[int, str] | None:
    """Claim the fire for ``run_id``: None when claimed, else (run id, status) of the run that has it."""
    t, runs = table_of(JobClaim), table_of(JobRun)
    try:
        with engine.begin() as conn:
            conn.execute(insert(t).values(job=job, fire_at=fire_at, run_id=run_id, holder=holder, claimed_at=now))
        return None
    except IntegrityError:
        pass
    with engine.begin() as conn:
        old = conn.execute(select(t.c.run_id).where(t.c.job == job, t.c.fire_at == fire_at)).scalar_one()
        status = str(conn.execute(select(runs.c.status).where(runs.c.id == old)).scalar() or "missing")
        if status in HOLDS_FIRE:
            return int(old), status
        taken = conn.execute(update(t).where(t.c.job == job, t.c.fire_at == fire_at, t.c.run_id == old)
                             .values(run_id=run_id, holder=holder, claimed_at=now)).rowcount  # fmt: skip
    return None if taken else (int(old), "taken over by another run")
