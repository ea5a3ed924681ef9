"""The morning queue's order inside a bucket: severity (critical first), then age (oldest
``first_seen`` first), then id — issue #11's "ordered by severity then age" — with exact counts
and the page's per-bucket limit, on SQLite and PostgreSQL.

The flags are raised by the shipped rule R01 and then given the units, severities and dates of
the case below with one UPDATE each, so that the old order (owner unit first) and the new one
disagree at almost every position."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, update

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.domain import Bucket, Severity
from riskmon.review.queue import morning_queue
from riskmon.store.tables import Flag, table_of
from tests.helpers import NOW, error_report, raise_flags

CAL = BusinessCalendar()

#: name -> (owner unit, severity, first seen); NOW is 2025-04-10 12:00, so everything seen before
#: 2025-04-09 12:00 (the previous business day) is in the bucket "other", "g" is new
CASE = {
    "a": ("PO-001", "medium", datetime(2025, 3, 1, 9, 0, tzinfo=TOKYO)),
    "b": ("PO-002", "critical", datetime(2025, 3, 5, 9, 0, tzinfo=TOKYO)),
    "c": ("PO-001", "critical", datetime(2025, 3, 3, 9, 0, tzinfo=TOKYO)),
    "d": ("PO-001", "high", datetime(2025, 3, 2, 9, 0, tzinfo=TOKYO)),
    "e": ("PO-002", "critical", datetime(2025, 3, 3, 9, 0, tzinfo=TOKYO)),  # the same moment as c: the id decides
    "f": ("PO-002", "low", datetime(2025, 2, 1, 9, 0, tzinfo=TOKYO)),
    "g": ("PO-002", "low", datetime(2025, 4, 10, 9, 0, tzinfo=TOKYO)),
}


def _flags(engine: Engine, units_file: Path, tmp_path: Path) -> dict[str, int]:
    events = [error_report(f"E{n}", f"C{n}") for n in range(len(CASE))]
    rows = raise_flags(engine, units_file, tmp_path, events, ["R01"])
    ids = sorted(flag_id for key, (flag_id, _) in rows.items() if key.startswith("R01:"))
    assert len(ids) == len(CASE)
    named = dict(zip(sorted(CASE), ids, strict=True))  # a gets the lowest id, g the highest
    f = table_of(Flag)
    with engine.begin() as conn:
        for name, (unit, severity, seen) in CASE.items():
            conn.execute(update(f).where(f.c.id == named[name]).values(owner_unit=unit, severity=severity, first_seen=seen,
                                                                         escalation_level=0, due_at=None))  # fmt: skip
    return named


def test_each_bucket_is_ordered_by_severity_then_age_then_id(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    named = _flags(engine, units_file, tmp_path)
    name_of = {flag_id: name for name, flag_id in named.items()}
    queue = morning_queue(engine, "risk1", NOW, CAL)
    # by owner unit first (the old order) this would be c d a / e b f
    assert [(name_of[i.flag.id], i.bucket) for i in queue.items] == [
        ("g", Bucket.NEW), ("c", Bucket.OTHER), ("e", Bucket.OTHER), ("b", Bucket.OTHER),
        ("d", Bucket.OTHER), ("a", Bucket.OTHER), ("f", Bucket.OTHER)]  # fmt: skip
    assert dict(queue.counts) == {Bucket.NEW: 1, Bucket.OTHER: 6}
    assert dict(queue.by_severity) == {Severity.CRITICAL: 3, Severity.HIGH: 1, Severity.MEDIUM: 1, Severity.LOW: 2}
    assert dict(queue.by_line) == {"first": 7}


def test_the_page_shows_the_start_of_that_order_and_still_counts_everything(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    named = _flags(engine, units_file, tmp_path)
    name_of = {flag_id: name for name, flag_id in named.items()}
    queue = morning_queue(engine, "risk1", NOW, CAL, per_bucket=3)
    assert [name_of[i.flag.id] for i in queue.in_bucket(Bucket.OTHER)] == ["c", "e", "b"]  # old order: c d a
    assert [name_of[i.flag.id] for i in queue.in_bucket(Bucket.NEW)] == ["g"]
    assert queue.counts[Bucket.OTHER] == 6 and queue.total == 7
