"""A key given twice in one JSON object is a reject, not last-one-wins (issue #9 item 6).

JSON records are parsed by jiter with ``catch_duplicate_keys`` and then validated as Python data;
the tests also pin that this path accepts and refuses exactly what pydantic's own JSON validation
did for every record that has no repeated key, so the change of parser changed nothing else.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO
from riskmon.events.models import EVENT_ADAPTER
from riskmon.events.reasons import BadJson, validate_record
from riskmon.ingest.pipeline import ingest
from tests.helpers import ROOT, daily, open_rejects, run, write_jsonl


def _twice(record: dict[str, object], key: str, value: object, spelled: str | None = None) -> str:
    """``record`` as JSON with ``key`` given a second time (optionally spelled with escapes)."""
    return json.dumps(record, ensure_ascii=False)[:-1] + f', "{spelled or key}": {json.dumps(value)}}}'


def _inspection(event_id: str, nc: str) -> str:
    head = {"event_id": event_id, "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": f"I-{event_id}",
            "contract_id": "K1", "inspection_type": "delivery", "inspected_on": "2025-05-01"}  # fmt: skip
    return json.dumps(head)[:-1] + f', "nonconformities": [{nc}]}}'


def _file(path: Path) -> Path:
    return write_jsonl(
        path,
        [
            daily("d1"),  # 1
            _twice(daily("d2", day="2025-04-02"), "event_id", "d2b"),  # 2
            _twice(daily("d3", day="2025-04-03"), "forms_received", 99),  # 3
            _twice(daily("d4", day="2025-04-04"), "note", "x", spelled="\\u006eote"),  # 4: same key, escaped
            _inspection("i1", '{"nc_id": "N1", "aspect": "staff_roster", "description": "a", "nc_id": "N2"}'),  # 5
            _inspection("i2", '{"nc_id": "N3", "aspect": "staff_roster", "description": "b"}'),  # 6
            daily("d5", day="2025-04-05", note='{"event_id": "x", "event_id": "y"}'),  # 7: only text
        ],
    )


def _check(engine: Engine) -> None:
    rejects = open_rejects(engine)
    assert [(r["line_no"], r["record_type"], r["event_id"], [(x["field"], x["code"]) for x in r["reasons"]]) for r in rejects] == [
        (2, "daily_report", "d2b", [("event_id", "duplicate_key")]),
        (3, "daily_report", "d3", [("forms_received", "duplicate_key")]),
        (4, "daily_report", "d4", [("note", "duplicate_key")]),
        (5, "inspection_result", "i1", [("nc_id", "duplicate_key")]),
    ]
    assert rejects[0]["reasons"][0]["en"] == "appears twice in one object (which value is meant cannot be told)"


def test_a_key_given_twice_is_a_reject(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    report = run(engine, units_file, _file(tmp_path / "dup.jsonl"))
    assert report.accepted == {"unit": 6, "daily_report": 2, "inspection_result": 1}
    assert report.rejected == {"daily_report": 3, "inspection_result": 1}
    _check(engine)


def test_a_key_given_twice_is_a_reject_in_worker_processes(engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int]) -> None:
    ingest(engine, [units_file], tz=TOKYO)
    report = ingest(engine, [_file(tmp_path / "dup.jsonl")], tz=TOKYO, batch_size=2, workers=2)
    assert report.rejected == {"daily_report": 3, "inspection_result": 1} and len(in_workers) == 1
    _check(engine)


def test_a_csv_header_naming_a_column_twice_is_a_file_reject(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("event_id,type,unit_id,note,note\nc1,daily_report,PO-001,a,b\n", encoding="utf-8")
    report = run(engine, units_file, path)
    assert report.rejected == {"file": 1}
    [reject] = open_rejects(engine)
    assert (reject["line_no"], reject["reasons"][0]["code"]) == (0, "csv_header")
    assert reject["reasons"][0]["en"] == (
        "the header names a column twice: note (which one is meant cannot be told, so the file is not read)"
    )


def _outcome(validate: Any) -> Any:
    try:
        return ("ok", validate())
    except ValidationError as exc:
        return ("invalid", sorted((e["type"], e["loc"]) for e in exc.errors()))
    except BadJson as exc:
        return ("bad json", exc.reason.code)


def _sample_lines() -> list[bytes]:
    lines: list[bytes] = []
    for name in ("error_reports.jsonl", "inspections.jsonl", "bad_records.jsonl"):
        lines += [x for x in (ROOT / "sample_events" / name).read_bytes().splitlines() if x.strip()]
    with gzip.open(ROOT / "sample_events" / "daily_reports.jsonl.gz") as f:
        lines += [x.strip() for x in itertools.islice(f, 3000)]
    odd: list[object] = [
        True,
        None,
        10.0,
        10.5,
        "10",
        " 10 ",
        1e20,
        "2025-04-01",
        20250401,
        "2025-04-01T00:00:00Z",
        [],
        {},
        "true",
        "1",
        "",
    ]
    for key, value in itertools.product(["forms_received", "business_date", "note", "submitted_at", "event_id"], odd):
        lines.append(json.dumps({**daily("o"), key: value}).encode())
    return lines


def test_strict_parsing_changes_nothing_else() -> None:
    context = {"tz": TOKYO}
    differ = []
    for raw in _sample_lines():
        before = _outcome(lambda: EVENT_ADAPTER.validate_json(raw, context=context))  # noqa: B023
        after = _outcome(lambda: validate_record(raw, context))  # noqa: B023
        unparsable = before[0] == "invalid" and before[1][0][0] == "json_invalid"
        if (after[0] != "bad json") if unparsable else (after != before):
            differ.append((raw, before, after))
    assert differ == []
