"""A generated report is kept once (riskmon.reports.kept, migration 0018): two people generating
the same pack at the same moment store one row, and the second is told "unchanged"."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from riskmon.business_calendar import TOKYO
from riskmon.reports import kept
from riskmon.store.migrate import upgrade
from riskmon.store.tables import Report, table_of

FIRST, LAST = date(2025, 4, 1), date(2025, 9, 30)
AS_OF = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)
CONTENT: dict[str, Any] = {"lang": "ja", "errors": 211}
DIGEST = kept.data_hash(CONTENT)


def _keep(engine: Engine, folder: Path) -> tuple[int, bool]:
    return kept.keep(engine, "committee", FIRST, LAST, AS_OF, DIGEST, folder, CONTENT)


def _rows(engine: Engine) -> list[tuple[int, str]]:
    r = table_of(Report)
    with engine.connect() as conn:
        return [(i, f) for i, f in conn.execute(select(r.c.id, r.c.folder).order_by(r.c.id))]


def test_two_generations_racing_store_one_row(pg_engine: Engine, tmp_path: Path) -> None:
    """The second person's keep runs, in its own thread, exactly between the first one's read
    ("not kept yet") and its insert: the first one's insert is refused and it reads the row.
    PostgreSQL only: on SQLite keep's transaction starts with BEGIN IMMEDIATE (riskmon.store.db),
    so the second thread would wait for the first; the threads below race there instead."""
    engine = pg_engine
    upgrade(engine)
    second: list[tuple[int, bool]] = []
    raced = threading.Event()

    def race(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO REPORTS") and not raced.is_set():
            raced.set()
            other = threading.Thread(target=lambda: second.append(_keep(engine, tmp_path / "b")))
            other.start()
            other.join()

    event.listen(engine, "before_cursor_execute", race)
    first = _keep(engine, tmp_path / "a")
    assert second == [(1, False)]  # the one that got in stored the report …
    assert first == (1, True)  # … and the other is told it was already there, with its version
    assert _rows(engine) == [(1, str(tmp_path / "b"))]


def test_many_at_once_store_one_row(engine: Engine, tmp_path: Path) -> None:
    start = threading.Barrier(4)
    results: list[tuple[int, bool]] = []

    def generate(n: int) -> None:
        start.wait()
        results.append(_keep(engine, tmp_path / str(n)))

    threads = [threading.Thread(target=generate, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(1, False), (1, True), (1, True), (1, True)]
    assert len(_rows(engine)) == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0017(request: pytest.FixtureRequest) -> Engine:
    """A database as it was before the unique index, per backend."""
    eng: Engine = request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")
    upgrade(eng, "0017_feeds")
    return eng


def test_the_migration_keeps_the_earliest_of_each_duplicate(at_0017: Engine) -> None:
    r = table_of(Report)
    row = {"kind": "committee", "period_from": FIRST, "period_to": LAST, "as_of": AS_OF, "data": CONTENT}
    with at_0017.begin() as conn:
        for folder, digest in (("a", "h1"), ("b", "h1"), ("c", "h2"), ("d", "h1"), ("e", "h2")):
            conn.execute(insert(r).values(**row, data_hash=digest, folder=folder))
        conn.execute(insert(r).values(**{**row, "kind": "monthly"}, data_hash="h1", folder="m"))  # another kind: kept
    upgrade(at_0017)
    assert _rows(at_0017) == [(1, "a"), (3, "c"), (6, "m")]
    with at_0017.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(r).values(**row, data_hash="h1", folder="again"))
    with at_0017.connect() as conn:
        assert conn.execute(select(func.count()).select_from(r)).scalar() == 3


def test_an_identical_regeneration_keeps_its_first_maker(engine: Engine, tmp_path: Path) -> None:
    """docs/reports.md: a regenerated identical pack is not stored again, so its maker is the
    first one; a pack that differs is a new version with its own maker."""
    assert kept.keep(engine, "committee", FIRST, LAST, AS_OF, DIGEST, tmp_path, CONTENT, made_by="risk1") == (1, False)
    assert kept.keep(engine, "committee", FIRST, LAST, AS_OF, DIGEST, tmp_path, CONTENT, made_by="risk2") == (1, True)
    other = {**CONTENT, "errors": 212}
    assert kept.keep(engine, "committee", FIRST, LAST, AS_OF, kept.data_hash(other), tmp_path, other, made_by=kept.SCHEDULER) == (2, False)
    with engine.connect() as conn:
        assert kept.makers(conn, [1, 2, 3]) == {1: "risk1", 2: "scheduler"}
        assert kept.makers(conn, []) == {}


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0019(request: pytest.FixtureRequest) -> Engine:
    """A database as it was before makers were recorded, per backend."""
    eng: Engine = request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")
    upgrade(eng, "0019_change_records")
    return eng


def test_reports_kept_before_0021_have_no_maker(at_0019: Engine) -> None:
    """Nothing is guessed for the old rows (the page shows 「不明（記録前）」), and the unique index
    of 0018 survives the column's addition."""
    r = table_of(Report)
    row = {"kind": "committee", "period_from": FIRST, "period_to": LAST, "as_of": AS_OF, "data": CONTENT, "data_hash": DIGEST}
    with at_0019.begin() as conn:
        conn.execute(insert(r).values(**row, folder="old"))
    upgrade(at_0019)
    with at_0019.connect() as conn:
        assert conn.execute(select(r.c.folder, r.c.made_by)).all() == [("old", None)]
    with at_0019.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(r).values(**row, folder="again", made_by="risk1"))
