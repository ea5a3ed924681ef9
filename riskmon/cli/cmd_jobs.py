"""``scheduler run``, ``jobs list`` and ``jobs run``: thin shells over riskmon.scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from sqlalchemy import Engine, func, select

from riskmon.cli import vocab
from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, parse_when, print_json, table
from riskmon.scheduler import runner
from riskmon.scheduler.jobs import JOBS, cron_of
from riskmon.scheduler.recovery import recover
from riskmon.store.tables import JobRun, table_of


def register(app: typer.Typer) -> None:
    sched = typer.Typer(help="スケジューラ (APScheduler, in the foreground).", no_args_is_help=True)
    app.add_typer(sched, name="scheduler")
    sched.command("run", epilog=example("riskmon scheduler run", "RISKMON_CONFIG=/etc/riskmon/config.toml riskmon scheduler run"))(
        scheduler_run
    )
    jobs = typer.Typer(help="定期ジョブ (scheduled jobs).", no_args_is_help=True)
    app.add_typer(jobs, name="jobs")
    jobs.command("list", epilog=example("riskmon jobs list", "riskmon jobs list --format json"))(jobs_list)
    jobs.command("run", epilog=example("riskmon jobs run nightly", "riskmon jobs run monthly_publication --as-of 2025-06-02T07:30"))(
        jobs_run
    )


def recover_crashed(app: AppContext, engine: Engine) -> None:
    """Before a job, an ingest or an evaluation: runs left ``running`` by a dead process are marked
    ``crashed`` (riskmon.scheduler.recovery), and the user is told."""
    for c in recover(engine, datetime.now(UTC)):
        text = app.t(f"{c.table} {c.run_id} は異常終了していました（{c.holder}: {c.why}）。crashed として記録しました",
                     f"{c.table} {c.run_id} had crashed ({c.holder}: {c.why}); recorded as crashed")  # fmt: skip
        app.err.print(text, markup=False, soft_wrap=True)


def scheduler_run(ctx: typer.Context) -> None:
    """Run the schedule in the foreground: catch up what was missed, then wait for the next times."""
    app = app_context(ctx)
    engine = app.require_schema()
    recover_crashed(app, engine)
    for o in runner.catch_up(app.settings, engine, datetime.now(app.settings.tz)):
        app.out.print(f"catch-up {o.job}: {o.status} {o.detail[:200]}", markup=False)
    scheduler = runner.build_scheduler(app.settings)
    app.out.print(app.t("スケジューラを開始しました（Ctrl-C で停止）", "scheduler started (Ctrl-C to stop)"))
    try:
        scheduler.start()  # type: ignore[attr-defined]
    except (KeyboardInterrupt, SystemExit):
        app.out.print(app.t("停止しました", "stopped"))


def jobs_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Each job with its schedule, next time, and its last run's outcome."""
    app = app_context(ctx)
    runs = table_of(JobRun)
    now = datetime.now(app.settings.tz)
    rows = []
    with app.require_schema().connect() as conn:
        for name, job in JOBS.items():
            last = conn.execute(select(runs).where(runs.c.job == name).order_by(runs.c.id.desc()).limit(1)).mappings().first()
            failures = conn.execute(
                select(func.count()).select_from(runs).where(runs.c.job == name, runs.c.status == "failed")
            ).scalar_one()
            nxt = runner.trigger_for(app.settings, name).get_next_fire_time(None, now)
            rows.append({"job": name, "title": job.title, "cron": cron_of(app.settings, name), "next": nxt,
                         "last_as_of": last["as_of"] if last else None, "last_status": last["status"] if last else None,
                         "last_detail": (last["detail"] or "")[:120] if last else None, "failures": int(failures)})  # fmt: skip
    if fmt is Format.json:
        print_json(rows)
        return
    app.out.print(table(app.t("定期ジョブ", "jobs"), [app.t("ジョブ", "job"), app.t("内容", "title"), "cron", app.t("次回", "next"),
                                                     app.t("前回", "last"), app.t("結果", "outcome"), app.t("失敗数", "failures")],
                        [(r["job"], r["title"], r["cron"], app.local(r["next"]), app.local(r["last_as_of"]), r["last_status"] or "-",
                          r["failures"]) for r in rows]))  # fmt: skip


def jobs_run(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=", ".join(JOBS)),
    as_of: str | None = typer.Option(None, "--as-of", help="Run as of this time (default: now)."),
) -> None:
    """Run a job now, by hand, optionally for a past date (same result as the scheduled run)."""
    app = app_context(ctx)
    if name not in JOBS:
        near = vocab.guess(name, JOBS)
        hint_ja, hint_en = (f"もしかして '{near}'？ ", f"did you mean '{near}'? ") if near else ("", "")
        app.fail(
            app.t(f"不明なジョブ: {name}（{hint_ja}{', '.join(JOBS)}）", f"unknown job: {name} ({hint_en}{', '.join(JOBS)})"),
            ExitCode.USAGE,
        )
    when = parse_when(as_of, app) if as_of else datetime.now(app.settings.tz)
    assert when is not None
    engine = app.require_schema()
    recover_crashed(app, engine)
    outcome = runner.run_job(app.settings, engine, name, when, trigger="manual", clock=lambda: datetime.now(UTC))
    text = app.t(*outcome.note) if outcome.note else outcome.detail
    (app.out if outcome.status in runner.DONE else app.err).print(f"{name}: {outcome.status}\n{text}", markup=False, soft_wrap=True)
    if outcome.status not in runner.DONE:  # failed, or not run because another process has the job
        raise typer.Exit(int(ExitCode.ERROR))
