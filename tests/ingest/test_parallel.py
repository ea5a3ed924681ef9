"""Worker processes must not change what an ingest does: same report, same rows, same rejects.

Each test ingests the same messy file twice — prepared in worker processes on the backend under
test, and in-process on a fresh SQLite file — and compares everything a user can see.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO
from riskmon.ingest import parallel
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.store.db import make_engine
from riskmon.store.migrate import upgrade
from riskmon.store.tables import DailyReportRow, Event, IngestRun, NonconformityRow, Reject, table_of
from tests.helpers import daily, error_report, write_jsonl

BATCH = 7  # many small batches, so duplicates and conflicts fall across batch boundaries


def _inspection(event_id: str, inspection_id: str, nc_id: str) -> dict[str, object]:
    return {
        "event_id": event_id, "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": inspection_id,
        "contract_id": "K1", "inspection_type": "in_performance", "inspected_on": "2025-05-01",
        "nonconformities": [{"nc_id": nc_id, "aspect": "staff_roster", "description": "名簿の記載漏れ", "resolved_on": "2025-05-01"}],
    }  # fmt: skip


def _messy(path: Path) -> Path:
    records: list[dict[str, object] | str] = [daily(f"d{i:03d}", day=f"2025-04-{i % 28 + 1:02d}") for i in range(40)]
    records[3] = daily("d003", day="2025-04-04", note="同じ内容")
    records += [
        daily("d003", day="2025-04-04", note="同じ内容"),  # same again, another batch: a duplicate
        daily("d005", day="2025-04-30", forms_received=99),  # same id, other content: a conflict
        "{not json",
        "",
        daily("bad1", forms_pending="many"),
        daily("bad2", unit="PO-999"),
        error_report("e1", "C1"),
        error_report("e2", "C1"),  # case C1 already belongs to e1
        _inspection("i1", "INS-1", "NC-1"),
        _inspection("i2", "INS-2", "NC-1"),  # NC-1 already belongs to i1
    ]
    records += [daily(f"z{i:03d}", unit="PO-002") for i in range(20)]
    return write_jsonl(path, records)


def _edited(src: Path, path: Path) -> Path:
    """The file sent again: most lines unchanged, some rewritten (same content), some changed."""
    out = []
    for n, line in enumerate(src.read_text(encoding="utf-8").splitlines()):
        try:
            rec: Any = json.loads(line)
        except ValueError:
            out.append(line)
            continue
        if n % 5 == 0:
            line = json.dumps(dict(reversed(list(rec.items()))), ensure_ascii=False)  # key order only
        elif n % 7 == 0 and rec.get("type") == "daily_report":
            line = json.dumps({**rec, "complaints": 3}, ensure_ascii=False)  # changed: conflicts
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _seen(engine: Engine, report: IngestReport) -> dict[str, Any]:
    """What a user can see of an ingest, in a form that compares across backends."""
    events, daily_rows, ncs, rejects = (table_of(m) for m in (Event, DailyReportRow, NonconformityRow, Reject))
    with engine.connect() as conn:
        stored = sorted(conn.execute(select(events.c.event_id, events.c.type, events.c.raw_hash, events.c.source_line)).all())
        rows = sorted((r.event_id, str(r.business_date), r.forms_pending, r.note) for r in conn.execute(select(daily_rows)))
        nc = sorted(conn.execute(select(ncs.c.nc_id, ncs.c.event_id)).all())
        quarantined = sorted(
            (r.line_no, r.kind, r.event_id, tuple(x["code"] for x in r.reasons), r.resolved_at is None)
            for r in conn.execute(select(rejects))
        )
    return {
        "report": {k: v for k, v in report.as_dict().items() if k != "run_id"},
        "reported": sorted((r.line, r.kind, r.event_id, tuple(x.code for x in r.reasons)) for r in report.rejections),
        "stored": [(eid, kind, h, line) for eid, kind, h, line in stored],
        "rows": rows,
        "nonconformities": nc,
        "quarantine": quarantined,
    }


def test_workers_ingest_exactly_what_one_process_does(engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int]) -> None:
    first = _messy(tmp_path / "events.jsonl")
    second = _edited(first, tmp_path / "events-again.jsonl")
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    for eng in (engine, reference):
        ingest(eng, [units_file], tz=TOKYO)
    for path in (first, second, first):  # new, then sent again edited, then the original again
        got = ingest(engine, [path], tz=TOKYO, batch_size=BATCH, workers=2)
        want = ingest(reference, [path], tz=TOKYO, batch_size=BATCH, workers=1)
        assert _seen(engine, got) == _seen(reference, want)
    assert len(in_workers) == 3
    assert got.total_rejected > 0 and sum(got.duplicates.values()) > 0  # the file did exercise both paths
    reference.dispose()


@pytest.fixture
def fifty(sqlite_engine: Engine, units_file: Path, tmp_path: Path) -> Path:
    """A database with the units in, and a file of 50 daily reports (5 batches of 10)."""
    upgrade(sqlite_engine)
    ingest(sqlite_engine, [units_file], tz=TOKYO)
    return write_jsonl(tmp_path / "a.jsonl", [daily(f"d{i:03d}") for i in range(50)])


def test_interrupting_a_parallel_ingest_keeps_committed_batches(
    sqlite_engine: Engine, fifty: Path, in_workers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskmon.store import writer as writer_module

    real = writer_module.BatchWriter.write
    calls = {"n": 0}

    def interrupted(self: writer_module.BatchWriter, *args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(writer_module.BatchWriter, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(sqlite_engine, [fifty], tz=TOKYO, batch_size=10, workers=2)
    monkeypatch.setattr(writer_module.BatchWriter, "write", real)
    resumed = ingest(sqlite_engine, [fifty], tz=TOKYO, batch_size=10, workers=2)
    assert resumed.duplicates == {"daily_report": 20} and resumed.accepted == {"daily_report": 30}
    assert len(in_workers) == 2


def test_small_files_and_csv_files_stay_in_process(
    sqlite_engine: Engine, units_file: Path, tmp_path: Path, worker_runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(sqlite_engine)
    csv_path = tmp_path / "b.csv"
    csv_path.write_text("type,event_id,unit_id,case_id,discovered_at,category,affected_customers,personal_info_involved,summary\n"
                        "error_report,e1,PO-001,C1,2025-04-01T10:00:00,misdelivery,1,true,誤送付\n", encoding="utf-8")  # fmt: skip
    small = ingest(sqlite_engine, [units_file, write_jsonl(tmp_path / "a.jsonl", [daily("d1")])], tz=TOKYO, workers=2)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)  # even at any size, CSV rows are read here
    from_csv = ingest(sqlite_engine, [csv_path], tz=TOKYO, workers=2)
    assert small.accepted == {"unit": 6, "daily_report": 1} and from_csv.accepted == {"error_report": 1}
    assert worker_runs == []


def _die(*args: Any) -> Any:
    os._exit(9)  # as the kernel's OOM killer would end it: no answer, no exception


def test_a_worker_that_dies_fails_the_ingest_instead_of_hanging(
    sqlite_engine: Engine, fifty: Path, in_workers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = parallel._prepare
    monkeypatch.setattr(parallel, "_prepare", _die)  # forked workers inherit the patched module
    with pytest.raises(parallel.WorkerLost, match="worker process ended"):
        ingest(sqlite_engine, [fifty], tz=TOKYO, batch_size=10, workers=2)
    with sqlite_engine.connect() as conn:
        status = conn.execute(select(table_of(IngestRun).c.status).order_by(table_of(IngestRun).c.id.desc())).scalar()
    assert status == "failed"
    monkeypatch.setattr(parallel, "_prepare", real)
    assert ingest(sqlite_engine, [fifty], tz=TOKYO, batch_size=10, workers=2).accepted == {"daily_report": 50}
    assert len(in_workers) == 2
