"""Accounts from the shell: set or reset a password, revoke a user's sessions, and personal API
tokens (create, list, revoke).

An operator with shell access administers passwords and sessions here; each action is written to
the audit log with channel ``cli`` and the operator's login name, so it is as visible as a web
action. A token is created only by its owner, who proves their password here (a login on channel
``cli``, with the web's lockout), so the operator cannot mint a token for someone else.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from riskmon.accounts.admin import UserAdmin
from riskmon.accounts.auth import Accounts
from riskmon.accounts.sso import PASSWORDS_OFF_FOR_TOKENS
from riskmon.accounts.tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES, Tokens, check_days, parse_scopes, scopes_text
from riskmon.cli.common import TOKEN_FILE, AppContext, ExitCode, Format, app_context, caller, example, operator_name, print_json, table
from riskmon.errors import RiskmonError


def register(users: typer.Typer) -> None:
    users.command("set-password", epilog=example(
        "riskmon users set-password po001.sato",
        "riskmon users set-password po001.sato --generate",
        "printf '%s\\n' \"$NEW_PASSWORD\" | riskmon users set-password po001.sato --password-stdin",
    ))(set_password)  # fmt: skip
    users.command("revoke-sessions", epilog=example("riskmon users revoke-sessions po001.sato"))(revoke_sessions)
    token = typer.Typer(help="個人用APIトークン (personal API tokens for the CLI).", no_args_is_help=True)
    users.add_typer(token, name="token")
    token.command("create", epilog=example(
        "riskmon users token create rmd.suzuki --name 'laptop' --expires-days 30",
        "printf '%s\n' \"$PASSWORD\" | riskmon users token create rmd.suzuki --password-stdin > ~/.riskmon-token",
    ))(token_create)  # fmt: skip
    token.command("service", epilog=example(
        "riskmon users token service svc.kikan --scope ingest --scope read --name '基幹システム' --expires-days 90 "
        "--token-file ~/.riskmon-token > svc.token",
    ))(token_service)  # fmt: skip
    token.command("list", epilog=example("riskmon users token list", "riskmon users token list rmd.suzuki --format json"))(token_list)
    token.command("revoke", epilog=example("riskmon users token revoke 3f2a9c1e0b7d", "riskmon users token revoke --all po001.sato"))(
        token_revoke
    )


def _accounts(app: AppContext) -> Accounts:
    return Accounts(app.require_schema(), app.settings.web, lambda: datetime.now(UTC), local_passwords=app.settings.local_passwords)


def user_admin(app: AppContext) -> UserAdmin:
    """利用者管理 (riskmon.accounts.admin): the one service the web page and ``users load`` share."""
    return UserAdmin(app.require_schema(), _accounts(app))


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
        issued = accounts.set_password(user_id, password, by=operator_name(), channel="cli")
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    if issued is not None:
        note = app.t(f"{user_id}の一時パスワード（この一度だけ表示します。初回ログイン時に変更が必要です）：",
                     f"one-time password for {user_id} (shown only now; it must be changed at first login):")  # fmt: skip
        app.out.print(note, markup=False)
        typer.echo(issued)
    else:
        app.out.print(app.t(f"{user_id}のパスワードを設定しました", f"password set for {user_id}"), markup=False)


def revoke_sessions(ctx: typer.Context, user_id: str = typer.Argument(..., help="The user whose sessions end now.")) -> None:
    """End every web session of a user at once (a lost laptop, a leaver, a suspected misuse)."""
    app = app_context(ctx)
    try:
        n = _accounts(app).revoke_sessions(user_id, by=operator_name(), channel="cli")
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    app.out.print(app.t(f"{user_id}のセッション{n}件を終了しました", f"{n} session(s) of {user_id} revoked"), markup=False)


def token_create(
    ctx: typer.Context,
    user_id: str = typer.Argument(..., help="Your user id: a token is only ever created for yourself."),
    name: str = typer.Option("", "--name", help="What the token is for (shown by token list)."),
    days: int = typer.Option(DEFAULT_DAYS, "--expires-days", help=f"Days until it expires (1 to {MAX_DAYS})."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read your password from the first line of standard input."),
    scope: list[str] = typer.Option(list(SCOPES), "--scope", help="read, ingest or review (repeat; default: all three)."),
) -> None:
    """Create your personal API token after checking your password; it is printed once, on stdout."""
    app = app_context(ctx)
    scopes = _checked_scopes(app, days, scope)
    if not app.settings.local_passwords:  # [sso] local_passwords = false: no password to prove it with
        app.fail(app.t(*PASSWORDS_OFF_FOR_TOKENS))
    accounts = _accounts(app)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(app.t(f"{user_id}のパスワード", f"Password of {user_id}"), hide_input=True)
    result = accounts.login(user_id, password, "cli", channel="cli")  # the web's lockout applies here too
    if not result.ok or result.session is None:
        app.fail(result.message[1] if app.lang == "en" else result.message[0])
    accounts.logout(result.session, channel="cli")
    if result.must_change:
        app.fail(app.t("一時パスワードのままです。先に画面でログインしてパスワードを変更してください",
                       "your password is a one-time password: log in on the web and change it first"))  # fmt: skip
    try:
        secret, info = Tokens(app.require_schema(), accounts.clock).issue(user_id, name=name, days=days, scopes=scopes,
                                                                         proof={"session": result.session.ref})  # fmt: skip
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    _shown_once(app, info.id, info.expires_at, secret)


def _checked_scopes(app: AppContext, days: int, scope: list[str]) -> frozenset[str]:
    """A token's expiry and scopes as typed, or a usage error naming what is wrong (exit 2)."""
    try:
        check_days(days)
        return parse_scopes(scope)
    except RiskmonError as exc:
        app.fail(exc.text(app.lang), ExitCode.USAGE)


