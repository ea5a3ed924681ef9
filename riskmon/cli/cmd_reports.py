"""``report committee``, ``report monthly``, ``report annual`` and ``report assurance``: the documents people are handed —
the committee packs, the 月次・年次公表 drafts and the third line's report.

Each kept report records who generated it: the person whose token is in ``--token-file`` or
``$RISKMON_TOKEN`` (their user id), else the operator's shell (``cli:<login name>``), as every
command names its caller in the audit log (riskmon.cli.common.caller)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from riskmon.cli.common import (
    TOKEN_FILE,
    USER_GONE,
    AppContext,
    ExitCode,
    Format,
    app_context,
    caller,
    example,
    parse_when,
    print_json,
    table,
)
from riskmon.reports import monthly
from riskmon.reports.committee import Written
from riskmon.review.assurance import parse_period


def register(report: typer.Typer) -> None:
    report.command(
        "committee",
        epilog=example(
            "riskmon report committee --from 2025-04-01 --to 2025-09-30",
            "riskmon report committee --from 2026-02-01 --to 2026-03-31 --out packs/",
        ),
    )(report_committee)
    report.command("monthly", epilog=example("riskmon report monthly --month 2025-05", "riskmon report monthly"))(report_monthly)
    report.command("annual", epilog=example("riskmon report annual --fiscal-year 2025", "riskmon --lang en report annual --fy FY2025"))(
        report_annual
    )
    assurance_help = example(
        "riskmon report assurance --period FY2025", "riskmon report assurance --period 2025-04-01..2025-09-30 --format json"
    )
    report.command("assurance", epilog=assurance_help)(report_assurance)


def report_committee(
    ctx: typer.Context,
    first: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    last: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of --to)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports); the pack goes in a dated folder."),
    fmt: Format = typer.Option(Format.table, "--format"),
    refresh: bool = typer.Option(False, "--refresh", help="Use everything ingested so far, not what the first pack for this period knew."),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
) -> None:
    """Write the リスク管理委員会 pack (Markdown, self-contained HTML with charts, xlsx, PDF) for a period."""
    app = app_context(ctx)
    try:
        lo, hi = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        app.fail(app.t("日付は YYYY-MM-DD で指定してください", "dates are YYYY-MM-DD"), ExitCode.USAGE)
    if hi < lo:
        reversed_ja = f"期間が逆です：--from {first} は --to {last} より後です"
        app.fail(app.t(reversed_ja, f"the period is reversed: --from {first} is after --to {last}"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    app.require_schema()
    maker = caller(app, token_file, required=False, user=user).name
    written = app.riskmon.reports.committee(lo, hi, as_of=when, out=out, lang=app.lang, refresh=refresh, made_by=maker)
    _report_files(app, written.files, written.data_hash, fmt, written)


def report_monthly(
    ctx: typer.Context,
    month: str | None = typer.Option(
        None, "--month", help="YYYY-MM (default: the month whose publication is prepared now, the month before the last month-end)."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of the following month)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports)."),
    fmt: Format = typer.Option(Format.table, "--format"),
    refresh: bool = typer.Option(False, "--refresh", help="Use everything ingested so far, not what the first draft for this month knew."),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
) -> None:
    """Write the 月次公表 draft 「事務処理誤り等（令和7年5月分）の公表について（案）」 (Markdown, HTML, xlsx)."""
    app = app_context(ctx)
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    try:
        year, mon = monthly.month_of(month) if month else monthly.default_month((when or app.riskmon.now()).date())
    except ValueError:
        app.fail(app.t(f"月は YYYY-MM で指定してください: {month}", f"the month is YYYY-MM: {month}"), ExitCode.USAGE)
    app.require_schema()
    maker = caller(app, token_file, required=False, user=user).name
    files = app.riskmon.reports.monthly(year, mon, as_of=when, out=out, lang=app.lang, refresh=refresh, made_by=maker)
    _report_files(app, files, None, fmt)


def report_annual(
    ctx: typer.Context,
    fiscal_year: str = typer.Option(..., "--fiscal-year", "--fy", help="The fiscal year (2025 or FY2025: April 2025 to March 2026)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: the end of the April after the year)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports)."),
    fmt: Format = typer.Option(Format.table, "--format"),
    refresh: bool = typer.Option(False, "--refresh", help="Use everything ingested so far, not what the first draft for this year knew."),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
) -> None:
    """Write the 年次公表 draft 「令和7年度事務処理誤り等の状況（案）」 (Markdown, HTML, xlsx)."""
    app = app_context(ctx)
    try:
        fy = monthly.fiscal_year_of(fiscal_year)
    except ValueError:
        app.fail(app.t(f"年度は 2025 または FY2025 の形で指定してください: {fiscal_year}",
                       f"the fiscal year is 2025 or FY2025: {fiscal_year}"), ExitCode.USAGE)  # fmt: skip
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    app.require_schema()
    maker = caller(app, token_file, required=False, user=user).name
    files = app.riskmon.reports.annual(fy, as_of=when, out=out, lang=app.lang, refresh=refresh, made_by=maker)
    _report_files(app, files, None, fmt)


def report_assurance(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="FY2025 or 2025-04-01..2025-09-30"),
    sample: int = typer.Option(10, "--sample", min=0, help="Closed cases to sample for audit testing (stratified)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the sample (the same seed gives the same sample)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Data as of (default: now)."),
    out: Path | None = typer.Option(None, "--out", help="Parent folder (default: [paths] reports)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (the files written) or json (the files and the data)."),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
) -> None:
    """Write the 監査部's audit document on the second line (Markdown, HTML, xlsx, PDF) for a period."""
    app = app_context(ctx)
    try:
        first, last = parse_period(period)
    except ValueError:
        app.fail(app.t(f"期間として読めません: {period}", f"not a period: {period}"), ExitCode.USAGE)
    if last < first:
        app.fail(app.t(f"期間が逆です: {period}", f"the period is reversed: {period}"), ExitCode.USAGE)
    when = parse_when(as_of, app, end_of_day=True) if as_of else None
    app.require_schema()
    maker = caller(app, token_file, required=False, user=user).name
    result = app.riskmon.reports.assurance(first, last, sample=sample, seed=seed, as_of=when)
    written = app.riskmon.reports.write_assurance(result, out=out, lang=app.lang, made_by=maker)
    problem = written.pdf_problem.text(app.lang) if written.pdf_problem is not None else None
    if fmt is Format.json:
        print_json({"files": [str(f) for f in written.files], "pdf_problem": problem, "data": result.data})
        return
    app.out.print(table(app.t("出力しました", "written"), [app.t("ファイル", "file")], [[str(f)] for f in written.files]))
    if problem:
        app.err.print(f"[yellow]{problem}[/yellow]")


