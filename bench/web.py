"""Web page benchmark: p50/p95/max of the review pages at 10 concurrent logged-in users.

    python bench/web.py                          # 1M events, SQLite and PostgreSQL (make bench-web)
    python bench/web.py --events 100k            # a quick check
    python bench/web.py --backends sqlite --format json
    python bench/web.py --api                    # the JSON API: 1,000 daily reports as one array vs a JSONL file (bench/web_api.py)

For each backend: the evaluated store of bench/web_store.py (made once under var/bench/, then
reused), ten accounts of every kind (office heads, 地域部, second-line risk officers, an auditor,
an executive) whose passwords are generated for this run and set with
``riskmon users set-password --password-stdin``; then uvicorn on 127.0.0.1 (``riskmon serve``'s
application factory) and ten users who log in over HTTP and each work through the pages — the
morning queue, the flag list unfiltered, filtered (severity + 地域部 + period) and by free text, a
random visible flag's detail, and a filtered CSV export — back to back (``--think 0``, the
default: the worst case for ten people) or reading each page for 0.5–1.5 × ``--think`` seconds.
A warm-up pass over every page comes first (not counted). A request counts from sending to the
last byte of the answer; every answer must be 200.

Target (issue #11): p95 under 150 ms for each page. Results: bench/out/web.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web_store import USERS, downgrade, prepare  # noqa: E402

OUT = ROOT / "bench" / "out"
RISKMON = str(ROOT / ".venv" / "bin" / "riskmon")
TARGET_MS = 150.0
#: page name -> path (``{id}``: a random flag the user may see)
PAGES = {
    "queue": "/",
    "list": "/flags",
    "list_filtered": "/flags?severity=medium&region=RD05&status=all&since=2025-10-01&until=2026-03-31",
    "list_text": "/flags?q=未提出&status=all",
    "detail": "/flags/{id}",
    "export_csv": "/flags/export.csv?severity=critical&status=all&since=2026-01-01",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _set_passwords(env: dict[str, str]) -> dict[str, str]:
    """A generated password per user, set through the CLI's own path (argon2id, audited)."""
    passwords = {}
    for user_id, *_ in USERS:
        password = secrets.token_urlsafe(18)
        subprocess.run([RISKMON, "users", "set-password", user_id, "--password-stdin"], input=password + "\n", text=True,
                       env=env, check=True, capture_output=True)  # fmt: skip
        passwords[user_id] = password
    return passwords


def _visible_ids(url: str) -> dict[str, list[int]]:
    """Per user, the ids of flags the policy lets them see (the detail page picks among them)."""
    from sqlalchemy import create_engine, select

    from riskmon.review.policy import visibility
    from riskmon.review.users import actor
    from riskmon.store.tables import Flag, table_of

    engine = create_engine(url)
    f = table_of(Flag)
    with engine.connect() as conn:
        ids = {u: [r[0] for r in conn.execute(select(f.c.id).where(visibility(actor(conn, u))))] for u, *_ in USERS}
    engine.dispose()
    return ids


def _serve(env: dict[str, str], port: int, workers: int, log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """uvicorn on 127.0.0.1 with the application factory ``riskmon serve --workers N`` uses; started
    programmatically so the worker health check may wait longer than uvicorn's 5 s default: on
    this shared, busy machine a worker's imports alone can take that long, and uvicorn would
    restart it again and again."""
    code = (
        "import uvicorn; uvicorn.run('riskmon.web.app:app_from_env', factory=True, host='127.0.0.1', "
        f"port={port}, workers={workers}, timeout_worker_healthcheck=120, log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"), cwd=cwd)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"the server did not answer within 180 s: {log.read_text()}")


async def _login(client: httpx.AsyncClient, user_id: str, password: str) -> None:
    form = await client.get("/login")
    token = _CSRF.search(form.text)
    assert token, "no CSRF token on the login page"
    answer = await client.post("/login", data={"user_id": user_id, "password": password, "next": "/", "csrf_token": token.group(1)})
    if answer.status_code != 303 or answer.headers.get("location") != "/":
        raise SystemExit(f"login of {user_id} failed: {answer.status_code} {answer.headers.get('location')}")


