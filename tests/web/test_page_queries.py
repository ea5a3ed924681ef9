"""No page loads every flag into Python (issue #11, Speed).

A store with a few thousand open flags, a second-line user who may see all of them, and the
database's own row delivery counted (sqlite3's ``row_factory``, psycopg's ``row_factory``, set
on every new connection): the morning queue, the flag list (plain, filtered, by free text) and the
flag detail each fetch a small, bounded number of rows, and every statement that reads whole flag
rows is limited (``LIMIT``), keyed (``flags.id = ``), or the queue's read of flags carrying a
proposal (bounded by case work, not by the number of flags).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, insert, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.review.queue import BUCKETS, morning_queue
from riskmon.store.tables import Flag, table_of
from riskmon.web.routes_queue import PER_BUCKET
from tests.web.support import NOW, login

EXTRA = 3000
SEVERITIES = ("info", "low", "medium", "high", "critical")


@pytest.fixture
def many(engine: Engine, seeded: dict[str, int]) -> int:
    """The seeded flags plus EXTRA copies of one, spread over both offices, severities and days."""
    t = table_of(Flag)
    with engine.begin() as conn:
        model = dict(conn.execute(select(t).where(t.c.id == seeded["R01:C1"])).mappings().one())
        rows = []
        for n in range(EXTRA):
            row = {k: v for k, v in model.items() if k != "id"}
            row.update(key=f"BENCH:{n}", subject=f"S{n}", owner_unit=("PO-001", "PO-002")[n % 2], severity=SEVERITIES[n % 5],
                       first_seen=model["first_seen"] - timedelta(hours=n), last_seen=model["last_seen"],
                       due_at=model["first_seen"] + timedelta(days=(n % 7) - 3), escalation_level=int(n % 3 == 0))  # fmt: skip
            rows.append(row)
        conn.execute(insert(t), rows)
        total = int(conn.execute(select(func.count()).select_from(t)).scalar_one())
    assert total == EXTRA + len(seeded)
    return total


class Fetched:
    """Rows the database driver hands to Python, and the SQL that asked for them."""

    def __init__(self) -> None:
        self.rows = 0
        self.statements: list[str] = []

    def reset(self) -> None:
        self.rows, self.statements = 0, []


@pytest.fixture
def fetched(engine: Engine) -> Iterator[Fetched]:
    seen = Fetched()

    def count_sqlite(cursor: Any, row: tuple[Any, ...]) -> tuple[Any, ...]:
        seen.rows += 1
        return row

    def count_psycopg(cursor: Any) -> Callable[[Any], Any]:
        from psycopg.rows import tuple_row

        make = tuple_row(cursor)

        def row(values: Any) -> Any:
            seen.rows += 1
            return make(values)

        return row

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.row_factory = count_sqlite if engine.dialect.name == "sqlite" else count_psycopg

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.statements.append(" ".join(statement.split()))

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "before_cursor_execute", on_execute)
    engine.dispose()  # every connection from now on counts
    yield seen
    event.remove(engine, "connect", on_connect)
    event.remove(engine, "before_cursor_execute", on_execute)
    engine.dispose()


def _flag_reads(statements: list[str]) -> list[str]:
    """Statements that read whole flag rows (not counts, not single columns)."""
    return [s for s in statements if re.match(r"SELECT flags\.id, flags\.(\"key\"|key), ", s)]


def _bounded(statement: str) -> bool:
    return " LIMIT " in statement or "WHERE flags.id = " in statement or "flags.proposal IS NOT NULL" in statement


def test_the_queue_counts_every_flag_but_fetches_a_page_per_bucket(client: TestClient, many: int, fetched: Fetched) -> None:
    login(client, "risk1")
    fetched.reset()
    page = client.get("/")
    assert page.status_code == 200
    assert f'id="count-total">{many}<' in page.text
    assert 'class="notice cut"' in page.text  # the page says it shows only the first flags of a bucket
    shown = len(re.findall(r'<tr data-flag="', page.text))
    assert PER_BUCKET <= shown <= 5 * PER_BUCKET
    assert shown <= fetched.rows <= 5 * PER_BUCKET + 100 < many  # the counter sees the rows the page shows
    reads = _flag_reads(fetched.statements)
    assert reads and all(_bounded(s) for s in reads), reads


def test_a_bucket_page_is_the_start_of_the_whole_queue(engine: Engine, many: int) -> None:
    """The page's first flags of each bucket are exactly the full queue's first, with the same counts."""
    whole = morning_queue(engine, "risk1", NOW, BusinessCalendar())
    paged = morning_queue(engine, "risk1", NOW, BusinessCalendar(), per_bucket=7)
    assert len(whole.items) == whole.total == paged.total == many
    assert paged.counts == whole.counts and paged.by_severity == whole.by_severity and paged.by_line == whole.by_line
    assert sum(1 for b in BUCKETS if whole.counts[b] > 7) >= 2  # the fixture fills more than one bucket
    for b in BUCKETS:
        assert [i.flag.id for i in paged.in_bucket(b)] == [i.flag.id for i in whole.in_bucket(b)][:7]


@pytest.mark.parametrize("query", ["", "?severity=high&unit=PO-001&since=2025-01-01&until=2025-12-31&status=all", "?q=S1&status=all"])
def test_the_flag_list_fetches_one_page(client: TestClient, many: int, fetched: Fetched, query: str) -> None:
    login(client, "risk1")
    fetched.reset()
    page = client.get(f"/flags{query}")
    assert page.status_code == 200
    shown = len(re.findall(r'name="ids" value="', page.text))
    assert 1 <= shown <= 50
    assert shown <= fetched.rows <= 50 + 100 < many
    reads = _flag_reads(fetched.statements)
    assert reads and all(" LIMIT " in s for s in reads), reads


def test_the_flag_detail_fetches_its_flag(client: TestClient, many: int, seeded: dict[str, int], fetched: Fetched) -> None:
    login(client, "risk1")
    fetched.reset()
    page = client.get(f"/flags/{seeded['R01:C1']}")
    assert page.status_code == 200
    assert fetched.rows <= 100 < many
    reads = _flag_reads(fetched.statements)
    assert reads and all("WHERE flags.id = " in s for s in reads), reads
