"""How many rows a list command shows, and saying so when it shows fewer than there are.

A table on a terminal is cut at a default limit so it stays readable; when it is cut, stderr says
「M 件中 N 件を表示」 / "showing N of M". ``--format json`` and ``csv`` are read by programs, which
would take a cut list for the whole one, so they have no default limit: they carry every row
unless ``--limit`` is given, and then the same note goes to stderr. ``--limit`` below 1 is an
error, not an empty list.
"""

from __future__ import annotations

from typing import Any

import typer

from riskmon.cli.common import AppContext
from riskmon.cli.errors import CliError, ExitCode


def limit_option(table_default: int) -> Any:
    """The ``--limit`` option of a list command (None = the command's default for its format)."""
    return typer.Option(
        None,
        "--limit",
        help=f"Show at most this many (at least 1). Default: {table_default} in a table; json and csv: all.",
        show_default=False,
    )


def effective_limit(limit: int | None, table_default: int, machine_readable: bool) -> int | None:
    """The number of rows to show; None = all of them."""
    if limit is not None and limit < 1:
        raise CliError(f"--limit は1以上です（{limit}は使えません）", f"--limit must be 1 or more, not {limit}", ExitCode.USAGE)
    if limit is not None:
        return limit
    return None if machine_readable else table_default


def note_cut(app: AppContext, shown: int, total: int) -> None:
    """Tell the user on stderr that the list is cut, so fewer rows never read as all of them."""
    if shown < total:
        app.err.print(
            app.t(
                f"{total}件中{shown}件を表示（すべて表示するには --limit {total}）",
                f"showing {shown} of {total} (--limit {total} for all)",
            ),
            markup=False,
            soft_wrap=True,
        )
