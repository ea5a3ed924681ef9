"""Excel workbooks as event files (issue #14): real .xlsx files built with openpyxl in tmp_path,
read through the whole ingest pipeline into real SQLite and PostgreSQL stores."""

from __future__ import annotations

import gc
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.business_calendar import TOKYO
from riskmon.cli.app import app
from riskmon.events.reasons import where
from riskmon.ingest.files import plan
from riskmon.ingest.pipeline import ingest
from riskmon.ingest.xlsx import XlsxSheet
from riskmon.store.tables import DailyReportRow, ErrorReportRow, Event, Source, table_of
from tests.helpers import open_rejects, riskmon_folder, run

DAILY = ["イベントID", "部署コード", "業務日", "届書の受付件数", "届書の処理件数", "未処理の届書", "最も古い未処理の経過日数",
         "苦情の件数", "事務処理誤りの疑い", "備考"]  # fmt: skip


def book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def reasons(engine: Engine) -> list[tuple[str, int, list[str]]]:
    return [(Path(str(r["source_path"])).name, int(str(r["line_no"])), [f"{x['field']}: {x['ja']}" for x in r["reasons"]])  # type: ignore[attr-defined]
            for r in open_rejects(engine)]  # fmt: skip


def daily_rows(engine: Engine) -> list[tuple[Any, ...]]:
    t = table_of(DailyReportRow)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(t.c.event_id, t.c.business_date, t.c.forms_received, t.c.forms_processed, t.c.note).order_by(t.c.event_id))]  # fmt: skip


def test_date_and_number_cells_are_taken_as_excel_stores_them(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = book(
        tmp_path / "daily.xlsx",
        {
            "日次業務報告": [
                DAILY,
                ["d1", "PO-001", date(2026, 4, 6), 10, 8.0, 2, 1, 0, 0, None],  # 8.0: a whole number stored as a float
                ["d2", "PO-001", datetime(2026, 4, 7), 10, 8, 2, 1, 0, 0, 12345],  # a number in a text field is its text
                [None] * 10,  # an empty row in the middle is skipped
                ["d3", "PO-001", "2026-04-08", "10", "8", "2", "1", "0", "0", "text cells"],  # text cells, as in a CSV
                ["d4", "PO-001", 46118, 10, 8.5, 2, 1, 0, 0, "x"],  # a date never formatted as a date; a fraction in a count
            ]
        },
    )
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "daily_report": 3} and report.rejected == {"daily_report": 1}
    assert daily_rows(engine) == [
        ("d1", date(2026, 4, 6), 10, 8, ""),
        ("d2", date(2026, 4, 7), 10, 8, "12345"),
        ("d3", date(2026, 4, 8), 10, 8, "text cells"),
    ]
    assert reasons(engine) == [("daily.xlsx:日次業務報告", 6, [
        "business_date: 日付ではなく数値46118が入っています。セルに日付として入力してください（例：2026/4/6）",
        "forms_processed: 整数ではありません: '8.5'",
    ])]  # fmt: skip
    assert report.files == [str(units_file), str(path)]


def test_empty_rows_and_columns_even_formatted_are_ignored(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "日次業務報告"
    for row in (DAILY, ["d1", "PO-001", date(2026, 4, 6), 10, 8, 2, 1, 0, 0, "x"]):
        ws.append(row)
    ws.append(["  ", None, "\u3000 "])  # spaces alone: an empty row
    for n in range(1, 15):  # formatted empty cells to the right and below, as Excel leaves them
        ws.cell(n, 14).number_format = "0"
        ws.cell(9, n).number_format = "yyyy/mm/dd"
    wb.save(tmp_path / "daily.xlsx")
    report = run(engine, units_file, tmp_path / "daily.xlsx")
    assert report.accepted == {"unit": 6, "daily_report": 1} and report.total_rejected == 0


def test_a_datetime_cell_is_a_time_in_the_configured_zone_and_labels_become_codes(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = book(
        tmp_path / "errors.xlsx",
        {
            "Sheet1": [
                [
                    "イベントID",
                    "種別",
                    "部署コード",
                    "事案番号",
                    "発見日時",
                    "誤りの種類",
                    "影響を受けたお客様の数",
                    "個人情報の関与",
                    "概要",
                    "業務分野",
                ],
                ["e1", "事務処理誤り報告", "PO-001", 1001, datetime(2026, 4, 6, 10, 30), "誤送付", 1, "はい", "封入誤り", "給付"],
                ["e2", "error_report", "PO-001", "C-2", datetime(2026, 4, 6, 11, 0), "misdelivery", 2, False, "x", None],
            ]
        },
    )
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "error_report": 2} and report.total_rejected == 0
    t = table_of(ErrorReportRow)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.case_id, t.c.discovered_at, t.c.category, t.c.personal_info_involved, t.c.business_area)
                            .order_by(t.c.case_id)).all()  # fmt: skip
    assert [(r[0], r[1].astimezone(TOKYO) if r[1].tzinfo else r[1], *r[2:]) for r in rows] == [
        ("1001", datetime(2026, 4, 6, 10, 30, tzinfo=TOKYO), "misdelivery", True, "benefits"),
        ("C-2", datetime(2026, 4, 6, 11, 0, tzinfo=TOKYO), "misdelivery", False, "other"),
    ]


