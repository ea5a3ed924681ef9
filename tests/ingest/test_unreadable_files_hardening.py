"""A file that cannot be read is one file-level reject, and the other files still load (issue #9
items 4 and 7): Shift_JIS CSVs from Excel, truncated / corrupt / fake .gz files, workbooks, unknown
files, and the users file, which is recognised and never read as events.
"""

from __future__ import annotations

import gzip
import json
import shutil
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from riskmon.business_calendar import TOKYO
from riskmon.cli.app import app
from riskmon.ingest.files import plan
from riskmon.ingest.pipeline import ingest
from riskmon.store.tables import DailyReportRow, Reject, table_of
from tests.helpers import ROOT, count, daily, open_rejects, run, write_jsonl

HEADER = (
    "event_id,type,unit_id,business_date,forms_received,forms_processed,forms_pending,oldest_pending_days,complaints,suspected_errors,note"
)


def _csv_rows(notes: list[str]) -> str:
    rows = [f"s{i},daily_report,PO-001,2025-04-{i + 1:02d},5,5,0,0,0,0,{note}" for i, note in enumerate(notes)]
    return "\n".join([HEADER, *rows]) + "\n"


def _file_rejects(engine: Engine) -> list[tuple[str, str, str]]:
    rejects = [r for r in open_rejects(engine) if r["kind"] == "file"]
    return [(Path(r["source_path"]).name, r["reasons"][0]["code"], r["reasons"][0]["en"]) for r in rejects]


