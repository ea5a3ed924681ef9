"""``events`` and ``units``: looking at what is stored. With a personal API token, events are
those of the units its owner may see (riskmon.review.policy); the operator's shell sees all."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from riskmon.cli import vocab
from riskmon.cli.common import TOKEN_FILE, Format, app_context, caller, example, parse_when, print_json, table
from riskmon.cli.listing import effective_limit, limit_option, note_cut
from riskmon.events.reasons import where as place
from riskmon.i18n import label
from riskmon.store import queries


def register(app: typer.Typer) -> None:
    events = typer.Typer(help="取り込んだイベントの一覧・詳細 (stored events).", no_args_is_help=True)
    app.add_typer(events, name="events")
    events.command(
        "list",
        epilog=example(
            "riskmon events list --type error_report --since 2025-05-01 --until 2025-05-31",
            "riskmon events list --unit PO-0101 --format json",
        ),
    )(events_list)
    events.command("show", epilog=example("riskmon events show ER-2025-0001"))(events_show)
    units = typer.Typer(help="組織マスタ (units master).", no_args_is_help=True)
    app.add_typer(units, name="units")
    units.command("list", epilog=example("riskmon units list --type regional_division"))(units_list)


def events_list(
    ctx: typer.Context,
    type_: str | None = typer.Option(None, "--type", help="Event type, e.g. error_report."),
    unit: str | None = typer.Option(None, "--unit", help="Unit id."),
    since: str | None = typer.Option(None, "--since", help="From this date/time (inclusive)."),
    until: str | None = typer.Option(None, "--until", help="Up to this date (inclusive)."),
    limit: int | None = limit_option(50),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """List events, newest first (with a token: of the units its owner may see)."""
    app = app_context(ctx)
    vocab.check_event_type(type_)
    cap = effective_limit(limit, 50, fmt is not Format.table)
    viewer = caller(app, token_file, required=False).actor
    flt = queries.EventFilter(type_, unit, parse_when(since, app), parse_when(until, app, end_of_day=True),
                              limit=sys.maxsize if cap is None else cap)  # fmt: skip
    app.require_schema()
    vocab.check_unit(unit, lambda: app.riskmon.unit_names())
    names = app.riskmon.unit_names(app.lang)
    rows, total = app.riskmon.event_page(flt, viewer)
    note_cut(app, len(rows), total)
    if fmt is Format.json:
        print_json(rows)
        return
    out = [
        (
            r["event_id"],
            label(r["type"], app.lang),
            names.get(r["unit_id"], r["unit_id"]),
            app.local(r["occurred_at"]),
            r["summary"],
        )
        for r in rows
    ]
    cols = ["event_id", app.t("種類", "type"), app.t("組織", "unit"), app.t("日時", "when"), app.t("概要", "summary")]
    app.out.print(table(app.t(f"イベント{len(rows)}/{total}件", f"{len(rows)} of {total} events"), cols, out))


def events_show(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., help="The event_id."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Show one event with every field and where it came from (with a token: if its owner may see it)."""
    app = app_context(ctx)
    viewer = caller(app, token_file, required=False).actor
    app.require_schema()
    names = app.riskmon.unit_names(app.lang)
    ev = app.riskmon.event(event_id, viewer)
    if ev is None:
        app.fail(app.t(f"イベントがありません：{event_id}", f"no such event: {event_id}"))
    if fmt is Format.json:
        print_json(ev)
        return
    rows: list[tuple[str, ...]] = [
        ("event_id", ev["event_id"]),
        ("type", f"{ev['type']}（{label(ev['type'], app.lang)}）"),
        ("unit_id", f"{ev['unit_id']}（{names.get(ev['unit_id'], '?')}）"),
        (app.t("出所", "source"), place(ev["source_path"], ev["source_line"])),
        (app.t("取込実行", "ingest run"), str(ev["ingest_run_id"])),
    ]
    for key, value in ev["fields"].items():
        if key in ("event_id", "unit_id"):
            continue
        if key == "nonconformities":
            value = (
                "\n".join(
                    f"{nc['nc_id']} [{label(nc['aspect'], app.lang)}] {nc['description']}"
                    f" due={nc['due_on'] or '-'} resolved={nc['resolved_on'] or '-'}"
                    for nc in value
                )
                or "-"
            )
        elif hasattr(value, "astimezone"):
            value = app.local(value, "%Y-%m-%d %H:%M:%S %Z")
        elif isinstance(value, str) and label(value, app.lang) != value:
            value = f"{value}（{label(value, app.lang)}）"
        rows.append((key, "" if value is None else str(value)))
    cols = [app.t("項目", "field"), app.t("値", "value")]
    written = ev.get("as_written")
    if written:  # cells the file wrote in another form (１２, 令和8年4月7日, はい): both are shown
        cells = written["cells"]
        cols.append(app.t("ファイルの記載", "as written in the file"))
        rows = [(*row, cells.get(row[0], "")) for row in rows]
        rows.append((app.t("ファイルの行", "line as written"), "", written["raw"]))
    app.out.print(table(None, cols, rows))


def units_list(
    ctx: typer.Context,
    unit_type: str | None = typer.Option(None, "--type", help="Unit type, e.g. pension_office."),
    line: str | None = typer.Option(None, "--line", help="first, second, third, governance or external."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """List the units master with each unit's line of defence."""
    app = app_context(ctx)
    vocab.check_unit_type(unit_type)
    vocab.check_unit_line(line)
    app.require_schema()
    rows = app.riskmon.units(unit_type=unit_type, line=line)
    if fmt is Format.json:
        print_json([r.as_dict() for r in rows])
        return
    out = [(r.unit_id, r.name(app.lang), label(r.unit_type, app.lang), label(r.line, app.lang), r.parent_unit_id or "") for r in rows]
    cols = ["unit_id", app.t("名称", "name"), app.t("種別", "type"), app.t("三線防御の区分", "line of defence"), app.t("上位", "parent")]
    app.out.print(table(app.t(f"組織{len(rows)}件", f"{len(rows)} units"), cols, out))