def save_results(path: Path, results: dict[str, tuple[str, str]]) -> Path:
    """Give formula cells the result Excel saves with them (``cell → (t attribute, value)``):
    openpyxl writes a formula with an empty ``<v/>``, as any program that does not calculate."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (t, value) in results.items():
        start = xml.index(f'<c r="{ref}"')
        end = xml.index("</c>", start)
        cell = xml[start:end]
        formula = cell[cell.index("<f>") : cell.index("</f>") + 4]
        xml = xml[:start] + f'<c r="{ref}" t="{t}">{formula}<v>{value}</v>' + xml[end:]
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_formulas_are_read_by_their_saved_result_never_evaluated(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = book(
        tmp_path / "daily.xlsx",
        {
            "日次業務報告": [
                DAILY,
                ["d1", "PO-001", date(2026, 4, 6), "=5+5", 8, 2, 1, 0, 0, '="計算"&"結果"'],  # results saved below
                ["d2", "PO-001", date(2026, 4, 6), "=5+5", 8, 2, 1, 0, 0, "x"],  # never calculated
                ["d3", "PO-001", date(2026, 4, 6), 10, 8, 2, 1, 0, "=1/0", "x"],  # saved as #DIV/0!
            ]
        },
    )
    save_results(path, {"D2": ("n", "99"), "J2": ("str", "計算結果"), "I4": ("e", "#DIV/0!")})  # 99: the saved result, not 5+5
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "daily_report": 1} and report.rejected == {"daily_report": 2}
    assert daily_rows(engine) == [("d1", date(2026, 4, 6), 99, 8, "計算結果")]
    assert reasons(engine) == [
        ("daily.xlsx:日次業務報告", 3, [
            "forms_received: 数式の計算結果が保存されていません（Excel で開いて保存し直すか、値として貼り付けてください）",
        ]),
        ("daily.xlsx:日次業務報告", 4, ["suspected_errors: Excelのエラー値です：#DIV/0!"]),
    ]  # fmt: skip


def test_unknown_columns_are_one_reject_per_sheet_with_did_you_mean(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = book(
        tmp_path / "mixed.xlsx",
        {
            "事務処理誤り報告": [["イベントID", "部署コード", "事案番号", "発見日", "業務日"], *[["e", "PO-001", "C", 1, 2]] * 3],
            "日次業務報告": [[*DAILY, None, None], ["d1", "PO-001", date(2026, 4, 6), 10, 8, 2, 1, 0, 0, "x", None, None]],
            "メモ": [["this sheet is not read"]],
        },
    )
    assert [(f.sheet, f.role) for f in plan([path])] == [("事務処理誤り報告", "events"), ("日次業務報告", "events")]
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "daily_report": 1} and report.rejected == {"file": 1}
    assert reasons(engine) == [("mixed.xlsx:事務処理誤り報告", 0, [
        ": 列『発見日』は使えません（もしかして『発見日時』？）、列『業務日』は使えません。"
        "使える列（事務処理誤り報告）：イベントID、部署コード、種別、事案番号、発見日時、誤りの種類、"
        "影響を受けたお客様の数、個人情報の関与、概要、報告の種類、発生日時、業務分野、発見の経緯、発見部署、"
        "マイナンバーの関与、影響金額、委託先ID、契約番号、事象、制度。シートを読みません",
    ])]  # fmt: skip
    first = book(tmp_path / "first.xlsx", {"Sheet1": [["イベントID", "種別", "部署コード", "発見日"], ["e1", "error_report", "PO-001", 1]]})
    run(engine, first)
    assert sorted(reasons(engine))[0] == ("first.xlsx:Sheet1", 0, [
        ": 列『発見日』は使えません（もしかして『発見日時』？）。使える列は種別ごとに決まっています"
        "（riskmon templates write で種別ごとの見本を書き出せます）。シートを読みません"
    ])  # fmt: skip


def test_a_sheet_named_after_a_type_gives_its_rows_that_type(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    header = ["イベントID", "種別", "部署コード", "業務日", *DAILY[3:]]
    path = book(
        tmp_path / "two.xlsx",
        {
            "daily_report": [
                header,
                ["d1", None, "PO-001", date(2026, 4, 6), 1, 1, 0, 0, 0, 0, "x"],
                ["d2", "事務処理誤り報告", "PO-001", date(2026, 4, 6), 1, 1, 0, 0, 0, 0, "x"],
            ],
            "日次業務報告": [header, ["d3", "日次業務報告", "PO-001", date(2026, 4, 7), 1, 1, 0, 0, 0, 0, "x"]],
        },
    )
    report = run(engine, units_file, path)
    assert report.accepted == {"unit": 6, "daily_report": 2} and report.rejected == {"error_report": 1}
    assert [r[0] for r in daily_rows(engine)] == ["d1", "d3"]
    assert reasons(engine)[0][:2] == ("two.xlsx:daily_report", 3)
    assert reasons(engine)[0][2][0] == "type: シート『daily_report』は日次業務報告のシートですが、種別が『事務処理誤り報告』です"
    again = run(engine, path)  # the same rows again: duplicates, as for any file
    assert again.duplicates == {"daily_report": 2} and again.accepted == {}
    t, s = table_of(Event), table_of(Source)
    with engine.connect() as conn:
        places = conn.execute(select(s.c.path, t.c.source_line).join(s, s.c.id == t.c.source_id).order_by(t.c.event_id)).all()
    assert [(Path(p).name, n) for p, n in places] == [("two.xlsx:daily_report", 2), ("two.xlsx:日次業務報告", 2)]


def test_where_a_record_of_a_sheet_is_shown() -> None:
    assert where("/in/book.xlsx:日次業務報告", 5) == "/in/book.xlsx:日次業務報告!5"
    assert where("/in/book.xlsx:日次業務報告", 0) == "/in/book.xlsx:日次業務報告"
    assert where("/in/events.csv", 5) == "/in/events.csv:5"


def test_old_and_broken_workbooks_are_file_rejects_saying_how_to_save_them(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    (tmp_path / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "zip.xlsx", "w") as z:
        z.writestr("hello.txt", "a zip, not a workbook")
    report = run(engine, units_file, tmp_path / "old.xls", tmp_path / "fake.xlsx", tmp_path / "zip.xlsx")
    assert report.rejected == {"file": 3}
    assert reasons(engine) == [
        ("fake.xlsx", 0, [": 名前は .xlsx ですが Excel ブックではありません（壊れているか別の形式です）。"
                          "Excel で開いて『Excel ブック (.xlsx)』で保存し直してください"]),
        ("old.xls", 0, [": 古い形式の Excel ブック（.xls）は読めません。"
                        "Excel で開き『Excel ブック (.xlsx)』で保存し直して取り込んでください"]),
        ("zip.xlsx", 0, [": Excel ブック (.xlsx) として読めません（\"There is no item named '[Content_Types].xml' in the archive\"）。"
                         "Excel で開いて『Excel ブック (.xlsx)』で保存し直してください"]),
    ]  # fmt: skip


def test_a_units_workbook_is_the_units_master(engine: Engine, tmp_path: Path) -> None:
    path = book(
        tmp_path / "units.xlsx",
        {
            "組織": [
                ["unit_id", "name_ja", "unit_type", "active"],
                ["RD01", "北海道地域部", "地域部", True],
                ["PO-001", "札幌中央年金事務所", "pension_office", "はい"],
            ]
        },
    )
    report = run(engine, path)
    assert report.accepted == {"unit": 2} and report.total_rejected == 0


def test_a_users_workbook_is_not_read_and_the_summary_says_how_to_load_it(engine: Engine, tmp_path: Path) -> None:
    path = book(tmp_path / "users.xlsx", {"Sheet1": [["user_id", "name", "unit_id", "role"], ["po1", "所長", "PO-001", "site_manager"]]})
    report = run(engine, path)
    assert report.total_rejected == 0 and report.accepted == {}
    assert [(Path(s).name, r.ja) for s, r in report.skipped] == [("users.xlsx", (
        "利用者ファイル (users) です。イベントとしては読みません"
        "（Excel の『CSV UTF-8』で users.csv として保存し、riskmon users load で読み込みます）"
    ))]  # fmt: skip


def test_sheets_are_prepared_in_the_ingest_process_never_in_workers(
    sqlite_engine: Engine, units_file: Path, tmp_path: Path, worker_runs: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskmon.ingest import parallel
    from riskmon.store.migrate import upgrade

    upgrade(sqlite_engine)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)  # any JSONL file would go to workers
    path = book(tmp_path / "daily.xlsx", {"日次業務報告": [DAILY, ["d1", "PO-001", date(2026, 4, 6), 10, 8, 2, 1, 0, 0, "x"]]})
    report = ingest(sqlite_engine, [units_file, path], tz=TOKYO, workers=2)
    assert report.accepted == {"unit": 6, "daily_report": 1} and worker_runs == []


def test_progress_runs_from_zero_to_the_file_size(tmp_path: Path) -> None:
    rows = [[f"d{i}", "PO-001", date(2026, 4, 6), 1, 1, 0, 0, 0, 0, "x"] for i in range(3000)]
    path = book(tmp_path / "daily.xlsx", {"日次業務報告": [DAILY, *rows]})
    sheet = XlsxSheet(path, "日次業務報告")
    seen = [sheet.position for _ in sheet]
    assert len(seen) == 3000 and 0 < seen[0] < sheet.size and seen == sorted(seen)
    assert sheet.position == sheet.size and sheet.failure is None and sheet.source.endswith("daily.xlsx:日次業務報告")


def _write_rows(path: Path, n: int) -> Path:
    """A daily-report sheet of ``n`` rows, narrow so that the test stays quick (the memory at stake
    is per row, not per column)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("日次業務報告")
    ws.append(DAILY[:5])
    for i in range(n):
        ws.append([f"d{i:06d}", "PO-001", date(2026, 4, 6), i, 1.5 * i])
    wb.save(path)
    return path


