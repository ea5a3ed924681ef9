"""The audit trail's commands: ``riskmon audit verify`` (chain, anchors, cross-checks) and
``riskmon audit anchor`` (the chain's head for a record outside riskmon); and what ``db upgrade``
says about the audit key. The checks themselves are in riskmon.audit (docs/audit.md)."""

from __future__ import annotations

import typer

from riskmon import audit
from riskmon.cli.common import AppContext, ExitCode, Format, app_context, example, print_json


def register(app: typer.Typer) -> None:
    audit_app = typer.Typer(help="監査証跡 (tamper-evident audit trail).", no_args_is_help=True)
    app.add_typer(audit_app, name="audit")
    audit_app.command("verify", epilog=example("riskmon audit verify", "riskmon audit verify --format json"))(audit_verify)
    audit_app.command("anchor", epilog=example("riskmon audit anchor", "riskmon audit anchor --format json --no-record"))(audit_anchor)


def audit_verify(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json.")) -> None:
    """Check the audit trail: the keyed hash chain, the anchors recorded outside the database, and
    that flags and case events agree with the audited story. Exit status 1 if anything is wrong."""
    app = app_context(ctx)
    try:
        app.require_schema()
        v = app.riskmon.verify_audit()
    except audit.AuditError as exc:
        app.fail(exc.text(app.lang), ExitCode.USAGE)
    if fmt is Format.json:
        latest = v.latest_anchor.as_dict() if v.latest_anchor else None
        print_json({"entries": v.entries, "keyed": v.keyed, "legacy": v.legacy, "legacy_until": v.legacy_until,
                    "head": {"seq": v.head[0], "hash": v.head[1]}, "anchors_checked": v.anchors, "latest_anchor": latest,
                    "intact": v.intact, "breaks": [b.__dict__ for b in v.breaks],
                    "warnings": [app.t(ja, en) for ja, en in v.warnings]})  # fmt: skip
        if not v.intact:
            raise typer.Exit(int(ExitCode.ERROR))
        return
    for ja, en in v.warnings:
        app.err.print(app.t(f"注意：{ja}", f"warning: {en}"), markup=False, soft_wrap=True)
    if v.intact:
        app.out.print(app.t(f"監査証跡{v.entries}件（キー付き{v.keyed}・旧形式{v.legacy}、アンカー{v.anchors}件と照合）：改ざんなし",
                            f"audit log: {v.entries} entries ({v.keyed} keyed, {v.legacy} legacy; "
                            f"checked against {v.anchors} anchors): chain intact"), soft_wrap=True)  # fmt: skip
        return
    for b in v.breaks:
        where = f"seq {b.seq}: " if b.seq else ""  # the cross-checks' findings concern a table row, not an entry
        app.err.print(f"{where}{b.problem}: {b.text(app.lang)}", markup=False, soft_wrap=True)
    app.err.print(app.t(f"監査証跡に{len(v.breaks)}件の問題があります", f"{len(v.breaks)} problems in the audit trail"))
    raise typer.Exit(int(ExitCode.ERROR))


def audit_anchor(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    record: bool = typer.Option(True, "--record/--no-record", help="Also append it to the anchors file (default)."),
) -> None:
    """Print the audit chain's head (seq and hash) for a record kept outside riskmon, and append
    it to the anchors file, so a later `audit verify` notices entries deleted before this point."""
    app = app_context(ctx)
    engine = app.require_schema()
    try:
        if record:
            anchor = audit.record_anchor(engine, "manual", settings=app.settings)
        else:
            with engine.connect() as conn:
                anchor = audit.anchors.current(conn, "manual")
        where = str(audit.keys.paths(app.settings).anchors_file) if record else None
    except audit.AuditError as exc:
        app.fail(exc.text(app.lang), ExitCode.USAGE)
    if fmt is Format.json:
        print_json({**anchor.as_dict(), "recorded_in": where})
        return
    app.out.print(app.t(f"監査証跡の先頭：seq {anchor.seq}\nハッシュ：{anchor.hash}\nデータベース：{anchor.database}\n日時：{anchor.at}",
                        f"audit chain head: seq {anchor.seq}\nhash: {anchor.hash}\ndatabase: {anchor.database}\nat: {anchor.at}"),
                  markup=False, soft_wrap=True)  # fmt: skip
    if where:
        app.out.print(app.t(f"記録しました：{where}", f"recorded in {where}"), markup=False, soft_wrap=True)


def audit_upgrade_note(app: AppContext, setup: audit.KeySetup | None) -> None:
    """What ``db upgrade`` did to the audit key, said once (the key must be backed up apart from the database)."""
    if setup is None:
        return
    key_file = audit.keys.paths(app.settings).key_file
    if setup.created:
        app.out.print(app.t(f"監査キーを作成しました：{key_file}（データベースとは別にバックアップしてください）",
                            f"created the audit key {key_file} (back it up apart from the database)"),
                      markup=False, soft_wrap=True)  # fmt: skip
    if setup.legacy_marked is not None:
        app.out.print(app.t(f"既存の監査証跡は旧形式として{setup.legacy_marked - 1}番まで引き継ぎ、以降はキー付きです",
                            f"the existing audit log (entries up to {setup.legacy_marked - 1}) is kept as legacy; "
                            "entries from now on are keyed"), markup=False, soft_wrap=True)  # fmt: skip
