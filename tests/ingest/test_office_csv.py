"""CSV files as Japanese offices make them (issue #14 「Files as offices make them」), end to end on
SQLite and PostgreSQL: saved by Excel as Shift_JIS (CP932) with Japanese headers and office forms
of values; the summary saying how each file was read; an unknown column reported once; the cells
as written kept and shown by ``riskmon events show``."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.business_calendar import TOKYO
from riskmon.cli.app import app
from riskmon.store.tables import AuditEntry, DailyReportRow, ErrorReportRow, EventRawText, table_of
from tests.helpers import cli_folder, open_rejects, run

DAILY = (
    "イベントID,種別,部署コード,業務日,届書の受付件数,届書の処理件数,未処理の届書,最も古い未処理の経過日数,苦情の件数,事務処理誤りの疑い,備考\r\n"
    'D1,日次業務報告,PO-001,令和8年4月7日,１２,"1,234",0,0,0,0,通常どおり\r\n'
    "D2,daily_report,PO-001,2026/4/8,5,5,0,0,0,0,\r\n"
    "D3,日次業務報告,PO-001,4/9,5,5,0,0,0,0,年なし\r\n"
    "D4,日次業務報告,PO-001,令和8年2月30日,5,5,0,0,0,0,\r\n"
    ",,,,,,,,,,\r\n"  # Excel's empty trailing rows
)
ERRORS = (
    "イベントID,種別,部署コード,事案番号,発見日時,誤りの種類,影響を受けたお客様の数,個人情報の関与,概要\n"
    'E1,事務処理誤り報告,PO-001,C1,2026/4/6 10:00,誤送付,１,はい,"通知書を\n別のお客様へ送付"\n'
)


def _cp932(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("cp932"))
    return path


def test_a_shift_jis_csv_with_japanese_headers_and_office_values_loads(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    daily, errors = _cp932(tmp_path / "日報.csv", DAILY), tmp_path / "誤り.csv"
    errors.write_text(ERRORS, encoding="utf-8-sig")
    report = run(engine, units_file, daily, errors)
    assert report.accepted == {"unit": 6, "daily_report": 2, "error_report": 1}
    assert report.encodings == {str(units_file): "utf-8", str(daily): "cp932", str(errors): "utf-8-sig"}
    assert report.as_dict()["encodings"][str(daily)] == "cp932"
    with engine.connect() as conn:  # the ingest run's audit record says it too
        audited = conn.execute(select(table_of(AuditEntry).c.payload).where(table_of(AuditEntry).c.action == "ingest_run")).scalar_one()
    assert audited["encodings"] == {str(units_file): "utf-8", str(daily): "cp932", str(errors): "utf-8-sig"}
    with engine.connect() as conn:
        d1 = conn.execute(select(table_of(DailyReportRow)).where(table_of(DailyReportRow).c.event_id == "D1")).mappings().one()
        e1 = conn.execute(select(table_of(ErrorReportRow))).mappings().one()
        kept = {r.event_id: (r.cells, r.raw) for r in conn.execute(select(table_of(EventRawText)))}
    assert (d1["business_date"], d1["forms_received"], d1["forms_processed"], d1["note"]) == (date(2026, 4, 7), 12, 1234, "通常どおり")
    assert (e1["discovered_at"], e1["category"], e1["affected_customers"], e1["personal_info_involved"]) == (
        datetime(2026, 4, 6, 10, 0, tzinfo=TOKYO),
        "misdelivery",
        1,
        True,
    )
    assert e1["summary"] == "通知書を\n別のお客様へ送付"  # a multi-line quoted cell
    assert kept == {
        "D1": (
            {"type": "日次業務報告", "business_date": "令和8年4月7日", "forms_received": "１２", "forms_processed": "1,234"},
            'D1,日次業務報告,PO-001,令和8年4月7日,１２,"1,234",0,0,0,0,通常どおり',
        ),
        "D2": ({"business_date": "2026/4/8"}, "D2,daily_report,PO-001,2026/4/8,5,5,0,0,0,0,"),
        "E1": (
            {"type": "事務処理誤り報告", "discovered_at": "2026/4/6 10:00", "category": "誤送付", "affected_customers": "１",
             "personal_info_involved": "はい"},
            'E1,事務処理誤り報告,PO-001,C1,2026/4/6 10:00,誤送付,１,はい,"通知書を\n別のお客様へ送付"',
        ),
    }  # fmt: skip
    rejects = sorted((r["line_no"], [(x["field"], x["code"], x["ja"]) for x in r["reasons"]]) for r in open_rejects(engine))
    assert rejects == [
        (4, [("business_date", "date_no_year", "年がありません（何年か決められません）：'4/9'（例：2026/4/6）")]),
        (5, [("business_date", "date_not_real", "実在しない日付です：'令和8年2月30日'")]),
    ]
    again = run(engine, daily, errors)
    assert sum(again.accepted.values()) == 0 and again.duplicates == {"daily_report": 2, "error_report": 1}


def test_an_unknown_column_is_one_file_level_reason_not_one_per_row(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    text = DAILY.replace("業務日", "業務日付").replace("備考", "notes")
    daily = _cp932(tmp_path / "daily.csv", text)
    report = run(engine, units_file, daily)
    assert report.accepted == {"unit": 6} and report.rejected == {"file": 1}
    [reject] = open_rejects(engine)
    assert (reject["line_no"], reject["kind"]) == (0, "file")
    [reason] = reject["reasons"]
    assert reason["code"] == "csv_header_unknown"
    assert reason["ja"] == (
        "列『業務日付』は使えません（もしかして『業務日』？）。列『notes』は使えません（もしかして『note』？）。"
        "使える列：イベントID、部署コード、種別、業務日、届書の受付件数、届書の処理件数、未処理の届書、最も古い未処理の経過日数、"
        "苦情の件数、事務処理誤りの疑い、備考、報告日時、来訪者数、最長の待ち時間（分）、資格取得届（電子申請）の処理件数、"
        "資格取得届（電子申請）の処理日数の合計、資格取得届（電子媒体）の処理件数、資格取得届（電子媒体）の処理日数の合計、"
        "資格取得届（紙媒体）の処理件数、資格取得届（紙媒体）の処理日数の合計、被扶養者異動届（電子申請）の処理件数、"
        "被扶養者異動届（電子申請）の処理日数の合計、被扶養者異動届（電子媒体）の処理件数、被扶養者異動届（電子媒体）の処理日数の合計、"
        "被扶養者異動届（紙媒体）の処理件数、被扶養者異動届（紙媒体）の処理日数の合計。このファイルは取り込んでいません"
    )
    assert reason["en"].startswith(
        "column '業務日付' is not known (did you mean '業務日'?); column 'notes' is not known (did you mean 'note'?)."
        " Usable columns: イベントID (event_id), 部署コード (unit_id), 種別 (type), 業務日 (business_date),"
    )


def test_a_header_naming_one_field_twice_is_refused(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    daily = tmp_path / "d.csv"
    daily.write_text("event_id,イベントID,type\nD1,D1,daily_report\n", encoding="utf-8")
    run(engine, units_file, daily)
    [reject] = open_rejects(engine)
    assert reject["reasons"][0]["ja"].startswith("見出し行に同じ列名が2回あります: event_id, イベントID")


def test_a_file_neither_utf8_nor_cp932_says_how_to_save_it(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin.csv"
    bad.write_bytes(b"event_id,type\n\x81\x20\xff\xfe,x\n")
    report = run(engine, units_file, bad)
    assert report.rejected == {"file": 1}
    [reject] = open_rejects(engine)
    assert reject["reasons"][0]["ja"].startswith(
        "2行目がUTF-8でもShift_JIS（CP932）でも読めません。"
        "Excel で『名前を付けて保存』を選び、ファイルの種類『CSV UTF-8（コンマ区切り）(*.csv)』で保存し直してください"
    )


def test_a_cp932_file_with_a_later_line_in_another_encoding_stops_there_with_the_line(
    engine: Engine, units_file: Path, tmp_path: Path
) -> None:
    head = DAILY.split("\r\n")
    mixed = tmp_path / "mixed.csv"
    good = "\r\n".join([*head[:3], "D9,日次業務報告,PO-001,2026/4/9,1,1,0,0,0,0,混雑", ""]).encode("cp932")
    mixed.write_bytes(good + b"D8,daily_report,PO-001,2026/4/9,1,1,0,0,0,0,\x81\x20\r\n")
    report = run(engine, units_file, mixed)
    assert report.accepted == {"unit": 6, "daily_report": 3} and report.encodings[str(mixed)] == "cp932"
    [reject] = open_rejects(engine)
    assert reject["reasons"][0]["code"] == "encoding_mixed"
    sjis = "Shift_JIS（CP932）"
    assert reject["reasons"][0]["ja"].startswith(f"5行目が{sjis}として読めません（1行目からの内容で{sjis}と判断しました）")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_folder(tmp_path, monkeypatch)


def test_the_cli_summary_says_each_files_encoding_and_events_show_shows_both(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    daily = _cp932(tmp_path / "daily.csv", DAILY)
    result = cli.invoke(app, ["ingest", "units.csv", "daily.csv"])
    assert result.exit_code == 3
    summary = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert "daily.csv Shift_JIS（CP932）" in summary and "units.csv UTF-8" in summary
    assert "daily.csv:4: business_date: 年がありません（何年か決められません）：'4/9'（例：2026/4/6）" in result.output
    again = cli.invoke(app, ["--lang", "en", "ingest", str(daily), "--format", "json"])
    assert json.loads(again.stdout)["encodings"] == {str(daily): "cp932"}
    shown = cli.invoke(app, ["events", "show", "D1"])
    assert shown.exit_code == 0
    lines = [" ".join(line.replace("│", " ").split()) for line in shown.stdout.splitlines()]
    assert "business_date 2026-04-07 令和8年4月7日" in lines
    assert "forms_received 12 １２" in lines
    assert "forms_processed 1234 1,234" in lines
    assert "forms_pending 0" in lines  # written as riskmon writes it: shown once
    assert "ファイルの行" in shown.stdout
    as_json = json.loads(cli.invoke(app, ["events", "show", "D1", "--format", "json"]).stdout)
    assert as_json["as_written"]["cells"]["business_date"] == "令和8年4月7日"
    assert as_json["as_written"]["raw"] == 'D1,日次業務報告,PO-001,令和8年4月7日,１２,"1,234",0,0,0,0,通常どおり'
    plain = json.loads(cli.invoke(app, ["events", "show", "D2", "--format", "json"]).stdout)
    assert plain["as_written"]["cells"] == {"business_date": "2026/4/8"}
