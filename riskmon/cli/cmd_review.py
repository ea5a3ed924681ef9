"""Working flags as cases: users, case actions (singly or in bulk), history, escalation, the
morning review, and the audit trail. Every action goes through the review service the
riskmon.app.Riskmon holds (``Riskmon.cases``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer

from riskmon.accounts.tokens import Caller
from riskmon.cli import cmd_accounts, cmd_audit, cmd_powers
from riskmon.cli.cmd_rules import SEVERITY_STYLE, select_flags
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
from riskmon.cli.errors import reading
from riskmon.cli.listing import effective_limit, limit_option, note_cut
from riskmon.domain import Severity
from riskmon.i18n import label, phrase
from riskmon.review.queue import BUCKETS
from riskmon.review.service import Outcome, ReviewService


def register(app: typer.Typer, flags: typer.Typer, report: typer.Typer) -> None:
    users = typer.Typer(help="利用者 (users and their unit).", no_args_is_help=True)
    app.add_typer(users, name="users")
    users.command("load", epilog=example("riskmon users load sample_events/users.csv"))(users_load)
    cmd_accounts.register(users)
    actions: list[tuple[str, Callable[..., None], str]] = [
        ("ack", flags_ack, "riskmon flags ack 12 --token-file ~/.riskmon-token"),
        ("take", flags_take, "riskmon flags take 12"),
        ("comment", flags_comment, "riskmon flags comment 12 '原因を確認中'"),
        ("respond", flags_respond, "riskmon flags respond 12 '該当のお客様へ連絡済み'"),
        ("propose", flags_propose, "riskmon flags propose 12 --resolution remediated --note '再送付済み'"),
        ("resolve", flags_resolve, "riskmon flags resolve 12 --resolution remediated --note '確認済み'"),
        ("confirm", flags_confirm, "riskmon flags confirm 12"),
        ("dismiss", flags_dismiss, "riskmon flags dismiss 12 --reason 'テストデータ'"),
        ("reopen", flags_reopen, "riskmon flags reopen 12 --reason '再発'"),
        ("history", flags_history, "riskmon flags history 12"),
    ]
    for name, fn, ex in actions:
        flags.command(name, epilog=example(ex, f"riskmon flags {name} --rule R13 --severity low")
                      if name in ("ack", "resolve", "dismiss") else example(ex))(fn)  # fmt: skip
    cmd_powers.register(flags)  # flags powers / approve / receipt / decision (issue #12)
    app.command("escalate", epilog=example("riskmon escalate", "riskmon escalate --as-of 2026-03-31T23:30"))(escalate_cmd)
    app.command("review", epilog=example("riskmon review --token-file ~/.riskmon-token", "riskmon review --format json"))(review_cmd)
    cmd_audit.register(app)


def _acting(app: AppContext, token_file: Path | None, user: str | None) -> tuple[Caller, ReviewService]:
    """The person a token proves (a case action is never taken without one) and the review
    service that records their channel (``api``) and token id with every step."""
    who = caller(app, token_file, required=True, user=user)
    return who, ReviewService(app.require_schema(), via=who.via, powers=app.settings.powers)


def _targets(app: AppContext, who: Caller, ids: list[int] | None, rule: str | None, severity: str | None, unit: str | None) -> list[int]:
    """The flags a bulk action is about: the ids given, or the open flags matching the filter
    among those the acting person may see."""
    if ids:
        return ids
    if not (rule or severity or unit):
        app.fail(app.t("フラグ番号か絞り込み（--rule/--severity/--unit）を指定してください",
                       "give flag ids or a filter (--rule / --severity / --unit)"), ExitCode.USAGE)  # fmt: skip
    return [f["id"] for f in select_flags(app, severity, None, unit, rule, "open", None, None, None, who.actor)[0]]


def _bulk(app: AppContext, svc: ReviewService, who: Caller, action: str, targets: list[int], note: str = "", **how: Any) -> None:
    """A bulk action through the service's one implementation (ReviewService.bulk: per-item
    checks, another unit's flag answered as a missing one, the cap), as the web's フラグ一覧 does."""
    if not targets:
        _report(app, [])
        return
    done = svc.bulk(who.name, action, targets, note, **how)
    if done.problems:
        app.fail("\n".join(app.t(ja, en) for ja, en in done.problems), ExitCode.USAGE)
    if done.beyond:
        app.err.print(done.beyond_text(app.lang), markup=False)
    _report(app, done.outcomes)
    if done.beyond:
        raise typer.Exit(int(ExitCode.ERROR))


def _report(app: AppContext, outcomes: list[Outcome]) -> None:
    if len(outcomes) == 1:
        o = outcomes[0]
        (app.out if o.ok else app.err).print(f"{o.flag_id}: {o.text(app.lang)}", markup=False)
    else:
        rows = [(o.flag_id, app.t("済", "done") if o.ok else app.t("拒否", "refused"), o.status, o.text(app.lang)) for o in outcomes]
        app.out.print(table(None, ["id", app.t("結果", "result"), app.t("状態", "status"), app.t("理由", "why")], rows))
    if any(not o.ok for o in outcomes):
        raise typer.Exit(int(ExitCode.ERROR))


IDS = typer.Argument(None, help="Flag ids (or use a filter for a bulk action).")


def flags_ack(
    ctx: typer.Context,
    ids: list[int] | None = IDS,
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    rule: str | None = typer.Option(None, "--rule"),
    severity: str | None = typer.Option(None, "--severity"),
    unit: str | None = typer.Option(None, "--unit"),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Acknowledge flags (one, several, or every open flag matching a filter)."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _bulk(app, svc, who, "acknowledge", _targets(app, who, ids, rule, severity, unit), note or "")


def flags_take(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    assignee: str | None = typer.Option(None, "--assignee", help="Default: yourself."),
) -> None:
    """Take a flag on (in progress), for yourself or a colleague."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.take_on(who.name, flag_id, assignee)])


