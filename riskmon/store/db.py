"""Opening the database: embedded SQLite by default, PostgreSQL by URL.

SQLite is tuned for one writer and many readers (WAL, ``synchronous=NORMAL`` so a commit is durable
against process crashes, foreign keys on). ``postgresql://`` URLs are routed to psycopg 3.

Writers on SQLite (issue #9 item 10). SQLite has one write lock per database. A transaction that
reads first and writes later asks for it only at its first write, and if another writer committed
since its read, SQLite refuses at once, without waiting ("database is locked"): two reviewers
acting at once, two overlapping ingests or two schedulers crashed that way. So every transaction
opened for writing — ``engine.begin()`` or ``conn.begin()``, which is how riskmon writes — starts
with ``BEGIN IMMEDIATE``: it takes the write lock first, waiting up to the busy timeout (30 s, or
``?timeout=<seconds>`` in the URL) while another writer finishes. Reading through
``engine.connect()`` starts a plain ``BEGIN``: a reader never takes the write lock, so reports and
the long read phase of an evaluation neither wait for writers nor hold them up, and each read
transaction sees one snapshot (WAL). A database still locked after the timeout raises
:class:`DatabaseBusy`, which the CLI reports in words instead of a traceback.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from riskmon import errors

#: How long a writer waits for SQLite's write lock before giving up with DatabaseBusy.
DEFAULT_BUSY_TIMEOUT_S = 30.0


class DatabaseBusy(errors.DatabaseBusy):
    """Another process kept the database's write lock longer than the busy timeout, or (``ingest``)
    an evaluation waited too long for running ingests to finish (riskmon.store.consistency)."""

    def __init__(self, database: str, waited_s: float, ingest: bool = False) -> None:
        who_ja, who_en = (
            ("実行中の取込が終わりません", "an ingest run still had not finished")
            if ingest
            else (
                "別の処理（取込・評価・レビューなど）が書き込みを続けています",
                "another process (an ingest, an evaluation, a review …) kept writing",
            )
        )
        self.ja = f"データベースが使用中です（{database}）。{waited_s:g} 秒待ちましたが、{who_ja}。しばらくしてから再実行してください"
        self.en = f"the database is busy ({database}): waited {waited_s:g} s while {who_en}. Try again shortly"
        super().__init__(self.ja, self.en)


def normalize_url(url: str) -> str:
    """Accept the plain ``postgresql://`` spelling users copy from elsewhere."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(busy_timeout_s: float) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin: the module's own
        # implicit BEGIN does not cover SAVEPOINT, whose RELEASE would then commit the whole batch.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index inserts during bulk ingest stay in memory
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if _begun_for_a_statement() else "BEGIN IMMEDIATE")


def _begun_for_a_statement() -> bool:
    """True when SQLAlchemy begins the transaction because a statement ran on a connection with
    none (``engine.connect()``, "autobegin": reading), False for an explicit ``begin()`` (writing).
    SQLAlchemy tells the ``begin`` event neither, so the caller is looked up on the stack, a few
    frames up; tests/store/test_sqlite_locking.py fails if a SQLAlchemy release moves it."""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(12):
        if frame is None:
            break
        if frame.f_code.co_name == "_autobegin":
            return True
        frame = frame.f_back
    return False


def _sqlite_busy(database: str, busy_timeout_s: float) -> Any:
    def on_error(context: ExceptionContext) -> None:
        orig = context.original_exception
        if isinstance(orig, sqlite3.OperationalError) and (
            getattr(orig, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY or "database is locked" in str(orig)
        ):
            raise DatabaseBusy(database, busy_timeout_s) from orig

    return on_error


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; creates the folder of a SQLite file if needed."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        busy_timeout_s = float(str(parsed.query.get("timeout", DEFAULT_BUSY_TIMEOUT_S)))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_busy(parsed.database or ":memory:", busy_timeout_s))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def redact(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)
