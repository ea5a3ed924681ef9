"""The floor of the ingest write path on this machine (see docs/benchmarks.md).

A stripped version of what `riskmon ingest` does for JSONL daily reports — batch validation,
hashing, registry and typed-row inserts, a commit per 5,000 — with none of the checks, the
quarantine or the duplicate handling. Run after `python bench/ingest.py` made the 1M file:

    python bench/ingest_floor.py
"""

from __future__ import annotations

import gc
import hashlib
import time
from datetime import UTC
from itertools import repeat
from operator import attrgetter
from pathlib import Path

from pydantic import TypeAdapter

from riskmon.business_calendar import TOKYO
from riskmon.events.models import AnyEvent
from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from riskmon.store.tables import DailyReportRow, table_of

DATA = Path(__file__).resolve().parent / "out" / "data-1m" / "daily_reports.jsonl"
DB = Path("/tmp/riskmon-floor.db")
BATCH = 5000


def main() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{DB}")
    upgrade(engine)
    events_of = TypeAdapter(list[AnyEvent])
    cols = [c.name for c in table_of(DailyReportRow).columns]
    cut = attrgetter(*cols)
    day_i, at_i = cols.index("business_date"), cols.index("submitted_at")
    typed_sql = f"INSERT INTO daily_reports ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
    registry_sql = (
        "INSERT INTO events (event_id, type, raw_hash, source_id, source_line, ingest_run_id) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
    )
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    start = time.perf_counter()
    cur = engine.raw_connection().cursor()
    done = 0
    with open(DATA, "rb") as f:
        while True:
            lines = [line.rstrip(b"\n") for _, line in zip(range(BATCH), f, strict=False)]
            if not lines:
                break
            events = events_of.validate_json(b"[" + b",".join(lines) + b"]", context={"tz": TOKYO})
            hashes = [hashlib.blake2b(line, digest_size=16).hexdigest() for line in lines]
            cur.execute("BEGIN")
            cur.executemany(registry_sql, list(zip([e.event_id for e in events], repeat("daily_report"), hashes, repeat(1),
                                                   range(done + 1, done + 1 + len(lines)), repeat(1), strict=False)))  # fmt: skip
            rows = []
            for event in events:
                row = list(cut(event))
                row[day_i] = row[day_i].isoformat()
                if row[at_i] is not None:
                    row[at_i] = row[at_i].astimezone(UTC).isoformat(" ", "microseconds")
                rows.append(row)
            cur.executemany(typed_sql, rows)
            cur.execute("COMMIT")
            done += len(lines)
    print(f"{done:,} events in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
