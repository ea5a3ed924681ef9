"""Commands around the store: ``db``, ``ingest`` and ``rejects``."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from riskmon.cli import cmd_audit
from riskmon.cli.cmd_jobs import recover_crashed
from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, print_json, table
from riskmon.cli.listing import effective_limit, limit_option, note_cut
from riskmon.events.reasons import Reason
from riskmon.events.reasons import where as place
from riskmon.i18n import label
from riskmon.ingest.pipeline import IngestReport
from riskmon.store import migrate
from riskmon.store.db import redact
from riskmon.store.writer import Rejection

#: Below this many bytes in total no progress bar is drawn (it would only flicker).
PROGRESS_MIN_BYTES = 2_000_000


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="データベースの作成・更新 (schema migrations).", no_args_is_help=True)
    app.add_typer(db, name="db")
    db.command(
        "upgrade",
        epilog=example("riskmon db upgrade", "RISKMON_DATABASE_URL=postgresql://127.0.0.1/test riskmon db upgrade"),
    )(db_upgrade)
    db.command("status", epilog=example("riskmon db status"))(db_status)
    app.command(
        "ingest",
        epilog=example(
            "riskmon ingest sample_events/",
            "riskmon ingest inbox/2025-05-01.jsonl inbox/errors.csv --format json",
            "riskmon ingest big/daily_reports.jsonl --workers 2",
        ),
    )(ingest_cmd)
    rejects = typer.Typer(help="取り込めなかったレコード (quarantine).", no_args_is_help=True)
    app.add_typer(rejects, name="rejects")
    rejects.command("list", epilog=example("riskmon rejects list", "riskmon rejects list --all --format json"))(rejects_list)


def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the schema to the latest version (Alembic).

    The one command that creates a database; every other command refuses to run without one."""
    app = app_context(ctx)
    setup = app.riskmon.upgrade()
    app.out.print(app.t("スキーマは最新です", "schema is up to date") + f": {redact(app.settings.database_url)}")
    cmd_audit.audit_upgrade_note(app, setup)


def db_status(ctx: typer.Context) -> None:
    """Show the database URL and its schema revision."""
    app = app_context(ctx)
    current, head = migrate.current_revision(app.engine), migrate.head_revision(app.engine)
    app.out.print(f"database: {redact(app.settings.database_url)}\nrevision: {current or '-'} (latest: {head})")
    if current != head:
        raise typer.Exit(int(ExitCode.USAGE))