async def _user(base: str, user_id: str, password: str, ids: list[int], rounds: int, think: float, seed: int,
                timings: dict[str, list[float]], failures: list[str], start: asyncio.Barrier) -> None:  # fmt: skip
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await _login(client, user_id, password)
        for page in PAGES:  # warm-up, not counted: each worker's first rule file read, template compile
            if ids or page != "detail":
                await client.get(PAGES[page].format(id=rng.choice(ids) if ids else 0))
        await start.wait()  # everyone logged in and warmed up: the clock starts
        for _ in range(rounds):
            order = list(PAGES)
            rng.shuffle(order)
            for page in order:
                if page == "detail" and not ids:  # nothing this user may open
                    continue
                path = PAGES[page].format(id=rng.choice(ids) if ids else 0)
                began = time.perf_counter()
                answer = await client.get(path)
                await answer.aread()
                timings[page].append((time.perf_counter() - began) * 1000)
                if answer.status_code != 200:
                    failures.append(f"{user_id} {path}: {answer.status_code}")
                if think:  # a person reads the page before the next click: 0.5–1.5 × think seconds
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def _drive(
    base: str, passwords: dict[str, str], ids: dict[str, list[int]], rounds: int, think: float
) -> tuple[dict[str, list[float]], list[str], float]:
    timings: dict[str, list[float]] = {p: [] for p in PAGES}
    failures: list[str] = []
    start = asyncio.Barrier(len(USERS) + 1)
    users = [
        asyncio.create_task(_user(base, u, passwords[u], ids[u], rounds, think, n, timings, failures, start))
        for n, (u, *_) in enumerate(USERS)
    ]
    await start.wait()
    began = time.perf_counter()
    await asyncio.gather(*users)
    return timings, failures, time.perf_counter() - began


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"n": len(ordered), "p50": q[49], "p95": q[94], "max": ordered[-1]}


def run_backend(backend: str, size: str, rounds: int, workers: int, think: float, code: Path | None = None,
                revision: str | None = None) -> dict[str, Any]:  # fmt: skip
    """One measurement. ``code``: serve the ``riskmon`` package in that folder instead of this
    checkout's (an older commit's ``git archive``, for a before/after run: bench/web_compare.py),
    with the store first taken down to the schema ``revision`` that code knows."""
    url = prepare(backend, size, log=lambda m: print(m, file=sys.stderr, flush=True))
    env = {**os.environ, "RISKMON_DATABASE_URL": url, "RISKMON_CONFIG": str(ROOT / "config.toml")}
    passwords = _set_passwords(env)
    ids = _visible_ids(url)
    if code is not None:
        env["PYTHONPATH"] = str(code)
        if revision is not None:
            downgrade(url, revision)
    flags = len(ids["rmd.aoki"])  # a second-line user sees every flag
    port = _free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    server = _serve(env, port, workers, OUT / f"web-{backend}-server.log", cwd=code)
    try:
        timings, failures, seconds = asyncio.run(_drive(f"http://127.0.0.1:{port}", passwords, ids, rounds, think))
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = sum(len(v) for v in timings.values())
    return {"backend": backend, "events": size, "flags": flags, "workers": workers, "users": len(USERS), "think_s": think,
            "requests": requests, "seconds": round(seconds, 1), "per_second": round(requests / seconds, 1),
            "pages": {p: _stats(v) for p, v in timings.items()}, "failures": failures[:20], "failed": len(failures)}  # fmt: skip


def _table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    first = results[0]
    table = Table(title=f"Web pages: {first['events']} events, {first['flags']:,} flags, {len(USERS)} concurrent users, "
                        f"think {first['think_s']} s, uvicorn workers {first['workers']} (target p95 < {TARGET_MS:.0f} ms)")  # fmt: skip
    for col in ("backend", "page", "requests", "p50 ms", "p95 ms", "max ms", "p95 < 150"):
        table.add_column(col, justify="left" if col in ("backend", "page") else "right")
    for r in results:
        for page, s in r["pages"].items():
            table.add_row(r["backend"], page, str(s["n"]), f"{s['p50']:.0f}",
                          f"{s['p95']:.0f}", f"{s['max']:.0f}", "yes" if s["p95"] < TARGET_MS else "NO")  # fmt: skip
    console = Console()
    console.print(table)
    for r in results:
        console.print(f"{r['backend']}: {r['requests']} requests in {r['seconds']} s ({r['per_second']}/s), "
                      f"uvicorn workers {r['workers']}, failed {r['failed']}", markup=False)  # fmt: skip
        for line in r["failures"]:
            console.print(f"  {line}", markup=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1m", choices=["100k", "1m"], help="the generated store's size (bench/evaluate.py's)")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=10, help="times each user visits every page")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (the machine has 2 CPUs)")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds a user reads a page before the next click (0: back to back, the worst case)"
    )
    parser.add_argument("--format", default="table", choices=["table", "json"])
    parser.add_argument("--api", action="store_true", help="instead: the JSON API's ingest of 1,000 daily reports (bench/web_api.py)")
    args = parser.parse_args()
    if args.api:
        from bench import web_api

        web_api.report(web_api.run(1000))
        return
    results = [run_backend(b, args.events, args.rounds, args.workers, args.think) for b in args.backends]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if args.format == "json":
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        _table(results)
    if any(r["failed"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
