"""``rules`` (check, list, test), ``evaluate`` and ``flags``."""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from riskmon.cli import cmd_changes, vocab
from riskmon.cli.cmd_jobs import recover_crashed
from riskmon.cli.common import (
    TOKEN_FILE,
    AppContext,
    ExitCode,
    Format,
    FormatCsv,
    app_context,
    caller,
    example,
    load_rulebook,
    parse_when,
    print_json,
    table,
)
from riskmon.cli.listing import effective_limit, limit_option, note_cut
from riskmon.flags.evaluation import RunResult
from riskmon.flags.store import FlagFilter, as_json
from riskmon.i18n import label, pick
from riskmon.reports.safe_cells import csv_row
from riskmon.review.users import Actor
from riskmon.rules.checker import RuleBook
from riskmon.rules.conditions import describe
from riskmon.rules.spec import RISK_CATEGORY_LABELS
from riskmon.ruletest import run_tests

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def register(app: typer.Typer) -> typer.Typer:
    """Add rules, evaluate and flags; returns the flags group for the case commands."""
    rules = typer.Typer(help="ルールの検査・一覧・テスト (rule files).", no_args_is_help=True)
    app.add_typer(rules, name="rules")
    rules.command("check", epilog=example("riskmon rules check", "riskmon rules check rules/r01_error_not_notified.yaml"))(rules_check)
    rules.command("list", epilog=example("riskmon rules list", "riskmon --lang en rules list --format json"))(rules_list)
    rules.command("test", epilog=example("riskmon rules test", "riskmon rules test rules/tests/r01_test.yaml"))(rules_test)
    cmd_changes.register(rules)
    app.command("evaluate", epilog=example("riskmon evaluate", "riskmon evaluate --as-of 2026-03-31T23:00 --format json"))(evaluate_cmd)
    flags = typer.Typer(help="検知されたフラグ (flags raised by the rules).", no_args_is_help=True)
    app.add_typer(flags, name="flags")
    flags.command("list", epilog=example("riskmon flags list --severity critical", "riskmon flags list --line first --format csv"))(
        flags_list
    )
    flags.command("show", epilog=example("riskmon flags show 12"))(flags_show)
    return flags


def _report_problems(app: AppContext, book: RuleBook) -> None:
    for p in book.problems:
        app.err.print(str(p), markup=False, soft_wrap=True)


RULES_HELP = "A rule file or folder (default: [paths] rules in config.toml)."


def rules_check(ctx: typer.Context, path: Path | None = typer.Argument(None, help=RULES_HELP)) -> None:
    """Check every rule file and report every problem as file:line:column: message."""
    app = app_context(ctx)
    book = load_rulebook(app, path)
    _report_problems(app, book)
    for w in book.warnings:  # worth knowing, not a reason to refuse the rules
        app.err.print(app.t("警告：", "warning: ") + str(w), markup=False, soft_wrap=True)
    if book.problems:
        app.err.print(app.t(f"{len(book.problems)}件の問題があります", f"{len(book.problems)} problems"))
        raise typer.Exit(int(ExitCode.ERROR))
    app.out.print(app.t(f"ルール{len(book.rules)}件：問題なし", f"{len(book.rules)} rules: no problems"))


