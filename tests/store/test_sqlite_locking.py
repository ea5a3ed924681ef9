"""Issue #9 item 10: on SQLite, writers wait for each other instead of crashing, readers do not
wait for writers, and a database that stays busy is a clean bilingual error, not a traceback.

Write transactions (``engine.begin()``) start with ``BEGIN IMMEDIATE``: they take SQLite's write
lock first and wait for it (busy timeout) instead of reading first and failing at their first
write when another writer committed in between — SQLite refuses that upgrade at once, without
waiting. Reads (``engine.connect()``) start a plain ``BEGIN`` and never take the write lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from riskmon.store.db import DatabaseBusy, make_engine
from riskmon.store.migrate import upgrade
from riskmon.store.tables import Event, Source, table_of
from tests.helpers import daily, write_jsonl
from tests.procs import configure, riskmon

PER_FILE = 3000


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "riskmon.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _holding_write_lock(path: Path) -> sqlite3.Connection:
    """Another program in the middle of a write transaction."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def _events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table_of(Event))).scalar_one())


def test_two_overlapping_ingests_on_one_sqlite_file_both_succeed(db: Path, units_file: Path, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{db}")
    config = configure(tmp_path / "site", engine, batch_size=20, workers=1)  # many small transactions
    assert riskmon(config, "ingest", str(units_file)).wait(60) == 0
    files = [write_jsonl(tmp_path / f"{name}.jsonl", [daily(f"{name}{i:05d}", day=f"2025-05-{1 + i % 28:02d}") for i in range(PER_FILE)])
             for name in ("a", "b")]  # fmt: skip
    both = [riskmon(config, "ingest", "--format", "json", str(f)) for f in files]
    results = [p.communicate(timeout=300) for p in both]
    for proc, (out, err) in zip(both, results, strict=True):
        assert (proc.returncode, err) == (0, "")
        assert json.loads(out)["totals"] == {"accepted": PER_FILE, "duplicates": 0, "conflicts": 0, "rejected": 0}
    assert _events(engine) == 2 * PER_FILE
    engine.dispose()


def test_a_reader_does_not_wait_for_a_writer(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}?timeout=5")
    other = _holding_write_lock(db)
    try:
        started = time.monotonic()
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(table_of(Event))).scalar_one() == 0
        assert time.monotonic() - started < 1
    finally:
        other.rollback()
        other.close()
        engine.dispose()


def test_a_writer_waits_for_the_write_lock_and_then_goes_ahead(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}?timeout=20")
    other = _holding_write_lock(db)
    release = threading.Timer(1.0, other.rollback)
    release.start()
    try:
        started = time.monotonic()
        with engine.begin() as conn:
            conn.execute(insert(table_of(Source)).values(path="waited.jsonl"))
        assert time.monotonic() - started >= 0.9
    finally:
        release.join()
        other.close()
    with engine.connect() as conn:
        assert conn.execute(select(table_of(Source).c.path)).scalars().all() == ["waited.jsonl"]
    engine.dispose()


def test_a_read_then_write_transaction_waits_for_a_writer_that_committed_meanwhile(db: Path) -> None:
    """The reviewers' pattern: read the case, then write it. Another writer commits in between."""
    engine = make_engine(f"sqlite:///{db}?timeout=20")
    read_done, failures = threading.Event(), []

    def other_writer() -> None:
        read_done.wait(10)
        try:
            with engine.begin() as conn:
                conn.execute(insert(table_of(Source)).values(path="other.jsonl"))
        except Exception as exc:
            failures.append(exc)

    t = threading.Thread(target=other_writer)
    t.start()
    with engine.begin() as conn:
        seen = conn.execute(select(func.count()).select_from(table_of(Source))).scalar_one()
        read_done.set()
        time.sleep(0.5)  # the other writer tries now
        conn.execute(insert(table_of(Source)).values(path=f"mine-after-{seen}.jsonl"))
    t.join(30)
    assert failures == []
    with engine.connect() as conn:
        assert conn.execute(select(table_of(Source).c.path).order_by(table_of(Source).c.id)).scalars().all() == [
            "mine-after-0.jsonl", "other.jsonl"]  # fmt: skip
    engine.dispose()


def test_a_database_that_stays_busy_raises_database_busy_after_the_timeout(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}?timeout=0.5")
    other = _holding_write_lock(db)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as caught, engine.begin() as conn:
            conn.execute(insert(table_of(Source)).values(path="never.jsonl"))
        assert 0.4 <= time.monotonic() - started < 5
    finally:
        other.rollback()
        other.close()
        engine.dispose()
    assert caught.value.ja.startswith("データベースが使用中です")
    assert caught.value.en.startswith("the database is busy")
    assert str(db) in caught.value.ja and str(db) in caught.value.en


@pytest.mark.parametrize(("lang", "expected"), [("ja", "エラー：データベースが使用中です"), ("en", "error: the database is busy")])
def test_the_cli_says_the_database_is_busy_without_a_traceback(db: Path, units_file: Path, tmp_path: Path,
                                                               lang: str, expected: str) -> None:  # fmt: skip
    engine = make_engine(f"sqlite:///{db}?timeout=0.5")
    config = configure(tmp_path / "site", engine)
    other = _holding_write_lock(db)
    try:
        proc = riskmon(config, "--lang", lang, "ingest", str(units_file))
        _, err = proc.communicate(timeout=60)
    finally:
        other.rollback()
        other.close()
        engine.dispose()
    assert proc.returncode == 75
    assert "Traceback" not in err
    assert err.startswith(expected), err
