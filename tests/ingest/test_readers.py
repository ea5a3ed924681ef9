from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon.ingest.files import plan
from riskmon.ingest.readers import SourceFile


def test_jsonl_skips_blank_lines_and_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a":1}\n\n  \n{"b":2}\r\n')
    recs = list(SourceFile(path))
    assert [(r.line, r.raw) for r in recs] == [(1, b'{"a":1}'), (4, b'{"b":2}')]


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write(b'{"a":1}\n{"b":2}\n')
    src = SourceFile(path)
    assert len(list(src)) == 2
    assert src.position == src.size


def test_csv_rows_with_multiline_cells_keep_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text('event_id,type,note\nd1,daily_report,"two\nlines"\nd2,daily_report,\n', encoding="utf-8")
    recs = list(SourceFile(path))
    assert [r.line for r in recs] == [2, 4]
    assert recs[0].data == {"event_id": "d1", "type": "daily_report", "note": "two\nlines"}
    assert recs[1].data == {"event_id": "d2", "type": "daily_report", "note": ""}  # required text: "" not missing
    assert recs[0].text.startswith("d1,daily_report")


def test_csv_empty_optional_cells_are_absent_and_json_cells_parsed(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    nc = json.dumps([{"nc_id": "N1", "aspect": "staff_roster", "description": "x"}])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["event_id", "type", "note", "nonconformities"])
        w.writerow(["i1", "inspection_result", "", nc])
        w.writerow(["i2", "inspection_result", "", "[{broken"])
        w.writerow(["i3", "inspection_result"])
    good, broken, short = list(SourceFile(path))
    assert good.data == {"event_id": "i1", "type": "inspection_result", "nonconformities": json.loads(nc)}
    assert broken.problems and broken.problems[0].field == "nonconformities"
    assert short.problems and "columns" in short.problems[0].en


def test_the_plan_puts_units_files_first(tmp_path: Path) -> None:
    for name in ["b.jsonl", "units.csv", "a.csv", "notes.txt"]:
        (tmp_path / name).write_text("")
    assert [f.path.name for f in plan([tmp_path]) if f.role in ("units", "events")] == ["units.csv", "a.csv", "b.jsonl"]


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=8))
def test_csv_reader_round_trips_any_text(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)  # the default dialect quotes any cell holding "\r" or "\n"
    w.writerow(["event_id", "note"])
    w.writerows(rows)
    path = tmp_path / "p.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    recs = list(SourceFile(path))
    expected = [r for r in rows if r[0].strip() or r[1].strip()]
    assert len(recs) == len(expected)
    for rec, (eid, note) in zip(recs, expected, strict=True):
        assert rec.data is not None
        assert rec.data.get("event_id", "") == eid.strip()
        assert rec.data.get("note", "") == note.strip()


def test_malformed_csv_row_is_one_bad_record_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"event_id,note\nd1,ok\n,\r0\nd3,fine\n")
    recs = list(SourceFile(path))
    assert [r.line for r in recs] == [2, 3, 4]
    assert recs[1].problems and "CSV" in recs[1].problems[0].ja
    assert recs[2].data == {"event_id": "d3", "note": "fine"}


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from([b'{"a":1}', b"", b"  ", b'{"b":"\xe3\x81\x82"}\r', b"\xef\xbb\xbf{}", b"x" * 70]), max_size=40),
    st.booleans(),
    st.integers(1, 9),
    st.integers(1, 64),
)
def test_line_blocks_number_lines_as_the_line_by_line_reader_does(
    lines: list[bytes], final_newline: bool, per_block: int, read_size: int
) -> None:
    """Workers get blocks of lines (riskmon.ingest.parallel); numbering and stripping must match."""
    from riskmon.ingest.readers import _line_blocks, jsonl_lines

    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    want = []
    for n, line in enumerate(io.BytesIO(data), 1):
        stripped = line.strip()
        stripped = stripped[3:] if n == 1 and stripped.startswith(b"\xef\xbb\xbf") else stripped
        if stripped:
            want.append((n, stripped))
    blocks = list(_line_blocks(io.BytesIO(data), per_block, read_size))
    assert [x for first, block in blocks for x in jsonl_lines(first, block)] == want
    assert b"".join(block for _, block in blocks) == data
    assert all(block.count(b"\n") == per_block for _, block in blocks[:-1])
