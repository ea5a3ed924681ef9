"""The evaluated store bench/web.py serves: made once per size and backend, then reused.

The events are bench/evaluate.py's data set (``riskmon sample generate`` with the same offices,
days and seed: ``SIZES``), kept under ``var/bench/`` (gitignored). The store is evaluated once a
week across the fiscal year (as the nightly job would, sampled weekly), so it holds what a year
of operation leaves behind — open flags and many cleared ones, tens of thousands at 1M events —
rather than the few thousand a single year-end evaluation raises. A little case work is done
through the review service (acknowledgements, second-line closure proposals), so the queue's
承認待ち and the list's status filters have something to show.

Everything goes through the public paths (``Riskmon``: upgrade, ingest, evaluate, the review
service); a store that already holds its evaluations is reused as it is (``db upgrade`` still
runs, so a new migration applies to it).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.evaluate import SIZES  # noqa: E402  (the one generator setting for every benchmark)

if TYPE_CHECKING:
    from riskmon.app import Riskmon

VAR = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("RISKMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIRST_EVENING = date(2025, 4, 7)
LAST_EVENING = date(2026, 3, 30)
#: (user_id, name, unit, role): first-line office heads, 地域部, second line, third line, governance
USERS = [
    ("po001.head", "北海 一郎", "PO-001", "site_manager"),
    ("po002.head", "北海 二郎", "PO-002", "site_manager"),
    ("po101.head", "中部 三郎", "PO-101", "site_manager"),
    ("rd01.head", "札幌 花子", "RD01", "regional_manager"),
    ("rd05.head", "名古屋 誠", "RD05", "regional_manager"),
    ("rmd.aoki", "青木 一郎", "RMD", "risk_officer"),
    ("rmd.baba", "馬場 美咲", "RMD", "risk_officer"),
    ("ppd.chiba", "千葉 剛", "PPD", "risk_officer"),
    ("aud.doi", "土井 由美", "AUD", "auditor"),
    ("exec.endo", "遠藤 正", "EXEC", "executive"),
]


def dataset(size: str) -> Path:
    """bench/evaluate.py's events for ``size``, generated once into var/bench/."""
    folder = VAR / f"data-{size}"
    if not (folder / "daily_reports.jsonl").exists():
        subprocess.run([str(ROOT / ".venv" / "bin" / "riskmon"), "sample", "generate", "--offices", str(SIZES[size]),
                        "--days", "365", "--seed", "7", "--no-compress", "--out", str(folder), "--format", "json"],
                       check=True, capture_output=True)  # fmt: skip
    return folder


def database_url(backend: str, size: str) -> str:
    """The store's URL; PostgreSQL gets its own database (created when missing)."""
    if backend == "sqlite":
        return f"sqlite:///{VAR / f'web-{size}.db'}"
    name = f"riskmon_bench_web_{size}"
    server = make_url(PG_SERVER)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def prepare(backend: str, size: str, log: Callable[[str], None] = print) -> str:
    """The evaluated store for ``backend`` and ``size``; returns its URL."""
    from riskmon.app import Riskmon
    from riskmon.store.tables import EvaluationRun, table_of

    url = database_url(backend, size)
    os.environ["RISKMON_DATABASE_URL"] = url
    rm = Riskmon.from_config(ROOT / "config.toml")
    rm.upgrade()
    with rm.engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(table_of(EvaluationRun))).scalar_one()
    if runs == 0:
        folder = dataset(size)
        log(f"{backend}/{size}: ingesting {folder}")
        rm.ingest([folder])
        evening = FIRST_EVENING
        while evening <= LAST_EVENING:
            result = rm.evaluate(rm.calendar.at(evening, datetime.strptime("23:00", "%H:%M").time()))
            log(f"{backend}/{size}: evaluated as of {evening}: {result.counts}")
            evening += timedelta(days=7)
        _case_work(rm)
        _vacuum(rm)
    rm.load_users(_users_file())
    return url


def _vacuum(rm: Riskmon) -> None:
    """PostgreSQL: ``VACUUM ANALYZE``, as autovacuum would have done over a year of nightly runs.
    The project machines' server runs with ``autovacuum = off``; without this, the 52 evaluations
    leave ``flags`` with five dead row versions per live one and no planner statistics, and every
    scan of the open flags visits 25 times the pages it needs (docs/benchmarks.md, "Web pages")."""
    if rm.engine.dialect.name != "postgresql":
        return
    with rm.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def downgrade(url: str, revision: str) -> None:
    """Take the store's schema down to ``revision`` (for serving older code on it: a before/after
    run); the next :func:`prepare` brings it back to head."""
    from alembic import command

    from riskmon.store.db import make_engine
    from riskmon.store.migrate import alembic_config

    engine = make_engine(url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    engine.dispose()


def _users_file() -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "bench_users.csv"
    path.write_text("user_id,name,unit_id,role,email,active\n" + "".join(f"{u},{n},{unit},{r},,true\n" for u, n, unit, r in USERS))
    return path


def _case_work(rm: Riskmon) -> None:
    """Some cases worked through the review service: acknowledged ones, and second-line closure
    proposals on high flags (four eyes), so 承認待ち has items for the other risk officer."""
    from riskmon.store.tables import Flag, table_of

    rm.load_users(_users_file())
    f = table_of(Flag)
    with rm.engine.connect() as conn:
        open_ids = [r[0] for r in conn.execute(select(f.c.id).where(f.c.review_status == "open").order_by(f.c.id))]
        high = [r[0] for r in conn.execute(select(f.c.id).where(f.c.review_status == "open", f.c.severity.in_(("high", "critical")))
                                          .order_by(f.c.id))]  # fmt: skip
    rng = random.Random(7)
    cases = rm.cases
    for flag_id in rng.sample(open_ids, min(300, len(open_ids))):
        cases.acknowledge("rmd.aoki", flag_id, "bench")
    for flag_id in rng.sample(high, min(40, len(high))):
        cases.resolve("rmd.aoki", flag_id, "remediated", "bench: corrected on site", None, None)