def flags_comment(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    text: str = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    evidence: bool = typer.Option(False, "--evidence", help="Record it as an evidence note rather than a comment."),
) -> None:
    """Add a comment or evidence note to a case."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.comment(who.name, flag_id, text, kind="evidence" if evidence else "comment")])


def flags_respond(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    text: str = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
) -> None:
    """The first-line owner answers with what it did."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.comment(who.name, flag_id, text, kind="response")])


def _date(app: AppContext, value: str | None) -> date | None:
    when = parse_when(value, app) if value else None
    return when.date() if when else None


def flags_propose(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    resolution: str = typer.Option(..., "--resolution", help="remediated, explained, risk_accepted, duplicate"),
    note: str = typer.Option(..., "--note"),
    until: str | None = typer.Option(None, "--until"),
    duplicate_of: int | None = typer.Option(None, "--duplicate-of"),
) -> None:
    """Propose a resolution (first or second line); the second line decides."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.propose(who.name, flag_id, resolution, note, _date(app, until), duplicate_of)])


def flags_resolve(
    ctx: typer.Context,
    ids: list[int] | None = IDS,
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    resolution: str = typer.Option(..., "--resolution", help="remediated, explained, risk_accepted, duplicate"),
    note: str = typer.Option(..., "--note"),
    until: str | None = typer.Option(None, "--until"),
    duplicate_of: int | None = typer.Option(None, "--duplicate-of"),
    rule: str | None = typer.Option(None, "--rule"),
    severity: str | None = typer.Option(None, "--severity"),
    unit: str | None = typer.Option(None, "--unit"),
) -> None:
    """Resolve (second line). High and critical flags then need another second-line person's `confirm`."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _bulk(app, svc, who, "resolve", _targets(app, who, ids, rule, severity, unit), note, resolution=resolution,
          until=_date(app, until), duplicate_of=duplicate_of)  # fmt: skip


def flags_confirm(ctx: typer.Context, flag_id: int = typer.Argument(...), token_file: Path | None = TOKEN_FILE,
                  user: str | None = USER_GONE,
                  proposal: str | None = typer.Option(None, "--proposal", help="The id of the proposal you approve "
                                                      "(shown by flags show and in the refusal without it).")) -> None:  # fmt: skip
    """Confirm another second-line user's closure of a high or critical flag (four eyes)."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.confirm(who.name, flag_id, proposal)])


def flags_dismiss(
    ctx: typer.Context,
    ids: list[int] | None = IDS,
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    reason: str = typer.Option("", "--reason", help="Why this is a false positive (required)."),
    rule: str | None = typer.Option(None, "--rule"),
    severity: str | None = typer.Option(None, "--severity"),
    unit: str | None = typer.Option(None, "--unit"),
) -> None:
    """Dismiss as a false positive (second line, reason required)."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _bulk(app, svc, who, "dismiss", _targets(app, who, ids, rule, severity, unit), reason)


