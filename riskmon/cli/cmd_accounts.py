"""Web accounts from the shell: set or reset a password, revoke a user's sessions.

An operator with shell access administers accounts here; each action is written to the audit log
with channel ``cli`` and the operator's login name, so it is as visible as a web action.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

import typer

from riskmon.cli.common import AppContext, ExitCode, app_context, example
from riskmon.errors import RiskmonError
from riskmon.web.auth import Accounts


def register(users: typer.Typer) -> None:
    users.command("set-password", epilog=example(
        "riskmon users set-password po001.sato",
        "riskmon users set-password po001.sato --generate",
        "printf '%s\\n' \"$NEW_PASSWORD\" | riskmon users set-password po001.sato --password-stdin",
    ))(set_password)  # fmt: skip
    users.command("revoke-sessions", epilog=example("riskmon users revoke-sessions po001.sato"))(revoke_sessions)


def _accounts(app: AppContext) -> Accounts:
    return Accounts(app.require_schema(), app.settings.web, lambda: datetime.now(UTC))


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (a container without a passwd entry)
        return "cli:unknown"


def set_password(
    ctx: typer.Context,
    user_id: str = typer.Argument(..., help="The user (from the users file)."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from the first line of standard input."),
    generate: bool = typer.Option(False, "--generate", help="Print a generated one-time password, to be changed at first login."),
) -> None:
    """Set a user's web password (prompts twice), or generate a one-time one. Ends the user's sessions."""
    app = app_context(ctx)
    if password_stdin and generate:
        app.fail(app.t("--password-stdin と --generate は同時に指定できません", "--password-stdin and --generate exclude each other"),
                 ExitCode.USAGE)  # fmt: skip
    accounts = _accounts(app)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not generate:
        password = typer.prompt(app.t("新しいパスワード", "New password"), hide_input=True,
                                confirmation_prompt=app.t("もう一度入力してください", "Repeat it"))  # fmt: skip
    try:
        issued = accounts.set_password(user_id, password, by=_operator(), channel="cli")
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    if issued is not None:
        note = app.t(f"{user_id} の一時パスワード（この一度だけ表示します。初回ログイン時に変更が必要です）:",
                     f"one-time password for {user_id} (shown only now; it must be changed at first login):")  # fmt: skip
        app.out.print(note, markup=False)
        typer.echo(issued)
    else:
        app.out.print(app.t(f"{user_id} のパスワードを設定しました", f"password set for {user_id}"), markup=False)


def revoke_sessions(ctx: typer.Context, user_id: str = typer.Argument(..., help="The user whose sessions end now.")) -> None:
    """End every web session of a user at once (a lost laptop, a leaver, a suspected misuse)."""
    app = app_context(ctx)
    try:
        n = _accounts(app).revoke_sessions(user_id, by=_operator(), channel="cli")
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    app.out.print(app.t(f"{user_id} のセッション {n} 件を終了しました", f"{n} session(s) of {user_id} revoked"), markup=False)
