"""Excel templates for the event types: one workbook per type that an office fills in and sends.

Why: a template is the cheapest way to get files the ingest reads at first try. Each workbook
has the input sheet named after its type in Japanese (so its rows need no 種別 column:
riskmon.ingest.xlsx), the Japanese column names (riskmon.ingest.headers), drop-down lists of the
Japanese labels for coded fields and はい/いいえ for yes/no fields (read back as codes by
riskmon.ingest.codes — the same table, so the list offered and the words accepted never differ),
date and whole-number formats, and a frozen header row. The example row is on a sheet of its own
(記入例): on the input sheet it would be ingested as a real record if left there.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from riskmon.events.registry import FAMILIES
from riskmon.i18n import label
from riskmon.ingest.codes import Kind, choices, kinds_of
from riskmon.ingest.headers import headers_of

__all__ = ["EXAMPLE_SHEET", "LISTS_SHEET", "ROWS", "columns_of", "example_row", "write_template", "write_templates"]

#: How many rows of the input sheet carry the lists and formats (Excel extends them when rows are added).
ROWS = 1000
EXAMPLE_SHEET = "記入例"
LISTS_SHEET = "選択肢"
_FORMATS: dict[Kind, str] = {"date": "yyyy/mm/dd", "datetime": "yyyy/mm/dd hh:mm", "count": "0"}
_KIND_WORDS: dict[Kind, str] = {"date": "日付", "datetime": "日時", "count": "0以上の整数", "bool": "はい／いいえ",
                                "enum": "一覧から選択", "list": "JSON の一覧（なければ []）", "text": "文字"}  # fmt: skip
_YES, _NO = "はい", "いいえ"  # read back by riskmon.ingest.codes.BOOL_WORDS
_EXAMPLE_UNITS = {"auditor_unit_id": "AUD"}  # units of the sample units master (sample_events/units.csv)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def columns_of(type_name: str) -> list[tuple[str, str]]:
    """(field, Japanese header) of a template: every field but 種別, which the sheet's name gives."""
    return [(f, h) for f, h in headers_of(type_name) if f != "type"]


def example_row(type_name: str) -> list[Any]:
    """A valid record of the type, as a template's example: the required fields filled (codes by
    their Japanese labels, yes/no as いいえ), the optional ones left empty."""
    family = FAMILIES[type_name]
    required = {f for f in family.field_names if _is_required(type_name, f)}
    kinds = kinds_of(type_name)
    row: list[Any] = []
    for field, _ in columns_of(type_name):
        kind, enum = kinds[field]
        if field not in required:
            row.append(None)
        elif field in family.unit_fields:
            row.append(_EXAMPLE_UNITS.get(field, "PO-001"))
        elif field == "event_id":
            row.append(f"{type_name}-0001")
        elif kind == "enum" and enum is not None:
            row.append(choices(enum)[0][1])
        else:
            row.append(_EXAMPLE.get(kind, "記入例") if not field.endswith("_id") else f"{field.removesuffix('_id').upper()}-0001")
    return row


_EXAMPLE: dict[Kind, Any] = {"date": date(2026, 4, 6), "datetime": datetime(2026, 4, 6, 10, 0), "count": 1, "bool": _NO, "list": "[]"}


def _is_required(type_name: str, field: str) -> bool:
    f = next(f for f in dataclasses.fields(FAMILIES[type_name].model) if f.name == field)
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def write_templates(folder: Path) -> list[Path]:
    """One template per event type in ``folder`` (created if needed), named ``<type>.xlsx``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for type_name in FAMILIES:
        path = folder / f"{type_name}.xlsx"
        write_template(type_name, path)
        paths.append(path)
    return paths


def write_template(type_name: str, path: Path) -> None:
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = label(type_name, "ja")
    example = wb.create_sheet(EXAMPLE_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    columns = columns_of(type_name)
    kinds = kinds_of(type_name)
    for ws in (sheet, example):
        _header(ws, type_name, columns)
    example.append(example_row(type_name))
    for n, (field, _) in enumerate(columns, 1):
        kind, enum = kinds[field]
        letter = get_column_letter(n)
        cells = f"{letter}2:{letter}{ROWS + 1}"
        if kind in _FORMATS:  # the column's format: Excel gives it to every cell typed into the column
            sheet.column_dimensions[letter].number_format = _FORMATS[kind]
            example.column_dimensions[letter].number_format = _FORMATS[kind]
            example.cell(2, n).number_format = _FORMATS[kind]
        if kind == "enum" and enum is not None:
            words = [w for _, w in choices(enum)]
            lists.cell(1, n, field)
            for i, word in enumerate(words, 2):
                lists.cell(i, n, word)
            _validate(sheet, cells, f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(words) + 1}", "list")
        elif kind == "bool":
            _validate(sheet, cells, f'"{_YES},{_NO}"', "list")
        elif kind == "count":
            _validate(sheet, cells, "0", "whole", operator="greaterThanOrEqual")
    wb.save(path)


def _header(ws: Worksheet, type_name: str, columns: list[tuple[str, str]]) -> None:
    kinds = kinds_of(type_name)
    ws.append([h for _, h in columns])
    for n, (field, header) in enumerate(columns, 1):
        cell = ws.cell(1, n)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        need = "必須" if _is_required(type_name, field) else "任意"
        cell.comment = Comment(f"{need}・{_KIND_WORDS[kinds[field][0]]}（{field}）", "riskmon")
        ws.column_dimensions[get_column_letter(n)].width = max(12, 2 * len(header) + 2)
    ws.freeze_panes = "A2"


def _validate(
    ws: Worksheet, cells: str, formula: str, kind: Literal["list", "whole"], operator: Literal["greaterThanOrEqual"] | None = None
) -> None:
    rule = DataValidation(type=kind, formula1=formula, operator=operator, allow_blank=True, showErrorMessage=True)
    rule.error = "0以上の整数を入れてください" if kind == "whole" else "一覧から選んでください"
    rule.errorTitle = "riskmon"
    ws.add_data_validation(rule)
    rule.add(cells)
