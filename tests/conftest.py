"""Shared fixtures: real databases (SQLite files and a PostgreSQL schema per test), real files.

PostgreSQL: ``RISKMON_TEST_POSTGRES_URL`` (default: the project machines' server at
127.0.0.1:5432, database ``test``). Each test gets its own schema, dropped afterwards. Where no
server answers, PostgreSQL cases are skipped with that reason — except under CI, where a missing
server is a failure, because the storage tests must run against both backends there.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from tests.helpers import ROOT as ROOT
from tests.helpers import SAMPLE as SAMPLE
from tests.helpers import UNITS_CSV

PG_URL = os.environ.get("RISKMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_unavailable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"
    return None


_PG_REASON = _pg_unavailable()


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    if _PG_REASON:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL storage tests: {_PG_REASON}")
        pytest.skip(_PG_REASON)
    schema = f"riskmon_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(pg_schema_url(schema))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'riskmon.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """An empty database with the schema applied, once per backend."""
    eng: Engine = request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")
    upgrade(eng)
    return eng


@pytest.fixture
def units_file(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def worker_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per file sent to worker processes: how many threads the ingest process had then."""
    from riskmon.ingest import parallel

    runs: list[int] = []
    real = parallel._in_workers

    def counted(*args: Any) -> Any:
        runs.append(threading.active_count())
        return real(*args)

    monkeypatch.setattr(parallel, "_in_workers", counted)
    return runs


@pytest.fixture
def in_workers(worker_runs: list[int], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Send every JSONL file to workers, however small (see worker_runs)."""
    from riskmon.ingest import parallel

    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    return worker_runs


@pytest.fixture(scope="session", autouse=True)
def audit_key(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The audit chain is keyed with a key kept outside the database (riskmon.audit.keys): every
    test, and every riskmon it starts, gets one, and anchors go to a file outside the checkout."""
    os.environ.setdefault("RISKMON_AUDIT_KEY", "riskmon-test-audit-key-" + "0" * 32)
    os.environ.setdefault("RISKMON_AUDIT_ANCHORS", str(tmp_path_factory.mktemp("audit") / "audit-anchors.jsonl"))
    return os.environ["RISKMON_AUDIT_KEY"]