def _report_files(app: AppContext, files: list[Path], digest: str | None, fmt: Format, pack: Written | None = None) -> None:
    """The files written; for a pack also its version — an identical pack generated before is
    said to be so (it was not stored again), a different one for the same period and data date is
    a new version — and why no PDF was printed, if none was."""
    problem = pack.pdf_problem.text(app.lang) if pack is not None and pack.pdf_problem is not None else None
    if fmt is Format.json:
        extra = {"version": pack.version, "unchanged": pack.unchanged, "pdf_problem": problem} if pack is not None else {}
        print_json({"files": [str(f) for f in files], "data_hash": digest, **extra})
        return
    app.out.print(table(app.t("出力しました", "written"), [app.t("ファイル", "file")], [[str(f)] for f in files]))
    if digest:
        app.out.print(f"data hash: {digest}")
    if pack is not None:
        v = pack.version
        if pack.unchanged:
            same_ja = f"同じ期間・データ時点の同一の資料が既にあります（第{v}版）。新たには保存していません。"
            app.out.print(app.t(same_ja, f"an identical pack for this period and data date exists (version {v}); nothing new was stored."))
        elif v > 1:
            new_ja = f"同じ期間・データ時点の資料と内容が異なるため、第{v}版として保存しました。"
            app.out.print(app.t(new_ja, f"differs from the earlier pack for this period and data date: kept as version {v}."))
    if problem:
        app.err.print(f"[yellow]{problem}[/yellow]")
