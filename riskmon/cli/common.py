"""What every command shares: settings, language, database, and output in table or JSON form.

The CLI is a thin shell: commands parse options, call the core, and render. Nothing here decides
anything about risk.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from riskmon.business_calendar import BusinessCalendar
from riskmon.cli.errors import CliError as CliError
from riskmon.cli.errors import ExitCode as ExitCode
from riskmon.cli.errors import show
from riskmon.config import DEFAULT_CONFIG, Settings
from riskmon.engine.rulebook import RuleBook, load_rules
from riskmon.i18n import Lang, msg
from riskmon.store.db import make_engine, normalize_url, redact
from riskmon.store.migrate import is_up_to_date
from riskmon.store.queries import list_units


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

    @cached_property
    def engine(self) -> Engine:
        """The database, which must already exist: only ``riskmon db upgrade`` creates one."""
        missing = self.missing_database()
        if missing is not None:
            ja, en = self.where_config()
            raise CliError(
                f"データベースがありません: {missing}\n  {ja}\n"
                "  riskmon のフォルダで実行するか --config で設定を指定してください。新しく作るときは riskmon db upgrade",
                f"no database at {missing}\n  {en}\n"
                "  run riskmon in its folder or name the config with --config; to create a new database: riskmon db upgrade",
                ExitCode.USAGE,
            )
        return make_engine(self.settings.database_url)

    def missing_database(self) -> Path | None:
        """The SQLite file named by the settings when it does not exist (PostgreSQL: never None)."""
        url = make_url(normalize_url(self.settings.database_url))
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        path = Path(url.database)
        return None if path.exists() else path

    def where_config(self) -> tuple[str, str]:
        """Which config file the settings came from, or where one was looked for."""
        if self.settings.config_file is not None:
            return f"設定ファイル: {self.settings.config_file}", f"config: {self.settings.config_file}"
        looked = DEFAULT_CONFIG.resolve()
        return (
            f"設定ファイル {looked} がないため既定値を使いました（--config または RISKMON_CONFIG で指定できます）",
            f"no config file at {looked}, so the defaults were used (name one with --config or RISKMON_CONFIG)",
        )

    @cached_property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_settings(self.settings)

    def t(self, ja: str, en: str) -> str:
        return msg(ja, en, self.lang)

    def require_schema(self) -> Engine:
        """The engine, after checking the schema is current (a clear message beats a SQL error)."""
        engine = self.engine
        if not is_up_to_date(engine):
            ja, en = self.where_config()
            raise CliError(
                f"データベースのスキーマが最新ではありません: {redact(self.settings.database_url)}\n  {ja}\n"
                "  riskmon db upgrade を実行してください",
                f"the database schema is not up to date: {redact(self.settings.database_url)}\n  {en}\n  run: riskmon db upgrade",
                ExitCode.USAGE,
            )
        return engine

    def fail(self, message: str, code: ExitCode = ExitCode.ERROR) -> NoReturn:
        """Stop with ``message`` (already in the user's language), printed the one way errors are."""
        show(CliError(message, message, code), self.lang, self.err)
        raise typer.Exit(int(code))

    def local(self, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(self.settings.tz).strftime(fmt) if value else ""


def load_rulebook(app: AppContext, path: Path) -> RuleBook:
    """The rules under ``path``, checked against the units master when the database has one.

    A relative path that does not exist here is looked up beside config.toml, so commands work
    from any folder of a deployment."""
    if not path.is_absolute() and not path.exists():
        path = app.settings.base_dir / path
    known = None
    try:
        if app.missing_database() is None and is_up_to_date(app.engine):
            with app.engine.connect() as conn:
                known = [u["unit_id"] for u in list_units(conn)] or None
    except Exception:  # no usable database: unit ids are not checked, unit types and templates still are
        known = None
    return load_rules(path, app.settings.rule_values, known)


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


def to_jsonable(value: Any) -> Any:
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
        app.fail(app.t(f"日付/日時として読めません: {value}", f"not a date or date-time: {value}"), ExitCode.USAGE)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=app.settings.tz)
