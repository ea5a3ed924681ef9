"""``scheduler run``, ``jobs list`` and ``jobs run``: parse → one ``rm.jobs`` call → render."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime

import typer

from riskmon.cli import vocab
from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, parse_when, print_json, table
from riskmon.jobs.catalogue import JOBS
from riskmon.jobs.recovery import Crashed
from riskmon.jobs.runs import DONE
from riskmon.scheduler import shell


def register(app: typer.Typer) -> None:
    sched = typer.Typer(help="スケジューラ (APScheduler, in the foreground).", no_args_is_help=True)
    app.add_typer(sched, name="scheduler")
    sched.command("run", epilog=example("riskmon scheduler run", "RISKMON_CONFIG=/etc/riskmon/config.toml riskmon scheduler run"))(
        scheduler_run
    )
    jobs = typer.Typer(help="定期ジョブ (scheduled jobs).", no_args_is_help=True)
    app.add_typer(jobs, name="jobs")
    jobs.command("list", epilog=example("riskmon jobs list", "riskmon jobs list --format json"))(jobs_list)
    jobs.command("run", epilog=example("riskmon jobs run nightly", "riskmon jobs run monthly_publication --as-of 2025-06-30T07:30"))(
        jobs_run
    )


def recover_crashed(app: AppContext) -> None:
    """Before an ingest or an evaluation: runs left ``running`` by a dead process are marked
    ``crashed`` (``rm.jobs.recover``), and the user is told."""
    name_crashed(app, app.riskmon.jobs.recover())


def name_crashed(app: AppContext, crashed: Iterable[Crashed]) -> None:
    """Tell the user, on stderr, which runs were found dead and recorded as crashed."""
    for c in crashed:
        text = app.t(f"{c.table} {c.run_id}は異常終了していました（{c.holder}: {c.why}）。crashed として記録しました",
                     f"{c.table} {c.run_id} had crashed ({c.holder}: {c.why}); recorded as crashed")  # fmt: skip
        app.err.print(text, markup=False, soft_wrap=True)


def scheduler_run(ctx: typer.Context) -> None:
    """Run the schedule in the foreground: catch up what was missed, then wait for the next times."""
    app = app_context(ctx)
    app.require_schema()
    done = app.riskmon.jobs.catch_up()
    name_crashed(app, done.crashed)
    for o in done.outcomes:
        app.out.print(f"catch-up {o.job}: {o.status} {o.detail[:200]}", markup=False)
    scheduler = shell.build_scheduler(app.settings)
    app.out.print(app.t("スケジューラを開始しました（Ctrl-C で停止）", "scheduler started (Ctrl-C to stop)"))
    try:
        scheduler.start()  # type: ignore[attr-defined]
    except (KeyboardInterrupt, SystemExit):
        app.out.print(app.t("停止しました", "stopped"))


def jobs_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Each job with its schedule, next time, and its last run's outcome."""
    app = app_context(ctx)
    app.require_schema()
    rows = app.riskmon.jobs.overview(datetime.now(app.settings.tz))
    if fmt is Format.json:
        print_json([asdict(r) for r in rows])
        return
    app.out.print(table(app.t("定期ジョブ", "jobs"), [app.t("ジョブ", "job"), app.t("内容", "title"), "cron", app.t("次回", "next"),
                                                     app.t("前回", "last"), app.t("結果", "outcome"), app.t("失敗数", "failures")],
                        [(r.job, r.title, r.cron, app.local(r.next), app.local(r.last_as_of), r.last_status or "-", r.failures)
                         for r in rows]))  # fmt: skip


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
            app.t(f"不明なジョブ：{name}（{hint_ja}{', '.join(JOBS)}）", f"unknown job: {name} ({hint_en}{', '.join(JOBS)})"),
            ExitCode.USAGE,
        )
    when = parse_when(as_of, app) if as_of else datetime.now(app.settings.tz)
    app.require_schema()
    outcome = app.riskmon.jobs.run(name, as_of=when)
    name_crashed(app, outcome.crashed)  # runs of dead processes, marked before this one started
    text = app.t(*outcome.note) if outcome.note else outcome.detail
    (app.out if outcome.status in DONE else app.err).print(f"{name}: {outcome.status}\n{text}", markup=False, soft_wrap=True)
    if outcome.status not in DONE:  # failed, or not run because another process has the job
        raise typer.Exit(int(ExitCode.ERROR))