def test_a_csv_mixing_utf8_and_shift_jis_is_one_file_reject_and_the_folder_still_loads(
    engine: Engine, units_file: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(units_file, inbox / "units.csv")
    excel = inbox / "excel.csv"
    head, bad = _csv_rows(["ok", "来訪者多数", "混雑"]).rsplit("\n", 2)[0], "s2,daily_report,PO-001,2025-04-03,5,5,0,0,0,0,混雑\n"
    excel.write_bytes((head + "\n").encode("utf-8") + bad.encode("cp932"))
    write_jsonl(inbox / "good.jsonl", [daily("g1"), daily("g2", day="2025-04-02")])
    report = run(engine, inbox)
    assert report.accepted == {"unit": 6, "daily_report": 4}  # g1, g2 and s0, s1, read before line 4
    assert report.rejected == {"file": 1}
    assert report.encodings[str(excel)] == "utf-8"
    [reject] = open_rejects(engine)
    assert (reject["line_no"], reject["kind"], reject["record_type"], reject["source_path"]) == (0, "file", "file", str(excel))
    assert reject["reasons"][0]["ja"] == (
        "4行目がUTF-8として読めません（3行目からの内容でUTF-8と判断しました）。文字コードが混在しています。"
        "Excel で『名前を付けて保存』を選び、ファイルの種類『CSV UTF-8（コンマ区切り）(*.csv)』で保存し直してください"
        "。3行目までは読み込みました（その分は取り込み済み、それ以降は未取込）。ファイルを直して再度取り込んでください"
    )
    assert reject["reasons"][0]["en"] == (
        "line 4 cannot be read as UTF-8 (the file was recognised as UTF-8 from line 3 on); it mixes encodings:"
        " in Excel use Save As and choose the file type 'CSV UTF-8 (Comma delimited) (*.csv)'"
        "; read up to line 3 (those records are in, the rest is not). Fix the file and ingest it again"
    )
    excel.write_text(_csv_rows(["ok", "来訪者多数", "混雑"]), encoding="utf-8-sig")  # saved again as 'CSV UTF-8'
    fixed = run(engine, inbox)
    assert +fixed.accepted == {"daily_report": 1} and fixed.duplicates == {"unit": 6, "daily_report": 4}
    assert fixed.encodings[str(excel)] == "utf-8-sig"
    assert open_rejects(engine) == []


def _gz_lines(path: Path, n: int) -> bytes:
    data = "".join(json.dumps(daily(f"z{i:04d}", note=f"{i}" * 40)) + "\n" for i in range(n)).encode()
    with gzip.open(path, "wb") as f:
        f.write(data)
    return path.read_bytes()


def _complete_lines(compressed: bytes) -> int:
    """How many whole lines the readable part of a damaged gzip file holds."""
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(compressed).count(b"\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_truncated_gz_keeps_what_was_read_and_says_up_to_which_line(
    engine: Engine, units_file: Path, tmp_path: Path, in_workers: list[int], workers: int
) -> None:
    full = _gz_lines(tmp_path / "whole.jsonl.gz", 3000)
    cut = tmp_path / "daily.jsonl.gz"
    cut.write_bytes(full[: len(full) // 2])
    good = _complete_lines(cut.read_bytes())
    assert 0 < good < 3000
    run(engine, units_file)
    report = ingest(engine, [cut], tz=TOKYO, batch_size=500, workers=workers)
    assert report.accepted == {"daily_report": good} and report.rejected == {"file": 1}
    assert _file_rejects(engine) == [
        (
            "daily.jsonl.gz",
            "file_truncated",
            f"the gzip file is cut off (an unfinished transfer or copy?); read up to line {good}"
            " (those records are in, the rest is not). Fix the file and ingest it again",
        )
    ]
    cut.write_bytes(full)  # the transfer is done again
    again = ingest(engine, [cut], tz=TOKYO, batch_size=500, workers=workers)
    assert again.duplicates == {"daily_report": good} and again.accepted == {"daily_report": 3000 - good}
    assert open_rejects(engine) == []
    assert len(in_workers) == (2 if workers == 2 else 0)


def test_corrupt_and_fake_gz_files_are_file_rejects(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.jsonl.gz"
    data = bytearray(_gz_lines(corrupt, 50))
    data[-8:-4] = b"\x00\x00\x00\x00"  # the CRC of the content
    corrupt.write_bytes(bytes(data))
    fake = tmp_path / "fake.csv.gz"
    fake.write_text(_csv_rows(["plain text, not gzip"]), encoding="utf-8")
    report = run(engine, units_file, corrupt, fake, write_jsonl(tmp_path / "ok.jsonl", [daily("ok")]))
    assert report.rejected == {"file": 2}
    rejects = dict((name, (code, en)) for name, code, en in _file_rejects(engine))
    assert rejects["fake.csv.gz"] == ("not_gzip", "is named .gz but is not gzip-compressed; nothing was read from it")
    assert rejects["corrupt.jsonl.gz"][0] == "file_corrupt"
    assert rejects["corrupt.jsonl.gz"][1].startswith("the gzip file is corrupt (CRC check failed")
    # the CRC is checked at the end: every line was read, and the file says so
    assert rejects["corrupt.jsonl.gz"][1].endswith(
        "; read up to line 50 (those records are in, the rest is not). Fix the file and ingest it again"
    )
    assert report.accepted == {"unit": 6, "daily_report": 51}


def test_workbooks_and_unknown_files_are_file_rejects_hidden_files_are_left_alone(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "report.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (inbox / "renamed.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a workbook given a .csv name
    (inbox / "memo.txt").write_text("明日の予定", encoding="utf-8")
    (inbox / ".DS_Store").write_bytes(b"\x00\x01")
    (inbox / "~$report.xlsx").write_bytes(b"\x00")  # Excel's lock file while the book is open
    write_jsonl(inbox / "e.jsonl", [daily("d1")])
    report = run(engine, units_file, inbox)
    assert report.accepted == {"unit": 6, "daily_report": 1} and report.rejected == {"file": 3}
    assert _file_rejects(engine) == [
        ("memo.txt", "file_type", "is not a kind of file riskmon reads; send .jsonl, .csv (optionally .gz) or .xlsx"),
        ("renamed.csv", "excel", "is an Excel workbook (a ZIP file) not named .xlsx; rename it to .xlsx and ingest it again"),
        (
            "report.xlsx",
            "xlsx_unreadable",
            "cannot be read as an Excel workbook (.xlsx) (File is not a zip file); "
            "open it in Excel and save it as 'Excel Workbook (.xlsx)'",
        ),
    ]  # a real workbook is read: tests/ingest/test_xlsx.py
    assert sorted(Path(f).name for f in report.files) == ["e.jsonl", "memo.txt", "renamed.csv", "report.xlsx", "units.csv"]


def test_users_files_are_recognised_and_never_read_as_events(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "sample"
    inbox.mkdir()
    shutil.copy(ROOT / "sample_events" / "units.csv", inbox / "units.csv")
    shutil.copy(ROOT / "sample_events" / "users.csv", inbox / "users.csv")  # 9 bogus rejects before
    staff = inbox / "staff.csv"  # the same kind of file under another name: known by its header
    staff.write_text("user_id,name,unit_id,role\nx.sato,佐藤,RMD,risk_officer\n", encoding="utf-8")
    with engine.begin() as conn:  # a reject left by an older riskmon that read users.csv as events
        conn.execute(insert(table_of(Reject)).values(
            ingest_run_id=0, source_path=str(inbox / "users.csv"), line_no=2, raw="po149.yamada,…", raw_hash="x",
            kind="invalid", reasons=[], first_seen_at=datetime(2025, 1, 1, tzinfo=UTC), last_seen_at=datetime(2025, 1, 1, tzinfo=UTC),
        ))  # fmt: skip
    report = run(engine, inbox)
    assert report.total_rejected == 0 and open_rejects(engine) == []
    assert [(Path(s).name, r.code) for s, r in report.skipped] == [("staff.csv", "users_file"), ("users.csv", "users_file")]
    assert report.as_dict()["skipped"][1]["reason"]["en"] == (
        "is a users file, not events: it is not read here (load it with riskmon users load)"
    )
    assert [(f.path.name, f.role) for f in plan([inbox])] == [("units.csv", "units"), ("staff.csv", "users"), ("users.csv", "users")]


def test_a_units_master_under_another_name_is_loaded_first(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_jsonl(inbox / "a_events.jsonl", [daily("d1")])  # sorts before the master by name
    shutil.copy(units_file, inbox / "soshiki_master.csv")
    report = run(engine, inbox)
    assert report.accepted == {"unit": 6, "daily_report": 1} and report.total_rejected == 0
    assert count(engine, DailyReportRow) == 1


def test_file_rejects_in_the_cli_summary_and_rejects_list(tmp_path: Path, units_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKMON_DATABASE_URL", raising=False)
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(units_file, inbox / "units.csv")
    (inbox / "excel.csv").write_bytes(_csv_rows(["来訪者多数"]).encode("utf-16"))
    (inbox / "users.csv").write_text("user_id,name,unit_id,role\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["--lang", "en", "ingest", "inbox"])
    assert result.exit_code == 3, result.output
    assert "inbox/excel.csv: is saved as UTF-16 (Excel's 'Unicode Text'); in Excel use Save As" in result.output
    assert "inbox/users.csv: is a users file, not events" in result.output
    listed = runner.invoke(app, ["--lang", "en", "rejects", "list"])
    assert "inbox/excel.csv" in listed.output and "whole file" in listed.output and "excel.csv:0" not in listed.output
