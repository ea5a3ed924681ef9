"""Reads are filtered by the same policy as actions (issue #11), in SQL: a first-line user is shown
only its units' flags (a 地域部 also its offices'), the second and third lines everything."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from riskmon.domain import FlagStatus, ReviewStatus, Severity
from riskmon.flags.repository import FlagFilter
from riskmon.review import policy
from riskmon.review.service import ReviewService
from riskmon.review.users import actor


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("user", "expected"),
    # four of the five flags are PO-001's; R02's is the second line's (RMD): the office does not see it
    [("po1", 4), ("rd1", 4), ("po2", 0), ("hq1", 0), ("risk1", 5), ("auditor", 5)],
)
def test_visible_flags_follow_the_lines(engine: Engine, flags: dict[str, int], user: str, expected: int) -> None:
    with engine.connect() as conn:
        page = policy.visible_flags(conn, actor(conn, user), FlagFilter())
    assert (page.total, len(page.items)) == (expected, expected)
    assert {f.owner_unit for f in page.items} <= {"PO-001", "RMD"}


def test_the_first_lines_filter_is_in_the_sql(engine: Engine, flags: dict[str, int]) -> None:
    with engine.connect() as conn:
        who = actor(conn, "po2")
        with statements(engine) as seen:
            page = policy.visible_flags(conn, who, FlagFilter(), limit=1)
    assert page.total == 0
    flag_queries = [s for s in seen if "FROM flags" in s]
    assert len(flag_queries) == 2 and all("flags.owner_unit IN" in s for s in flag_queries)
    assert "LIMIT" in flag_queries[1]


def test_pages_are_cut_by_the_database_and_the_total_is_kept(engine: Engine, flags: dict[str, int]) -> None:
    with engine.connect() as conn:
        who = actor(conn, "risk1")
        first = policy.visible_flags(conn, who, FlagFilter(), limit=2, offset=0)
        rest = policy.visible_flags(conn, who, FlagFilter(), limit=2, offset=2)
        high = policy.visible_flags(conn, who, FlagFilter(severity=Severity.HIGH, review_status=ReviewStatus.OPEN))
    # five flags of PO-001: R01 on C1 and C3 (high: late only), on C2 (critical: late, with My Number given to a
    # third party), R02 on C2 (critical), R03 on C3 (medium)
    assert (first.total, rest.total, len(first.items), len(rest.items)) == (5, 5, 2, 2)
    assert [f.severity for f in first.items + rest.items] == [Severity.CRITICAL] * 2 + [Severity.HIGH] * 2
    assert sorted((f.rule_id, f.subject) for f in high.items) == [("R01", "C1"), ("R01", "C3")]
    assert flags["high"] in {f.id for f in high.items}
    assert all(f.status is FlagStatus.OPEN for f in first.items)


def test_one_flag_is_shown_only_to_who_may_see_it(engine: Engine, flags: dict[str, int]) -> None:
    f = flags["medium"]
    with engine.connect() as conn:
        assert policy.visible_flag(conn, actor(conn, "po2"), f) is None
        mine = policy.visible_flag(conn, actor(conn, "po1"), f)
    assert mine is not None and (mine.id, mine.severity, mine.review_status) == (f, Severity.MEDIUM, ReviewStatus.OPEN)
    svc = ReviewService(engine)
    with pytest.raises(policy.Refused, match=f"flag {f} does not exist or is not yours to see"):
        svc.flag("po2", f)
    assert svc.flag("auditor", f).id == f


def test_visible_units(engine: Engine, flags: dict[str, int]) -> None:
    with engine.connect() as conn:
        assert policy.visible_units(actor(conn, "rd1")) == frozenset({"RD01", "PO-001", "PO-002"})
        assert policy.visible_units(actor(conn, "po1")) == frozenset({"PO-001"})
        assert policy.visible_units(actor(conn, "auditor")) is None