def _shown_once(app: AppContext, token_id: str, expires_at: datetime, secret: str) -> None:
    """The secret on stdout (its only copy), what it is on stderr."""
    app.err.print(app.t(f"トークン{token_id}（{expires_at:%Y-%m-%d}まで）。この一度だけ表示します。"
                        "権限600のファイルに保存し --token-file か RISKMON_TOKEN で使ってください：",
                        f"token {token_id} (until {expires_at:%Y-%m-%d}), shown only now; keep it in a chmod 600 file "
                        "and use it with --token-file or RISKMON_TOKEN:"), markup=False)  # fmt: skip
    typer.echo(secret)


def token_service(
    ctx: typer.Context,
    user_id: str = typer.Argument(..., help="The service account (a user of the users master: its unit and role are riskmon's)."),
    name: str = typer.Option(..., "--name", help="Which system uses it (shown by token list)."),
    days: int = typer.Option(..., "--expires-days", help=f"Days until it expires (1 to {MAX_DAYS}); required."),
    scope: list[str] = typer.Option(..., "--scope", help="read, ingest or review (repeat)."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """A user_admin issues a service token for another system's service account (no password of
    that account is involved); it is printed once, on stdout, and the issuer is kept with it."""
    app = app_context(ctx)
    scopes = _checked_scopes(app, days, scope)
    tokens = Tokens(app.require_schema(), _accounts(app).clock)
    who = caller(app, token_file, required=True)  # no or a bad token: the command cannot start (exit 2)
    try:
        secret, info = tokens.issue_service(who, user_id, name=name, days=days, scopes=scopes)
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    _shown_once(app, info.id, info.expires_at, secret)


def token_list(
    ctx: typer.Context,
    user_id: str | None = typer.Argument(None, help="Whose tokens (default: everyone's for the operator, yours with a token)."),
    token_file: Path | None = TOKEN_FILE,
    fmt: Format = typer.Option(Format.table, "--format", help="table (default) or json."),
) -> None:
    """Tokens with their id, name, expiry, last use and state; never the secret."""
    app = app_context(ctx)
    tokens = Tokens(app.require_schema(), _accounts(app).clock)
    try:
        found = tokens.listing(caller(app, token_file, required=False), user_id)
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    now = tokens.clock()
    rows: list[dict[str, Any]] = [{"id": t.id, "user_id": t.user_id, "name": t.name, "created_at": t.created_at, "expires_at": t.expires_at,
             "last_used_at": t.last_used_at, "state": t.state(now), "scopes": scopes_text(t.scopes),
             "issued_by": t.issued_by} for t in found]  # fmt: skip
    if fmt is Format.json:
        print_json(rows)
        return
    cols = ["id", app.t("利用者", "user"), app.t("名前", "name"), app.t("期限", "expires"), app.t("最終利用", "last used"),
            app.t("状態", "state"), app.t("スコープ", "scopes")]  # fmt: skip
    out = [(r["id"], r["user_id"], r["name"], app.local(r["expires_at"]), app.local(r["last_used_at"]), r["state"], r["scopes"])
           for r in rows]  # fmt: skip
    app.out.print(table(app.t(f"トークン{len(out)}件", f"{len(out)} tokens"), cols, out))


def token_revoke(
    ctx: typer.Context,
    token_id: str | None = typer.Argument(None, help="The token's id (from token list)."),
    all_of: str | None = typer.Option(None, "--all", help="Revoke every token of this user instead."),
    token_file: Path | None = TOKEN_FILE,
) -> None:
    """Revoke a token (your own; anyone's with a user_admin token or from the operator's shell)."""
    app = app_context(ctx)
    if (token_id is None) == (all_of is None):
        app.fail(app.t("トークンIDか --all 利用者ID のどちらか一方を指定してください", "give a token id or --all USER (one of them)"),
                 ExitCode.USAGE)  # fmt: skip
    tokens = Tokens(app.require_schema(), _accounts(app).clock)
    try:
        done = tokens.revoke(caller(app, token_file, required=False), token_id, user_id=all_of)
    except RiskmonError as exc:
        app.fail(exc.text(app.lang))
    app.out.print(app.t(f"トークン{len(done)}件を失効させました：{', '.join(done)}", f"{len(done)} token(s) revoked: {', '.join(done)}"),
                  markup=False)  # fmt: skip
