"""The イベント page shows an error report's 事象 and 制度 (issue #13) in words, under their labels."""

from __future__ import annotations

from riskmon.business_calendar import TOKYO
from riskmon.web.event_view import field_rows


def test_impact_and_scheme_are_shown_by_their_labels() -> None:
    fields = {"impact_kind": "overcollection", "scheme": "national_pension", "amount_impact_jpy": 35020}
    assert [(r.name, r.text) for r in field_rows("error_report", fields, "ja", TOKYO, {})] == [
        ("事象", "過徴収"), ("制度", "国民年金"), ("影響金額", "35,020円"),
    ]  # fmt: skip
    assert [(r.name, r.text) for r in field_rows("error_report", fields, "en", TOKYO, {})][:2] == [
        ("Financial impact", "overcollection"), ("Scheme", "National Pension"),
    ]  # fmt: skip
    assert field_rows("error_report", {"impact_kind": None, "scheme": None}, "ja", TOKYO, {}) == []  # an old report: no rows
