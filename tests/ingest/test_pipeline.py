"""Ingest end to end on real SQLite and PostgreSQL: idempotency, conflicts, quarantine, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.store import writer as writer_module
from riskmon.store.tables import (
    DailyReportRow,
    ErrorReportRow,
    Event,
    IngestRun,
    NonconformityRow,
    Unit,
    table_of,
)
from tests.helpers import count, daily, error_report, open_rejects, run, write_jsonl


def test_units_then_events_are_stored_with_their_fields(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = write_jsonl(tmp_path / "e.jsonl", [daily("d1"), error_report("e1", "C1")])
    report = run(engine, units_file, events)
    assert report.accepted == {"unit": 6, "daily_report": 1, "error_report": 1}
    assert report.total_rejected == 0
    with engine.connect() as conn:
        row = conn.execute(select(table_of(ErrorReportRow))).mappings().one()
        line = conn.execute(select(table_of(Unit).c.line).where(table_of(Unit).c.unit_id == "AUD")).scalar()
    assert row["is_priority_incident"] is True
    assert row["discovered_at"].utcoffset().total_seconds() == 0  # stored as UTC, read back aware
    assert row["discovered_at"].hour == 1  # 10:00 JST
    assert line == "third"


def test_reingest_is_a_no_op(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = write_jsonl(tmp_path / "e.jsonl", [daily(f"d{i}", day=f"2025-04-{i:02d}") for i in range(1, 11)])
    run(engine, units_file, events)
    again = run(engine, units_file, events)
    assert sum(again.accepted.values()) == 0
    assert again.duplicates == {"unit": 6, "daily_report": 10}
    assert count(engine, Event) == 10


def test_same_content_written_differently_is_a_duplicate(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    run(engine, units_file, write_jsonl(tmp_path / "a.jsonl", [error_report("e1", "C1")]))
    csv_path = tmp_path / "b.csv"
    csv_path.write_text(
        "type,event_id,unit_id,case_id,discovered_at,category,affected_customers,personal_info_involved,my_number_involved,summary\n"
        "error_report,e1,PO-001,C1,2025-04-01T01:00:00Z,misdelivery,1,true,true,通知書を別のお客様へ送付\n",
        encoding="utf-8",
    )
    report = run(engine, csv_path)
    assert report.duplicates == {"error_report": 1}
    assert report.total_rejected == 0


def test_same_id_with_other_content_is_a_conflict_and_never_overwrites(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [daily("d1", forms_received=10)])
    second = write_jsonl(tmp_path / "b.jsonl", [daily("d1", forms_received=99)])
    run(engine, units_file, first)
    report = run(engine, second)
    assert report.conflicts == {"daily_report": 1}
    [reject] = open_rejects(engine)
    assert reject["kind"] == "conflict"
    assert "a.jsonl:1" in reject["reasons"][0]["en"]
    with engine.connect() as conn:
        assert conn.execute(select(table_of(DailyReportRow).c.forms_received)).scalar() == 10


def test_business_key_reused_under_another_event_id_is_a_conflict(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [error_report("e1", "C1"), error_report("e2", "C1")])
    report = run(engine, units_file, path)
    assert report.accepted["error_report"] == 1
    assert report.conflicts == {"error_report": 1}
    assert open_rejects(engine)[0]["reasons"][0]["field"] == "case_id"


def test_duplicate_inside_one_batch(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [daily("d1"), daily("d1"), daily("d1", note="changed")])
    report = run(engine, units_file, path)
    assert report.accepted["daily_report"] == 1
    assert report.duplicates["daily_report"] == 1
    assert report.conflicts["daily_report"] == 1


def test_bad_records_are_kept_with_every_reason_and_good_ones_go_in(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [daily("d1"), daily("d2", unit="PO-999", forms_received="x"), "{broken", daily("d3", day="2025-04-02")],
    )
    report = run(engine, units_file, path)
    assert report.accepted["daily_report"] == 2
    rejects = open_rejects(engine)
    assert [r["line_no"] for r in rejects] == [2, 3]
    assert {x["field"] for x in rejects[0]["reasons"]} == {"unit_id", "forms_received"}
    assert rejects[0]["raw"].startswith('{"event_id": "d2"')
    assert rejects[1]["reasons"][0]["code"] == "json_invalid"


def test_fixing_the_file_resolves_its_rejects(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [daily("d1"), daily("d2", forms_received=-1)])
    run(engine, units_file, path)
    assert len(open_rejects(engine)) == 1
    again = run(engine, path)  # the same bad line again: still one reject, seen twice
    assert again.rejected == {"daily_report": 1}
    assert open_rejects(engine)[0]["times_seen"] == 2
    write_jsonl(path, [daily("d1"), daily("d2", forms_received=1)])
    fixed = run(engine, path)
    assert fixed.accepted == {"daily_report": 1}
    assert open_rejects(engine) == []


def test_inspections_store_their_nonconformities(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    insp = {
        "event_id": "i1", "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": "I1",
        "contract_id": "K1", "inspection_type": "in_performance", "inspected_on": "2025-05-01",
        "nonconformities": [{"nc_id": "N1", "aspect": "staff_roster", "description": "名簿", "resolved_on": "2025-05-01"}],
    }  # fmt: skip
    run(engine, units_file, write_jsonl(tmp_path / "i.jsonl", [insp]))
    assert count(engine, NonconformityRow) == 1
    again = run(engine, write_jsonl(tmp_path / "j.jsonl", [{**insp, "event_id": "i2"}]))
    assert again.conflicts == {"inspection_result": 1}  # inspection_id and nc_id already belong to i1


@pytest.mark.parametrize("fail_on_batch", [2])
def test_interrupted_ingest_keeps_committed_batches_and_leaves_no_half_batch(
    engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on_batch: int
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [daily(f"d{i:03d}", day="2025-04-01") for i in range(25)])
    run(engine, units_file)
    real = writer_module.BatchWriter._insert_typed
    calls = {"n": 0}

    def flaky(self: writer_module.BatchWriter, conn: object, *rows: object) -> None:
        calls["n"] += 1
        real(self, conn, *rows)  # type: ignore[arg-type]
        if calls["n"] == fail_on_batch:
            raise KeyboardInterrupt  # Ctrl-C after rows were written, before the commit

    monkeypatch.setattr(writer_module.BatchWriter, "_insert_typed", flaky)
    with pytest.raises(KeyboardInterrupt):
        run(engine, path, batch_size=10)
    assert count(engine, Event) == 10 == count(engine, DailyReportRow)
    with engine.connect() as conn:
        status = conn.execute(select(table_of(IngestRun).c.status).order_by(table_of(IngestRun).c.id.desc())).first()
    assert status is not None and status[0] == "interrupted"
    monkeypatch.setattr(writer_module.BatchWriter, "_insert_typed", real)
    resumed = run(engine, path, batch_size=10)
    assert resumed.duplicates == {"daily_report": 10}
    assert resumed.accepted == {"daily_report": 15}


def test_units_file_errors_are_quarantined(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "unit_id,name_ja,unit_type,parent_unit_id\nRD01,地域部,regional_division,\nPO-1,事務所,pension_offise,RD01\n"
        "PO-2,事務所,pension_office,RD99\nRD01,重複,regional_division,\n",
        encoding="utf-8",
    )
    report = run(engine, path)
    assert report.accepted == {"unit": 1}
    fields = [r["reasons"][0]["field"] for r in open_rejects(engine)]
    assert fields == ["unit_type", "parent_unit_id", "unit_id"]
