from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from riskmon.business_calendar import TOKYO
from riskmon.events.models import EVENT_ADAPTER, DailyReport, ErrorReport, InspectionResult
from riskmon.events.reasons import translate
from riskmon.events.units import UnitRecord
from tests.helpers import daily, error_report


def parse(rec: dict[str, object], **ctx: object) -> object:
    return EVENT_ADAPTER.validate_json(json.dumps(rec), context=ctx or {"tz": TOKYO})


def test_daily_report_parses_into_its_family() -> None:
    ev = parse(daily("d1"))
    assert isinstance(ev, DailyReport)
    assert ev.forms_pending == 2


def test_naive_datetime_means_the_configured_zone() -> None:
    ev = parse(error_report("e1", "C1"))
    assert isinstance(ev, ErrorReport)
    assert ev.discovered_at.utcoffset() == timedelta(hours=9)
    utc_ev = EVENT_ADAPTER.validate_json(json.dumps(error_report("e1", "C1")), context={"tz": UTC})
    assert utc_ev.discovered_at.utcoffset() == timedelta(0)


def test_aware_datetime_keeps_its_instant() -> None:
    ev = parse(error_report("e1", "C1", discovered_at="2025-04-01T01:00:00Z"))
    assert ev.discovered_at == datetime(2025, 4, 1, 10, 0, tzinfo=TOKYO)
    assert ev == parse(error_report("e1", "C1", discovered_at="2025-04-01T10:00:00+09:00"))
    assert ev.discovered_at.tzinfo is not None
    assert ev.discovered_at.astimezone(UTC).hour == 1


def test_priority_incident_is_derived_from_the_category() -> None:
    assert parse(error_report("e1", "C1", category="misissuance")).is_priority_incident
    assert not parse(error_report("e1", "C1", category="benefit_error")).is_priority_incident


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"forms_pending": 0, "oldest_pending_days": 3}, "oldest_pending_days"),
        ({"forms_received": -1}, "forms_received"),
        ({"surprise": 1}, "surprise"),
        ({"business_date": "2025-02-30"}, "business_date"),
        ({"acquisition_paper_processed": 3}, "acquisition_paper_days"),  # both or neither
        ({"dependent_e_media_days": 3}, "dependent_e_media_processed"),
        ({"acquisition_paper_processed": 0, "acquisition_paper_days": 2}, "acquisition_paper_days"),
    ],
)
def test_daily_report_refusals_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse(daily("d1", **change))
    assert field in [r.field for r in translate(err.value)]


def test_daily_report_processing_fields_are_optional_and_kept() -> None:
    old = parse(daily("d1"))  # a report written before the fields existed
    assert isinstance(old, DailyReport) and old.acquisition_paper_processed is None
    new = parse(daily("d2", acquisition_paper_processed=30, acquisition_paper_days=99))
    assert isinstance(new, DailyReport) and (new.acquisition_paper_processed, new.acquisition_paper_days) == (30, 99)


def test_inspection_nonconformity_ids_are_unique_and_resolution_not_before_inspection() -> None:
    base = {
        "event_id": "i1", "type": "inspection_result", "unit_id": "HQ-NP", "inspection_id": "I1",
        "contract_id": "K1", "inspection_type": "in_performance", "inspected_on": "2025-05-01",
    }  # fmt: skip
    nc = {"nc_id": "N1", "aspect": "staff_roster", "description": "名簿の提出漏れ"}
    ok = parse({**base, "nonconformities": [nc]})
    assert isinstance(ok, InspectionResult) and ok.nonconformity_count == 1
    with pytest.raises(ValidationError, match="appears twice"):
        parse({**base, "nonconformities": [nc, nc]})
    with pytest.raises(ValidationError, match="before inspected_on"):
        parse({**base, "nonconformities": [{**nc, "resolved_on": "2025-04-30"}]})


def test_contract_period_must_be_ordered() -> None:
    rec = {
        "event_id": "c1", "type": "contract", "unit_id": "HQ-NP", "contract_id": "K1", "contractor_id": "CT1",
        "handles_personal_info": True, "start_on": "2025-04-01", "end_on": "2025-03-01", "new_contractor": False,
    }  # fmt: skip
    with pytest.raises(ValidationError, match="before start_on"):
        parse(rec)


def test_unit_line_defaults_from_type_and_can_be_overridden() -> None:
    assert UnitRecord(unit_id="X", name_ja="x", unit_type="audit_department").effective_line == "third"
    assert UnitRecord(unit_id="X", name_ja="x", unit_type="pension_office", line="second").effective_line == "second"
