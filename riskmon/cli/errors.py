"""The one table of what can go wrong for a user, what riskmon says, and the exit status.

Commands raise; they do not each decide how a failure looks. Every expected situation (a refused
action, an unknown flag or user, an unreadable file, a busy or missing database, a bad config)
ends here as a short bilingual message on stderr and a documented exit status (docs/cli.md),
never as a traceback. Anything not in this table is a bug, and keeps its traceback so it can be
reported.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.exc import DBAPIError, OperationalError
from typer.core import TyperGroup

from riskmon.audit.keys import AuditError
from riskmon.errors import ConfigError, DatabaseBusy, RiskmonError, SchemaOutdated
from riskmon.i18n import Lang, msg
from riskmon.review.users import UnknownUser
from riskmon.store.db import redact


class ExitCode(IntEnum):
    """Exit statuses; scripts and the scheduler's unit file rely on them (docs/cli.md)."""

    OK = 0
    ERROR = 1  # the command ran and failed or was refused: not found, refused by policy, rule problems
    USAGE = 2  # the command could not start: bad option value, unknown user, no config / database / schema
    REJECTED = 3  # ran to the end, but some records were rejected (kept in quarantine)
    BUSY = 75  # the database stayed locked by another writer (sysexits EX_TEMPFAIL: try again)
    INTERRUPTED = 130


class CliError(Exception):
    """An expected failure, worded for the user in both languages, with its exit status."""

    def __init__(self, ja: str, en: str, code: ExitCode = ExitCode.ERROR) -> None:
        super().__init__(en)
        self.ja, self.en, self.code = ja, en, code

    def text(self, lang: Lang) -> str:
        return msg(self.ja, self.en, lang)


#: exit status of each kind of :class:`~riskmon.errors.RiskmonError`, most specific first: what
#: stops a command from starting is a usage error (2), what the command ran into is 1
EXIT_CODES: tuple[tuple[type[RiskmonError], ExitCode], ...] = (
    (DatabaseBusy, ExitCode.BUSY),
    (SchemaOutdated, ExitCode.USAGE),
    (ConfigError, ExitCode.USAGE),
    (AuditError, ExitCode.USAGE),  # a missing or unreadable audit key, from any command that records
    (UnknownUser, ExitCode.USAGE),
    (RiskmonError, ExitCode.ERROR),  # Refused, NotFound, RuleError, IngestError, EngineError, StoreError …
)


def exit_code(exc: RiskmonError) -> ExitCode:
    return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))


def _is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" (or the store's own DatabaseBusy), anywhere in the cause chain."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if type(seen).__name__ == "DatabaseBusy":
            return True
        text = str(seen).lower()
        if isinstance(seen, OperationalError | DBAPIError) and ("database is locked" in text or "database is busy" in text):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def classify(exc: BaseException, database_url: str | None = None) -> CliError | None:
    """The mapping exception → message → exit status; ``None`` for what is not expected (a bug)."""
    if isinstance(exc, CliError):
        return exc
    if _is_busy(exc):
        where = redact(database_url) if database_url else ""
        ja_where, en_where = (f"（{where}）", f" ({where})") if where else ("", "")
        return CliError(
            f"データベースが使用中です{ja_where}。別の riskmon の処理が書き込み中です。しばらく待ってから同じコマンドを再実行してください",
            f"the database is busy{en_where}: another riskmon process is writing. Run the same command again in a moment",
            ExitCode.BUSY,
        )
    if isinstance(exc, RiskmonError):  # every error riskmon raises carries both wordings: text(lang)
        return CliError(exc.text("ja"), exc.text("en"), exit_code(exc))
    if isinstance(exc, OperationalError):
        where = redact(database_url) if database_url else ""
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        return CliError(
            f"データベースに接続できないか、操作に失敗しました：{where}\n  {detail}",
            f"cannot use the database: {where}\n  {detail}",
            ExitCode.ERROR,
        )
    if isinstance(exc, UnicodeDecodeError | OSError):
        return unreadable(getattr(exc, "filename", None) or "?", exc)
    return None


def unreadable(path: str | Path, exc: BaseException) -> CliError:
    """A file the command was asked to read (or write) and could not: which file, and why in words."""
    if isinstance(exc, UnicodeDecodeError):
        return CliError(
            f"{path}: UTF-8ではありません（{exc.start}バイト目）。Excel の『CSV UTF-8』で保存し直してください",
            f"{path}: not UTF-8 (byte {exc.start}). Save it again as 'CSV UTF-8' in Excel",
            ExitCode.ERROR,
        )
    if isinstance(exc, FileNotFoundError):
        return CliError(f"{path}: ファイルが見つかりません", f"{path}: no such file", ExitCode.USAGE)
    if isinstance(exc, IsADirectoryError):
        return CliError(f"{path}: ファイルではなくフォルダです", f"{path}: is a folder, not a file", ExitCode.USAGE)
    if isinstance(exc, PermissionError):
        return CliError(f"{path}: 読み取り（書き込み）の権限がありません", f"{path}: permission denied", ExitCode.ERROR)
    reason = getattr(exc, "strerror", None) or errno.errorcode.get(getattr(exc, "errno", 0) or 0, "") or str(exc)
    return CliError(f"{path}: 読み書きできません：{reason}", f"{path}: cannot be read or written: {reason}", ExitCode.ERROR)


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Name ``path`` in the message when reading it fails (OSError, UnicodeDecodeError)."""
    try:
        yield
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable(path, exc) from exc


def show(error: CliError, lang: Lang, console: Console | None = None) -> None:
    """Print an error the one way riskmon prints errors: 「エラー：…」 (``error: …``) on stderr."""
    err = console or Console(stderr=True, highlight=False)
    err.print(msg("[bold red]エラー：[/]", "[bold red]error:[/] ", lang), end="", markup=True)
    err.print(error.text(lang), markup=False, soft_wrap=True)


def lang_of(obj: Any, params: dict[str, Any]) -> Lang:
    """The language of the run, even when the failure came before settings were read."""
    lang = getattr(obj, "lang", None) or params.get("lang")
    return "en" if lang == "en" else "ja"


class GuardedGroup(TyperGroup):
    """The root command group: every command runs inside it, so every command's expected failures
    are turned into a message here (by :func:`classify`), in one place, under CliRunner as in a shell."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if isinstance(exc, typer.Exit | typer.Abort) or (hasattr(exc, "exit_code") and hasattr(exc, "show")):
                raise  # typer's own exits and usage errors (ClickException) already speak for themselves
            root = ctx.find_root()
            settings = getattr(root.obj, "settings", None)
            error = classify(exc, getattr(settings, "database_url", None))
            if error is None:
                raise
            show(error, lang_of(root.obj, root.params), getattr(root.obj, "err", None))
            raise typer.Exit(int(error.code)) from None
