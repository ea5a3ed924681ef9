"""``report committee`` and ``report monthly``: the packs people hand to the committee."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from riskmon.business_calendar import month_bounds
from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, load_rulebook, parse_when, print_json, table
from riskmon.reports import committee, monthly


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
    out: Path = typer.Option(Path("var/reports"), "--out", help="Parent folder; the pack goes in a dated folder inside."),
    fmt: Format = typer.Option(Format.table, "--format"),
    refresh: bool = typer.Option(False, "--refresh", help="Use everything ingested so far, not what the first pack for this period knew."),
) -> None:
    """Write the リスク管理委員会 pack (Markdown, self-contained HTML with charts, xlsx) for a period."""
    app = app_context(ctx)
    try:
        lo, hi = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        app.fail(app.t("日付は YYYY-MM-DD で指定してください", "dates are YYYY-MM-DD"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else app.calendar.end_of_day(hi)
    assert when is not None
    engine = app.require_schema()
    rules = load_rulebook(app, Path("rules")).enabled  # the pack finds its flags again as of its data date
    content = committee.build(engine, lo, hi, when, app.calendar, rules, app.lang, refresh=refresh)
    suffix = "" if app.lang == "ja" else f"_{app.lang}"
    written = committee.write(engine, content, out / f"committee_{lo.isoformat()}_{hi.isoformat()}{suffix}", app.calendar)
    _report_files(app, written.files, written.data_hash, fmt)


def report_monthly(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="YYYY-MM"),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of the month)."),
    out: Path = typer.Option(Path("var/reports"), "--out"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Write the 月次公表 draft: the month's 事務処理誤り with their response status."""
    app = app_context(ctx)
    try:
        year, mon = monthly.month_of(month)
    except ValueError:
        app.fail(app.t("月は YYYY-MM で指定してください", "the month is YYYY-MM"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else app.calendar.end_of_day(month_bounds(year, mon)[1])
    assert when is not None
    files = monthly.write(app.require_schema(), year, mon, when, app.calendar, out / f"monthly_{year}-{mon:02d}")
    _report_files(app, files, None, fmt)


def _report_files(app: AppContext, files: list[Path], digest: str | None, fmt: Format) -> None:
    if fmt is Format.json:
        print_json({"files": [str(f) for f in files], "data_hash": digest})
        return
    app.out.print(table(app.t("出力しました", "written"), [app.t("ファイル", "file")], [[str(f)] for f in files]))
    if digest:
        app.out.print(f"data hash: {digest}")
