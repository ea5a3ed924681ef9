"""``report committee`` and ``report monthly``: the packs people hand to the committee."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, parse_when, print_json, table
from riskmon.reports import monthly


def register(report: typer.Typer) -> None:
    report.command(
        "committee",
        epilog=example(
            "riskmon report committee --from 2025-04-01 --to 2025-09-30",
            "riskmon report committee --from 2026-02-01 --to 2026-03-31 --out packs/",
        ),
    )(report_committee)
    report.command("monthly", epilog=example("riskmon report monthly --month 2025-05"))(report_monthly)


def report_committee(
    ctx: typer.Context,
    first: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    last: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of --to)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports); the pack goes in a dated folder."),
    fmt: Format = typer.Option(Format.table, "--format"),
    refresh: bool = typer.Option(False, "--refresh", help="Use everything ingested so far, not what the first pack for this period knew."),
) -> None:
    """Write the リスク管理委員会 pack (Markdown, self-contained HTML with charts, xlsx) for a period."""
    app = app_context(ctx)
    try:
        lo, hi = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        app.fail(app.t("日付は YYYY-MM-DD で指定してください", "dates are YYYY-MM-DD"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    app.require_schema()
    written = app.riskmon.reports.committee(lo, hi, as_of=when, out=out, lang=app.lang, refresh=refresh)
    _report_files(app, written.files, written.data_hash, fmt)


def report_monthly(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="YYYY-MM"),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of the month)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports)."),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Write the 月次公表 draft: the month's 事務処理誤り with their response status."""
    app = app_context(ctx)
    try:
        year, mon = monthly.month_of(month)
    except ValueError:
        app.fail(app.t("月は YYYY-MM で指定してください", "the month is YYYY-MM"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    app.require_schema()
    files = app.riskmon.reports.monthly(year, mon, as_of=when, out=out)
    _report_files(app, files, None, fmt)


def _report_files(app: AppContext, files: list[Path], digest: str | None, fmt: Format) -> None:
    if fmt is Format.json:
        print_json({"files": [str(f) for f in files], "data_hash": digest})
        return
    app.out.print(table(app.t("出力しました", "written"), [app.t("ファイル", "file")], [[str(f)] for f in files]))
    if digest:
        app.out.print(f"data hash: {digest}")