def rules_list(
    ctx: typer.Context,
    path: Path | None = typer.Argument(None, help=RULES_HELP),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """List the rules with their kind, severity, owner and sources."""
    app = app_context(ctx)
    book = load_rulebook(app, path)
    _report_problems(app, book)
    if fmt is Format.json:
        print_json([{
            "id": r.id, "version": r.version, "title": r.title, "kind": r.kind, "event": r.event, "enabled": r.enabled,
            "severities": [t.severity for t in r.tiers], "risk_category": r.risk_category, "owner_line": r.owner_line,
            "owner_unit": r.owner_unit, "escalation": list(r.escalation), "sources": list(r.sources), "file": r.file,
            "condition": describe(r.when, app.lang),
        } for r in book.rules])  # fmt: skip
    else:
        rows = [
            (r.id, r.title[app.lang], r.kind, label(r.event, app.lang), "/".join(t.severity for t in r.tiers),
             pick(RISK_CATEGORY_LABELS[r.risk_category], app.lang), label(r.owner_line, app.lang),
             ", ".join(r.sources), "✓" if r.enabled else "-")
            for r in book.rules
        ]  # fmt: skip
        cols = ["id", app.t("名称", "title"), app.t("種類", "kind"), app.t("対象", "event"), app.t("重大度", "severity"),
                app.t("リスク区分", "risk"), app.t("担当", "owner"), app.t("根拠", "sources"), app.t("有効", "on")]  # fmt: skip
        app.out.print(table(app.t(f"ルール{len(rows)}件", f"{len(rows)} rules"), cols, rows))
    if book.problems:
        raise typer.Exit(int(ExitCode.ERROR))


def rules_test(
    ctx: typer.Context,
    path: Path | None = typer.Argument(None, help="A rule test file or folder (default: the tests folder of the rules)."),
    rules_path: Path | None = typer.Option(None, "--rules", help=RULES_HELP),
) -> None:
    """Run rule tests: given events and a time, exactly these flags (like promtool test rules)."""
    app = app_context(ctx)
    book = load_rulebook(app, rules_path)
    path = path or app.riskmon.rules_path(rules_path) / "tests"
    _report_problems(app, book)
    results, problems = run_tests(path, book.rules, app.calendar, book.broken_ids)
    for p in problems:
        app.err.print(str(p), markup=False, soft_wrap=True)
    failed = [r for r in results if not r.passed]
    for r in results:
        mark = "[green]PASS[/]" if r.passed else "[bold red]FAIL[/]"
        app.out.print(f"{mark} {Path(r.file).name}: {r.name}", soft_wrap=True)
        if r.error:
            app.out.print(f"    {r.error}", markup=False, soft_wrap=True)
        for m in r.missing:
            app.out.print(f"    - {app.t('期待したが出なかった', 'expected, not raised')}: {m}", markup=False, soft_wrap=True)
        for u in r.unexpected:
            app.out.print(f"    + {app.t('期待していない', 'raised, not expected')}: {u}", markup=False, soft_wrap=True)
    app.out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or problems or book.problems or not results:
        raise typer.Exit(int(ExitCode.ERROR))


def evaluate_cmd(
    ctx: typer.Context,
    as_of: str | None = typer.Option(None, "--as-of", help="Evaluate as of this date/time (default: now)."),
    path: Path | None = typer.Option(None, "--rules", help=RULES_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the flags the rules would raise; write nothing."),
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Evaluate all enabled rules over the stored events; idempotent for the same data and time.
    Changes of the rule book and config values are recorded first, as yours with a token
    (riskmon rules changes list); unapproved ones are reported, never a reason not to evaluate."""
    app = app_context(ctx)
    app.require_schema()
    who = caller(app, token_file, required=False)
    if not dry_run:  # runs left 'running' by a dead process are marked crashed (a dry run writes nothing)
        recover_crashed(app)
    book = load_rulebook(app, path)
    _report_problems(app, book)
    if book.problems:
        app.fail(app.t("ルールに問題があるため評価しません（riskmon rules check）",
                       "rules have problems; not evaluating (see riskmon rules check)"))  # fmt: skip
    when = parse_when(as_of, app, end_of_day=True) if as_of else datetime.now(app.settings.tz)
    assert when is not None
    with app.err.status(app.t("評価中…", "evaluating...")):
        # a folder is the rule book: flags of its removed or disabled rules are retired; one file is not
        result = app.riskmon.evaluate(when, rules=path, dry_run=dry_run, changed_by=who.name)
    pending = app.riskmon.changes.unapproved_count()
    if fmt is Format.json:
        print_json({**result.as_dict(), "unapproved_changes": pending})
    elif dry_run:
        _print_dry_run(app, result, when)
    else:
        rows = [(rid, n) for rid, n in sorted(result.per_rule.items())]
        app.out.print(table(app.t(f"評価{result.run_id}（{app.local(when)}時点）", f"run {result.run_id} as of {app.local(when)}"),
                            [app.t("ルール", "rule"), app.t("該当", "flags")], rows))  # fmt: skip
        c = result.counts
        app.out.print(app.t(
            f"新規{c.get('raised', 0)}・継続{c.get('updated', 0)}・再発{c.get('reopened', 0)}"
            f"・解消{c.get('cleared', 0)}・廃止{c.get('retired', 0)}（{result.duration_s:.1f}秒）",
            f"raised {c.get('raised', 0)}, updated {c.get('updated', 0)}, reopened {c.get('reopened', 0)}, "
            f"cleared {c.get('cleared', 0)}, retired {c.get('retired', 0)} ({result.duration_s:.1f} s)",
        ))  # fmt: skip
    if pending and fmt is not Format.json:  # JSON carries the count (unapproved_changes)
        app.err.print(app.t(f"警告：未承認のルール・設定の変更が{pending}件あります（riskmon rules changes list --unapproved）",
                            f"warning: {pending} rule or config changes are not approved "
                            "(riskmon rules changes list --unapproved)"))  # fmt: skip
    for rid, err in result.errors.items():
        app.err.print(f"{rid}: {err}", markup=False)
    if result.errors:
        raise typer.Exit(int(ExitCode.ERROR))


def _print_dry_run(app: AppContext, result: RunResult, when: datetime) -> None:
    """The flags a dry run would raise: nothing was written, so there are no ids yet."""
    message = "message_ja" if app.lang == "ja" else "message_en"
    rows = [(v["rule_id"], f"[{SEVERITY_STYLE[v['severity']]}]{v['severity']}[/]", v["owner_unit"], v["subject"], v[message])
            for v in (f.values for f in result.flags)]  # fmt: skip
    cols = [app.t("ルール", "rule"), app.t("重大度", "severity"), app.t("担当", "owner"), app.t("対象", "subject"),
            app.t("内容", "message")]  # fmt: skip
    app.out.print(table(app.t(f"試行評価（{app.local(when)}時点）：{len(rows)}件、何も保存していません",
                              f"dry run as of {app.local(when)}: {len(rows)} flags, nothing saved"), cols, rows))  # fmt: skip


def flags_list(
    ctx: typer.Context,
    severity: str | None = typer.Option(None, "--severity"),
    line: str | None = typer.Option(None, "--line", help="first, second or third."),
    unit: str | None = typer.Option(None, "--unit", help="Owner unit id."),
    rule: str | None = typer.Option(None, "--rule"),
    status: str = typer.Option("open", "--status", help="open, cleared, retired or all."),
    since: str | None = typer.Option(None, "--since", help="First seen on or after."),
    until: str | None = typer.Option(None, "--until", help="First seen on or before."),
    limit: int | None = limit_option(200),
    fmt: FormatCsv = typer.Option(FormatCsv.table, "--format", help="table, json or csv."),
    bom: bool = typer.Option(True, "--bom/--no-bom", help="CSV: start with a UTF-8 BOM so Japanese Excel opens it (--no-bom for scripts)."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Flags, most severe first, then oldest: with a token, only those its owner may see. Times
    in JSON and CSV are in the configured time zone with its offset."""
    app = app_context(ctx)
    cap = effective_limit(limit, 200, fmt is not FormatCsv.table)
    viewer = caller(app, token_file, required=False).actor
    rows, total, names = select_flags(app, severity, line, unit, rule, status, parse_when(since, app),
                                      parse_when(until, app, end_of_day=True), cap, viewer)  # fmt: skip
    note_cut(app, len(rows), total)
    if fmt is FormatCsv.json:
        print_json([as_json(r) for r in rows])
        return
    msg = "message_ja" if app.lang == "ja" else "message_en"
    if fmt is FormatCsv.csv:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(
            [
                "id",
                "rule_id",
                "severity",
                "status",
                "owner_line",
                "owner_unit",
                "subject",
                "first_seen",
                "due_at",
                "message",
            ]
        )
        for r in rows:
            w.writerow(csv_row([r["id"], r["rule_id"], r["severity"], r["status"], r["owner_line"], r["owner_unit"], r["subject"],
                                app.iso(r["first_seen"]), app.iso(r["due_at"]), r[msg]]))  # fmt: skip
        sys.stdout.write(("\ufeff" if bom else "") + out.getvalue())
        return
    table_rows = [
        (r["id"], f"[{SEVERITY_STYLE[r['severity']]}]{r['severity']}[/]", r["rule_id"], label(r["owner_line"], app.lang),
         names.get(r["owner_unit"], r["owner_unit"]), app.local(r["first_seen"], "%Y-%m-%d"), r[msg])
        for r in rows
    ]  # fmt: skip
    cols = ["id", app.t("重大度", "severity"), app.t("ルール", "rule"), app.t("三線防御の区分", "line of defence"), app.t("担当", "owner"),
            app.t("初検知", "first seen"), app.t("内容", "message")]  # fmt: skip
    app.out.print(table(app.t(f"フラグ{len(rows)}/{total}件", f"{len(rows)} of {total} flags"), cols, table_rows))


def select_flags(app: AppContext, severity: str | None, line: str | None, unit: str | None, rule: str | None, status: str,
                 since: datetime | None, until: datetime | None, cap: int | None,
                 viewer: Actor | None = None) -> tuple[list[dict[str, Any]], int, dict[str, str]]:  # fmt: skip
    """The flags matching the filters that ``viewer`` may see (``None``: the operator, every flag),
    each value first checked against its vocabulary: up to ``cap`` of them, how many there are in
    all, and the unit names to show."""
    vocab.check_severity(severity)
    vocab.check_flag_line(line)
    vocab.check_flag_status(status)
    app.require_schema()
    vocab.check_unit(unit, lambda: app.riskmon.unit_names())
    vocab.check_rule(rule, lambda: {*app.riskmon.flagged_rule_ids()} | {r.id for r in load_rulebook(app).rules})
    names = app.riskmon.unit_names(app.lang)
    page = app.riskmon.flag_page(FlagFilter(severity, line, unit, rule, status, since, until), limit=cap, viewer=viewer)
    return [f.as_row() for f in page.items], page.total, names


def flags_show(ctx: typer.Context, flag_id: int = typer.Argument(..., help="The flag id."),
               fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
               token_file: Path | None = TOKEN_FILE) -> None:  # fmt: skip
    """One flag with its evidence in words: source events, values observed, deadline or threshold.
    With a token, a flag its owner may not see is answered like a missing one."""
    app = app_context(ctx)
    viewer = caller(app, token_file, required=False).actor
    app.require_schema()
    record = app.riskmon.visible_flag(flag_id, viewer)
    names = app.riskmon.unit_names(app.lang)
    if record is None:
        app.fail(app.t(f"フラグがありません：{flag_id}", f"no such flag: {flag_id}"))
    row, pending = record.as_row(), record.proposal
    if fmt is Format.json:  # the pending proposal's id is what `flags confirm --proposal` names
        print_json({**as_json(row), "proposal_id": pending.digest if pending else None})
        return
    ev = row["evidence"]
    lines = [
        (app.t("ルール", "rule"), f"{row['rule_id']} {row['title_ja'] if app.lang == 'ja' else row['title_en']} (v{row['rule_version']})"),
        (app.t("対象", "subject"), row["subject"]),
        (app.t("重大度", "severity"), row["severity"]),
        (app.t("状態", "status"), row["status"] + (f" ({app.local(row['cleared_at'])})" if row["cleared_at"] else "")),
        (app.t("リスク区分", "risk category"), pick(RISK_CATEGORY_LABELS[row["risk_category"]], app.lang)),
        (app.t("担当", "owner"), f"{label(row['owner_line'], app.lang)} / {names.get(row['owner_unit'], row['owner_unit'])}"),
        (app.t("エスカレーション", "escalation"), " → ".join(names.get(u, u) for u in row["escalation"])),
        (app.t("内容", "message"), row["message_ja"] if app.lang == "ja" else row["message_en"]),
        (app.t("期限", "due"), app.local(row["due_at"])),
        (app.t("初検知 / 最終", "first / last seen"), f"{app.local(row['first_seen'])} / {app.local(row['last_seen'])}"),
        (app.t("対象イベント", "source events"), ", ".join(ev.get("event_ids", [])) or "-"),
        (app.t("条件", "condition"), ev.get("conditions", {}).get("filter", {}).get(app.lang, "") or "-"),
        (app.t("観測値", "observed"), "\n".join(f"{k}: {v}" for k, v in {**ev.get("values", {}), **ev.get("observed", {})}.items())),
    ]  # fmt: skip
    if pending is not None:
        lines.append((app.t("承認待ちの提案", "pending proposal"),
                      f"{pending.digest} — {pending.by}: {label(pending.resolution.value, app.lang)} {pending.note}"))  # fmt: skip
    app.out.print(table(None, [app.t("項目", "field"), app.t("値", "value")], lines))
