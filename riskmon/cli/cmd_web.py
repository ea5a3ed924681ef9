"""``riskmon serve``: the review web application under uvicorn (docs/web.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from riskmon.cli.common import app_context, example

#: how long a starting worker may take to answer uvicorn's health check
WORKER_STARTUP_SECONDS = 60


def register(app: typer.Typer) -> None:
    app.command("serve", epilog=example("riskmon serve", "riskmon serve --host 127.0.0.1 --port 8080 --workers 4"))(serve)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (behind a reverse proxy: keep 127.0.0.1)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (use PostgreSQL for more than one)."),
) -> None:
    """Serve the web application on the same config.toml and database as the CLI."""
    import uvicorn

    app = app_context(ctx)
    app.require_schema()  # a clear message now beats a SQL error on the first request
    config = ctx.find_root().params.get("config")
    if config:  # each worker process loads the settings again: hand it the same file
        os.environ["RISKMON_CONFIG"] = str(Path(config).resolve())
    web = app.settings.web
    app.out.print(app.t(f"riskmon を http://{host}:{port}/ で提供します（終了は Ctrl+C）",
                        f"serving riskmon on http://{host}:{port}/ (Ctrl+C stops)"), markup=False)  # fmt: skip
    options: dict[str, Any] = {"host": host, "port": port, "proxy_headers": web.proxy_headers,
                               "forwarded_allow_ips": web.forwarded_allow_ips, "server_header": False, "log_level": "info"}  # fmt: skip
    if workers == 1:  # one process: the application is built from this command's own Riskmon
        from riskmon.web.app import create_app

        uvicorn.run(create_app(app.riskmon), **options)
    else:  # several processes: each builds its own from the same config file. A worker that is
        # still loading (rules, templates) on a busy server must not be killed as hung: uvicorn's
        # 5 s health check restarted workers in a loop under load (bench/web.py, docs/web.md)
        uvicorn.run("riskmon.web.app:app_from_env", factory=True, workers=workers,
                    timeout_worker_healthcheck=WORKER_STARTUP_SECONDS, **options)  # fmt: skip
