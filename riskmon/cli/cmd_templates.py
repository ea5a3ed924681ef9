"""``templates write``: the Excel templates offices fill in (riskmon.ingest.templates)."""

from __future__ import annotations

from pathlib import Path

import typer

from riskmon.cli.common import ExitCode, Format, app_context, example, print_json, table
from riskmon.i18n import label
from riskmon.ingest.templates import write_templates


def register(app: typer.Typer) -> None:
    templates = typer.Typer(help="Excel の記入用テンプレート (Excel templates for event files).", no_args_is_help=True)
    app.add_typer(templates, name="templates")
    templates.command(
        "write",
        epilog=example("riskmon templates write templates/", "riskmon ingest templates/daily_report.xlsx"),
    )(templates_write)


def templates_write(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="Folder to write the templates into (created if needed)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """Write one .xlsx template per event type: Japanese column names, drop-down lists for coded
    fields, date and number formats, a frozen header row and an example row (sheet 記入例).

    A filled template is ingested as it is: `riskmon ingest <file>.xlsx`.
    """
    app = app_context(ctx)
    if folder.exists() and not folder.is_dir():
        app.fail(app.t(f"フォルダではありません：{folder}", f"not a folder: {folder}"), ExitCode.USAGE)
    try:
        paths = write_templates(folder)
    except OSError as exc:
        what = exc.strerror or str(exc)
        app.fail(app.t(f"テンプレートを書き込めません：{folder}（{what}）", f"cannot write the templates to {folder}: {what}"))
    if fmt is Format.json:
        print_json({"folder": str(folder), "files": [str(p) for p in paths]})
        return
    rows = [(label(p.stem, app.lang), str(p)) for p in paths]
    app.out.print(table(app.t("テンプレート", "templates"), [app.t("種類", "type"), app.t("ファイル", "file")], rows))
