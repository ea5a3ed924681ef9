"""``sample generate``: reproducible data sets for demos and benchmarks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from riskmon.cli.common import ExitCode, Format, app_context, example, print_json, table
from riskmon.sample.generator import SampleSpec, generate


def register(app: typer.Typer) -> None:
    sample = typer.Typer(help="サンプルデータの生成 (reproducible sample data).", no_args_is_help=True)
    app.add_typer(sample, name="sample")
    sample.command(
        "generate",
        epilog=example(
            "riskmon sample generate --out /tmp/fy2025",
            "riskmon sample generate --offices 4100 --days 365 --seed 7 --no-compress --out bench/out/1m",
        ),
    )(sample_generate)


def sample_generate(
    ctx: typer.Context,
    out: Path = typer.Option(Path("sample_out"), "--out", help="Folder to write into (created if needed)."),
    offices: int = typer.Option(300, "--offices", min=1, help="Number of 年金事務所."),
    days: int = typer.Option(365, "--days", min=1, help="Calendar days from --start."),
    start: str = typer.Option("2025-04-01", "--start", help="First day (YYYY-MM-DD); FY2025 by default."),
    seed: int = typer.Option(2025, "--seed", help="Random seed: the same seed gives the same files."),
    compress: bool = typer.Option(True, "--compress/--no-compress", help="gzip the daily reports."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """Write units, contracts, inspections, error cases and daily reports for a span of days."""
    app = app_context(ctx)
    try:
        first = date.fromisoformat(start)
    except ValueError:
        app.fail(f"--start: {start!r} is not a date (YYYY-MM-DD)", ExitCode.USAGE)
    spec = SampleSpec(offices=offices, start=first, days=days, seed=seed, compress=compress)
    result = generate(spec, out, app.calendar)
    if fmt is Format.json:
        print_json({"out": str(out), "files": result.files})
        return
    rows = [(name, f"{n:,}") for name, n in result.files.items()]
    app.out.print(table(str(out), [app.t("ファイル", "file"), app.t("件数", "records")], rows))
