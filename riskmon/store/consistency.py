"""What an evaluation sees while ingests run: committed data as of one consistent point.

An ingest commits batch by batch (so a crash loses at most one batch), which means a file is
visible half-loaded while it is being read in. An evaluation over half a file would raise flags
for reports that are merely not loaded yet (a missing daily report, a case without its update)
and clear them again the next night. So riskmon defines the consistent point like this:

* An **ingest run holds the ingest lock, shared**, from its first batch to its last: any number of
  ingests run side by side.
* An **evaluation takes the lock exclusively only while it opens its read snapshot**: it waits
  until no ingest run is in progress, pins its snapshot (one read transaction: ``REPEATABLE READ``
  on PostgreSQL; on SQLite the WAL snapshot of a single read transaction), and lets go at once.
  Ingests started after that moment run while the evaluation reads, and it does not see them.

So an evaluation sees exactly the ingest runs that had finished when it started reading, and
nothing of a run that was still going. The lock dies with its holder (a PostgreSQL session-level
advisory lock; on SQLite an ``flock`` on ``<database>.ingest-lock`` beside the database file), so
a killed ingest never blocks evaluations. An evaluation that waits longer than
:data:`INGEST_WAIT_S` gives up with :class:`~riskmon.store.db.DatabaseBusy`.
"""

from __future__ import annotations

import fcntl
import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, text

from riskmon.store.db import DatabaseBusy

#: How long an evaluation waits for running ingests before it gives up.
INGEST_WAIT_S = 900.0
_LOCK_KEY = 7_452_116  # the advisory lock of ingest runs on PostgreSQL (audit: ...113, saves: ...114)
_POLL_S = 0.05

P = ParamSpec("P")
R = TypeVar("R")


def _lock_file(engine: Engine) -> str | None:
    """The SQLite database's lock file (None for an in-memory database: no other process sees it)."""
    database = engine.url.database
    return None if not database or database == ":memory:" else f"{database}.ingest-lock"


@contextmanager
def _held(engine: Engine, take_pg: Callable[[Connection], None], unlock_pg: str, take_sqlite: Callable[[int], None]) -> Iterator[None]:
    """The ingest lock for as long as the block runs, taken by ``take_pg`` on a PostgreSQL session
    (let go with ``unlock_pg``) or by ``take_sqlite`` on the SQLite lock file's descriptor."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            take_pg(conn)
            try:
                yield
            finally:
                _unlock(conn, unlock_pg)
        return
    path = _lock_file(engine)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        take_sqlite(fd)
        yield
    finally:
        os.close(fd)  # releases the lock


def ingest_running(engine: Engine) -> AbstractContextManager[None]:
    """Hold the ingest lock, shared, for the duration of an ingest run."""

    def take_pg(conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_lock_shared(:k)"), {"k": _LOCK_KEY})

    def take_sqlite(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while an evaluation opens its snapshot

    return _held(engine, take_pg, "pg_advisory_unlock_shared", take_sqlite)


def holds_ingest_lock(fn: Callable[Concatenate[Engine, P], R]) -> Callable[Concatenate[Engine, P], R]:
    """Decorate an ingest entry point taking the engine first: it runs holding the lock, shared."""

    @functools.wraps(fn)
    def wrapper(engine: Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with ingest_running(engine):
            return fn(engine, *args, **kwargs)

    return wrapper


@contextmanager
def read_snapshot(engine: Engine, wait_s: float | None = None) -> Iterator[Connection]:
    """A read-only connection whose every query sees the same committed data: that of the ingest
    runs finished when it opened (waiting up to ``wait_s`` for running ones)."""
    wait = INGEST_WAIT_S if wait_s is None else wait_s
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with _no_ingest_running(engine, wait):
            # the first read pins the snapshot (PostgreSQL: its first statement; SQLite: its first
            # read of the file), before any ingest may start again
            conn.execute(text("SELECT count(*) FROM sqlite_master" if engine.dialect.name == "sqlite" else "SELECT 1"))
        yield conn


def _no_ingest_running(engine: Engine, wait_s: float) -> AbstractContextManager[None]:
    """The ingest lock, exclusively: once no ingest run is in progress (new ones wait meanwhile)."""
    deadline = time.monotonic() + wait_s

    def take_pg(conn: Connection) -> None:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _LOCK_KEY}).scalar_one():
            _wait_or_give_up(engine, deadline, wait_s)

    def take_sqlite(fd: int) -> None:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                _wait_or_give_up(engine, deadline, wait_s)

    return _held(engine, take_pg, "pg_advisory_unlock", take_sqlite)


def _wait_or_give_up(engine: Engine, deadline: float, wait_s: float) -> None:
    if time.monotonic() >= deadline:
        raise DatabaseBusy(engine.url.render_as_string(hide_password=True), wait_s, ingest=True)
    time.sleep(_POLL_S)


def _unlock(conn: Connection, function: str) -> None:
    """Let go of a session-level advisory lock before the connection goes back to the pool; a
    connection that cannot say so is thrown away (its session, and so the lock, ends with it)."""
    try:
        conn.execute(text(f"SELECT {function}(:k)"), {"k": _LOCK_KEY})
    except Exception:
        conn.invalidate()
        raise
