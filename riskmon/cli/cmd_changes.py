"""``riskmon rules changes`` (list, show, approve, record): the change records of the rule book
and config values (issue #12), over ``rm.changes`` (riskmon.app_changes).

Who may is decided in riskmon.review.changes: with a token, the second and third line read (the
first line is refused), only the second line approves and never a change it recorded itself;
without a token the operator's shell on the server reads everything, as ``flags list`` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer

from riskmon.cli.common import (
    TOKEN_FILE,
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
from riskmon.i18n import phrase
from riskmon.review.changes import ChangeRecord
from riskmon.review.policy import Refused

FROM = typer.Option(None, "--from", help="Recorded on or after this date/time (a date: from its start).")
TO = typer.Option(None, "--to", help="Recorded up to this date/time (a date: to its end).")


def register(rules: typer.Typer) -> None:
    """Add the ``changes`` group under ``rules``."""
    changes = typer.Typer(help="ルール・設定の変更記録 (who changed the rule book or config values, and who approved it).",
                          no_args_is_help=True)  # fmt: skip
    rules.add_typer(changes, name="changes")
    listing = example("riskmon rules changes list --unapproved", "riskmon rules changes list --from 2026-04-01 --format json")
    changes.command("list", epilog=listing)(changes_list)
    changes.command("show", epilog=example("riskmon rules changes show 12"))(changes_show)
    approving = example("riskmon rules changes approve 12 --note '委員会資料と照合済み' --token-file ~/.riskmon-token",
                        "riskmon rules changes approve 12 13 14 --note '初回記録を確認'")  # fmt: skip
    changes.command("approve", epilog=approving)(changes_approve)
    changes.command("record", epilog=example("riskmon rules changes record --token-file ~/.riskmon-token"))(changes_record)


def words(key: str, app: AppContext) -> str:
    return phrase("web", key, app.lang)


def _bounds(app: AppContext, start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """``--from``/``--to`` as a half-open range: a date ``--to`` includes its whole day."""
    first = parse_when(start, app)
    last = parse_when(end, app)
    if last is not None and end is not None and len(end) == 10:
        last += timedelta(days=1)
    if first is not None and last is not None and last <= first:
        app.fail(app.t(f"--to（{end}）が --from（{start}）より前です", f"--to ({end}) is before --from ({start})"), ExitCode.USAGE)
    return first, last


def _row_json(r: ChangeRecord) -> dict[str, object]:
    return r.as_dict()


def changes_list(
    ctx: typer.Context,
    start: str | None = FROM,
    end: str | None = TO,
    only_unapproved: bool = typer.Option(False, "--unapproved", help="Only the changes nobody has approved yet."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Change records of the rule book and config values, oldest first: who recorded each, when,
    before and after, and who approved it."""
    app = app_context(ctx)
    first, last = _bounds(app, start, end)
    who = caller(app, token_file, required=False)
    app.require_schema()
    found = app.riskmon.changes.find(who.actor, first, last, only_unapproved=only_unapproved, via=who.via)
    if fmt is Format.json:
        print_json([_row_json(r) for r in found])
        return
    rows = [(r.id, words(f"change_kind_{r.kind}", app), r.key, words(f"change_{r.change}", app), _short(r.before), _short(r.after),
             r.changed_by, app.local(r.changed_at), r.approved_by or f"[yellow]{words('change_unapproved', app)}[/]")
            for r in found]  # fmt: skip
    cols = [words(k, app) for k in ("change_id", "change_kind", "change_key", "change_change", "change_before", "change_after",
                                    "change_by", "change_at", "change_approved_by")]  # fmt: skip
    app.out.print(table(app.t(f"{words('changes_title', app)}{len(rows)}件", f"{len(rows)} {words('changes_title', app).lower()}"),
                        cols, rows))  # fmt: skip


def _short(value: str | None, limit: int = 40) -> str:
    if value is None:
        return "—"
    return value if len(value) <= limit else value[: limit - 1] + "…"


def changes_show(
    ctx: typer.Context,
    change_id: int = typer.Argument(..., help="The change record's id (changes list)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """One change record with its whole diff."""
    app = app_context(ctx)
    who = caller(app, token_file, required=False)
    app.require_schema()
    record = app.riskmon.changes.get(change_id, who.actor, via=who.via)
    if record is None:
        app.fail(app.t(f"変更記録{change_id}はありません", f"change record {change_id} does not exist"))
    if fmt is Format.json:
        print_json(_row_json(record))
        return
    lines = [
        (words("change_id", app), str(record.id)),
        (words("change_kind", app), words(f"change_kind_{record.kind}", app)),
        (words("change_key", app), record.key),
        (words("change_change", app), words(f"change_{record.change}", app)),
        (words("change_before", app), record.before or "—"),
        (words("change_after", app), record.after or "—"),
        (words("change_by", app), record.changed_by),
        (words("change_at", app), app.local(record.changed_at)),
        (words("change_approved_by", app), record.approved_by or words("change_unapproved", app)),
        (words("change_approved_at", app), app.local(record.approved_at)),
        (words("change_note", app), record.note or ""),
    ]
    app.out.print(table(None, [app.t("項目", "field"), app.t("値", "value")], lines))
    app.out.print(f"{words('change_diff', app)}:")
    app.out.print(record.diff, markup=False, soft_wrap=True, end="" if record.diff.endswith("\n") else "\n")


def changes_approve(
    ctx: typer.Context,
    ids: list[int] = typer.Argument(..., help="The change records' ids (changes list --unapproved)."),
    note: str = typer.Option("", "--note", help="What you checked (required)."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Approve changes (second line; never one you recorded yourself: four eyes). Each id is
    approved or refused on its own."""
    app = app_context(ctx)
    who = caller(app, token_file, required=True)
    app.require_schema()
    assert who.actor is not None  # a token proves a person
    refused = 0
    for change_id in ids:
        try:
            done = app.riskmon.changes.approve(change_id, who.actor, note, via=who.via)
        except Refused as refusal:
            refused += 1
            app.err.print(f"{change_id}: {refusal.text(app.lang)}", markup=False, soft_wrap=True)
            continue
        app.out.print(app.t(f"{done.id}: 承認しました（{done.kind} {done.key}）", f"{done.id}: approved ({done.kind} {done.key})"),
                      markup=False)  # fmt: skip
    if refused:
        raise typer.Exit(int(ExitCode.ERROR))


def changes_record(ctx: typer.Context, token_file: Path | None = TOKEN_FILE) -> None:
    """Record the differences between the rule book and config values in force and the last
    recorded state now (evaluation does this too). Record with your token so the change is yours."""
    app = app_context(ctx)
    who = caller(app, token_file, required=False)
    app.require_schema()
    rm = app.riskmon
    found = rm.changes.record_as(who.actor, via=who.via) if who.actor is not None else rm.changes.record(who.name)
    for r in found:
        app.out.print(f"{r.id}: {words(f'change_{r.change}', app)} {words(f'change_kind_{r.kind}', app)} {r.key}", markup=False)
    app.out.print(app.t(f"{len(found)}件の変更を記録しました", f"{len(found)} changes recorded"))