class _Bar:
    """Draws a rich progress bar per file (bytes read), on stderr.

    Redrawn after each batch rather than by rich's refresh thread: with no other thread running,
    the ingest may fork worker processes safely (riskmon.ingest.parallel)."""

    def __init__(self, app: AppContext) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=app.err,
            transient=True,
            auto_refresh=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start_file(self, path: Path, size: int) -> None:
        self._task = self._progress.add_task(path.name, total=size)
        self._progress.refresh()

    def advance(self, position: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=position, refresh=True)

    def end_file(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
            self._progress.refresh()


def ingest_cmd(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders of .jsonl / .csv (optionally .gz)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes validating large JSONL files (default: config, else one per CPU; 1 = none)."
    ),
) -> None:
    """Load events (and units files) into the store.

    Bad records never stop the good ones: each is kept in quarantine with its file, line and
    reasons (see `riskmon rejects list`). Re-ingesting the same file changes nothing. Exit status
    is 3 when anything was rejected.
    """
    app = app_context(ctx)
    missing = [p for p in paths if not p.exists()]
    if missing:
        app.fail(app.t("見つかりません：", "not found: ") + ", ".join(map(str, missing)), ExitCode.USAGE)
    app.require_schema()
    recover_crashed(app)  # runs left 'running' by a dead process are marked crashed
    total = sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())
    bar = _Bar(app) if total >= PROGRESS_MIN_BYTES and app.err.is_terminal else None
    run = partial(app.riskmon.ingest, paths, workers=workers)
    try:
        if bar:
            with bar:
                report = run(progress=bar)
        else:
            report = run()
    except KeyboardInterrupt:
        app.err.print(
            app.t(
                "中断しました。確定済みのバッチは保存されています。同じコマンドを再実行すると続きから取り込みます。",
                "interrupted; committed batches are kept. Run the same command again to continue.",
            )
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    if fmt is Format.json:
        print_json(report.as_dict() | {"rejections": [_rejection_json(r) for r in report.rejections]})
    else:
        _print_report(app, report)
    if report.total_rejected:
        raise typer.Exit(int(ExitCode.REJECTED))


def _rejection_json(r: Rejection) -> dict[str, object]:
    return {
        "source": r.source,
        "line": r.line,
        "kind": r.kind,
        "type": r.record_type,
        "event_id": r.event_id,
        "reasons": [x.as_dict() for x in r.reasons],
    }


def _print_report(app: AppContext, report: IngestReport) -> None:
    d = report.as_dict()
    rows = [(label(t, app.lang), c["accepted"], c["duplicates"], c["conflicts"], c["rejected"]) for t, c in d["by_type"].items()]
    tot = d["totals"]
    rows.append((app.t("合計", "total"), tot["accepted"], tot["duplicates"], tot["conflicts"], tot["rejected"]))
    cols = [
        app.t("種類", "type"),
        app.t("取込", "accepted"),
        app.t("重複（既存）", "duplicates"),
        app.t("競合", "conflicts"),
        app.t("取込エラー", "rejected"),
    ]
    app.out.print(table(app.t(f"取込結果（run {report.run_id}）", f"ingest run {report.run_id}"), cols, rows))
    if report.encodings:  # what each file was read as: never a silent guess (riskmon.ingest.encodings)
        read_as = [(_display_path(source), label(code, app.lang)) for source, code in report.encodings.items()]
        app.out.print(table(None, [app.t("ファイル", "file"), app.t("文字コード", "read as")], read_as))
    for source, reason in report.skipped:  # recognised but not events (a users file)
        app.err.print(f"{_display_path(source)}: {reason.describe(app.lang)}", markup=False, soft_wrap=True)
    if report.rejections:
        app.err.print(app.t("取り込めなかったレコード：", "rejected records:"))
        for r in report.rejections:
            for line in format_reasons(r.source, r.line, r.reasons, app):
                app.err.print(line, markup=False, soft_wrap=True)
        more = report.total_rejected - len(report.rejections)
        if more > 0:
            app.err.print(app.t(f"…ほか{more}件（riskmon rejects list）", f"... and {more} more (see riskmon rejects list)"))


def format_reasons(source: str, line: int, reasons: list[Reason], app: AppContext) -> list[str]:
    """``file:line: field: reason`` lines, the form editors and people both read."""
    where = place(_display_path(source), line)  # line 0: the file as a whole; a sheet's row: file:sheet!row
    return [f"{where}: {r.describe(app.lang)}" for r in reasons]


def _display_path(source: str) -> str:
    try:
        return str(Path(source).relative_to(Path.cwd()))
    except ValueError:
        return source


def rejects_list(
    ctx: typer.Context,
    include_resolved: bool = typer.Option(False, "--all", help="Include rejects fixed by a later ingest."),
    limit: int | None = limit_option(100),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """Records that were not accepted, with every reason. Fix the file and ingest it again."""
    app = app_context(ctx)
    cap = effective_limit(limit, 100, fmt is Format.json)
    app.require_schema()
    page = app.riskmon.rejects(include_resolved=include_resolved, limit=cap)
    note_cut(app, len(page.items), page.total)
    if fmt is Format.json:
        print_json([r.as_dict() for r in page.items])
        return
    if not page.items:
        app.out.print(app.t("未解決の取込エラーはありません", "no unresolved rejected records"))
        return
    out = [
        (
            place(_display_path(r.source_path), r.line_no),
            label(r.record_type, app.lang) if r.record_type else "?",
            "\n".join(Reason.from_dict(x).describe(app.lang) for x in r.reasons),
            app.local(r.last_seen_at),
            app.local(r.resolved_at) or "-",
        )
        for r in page.items
    ]
    cols = [
        app.t("場所", "where"),
        app.t("種類", "type"),
        app.t("理由", "reasons"),
        app.t("最終検出", "last seen"),
        app.t("解決", "resolved"),
    ]
    shown, total = len(page.items), page.total
    app.out.print(table(app.t(f"取込エラー：{shown}/{total}件", f"rejects {shown}/{total}"), cols, out))