def _peak(path: Path) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    try:
        count = sum(1 for _ in XlsxSheet(path, "日次業務報告"))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_in_the_number_of_rows(tmp_path: Path) -> None:
    small = _peak(_write_rows(tmp_path / "small.xlsx", 2_000))
    large = _peak(_write_rows(tmp_path / "large.xlsx", 20_000))
    assert (small[0], large[0]) == (2_000, 20_000)
    assert large[1] < small[1] * 1.25, (small, large)  # ten times the rows, not ten times the memory


def test_the_cli_shows_a_sheet_reject_as_file_sheet_row(tmp_path: Path, units_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    riskmon_folder(tmp_path, monkeypatch)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    units_file.rename(inbox / "units.csv")
    book(inbox / "book.xlsx", {"日次業務報告": [DAILY, ["d1", "PO-001", date(2026, 4, 6), 10, 8, 2, 1, 0, 0, "x"],
                                                ["d2", "PO-001", date(2026, 4, 6), 10, 1.5, 2, 1, 0, 0, "x"]]})  # fmt: skip
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["ingest", "inbox"])
    assert result.exit_code == 3, result.output
    assert "inbox/book.xlsx:日次業務報告!3: forms_processed: 整数ではありません: '1.5'" in result.output
    listed = runner.invoke(app, ["rejects", "list"])
    assert "inbox/book.xlsx:日次業務報告!3" in listed.output


def test_text_cells_are_read_as_csv_cells_and_kept_as_written(tmp_path: Path) -> None:
    """A date typed as text (和暦, slashes) and full-width digits in a sheet: the CSV rules apply
    (riskmon.ingest.cells), and the cells rewritten are kept as the office wrote them."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "日次業務報告"
    sheet.append(["イベントID", "部署コード", "業務日", "届書の受付件数", "届書の処理件数", "未処理の届書",
                  "最も古い未処理の経過日数", "苦情の件数", "事務処理誤りの疑い", "備考"])  # fmt: skip
    sheet.append(["DX1", "PO-001", "令和7年4月7日", "１２", "10", "2", "1", "0", "0", ""])
    sheet.append(["DX2", "PO-001", "4/8", "1", "1", "0", "0", "0", "0", ""])
    path = tmp_path / "daily.xlsx"
    book.save(path)
    first, second = list(XlsxSheet(path, "日次業務報告"))
    assert first.problems == [] and first.data is not None
    assert (first.data["business_date"], first.data["forms_received"]) == (date(2025, 4, 7), 12)
    assert first.cells == {"business_date": "令和7年4月7日", "forms_received": "１２"}
    assert [p.field for p in second.problems] == ["business_date"]