def flags_reopen(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Reopen a resolved or dismissed flag (second line)."""
    app = app_context(ctx)
    who, svc = _acting(app, token_file, user)
    _report(app, [svc.reopen(who.name, flag_id, reason)])


def flags_history(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The case's story in order."""
    app = app_context(ctx)
    who = caller(app, token_file, required=False, user=user)  # the operator's shell reads every case
    app.require_schema()
    rows = [r.as_row() for r in app.riskmon.flag_history(flag_id, who.actor, who.via)]
    if fmt is Format.json:
        print_json(rows)
        return
    out = [(app.local(r["at"]), r["actor"], r["action"], f"{r['from_status'] or ''} → {r['to_status'] or ''}",
            ", ".join(f"{k}: {v}" for k, v in r["detail"].items() if v is not None)) for r in rows]  # fmt: skip
    app.out.print(table(app.t(f"フラグ{flag_id}の経過", f"history of flag {flag_id}"),
                        [app.t("日時", "when"), app.t("実施者", "who"), app.t("操作", "action"), app.t("状態", "status"),
                         app.t("内容", "detail")], out))  # fmt: skip


def escalate_cmd(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of"),
    digests: Path | None = typer.Option(None, "--digests", help="Folder for the daily digest files (default: [paths] outbox)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """Apply the escalation ladder and automatic reopening; write the day's digest per recipient unit."""
    app = app_context(ctx)
    app.require_schema()
    when = parse_when(as_of, app, end_of_day=True) if as_of else datetime.now(app.settings.tz)
    assert when is not None
    done = app.riskmon.escalate(when, digests=digests)
    result, reopened, files, sent = done, done.reopened, done.digests, done.delivery
    digests = digests or app.riskmon.path("outbox")
    if fmt is Format.json:
        print_json({"notified": result.notified, "escalated": result.escalated, "reopened": reopened,
                    "digests": [str(f) for f in files], "mails": sent.messages})  # fmt: skip
        return
    if app.settings.notify.smtp_host:
        app.out.print(app.t(f"メール{sent.messages}通（通知{sent.notifications}件）を送信しました",
                            f"sent {sent.messages} e-mails ({sent.notifications} notifications)"))  # fmt: skip
    app.out.print(app.t(
        f"通知{result.notified}件・エスカレーション{len(result.escalated)}件・自動再オープン{len(reopened)}件"
        f"・ダイジェスト{len(files)}通（{digests}）",
        f"{result.notified} notifications, {len(result.escalated)} escalations, {len(reopened)} reopened, "
        f"{len(files)} digests in {digests}",
    ))  # fmt: skip


def review_cmd(
    ctx: typer.Context,
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    as_of: str | None = typer.Option(None, "--as-of"),
    limit: int | None = limit_option(40),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The morning queue for the acting user: new, escalated and overdue first, by owner unit."""
    app = app_context(ctx)
    cap = effective_limit(limit, 40, fmt is Format.json)
    who = caller(app, token_file, required=True, user=user).name
    when = parse_when(as_of, app) if as_of else datetime.now(app.settings.tz)
    assert when is not None
    queue = app.riskmon.queue(who, when)
    shown = [{**i.flag.as_row(), "bucket": i.bucket} for i in queue.items[:cap]]
    note_cut(app, len(shown), len(queue.items))
    if fmt is Format.json:
        print_json({"user": queue.user_id, "line": queue.line, "by_severity": dict(queue.by_severity), "by_line": dict(queue.by_line),
                    "total": len(queue.items),
                    "items": [{"id": f["id"], "bucket": f["bucket"], "rule_id": f["rule_id"], "severity": f["severity"],
                               "owner_unit": f["owner_unit"], "review_status": f["review_status"]} for f in shown]})  # fmt: skip
        return
    names = app.riskmon.unit_names(app.lang)
    counts = " ".join(f"{s}:{queue.by_severity[s]}" for s in reversed(Severity) if queue.by_severity[s])
    lines = " ".join(f"{label(k, app.lang)}:{v}" for k, v in sorted(queue.by_line.items()))
    app.out.print(app.t(f"{who}（{label(queue.line, app.lang)}）の本日の確認：{len(queue.items)}件 — {counts} — {lines}",
                        f"{who} ({queue.line} line): {len(queue.items)} open — {counts} — {lines}"))  # fmt: skip
    cols = [
        app.t("担当", "owner"),
        "id",
        app.t("重大度", "severity"),
        app.t("ルール", "rule"),
        app.t("状態", "status"),
        app.t("内容", "message"),
    ]
    for bucket in BUCKETS:  # one table per bucket, a section per owner unit
        items = [f for f in shown if f["bucket"] == bucket]
        if not items:
            continue
        out = table(f"{label(bucket, app.lang)}（{len(queue.in_bucket(bucket))}）", cols, [])
        previous = None
        for f in items:
            if previous is not None and f["owner_unit"] != previous:
                out.add_section()
            unit = names.get(f["owner_unit"], f["owner_unit"]) if f["owner_unit"] != previous else ""
            out.add_row(unit, str(f["id"]), f"[{SEVERITY_STYLE[f['severity']]}]{f['severity']}[/]", f["rule_id"], f["review_status"],
                        f["message_ja"] if app.lang == "ja" else f["message_en"])  # fmt: skip
            previous = f["owner_unit"]
        app.out.print(out)


def users_load(ctx: typer.Context, path: Path = typer.Argument(..., help="users.csv (user_id,name,unit_id,role,email,active)"),
               token_file: Path | None = TOKEN_FILE) -> None:  # fmt: skip
    """Load or update users from the file the administrator edits (a user_admin's token; audited)."""
    app = app_context(ctx)
    who = caller(app, token_file, required=False)
    with reading(path):
        stored, bad, _ = cmd_accounts.user_admin(app).load_file(who, path)
    for line, reasons in bad:
        for r in reasons:
            app.err.print(f"{path}:{line}: {r.describe(app.lang)}", markup=False, soft_wrap=True)
    if bad:  # the master is loaded whole or not at all (riskmon.review.users)
        app.err.print(phrase("review", "users_nothing_loaded", app.lang), markup=False, soft_wrap=True)
        raise typer.Exit(int(ExitCode.REJECTED))
    app.out.print(app.t(f"利用者{stored}名を登録しました", f"{stored} users loaded"))
