"""Values that used to abort a whole ingest are one quarantined record each, the same on SQLite and
PostgreSQL, in one process and in worker processes (issue #9 item 3).

Before: JSON nested thousands deep raised RecursionError, a number beyond 64 bits OverflowError on
SQLite and DataError on PostgreSQL, NUL in text failed on PostgreSQL only, a year 1 or 9999 with an
offset failed on SQLite only — each stopping the run. A record the database refuses for any other
reason is found by splitting its batch, quarantined, and the rest committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from riskmon.business_calendar import TOKYO
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.store.tables import DailyReportRow, ErrorReportRow, Event, table_of
from tests.helpers import count, daily, error_report, open_rejects, run, write_jsonl

MAX = 2**63 - 1


def _contract(event_id: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "event_id": event_id, "type": "contract", "unit_id": "HQ-NP", "contract_id": f"K-{event_id}",
        "contractor_id": "C1", "handles_personal_info": True, "start_on": "2025-04-01", "end_on": "2026-03-31",
        "new_contractor": False,
    }  # fmt: skip
    rec.update(kw)
    return rec


def _hostile_file(path: Path) -> Path:
    """Good records around every value that once stopped an ingest; line numbers in comments."""
    return write_jsonl(
        path,
        [
            daily("ok1"),  # 1
            "[" * 5000 + "]" * 5000,  # 2: nested 5,000 deep
            json.dumps(daily("deep", note="x"))[:-1] + ', "extra": ' + "[" * 3000 + "]" * 3000 + "}",  # 3
            daily("big", forms_received=2**70),  # 4: beyond 64 bits
            daily("max", day="2025-04-02", forms_received=MAX, forms_pending=0, oldest_pending_days=0),  # 5: accepted
            error_report("e32", "C32", amount_impact_jpy=2**40, impact_kind="overpayment"),  # 6: beyond 32 bits: accepted on both
            daily("nul", note="a\u0000b"),  # 7
            daily("id\u0000x"),  # 8
            daily("y1", submitted_at="0001-01-01T00:00:00+09:00"),  # 9
            daily("y9999", submitted_at="9999-12-31T23:00:00-05:00"),  # 10
            daily("d1", day="0001-01-01"),  # 11
            error_report("e9999", "C9999", discovered_at="9999-12-31T20:00:00"),  # 12: naive, Tokyo
            _contract("k1", contractor_name="名" * 201),  # 13: longer than its column
            _contract("k2", contractor_name="名" * 200, title="t" * 400),  # 14: exactly fits
            daily("ok2", day="2200-12-31", submitted_at="1900-01-01T00:00:00+09:00"),  # 15: the window's edges
        ],
    )


EXPECTED = [  # (line, field, code) of every reason, in line order
    (2, "", "json_depth"),
    (3, "", "json_depth"),
    (4, "forms_received", "less_than_equal"),
    (7, "note", "text_nul"),
    (8, "event_id", "text_nul"),
    (9, "submitted_at", "year_range"),
    (10, "submitted_at", "year_range"),
    (11, "business_date", "year_range"),
    (12, "discovered_at", "year_range"),
    (13, "contractor_name", "string_too_long"),
]


def _reasons(engine: Engine) -> list[tuple[int, str, str]]:
    return [(r["line_no"], x["field"], x["code"]) for r in open_rejects(engine) for x in r["reasons"]]


def _check(engine: Engine, report: IngestReport) -> None:
    assert report.accepted == {"daily_report": 3, "error_report": 1, "contract": 1}
    assert report.rejected == {"daily_report": 6, "error_report": 1, "contract": 1, "?": 2}  # lines 2, 3: no type read
    assert _reasons(engine) == EXPECTED
    with engine.connect() as conn:
        stored = dict(conn.execute(select(table_of(DailyReportRow).c.event_id, table_of(DailyReportRow).c.forms_received)).all())
        amount = conn.execute(select(table_of(ErrorReportRow).c.amount_impact_jpy)).scalar_one()
    assert stored == {"ok1": 10, "max": MAX, "ok2": 10}
    assert amount == 2**40


def test_hostile_values_are_quarantined_the_same_on_both_backends(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    report = run(engine, units_file, _hostile_file(tmp_path / "hostile.jsonl"))
    assert report.accepted["unit"] == 6
    report.accepted.pop("unit")
    _check(engine, report)
    by_line = {r["line_no"]: r for r in open_rejects(engine)}
    assert by_line[4]["reasons"][0]["en"] == f"must be at most {MAX}: {2**70}"
    assert by_line[7]["reasons"][0]["ja"] == "NUL 文字 (\\x00) は使えません"
    assert by_line[8]["event_id"] == "id\u2400x"  # stored: PostgreSQL cannot hold NUL
    assert by_line[10]["reasons"][0]["en"] == "the year must be between 1900 and 2200: '9999-12-31T23:00:00-05:00'"
    assert by_line[11]["reasons"][0]["ja"] == "年は 1900〜2200 の範囲で指定してください: '0001-01-01'"
    assert by_line[2]["reasons"][0]["en"] == "JSON is nested too deeply (at most 200 levels)"


def test_hostile_values_in_worker_processes(engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int]) -> None:
    ingest(engine, [units_file], tz=TOKYO)
    report = ingest(engine, [_hostile_file(tmp_path / "hostile.jsonl")], tz=TOKYO, batch_size=4, workers=2)
    assert len(in_workers) == 1
    _check(engine, report)


def test_hostile_values_in_csv(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    head = (
        "event_id,type,unit_id,business_date,forms_received,forms_processed,forms_pending,oldest_pending_days,"
        "complaints,suspected_errors,note"
    )
    rows = [
        "c1,daily_report,PO-001,2025-04-01,1,1,0,0,0,0,fine",
        f"c2,daily_report,PO-001,2025-04-01,{2**64},1,0,0,0,0,big",
        f"c3,daily_report,PO-001,2025-04-01,{'9' * 5000},1,0,0,0,0,huge",
        "c4,daily_report,PO-001,2025-04-01,1,1,0,0,0,0,a\x00b",
        "c5,daily_report,PO-001,1899-12-31,1,1,0,0,0,0,old",
    ]
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    report = run(engine, units_file, path)
    assert report.accepted["daily_report"] == 1
    assert _reasons(engine) == [
        (3, "forms_received", "less_than_equal"),
        (4, "forms_received", "int_parsing_size"),
        (5, "note", "text_nul"),
        (6, "business_date", "year_range"),
    ]
    assert open_rejects(engine)[2]["raw"] == "c4,daily_report,PO-001,2025-04-01,1,1,0,0,0,0,a\u2400b"


def _refuse_note(engine: Engine, note: str) -> None:
    """A real database-level refusal the event models know nothing about: a trigger / check."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_note BEFORE INSERT ON daily_reports "
                    f"WHEN NEW.note = '{note}' BEGIN SELECT RAISE(ABORT, 'note refused by a test trigger'); END"
                )
            )
        else:
            conn.execute(text(f"ALTER TABLE daily_reports ADD CONSTRAINT refuse_note CHECK (note <> '{note}')"))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_the_database_refuses_is_quarantined_and_the_rest_committed(
    engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int], workers: int
) -> None:
    run(engine, units_file)
    _refuse_note(engine, "refuse me")
    records = [daily(f"d{i:02d}", day=f"2025-04-{i + 1:02d}", note="refuse me" if i in (12, 13) else "") for i in range(25)]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    report = ingest(engine, [path], tz=TOKYO, batch_size=10, workers=workers)
    assert report.accepted == {"daily_report": 23}
    assert report.rejected == {"daily_report": 2}
    rejects = open_rejects(engine)
    assert [(r["line_no"], r["event_id"], r["reasons"][0]["code"]) for r in rejects] == [
        (13, "d12", "db_refused"),
        (14, "d13", "db_refused"),
    ]
    assert "refuse" in rejects[0]["reasons"][0]["en"]
    assert count(engine, Event) == 23 == count(engine, DailyReportRow)
    again = ingest(engine, [path], tz=TOKYO, batch_size=10, workers=workers)
    assert again.duplicates == {"daily_report": 23} and again.rejected == {"daily_report": 2}
    assert [r["times_seen"] for r in open_rejects(engine)] == [2, 2]
    assert len(in_workers) == (2 if workers == 2 else 0)
