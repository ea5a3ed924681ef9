"""The Japanese column names of event files (riskmon.ingest.headers)."""

from __future__ import annotations

import dataclasses

from riskmon.events.registry import FAMILIES
from riskmon.ingest.headers import HEADERS, field_for, header_for, headers_of


def test_every_field_of_every_type_has_one_header_and_back() -> None:
    for family in FAMILIES.values():
        for field in dataclasses.fields(family.model):
            assert field_for(header_for(field.name)) == field.name


def test_headers_are_the_documented_names() -> None:
    assert headers_of("error_report")[:4] == [
        ("event_id", "イベントID"),
        ("unit_id", "部署コード"),
        ("type", "種別"),
        ("case_id", "事案番号"),
    ]
    assert HEADERS["発見日時"] == "discovered_at"
    assert HEADERS["事務処理誤りの疑い"] == "suspected_errors"
    assert HEADERS["事務処理誤りを示唆"] == "suggests_error"


def test_field_names_and_padded_headers_are_read_unknown_ones_are_not() -> None:
    assert field_for("discovered_at") == "discovered_at"
    assert field_for("\u3000種別 ") == "type"
    assert field_for("発見日") is None
    assert field_for("") is None
