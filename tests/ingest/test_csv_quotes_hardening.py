"""A CSV cell whose quote is never closed no longer swallows the records after it (issue #9 item 5).

The row with the open quote is refused; the rows it would have swallowed are read as records;
legitimate multi-line quoted cells still work; and for any mix of good, repeated and broken rows
the accepted + duplicate + rejected counts add up to the rows written.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO
from riskmon.ingest.prepare import Preparer
from riskmon.ingest.readers import SourceFile
from riskmon.store.tables import DailyReportRow, table_of
from tests.helpers import open_rejects, run

HEADER = [
    "event_id", "type", "unit_id", "business_date", "forms_received", "forms_processed", "forms_pending",
    "oldest_pending_days", "complaints", "suspected_errors", "note",
]  # fmt: skip
UNITS = frozenset({"PO-001"})


def _cells(event_id: str) -> list[str]:
    return [event_id, "daily_report", "PO-001", "2025-04-01", "5", "5", "0", "0", "0", "0"]


def _good(event_id: str, note: str) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([*_cells(event_id), note])  # "\r\n": a cell holding "\r" is quoted
    return buf.getvalue()


def _broken(event_id: str, note: str) -> str:
    """The row as a hand edit leaves it: the note's closing quote deleted."""
    return ",".join(_cells(event_id)) + ',"' + note.replace('"', '""') + "\n"


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(",".join(HEADER) + "\n" + "".join(rows), encoding="utf-8")
    return path


def test_an_unclosed_quote_is_refused_and_the_rows_after_it_still_load(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "e.csv",
        [
            _good("d1", "fine"),
            _broken("d2", "閉じ忘れ"),
            _good("d3", "fine, with a comma"),
            _good("d4", "two\nlines, legitimately"),
            _good("d5", 'a "quoted" word'),
            _broken("d6", "last row, never closed"),
        ],
    )
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "daily_report": 4}
    assert report.rejected == {"daily_report": 2}
    rejects = open_rejects(engine)
    assert [(r["line_no"], r["event_id"], r["reasons"][0]["code"], r["raw"]) for r in rejects] == [
        (3, "d2", "csv_quote", 'd2,daily_report,PO-001,2025-04-01,5,5,0,0,0,0,"閉じ忘れ'),
        (8, "d6", "csv_quote", 'd6,daily_report,PO-001,2025-04-01,5,5,0,0,0,0,"last row, never closed'),
    ]
    assert rejects[0]["reasons"][0]["en"] == (
        'has a quote (") that is never closed; the row is refused so that it cannot swallow the rows after it'
    )
    with engine.connect() as conn:
        notes = dict(conn.execute(select(table_of(DailyReportRow).c.event_id, table_of(DailyReportRow).c.note)).all())
    assert notes == {"d1": "fine", "d3": "fine, with a comma", "d4": "two\nlines, legitimately", "d5": 'a "quoted" word'}


def test_an_unclosed_quote_in_a_units_master_is_refused_too(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        'unit_id,name_ja,unit_type\nRD01,"北海道地域部,regional_division\nRD02,東北地域部,regional_division\n', encoding="utf-8"
    )
    report = run(engine, path)
    assert report.accepted == {"unit": 1} and report.rejected == {"unit": 1}
    assert [(r["line_no"], r["reasons"][0]["code"]) for r in open_rejects(engine)] == [(2, "csv_quote")]


notes = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
plans = st.lists(st.tuples(notes, st.sampled_from(["good", "good", "broken", "repeat"])), min_size=1, max_size=12)
_ids = itertools.count()


def _file(plan: list[tuple[str, str]]) -> tuple[list[str], dict[str, int], dict[str, str]]:
    """Rows for ``plan``, how many of each outcome they must give, and the good rows' notes."""
    rows: list[str] = []
    want = {"accepted": 0, "duplicates": 0, "rejected": 0}
    good: dict[str, str] = {}
    for note, kind in plan:
        event_id = f"q{next(_ids)}"
        if kind == "repeat" and rows and good:
            rows.append(_good(last := next(reversed(good)), good[last]))
            want["duplicates"] += 1
        elif kind == "broken":
            rows.append(_broken(event_id, note))
            want["rejected"] += 1
        else:
            rows.append(_good(event_id, note))
            good[event_id] = note
            want["accepted"] += 1
    return rows, want, good


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(plans)
def test_reader_outcomes_add_up_to_the_rows_written(tmp_path: Path, plan: list[tuple[str, str]]) -> None:
    rows, want, good = _file(plan)
    batch = Preparer("sqlite", TOKYO, UNITS).prepare("x", list(SourceFile(_write(tmp_path / "p.csv", rows))))
    assert len(batch.lines) == want["accepted"] + want["duplicates"]  # duplicates are told apart by the writer
    assert len(batch.rejections) == want["rejected"]
    assert {r.code for rej in batch.rejections for r in rej.reasons} <= {"csv_quote"}
    stored = {e.event_id: e.note for e in batch.events or []}
    assert stored == {eid: note.strip() for eid, note in good.items()}


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(plans)
def test_ingest_counts_add_up_to_the_rows_written(engine: Engine, units_file: Path, tmp_path: Path, plan: list[tuple[str, str]]) -> None:
    run(engine, units_file)
    rows, want, _ = _file(plan)
    report = run(engine, _write(tmp_path / "p.csv", rows), batch_size=3)
    got = report.as_dict()["totals"]
    assert (got["accepted"], got["duplicates"], got["rejected"] + got["conflicts"]) == (
        want["accepted"],
        want["duplicates"],
        want["rejected"],
    )
