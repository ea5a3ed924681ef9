"""The Excel templates (issue #14): written by ``riskmon templates write``, filled the way an office
would with openpyxl, and ingested as they are into real SQLite and PostgreSQL stores."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from riskmon.business_calendar import TOKYO
from riskmon.cli.app import app
from riskmon.events.registry import FAMILIES
from riskmon.i18n import label
from riskmon.ingest.codes import choices, code_for, kinds_of
from riskmon.ingest.templates import EXAMPLE_SHEET, LISTS_SHEET, columns_of
from riskmon.store.tables import ErrorReportRow, ErrorUpdateRow, Event, table_of
from tests.helpers import open_rejects, riskmon_folder, run


def test_templates_write_one_workbook_per_type_with_lists_formats_and_a_frozen_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    riskmon_folder(tmp_path, monkeypatch)
    result = CliRunner().invoke(app, ["templates", "write", "out", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{t}.xlsx" for t in FAMILIES)
    wb = load_workbook(tmp_path / "out" / "error_report.xlsx")
    assert wb.sheetnames == ["事務処理誤り報告", EXAMPLE_SHEET, LISTS_SHEET] and wb[LISTS_SHEET].sheet_state == "hidden"
    ws = wb["事務処理誤り報告"]
    assert [c.value for c in ws[1]] == [h for _, h in columns_of("error_report")]
    assert ws.freeze_panes == "A2"
    assert (ws.column_dimensions["D"].number_format, ws.column_dimensions["F"].number_format) == ("yyyy/mm/dd hh:mm", "0")
    assert load_workbook(tmp_path / "out" / "daily_report.xlsx")["日次業務報告"].column_dimensions["C"].number_format == "yyyy/mm/dd"
    assert (ws["A1"].comment.text, ws["I1"].comment.text) == ("必須・文字（event_id）", "任意・一覧から選択（report_kind）")
    rules = {str(v.sqref): (v.type, v.formula1) for v in ws.data_validations.dataValidation}
    assert {str(v.sqref): v.operator for v in ws.data_validations.dataValidation}["F2:F1001"] == "greaterThanOrEqual"
    assert rules["E2:E1001"] == ("list", "'選択肢'!$E$2:$E$13")  # 誤りの種類
    assert rules["G2:G1001"] == ("list", '"はい,いいえ"') and rules["F2:F1001"] == ("whole", "0")
    offered = [c.value for (c,) in wb[LISTS_SHEET].iter_rows(min_row=2, max_row=13, min_col=5, max_col=5)]
    assert offered == [label(code, "ja") for code, _ in choices(kinds_of("error_report")["category"][1])]  # type: ignore[arg-type]
    assert offered[:3] == ["事務処理遅延", "書類の紛失", "誤送付"]
    assert [c.value for c in wb[EXAMPLE_SHEET][2]][:8] == [
        "error_report-0001", "PO-001", "CASE-0001", datetime(2026, 4, 6, 10, 0), "事務処理遅延", 1, "いいえ", "記入例",
    ]  # fmt: skip
    help_text = CliRunner().invoke(app, ["templates", "write", "--help"]).output
    assert "riskmon templates write templates/" in help_text


def _fill(path: Path, type_name: str) -> None:
    """One row typed into the input sheet: the example's values, a coded field's second entry of
    its drop-down list (the Japanese label shown there), はい in yes/no fields."""
    wb = load_workbook(path)
    ws, example, lists = wb.worksheets[0], wb[EXAMPLE_SHEET], wb[LISTS_SHEET]
    kinds = kinds_of(type_name)
    for n, (field, _) in enumerate(columns_of(type_name), 1):
        value: Any = example.cell(2, n).value
        kind = kinds[field][0]
        if value is not None and kind == "enum":
            value = lists.cell(3, n).value or lists.cell(2, n).value
        elif value is not None and kind == "bool":
            value = "はい"
        ws.cell(2, n, value)
    wb.save(path)


def test_a_filled_template_ingests_as_it_is(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    riskmon_folder(tmp_path, monkeypatch)
    assert CliRunner().invoke(app, ["templates", "write", "out"]).exit_code == 0
    for type_name in FAMILIES:
        _fill(tmp_path / "out" / f"{type_name}.xlsx", type_name)
    report = run(engine, units_file, tmp_path / "out")
    assert open_rejects(engine) == []
    assert report.accepted == {"unit": 6, **dict.fromkeys(FAMILIES, 1)}  # one row each; the 記入例 sheet is not read
    er, eu, ev = table_of(ErrorReportRow), table_of(ErrorUpdateRow), table_of(Event)
    with engine.connect() as conn:
        report_row = conn.execute(select(er.c.case_id, er.c.discovered_at, er.c.category, er.c.personal_info_involved)).one()
        step = conn.execute(select(eu.c.step)).scalar_one()
        daily = conn.execute(select(ev.c.event_id).where(ev.c.type == "daily_report")).scalar_one()
    case_id, at, category, personal = report_row
    assert (case_id, at.astimezone(TOKYO) if at.tzinfo else at, category, personal) == (
        "CASE-0001", datetime(2026, 4, 6, 10, 0, tzinfo=TOKYO), "document_loss", True,
    )  # fmt: skip
    assert (step, daily) == ("customer_response_done", "daily_report-0001")


def test_every_drop_down_label_reads_back_as_its_code() -> None:
    for type_name in FAMILIES:
        for field, (kind, enum) in kinds_of(type_name).items():
            if kind == "enum":
                assert enum is not None
                labels = [words for _, words in choices(enum)]
                assert len(set(labels)) == len(labels), (type_name, field)
                assert [code_for(enum, w) for w in labels] == [m.value for m in enum]
