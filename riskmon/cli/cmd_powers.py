"""The second line's scoped powers on the command line (issue #12): where a flag stands (its risk
domain, the units that own it, whether accepting its risk needs an executive and whether the
executive approved), the executive's approval, and governance's receipts and committee decisions.

Apart from cmd_review.py, which holds the case actions every line takes; these commands are thin
shells over :class:`riskmon.review.service.ReviewService` like those, with ``--format json``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from riskmon.cli.common import TOKEN_FILE, USER_GONE, AppContext, ExitCode, Format, app_context, caller, example, print_json, table
from riskmon.i18n import label
from riskmon.review.domains import domain_words, units_words
from riskmon.review.policy import Refused
from riskmon.review.service import Outcome, ReviewService

FORMAT = typer.Option(Format.table, "--format", help="table (default) or json.")


def register(flags: typer.Typer) -> None:
    flags.command(
        "powers", epilog=example("riskmon flags powers 12 --token-file ~/.riskmon-token", "riskmon flags powers 12 --format json")
    )(flags_powers)
    flags.command("approve", epilog=example("riskmon flags approve 12 --proposal 3f2a9c0e1b7d4a65 --note '期限付きで承認'"))(flags_approve)
    flags.command("receipt", epilog=example("riskmon flags receipt 12 '常勤役員会（5月12日）で報告を受けた'"))(flags_receipt)
    flags.command("decision", epilog=example("riskmon flags decision 12 'リスク管理委員会：再発防止策の全国展開を決定' --format json"))(
        flags_decision
    )


def _service(app: AppContext, token_file: Path | None, user: str | None) -> tuple[str, ReviewService]:
    who = caller(app, token_file, required=True, user=user)
    return who.name, ReviewService(app.require_schema(), via=who.via, powers=app.settings.powers)


def _emit(app: AppContext, outcome: Outcome, fmt: Format) -> None:
    """One outcome as text or JSON; a refusal exits 1 either way."""
    if fmt is Format.json:
        print_json({"flag_id": outcome.flag_id, "ok": outcome.ok, "status": outcome.status or None, "message": outcome.text(app.lang)})
    else:
        (app.out if outcome.ok else app.err).print(f"{outcome.flag_id}: {outcome.text(app.lang)}", markup=False)
    if not outcome.ok:
        raise typer.Exit(int(ExitCode.ERROR))


def flags_powers(ctx: typer.Context, flag_id: int = typer.Argument(...), token_file: Path | None = TOKEN_FILE,
                 user: str | None = USER_GONE, fmt: Format = FORMAT) -> None:  # fmt: skip
    """Where a flag stands: its risk domain, the second-line units that own it (only they resolve,
    dismiss or accept its risk alone), the executive's approval, and what you may do now."""
    app = app_context(ctx)
    name, svc = _service(app, token_file, user)
    try:
        where = svc.standing(name, flag_id)
    except Refused as refusal:
        app.fail(refusal.en if app.lang == "en" else refusal.ja)
    if fmt is Format.json:
        print_json(where.as_json())
        return
    approval = (app.t(f"役員承認済み（{where.approval.actor}）", f"approved by {where.approval.actor}") if where.approval
                else app.t("役員承認待ち", "awaiting an executive's approval") if where.awaiting_executive else "-")  # fmt: skip
    rows = [
        (app.t("リスク領域", "risk domain"), f"{domain_words(where.domain, app.lang)} ({where.domain})"),
        (app.t("所管部署", "owned by"), units_words(where.owners, app.lang)),
        (app.t("あなたは所管部署か", "you belong to an owner"), app.t("はい", "yes") if where.owner else app.t("いいえ", "no")),
        (
            app.t("リスク受容に役員承認が必要", "risk acceptance needs an executive"),
            app.t("はい", "yes") if where.grave else app.t("いいえ", "no"),
        ),
        (app.t("役員承認", "executive approval"), approval),
        (app.t("実行できる操作", "actions open to you"), ", ".join(sorted(where.allowed)) or "-"),
    ]
    app.out.print(
        table(app.t(f"フラグ{flag_id}の権限", f"powers on flag {flag_id}"), [app.t("項目", "item"), app.t("内容", "value")], rows)
    )
    if where.approval is not None:
        app.out.print(f"{label('exec_approve', app.lang)}: {app.local(where.approval.at)}", markup=False)


def flags_approve(
    ctx: typer.Context,
    flag_id: int = typer.Argument(...),
    token_file: Path | None = TOKEN_FILE,
    user: str | None = USER_GONE,
    proposal: str | None = typer.Option(None, "--proposal", help="The id of the risk acceptance you approve (flags show, flags powers)."),
    note: str = typer.Option("", "--note", help="Your remarks (optional)."),
    fmt: Format = FORMAT,
) -> None:
    """An executive (役員) approves the pending risk acceptance of a 重点三事案 or 事件・事故 (S1:2108)."""
    app = app_context(ctx)
    name, svc = _service(app, token_file, user)
    _emit(app, svc.exec_approve(name, flag_id, proposal, note), fmt)


def flags_receipt(ctx: typer.Context, flag_id: int = typer.Argument(...), text: str = typer.Argument(..., help="The report received."),
                  token_file: Path | None = TOKEN_FILE, user: str | None = USER_GONE, fmt: Format = FORMAT) -> None:  # fmt: skip
    """Governance (役員, 常勤役員会, リスク管理委員会) records that a report on the case reached it; the case's state is unchanged."""
    app = app_context(ctx)
    name, svc = _service(app, token_file, user)
    _emit(app, svc.receipt(name, flag_id, text), fmt)


def flags_decision(ctx: typer.Context, flag_id: int = typer.Argument(...), text: str = typer.Argument(..., help="What was decided."),
                   token_file: Path | None = TOKEN_FILE, user: str | None = USER_GONE, fmt: Format = FORMAT) -> None:  # fmt: skip
    """Governance records a committee's decision on the case; the case's state is unchanged."""
    app = app_context(ctx)
    name, svc = _service(app, token_file, user)
    _emit(app, svc.committee_decision(name, flag_id, text), fmt)
