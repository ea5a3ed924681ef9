from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from riskmon.events.models import EVENT_ADAPTER
from riskmon.events.reasons import Reason, translate, unknown_unit
from tests.helpers import daily, error_report


def reasons_for(raw: str | bytes) -> list[Reason]:
    with pytest.raises(ValidationError) as err:
        EVENT_ADAPTER.validate_json(raw)
    try:
        head = json.loads(raw)
    except ValueError:
        head = {}
    return translate(err.value, head.get("type") if isinstance(head, dict) else None)


def test_unknown_type_suggests_the_near_spelling() -> None:
    [r] = reasons_for(json.dumps(daily("d1", type="dialy_report")))
    assert r.field == "type"
    assert "'daily_report'" in r.ja and "did you mean 'daily_report'" in r.en


def test_enum_value_suggests_and_lists_the_choices() -> None:
    [r] = reasons_for(json.dumps(error_report("e1", "C1", category="misdelivry")))
    assert r.field == "category"
    assert "もしかして 'misdelivery'" in r.ja
    assert "use one of:" in r.en and "document_loss" in r.en


def test_every_problem_of_a_record_is_reported_at_once() -> None:
    rs = reasons_for(json.dumps(daily("d1", forms_received="十", business_date="2025-06-31", colour="red")))
    assert {r.field for r in rs} == {"forms_received", "business_date", "colour"}
    by = {r.field: r for r in rs}
    assert "整数ではありません" in by["forms_received"].ja
    assert "YYYY-MM-DD" in by["business_date"].en
    assert "not a field of this event type" in by["colour"].en


def test_missing_fields_and_broken_json() -> None:
    rs = reasons_for(json.dumps({"event_id": "x", "type": "error_update", "unit_id": "PO-001"}))
    assert {r.field for r in rs} == {"case_id", "at", "step"}
    assert all(r.code == "missing" for r in rs)
    [bad] = reasons_for(b'{"event_id": "x",')
    assert bad.code == "json_invalid"


def test_cross_field_check_is_pinned_to_the_field() -> None:
    [r] = reasons_for(json.dumps(daily("d1", forms_pending=0, oldest_pending_days=2)))
    assert r.field == "oldest_pending_days"
    assert "forms_pending" in r.ja


def test_unknown_unit_suggests_a_known_one() -> None:
    r = unknown_unit("unit_id", "PO-01", ["PO-001", "PO-002", "RMD"])
    assert r.en == "'PO-01' is not in the units master (did you mean 'PO-001'?)"


def test_reason_round_trips_through_storage_form() -> None:
    r = Reason("f", "c", "日本語", "english")
    assert Reason.from_dict(r.as_dict()) == r
    assert r.text("en") == "english" and r.text("ja") == "日本語"
