"""What every command shares: settings, language, database, and output in table or JSON form.

The CLI is a thin shell: commands parse options, make one call on the :class:`~riskmon.app.Riskmon`
the context holds, and render. Nothing here decides anything about risk.
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import Enum, StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from riskmon.accounts.tokens import NO_TOKEN, Caller, Tokens
from riskmon.app import Riskmon
from riskmon.business_calendar import BusinessCalendar
from riskmon.cli.errors import CliError as CliError
from riskmon.cli.errors import ExitCode as ExitCode
from riskmon.cli.errors import show
from riskmon.config import DEFAULT_CONFIG, Settings
from riskmon.engine.rulebook import RuleBook
from riskmon.errors import SchemaOutdated
from riskmon.i18n import Lang, msg
from riskmon.store.db import redact


class Format(StrEnum):
    table = "table"
    json = "json"


class FormatCsv(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class AppContext:
    settings: Settings
    lang: Lang
    out: Console = field(default_factory=lambda: Console(highlight=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    closing: bool = False  # close() is registered on the root command's context

    @cached_property
    def riskmon(self) -> Riskmon:
        """The composition root every command calls (riskmon.app)."""
        return Riskmon(self.settings, lang=self.lang)

    @cached_property
    def engine(self) -> Engine:
        """The database, which must already exist: only ``riskmon db upgrade`` creates one."""
        missing = self.missing_database()
        if missing is not None:
            ja, en = self.where_config()
            raise CliError(
                f"データベースがありません：{missing}\n  {ja}\n"
                "  riskmon のフォルダで実行するか --config で設定を指定してください。新しく作るときは riskmon db upgrade",
                f"no database at {missing}\n  {en}\n"
                "  run riskmon in its folder or name the config with --config; to create a new database: riskmon db upgrade",
                ExitCode.USAGE,
            )
        return self.riskmon.engine

    def missing_database(self) -> Path | None:
        """The SQLite file named by the settings when it does not exist (PostgreSQL: never None)."""
        return self.riskmon.missing_database()

    def where_config(self) -> tuple[str, str]:
        """Which config file the settings came from, or where one was looked for."""
        if self.settings.config_file is not None:
            return f"設定ファイル：{self.settings.config_file}", f"config: {self.settings.config_file}"
        looked = DEFAULT_CONFIG.resolve()
        return (
            f"設定ファイル{looked}がないため既定値を使いました（--config または RISKMON_CONFIG で指定できます）",
            f"no config file at {looked}, so the defaults were used (name one with --config or RISKMON_CONFIG)",
        )

    @property
    def calendar(self) -> BusinessCalendar:
        return self.riskmon.calendar

    def t(self, ja: str, en: str) -> str:
        return msg(ja, en, self.lang)

    def require_schema(self) -> Engine:
        """The engine, after checking the schema is current (a clear message beats a SQL error)."""
        engine = self.engine
        try:
            self.riskmon.ready()
        except SchemaOutdated:
            ja, en = self.where_config()
            raise CliError(
                f"データベースのスキーマが最新ではありません：{redact(self.settings.database_url)}\n  {ja}\n"
                "  riskmon db upgrade を実行してください",
                f"the database schema is not up to date: {redact(self.settings.database_url)}\n  {en}\n  run: riskmon db upgrade",
                ExitCode.USAGE,
            ) from None
        return engine

    def fail(self, message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
        """Stop with ``message`` (already in the user's language), printed the one way errors are."""
        show(CliError(message, message, code), self.lang, self.err)
        raise typer.Exit(int(code))

    def close(self) -> None:
        """Dispose of the database engine, if this command made one."""
        if "riskmon" in self.__dict__:
            self.riskmon.close()

    def iso(self, value: datetime | None) -> str:
        """A time for a data file (CSV): ISO 8601 in the configured zone, with its offset."""
        return value.astimezone(self.settings.tz).isoformat() if value is not None else ""

    def local(self, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(self.settings.tz).strftime(fmt) if value else ""


#: where a command finds the caller's token; never an option value, which ``ps`` would show
TOKEN_ENV = "RISKMON_TOKEN"
TOKEN_FILE = typer.Option(None, "--token-file", help=f"A file holding your personal API token (else ${TOKEN_ENV}). "
                          "It must be readable by you only (chmod 600).")  # fmt: skip
USER_GONE = typer.Option(None, "--user", hidden=True, help="No longer accepted: use a personal API token.")


def operator_name() -> str:
    """The operator's shell as the audit log names it: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (a container without a passwd entry)
        return "cli:unknown"


def _token_from(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CliError(f"{path}: トークンファイルを読めません：{exc.strerror}", f"{path}: cannot read the token file: {exc.strerror}",
                       ExitCode.USAGE) from None  # fmt: skip
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CliError(f"{path}: トークンファイルが他の利用者にも読めます。「chmod 600 {path}」としてください",
                       f"{path}: the token file is readable by others; run chmod 600 {path}", ExitCode.USAGE)  # fmt: skip
    return secret


def caller(app: AppContext, token_file: Path | None, *, required: bool, user: str | None = None) -> Caller:
    """Who runs this command: the person whose token is in ``--token-file`` or ``$RISKMON_TOKEN``
    (channel ``api``), or — where ``required`` is false — the operator's shell (channel ``cli``).
    A token is never taken from the command line, where ``ps`` and the shell history would show it;
    ``--user`` is refused with the way to get a token."""
    if user is not None:
        raise CliError(f"--user {user}は使えなくなりました（本人確認になりません）。{NO_TOKEN.ja}",
                       f"--user {user} is no longer accepted (it proves nothing). {NO_TOKEN.en}", ExitCode.USAGE)  # fmt: skip
    secret = _token_from(token_file) if token_file is not None else os.environ.get(TOKEN_ENV, "").strip()
    if not secret:
        if required:
            raise NO_TOKEN
        return Caller(operator_name(), "cli")
    return Tokens(app.require_schema(), app.riskmon.now).authenticate(secret)


def load_rulebook(app: AppContext, path: Path | None = None) -> RuleBook:
    """The rules under ``path`` (default ``[paths] rules``), checked against the units master
    when the database has one (riskmon.app.Riskmon.check_rules)."""
    return app.riskmon.check_rules(path)


#: the zone JSON output shows times in: the configured one, set when a command starts (the same
#: instant either way; people and scripts compare it with the messages, which say local time)
DISPLAY_TZ: ContextVar[tzinfo | None] = ContextVar("DISPLAY_TZ", default=None)


def app_context(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    obj = root.obj
    assert isinstance(obj, AppContext)
    DISPLAY_TZ.set(obj.settings.tz)
    if not obj.closing:  # the database's connections end with the command, also when run in-process (tests)
        obj.closing = True
        root.call_on_close(obj.close)
    return obj


def to_jsonable(value: Any) -> Any:
    """JSON-ready values; an aware time in the display zone (:data:`DISPLAY_TZ`) with its offset."""
    zone = DISPLAY_TZ.get()
    if isinstance(value, datetime) and value.tzinfo is not None and zone is not None:
        return value.astimezone(zone).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], **kw: Any) -> Table:
    t = Table(title=title, header_style="bold", **kw)
    for i, col in enumerate(columns):
        t.add_column(col, overflow="fold", no_wrap=i == 0)  # ids and places stay whole
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t


def example(*lines: str) -> str:
    """An epilog for ``--help`` with worked examples."""
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)


def parse_when(value: str | None, app: AppContext, *, end_of_day: bool = False) -> datetime | None:
    """A date or datetime option; naive values are in the configured zone."""
    if not value:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            dt = datetime(d.year, d.month, d.day, tzinfo=app.settings.tz)
            return dt.replace(hour=23, minute=59, second=59) if end_of_day else dt
        parsed = datetime.fromisoformat(value)
    except ValueError:
        app.fail(app.t(f"日付/日時として読めません：{value}", f"not a date or date-time: {value}"), ExitCode.USAGE)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=app.settings.tz)
