"""The ``riskmon`` command: a thin shell around the core pipeline."""

from __future__ import annotations

from pathlib import Path

import typer

from riskmon import audit
from riskmon.cli import cmd_events, cmd_jobs, cmd_reports, cmd_review, cmd_rules, cmd_sample, cmd_store, cmd_templates, cmd_web
from riskmon.cli.common import AppContext, example
from riskmon.cli.errors import CliError, ExitCode, GuardedGroup
from riskmon.config import load_settings

app = typer.Typer(
    name="riskmon",
    cls=GuardedGroup,  # every expected failure of every command becomes a message: riskmon.cli.errors
    help="riskmon — 事務処理誤り・外部委託検査・日次業務報告のルール監視 (rule-based risk monitoring).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,  # locals can hold connection strings
    epilog=example("riskmon db upgrade", "riskmon ingest sample_events/", "riskmon events list --type error_report"),
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", envvar="RISKMON_CONFIG", help="config.toml to use (default: ./config.toml)."),
    lang: str | None = typer.Option(None, "--lang", help="Language of labels and messages: ja (default) or en.", envvar="RISKMON_LANG"),
) -> None:
    settings = load_settings(config)  # a ConfigError is reported by GuardedGroup with file and key
    chosen = lang or settings.display.lang
    if chosen not in ("ja", "en"):
        raise CliError(f"--lang は ja か en です（{chosen!r}は使えません）", f"--lang must be ja or en, not {chosen!r}", ExitCode.USAGE)
    ctx.obj = AppContext(settings=settings, lang=chosen)  # type: ignore[arg-type]
    audit.configure(settings, chosen)  # type: ignore[arg-type]


cmd_store.register(app)
cmd_events.register(app)
cmd_sample.register(app)
cmd_templates.register(app)
_flags = cmd_rules.register(app)
_report = typer.Typer(help="レポート (committee pack, 月次公表, assurance).", no_args_is_help=True)
app.add_typer(_report, name="report")
cmd_review.register(app, _flags, _report)
cmd_reports.register(_report)
cmd_jobs.register(app)
cmd_web.register(app)


def main() -> None:
    """The ``riskmon`` entry point; expected failures are mapped to messages by GuardedGroup (riskmon.cli.errors)."""
    app()
