"""Every view's select returns exactly the fields its declaration promises rule authors, with the
declared types, on SQLite and PostgreSQL (the vocabulary is derived from these declarations)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO
from riskmon.engine.sources import VIEWS
from riskmon.rules.vocabulary import SOURCES
from riskmon.sample.generator import SampleSpec, generate
from riskmon.store.views import VIEW_SPECS, FieldType
from tests.helpers import run, write_jsonl

AS_OF = datetime(2025, 9, 30, 23, 0, tzinfo=TOKYO)


def _fits(value: object, ftype: FieldType) -> bool:
    if isinstance(ftype, frozenset):
        return isinstance(value, str) and value in ftype
    if ftype == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    if ftype == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if ftype == "bool":
        return isinstance(value, bool)
    if ftype == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if ftype == "float":
        return isinstance(value, float | int) and not isinstance(value, bool)
    return isinstance(value, str)


def test_every_view_returns_its_declared_fields_with_their_types(engine: Engine, tmp_path: Path) -> None:
    generate(SampleSpec(offices=3, days=183, compress=False), tmp_path / "s")
    # what the sample leaves empty, so that every declared field is seen with a value
    write_jsonl(tmp_path / "s" / "extra.jsonl", [
        {"event_id": "X-ER", "type": "error_report", "unit_id": "PO-001", "case_id": "X-C1",
         "discovered_at": "2025-06-02T10:00:00+09:00", "occurred_at": "2025-06-01T10:00:00+09:00",
         "category": "misdelivery", "affected_customers": 1, "personal_info_involved": True, "summary": "s",
         "business_area": "benefits", "discovery_channel": "other", "discovered_by_unit_id": "PO-002",
         "amount_impact_jpy": 1200, "impact_kind": "underpayment", "scheme": "employees_pension", "contractor_id": "CT-1",
         "contract_id": "K-X"},
        {"event_id": "X-ER-manual", "type": "error_update", "unit_id": "PO-001", "case_id": "X-C1",
         "at": "2025-07-01T10:00:00+09:00", "step": "manual_revised"},
        {"event_id": "X-CT", "type": "contract", "unit_id": "PO-001", "contract_id": "K-X", "contractor_id": "CT-1",
         "contractor_name": "委託先", "title": "t", "handles_personal_info": True, "start_on": "2025-05-01",
         "end_on": "2026-03-31", "new_contractor": False},
        {"event_id": "X-IN", "type": "inspection_result", "unit_id": "PO-001", "inspection_id": "X-I1", "contract_id": "K-X",
         "inspection_type": "in_performance", "inspected_on": "2025-06-10", "note": "n",
         "nonconformities": [{"nc_id": "X-NC1", "aspect": "staff_roster", "description": "d", "due_on": "2025-07-10"}]},
        {"event_id": "X-DR", "type": "daily_report", "unit_id": "PO-001", "business_date": "2025-09-30", "forms_received": 1,
         "forms_processed": 1, "forms_pending": 0, "oldest_pending_days": 0, "complaints": 0, "suspected_errors": 0,
         "note": "", "visitors": 12, "max_wait_minutes": 30},
        {"event_id": "X-NU", "type": "nonconformity_update", "unit_id": "PO-001", "nc_id": "X-NC1", "resolved_on": "2025-07-05"},
        # the feeds (issue #12): a problem passed on after review; an officer of a unit with a 地域部
        {"event_id": "X-PR", "type": "procurement_review", "unit_id": "PO-001", "review_id": "X-PR", "inspection_id": "X-I1",
         "reviewed_on": "2025-06-12", "problem_found": True, "risk_reported_on": "2025-06-13"},
        {"event_id": "X-PO", "type": "procurement_officer", "unit_id": "PO-001", "officer_id": "X-PO", "assigned_on": "2025-06-02"},
        # a new contractor's early on-site check with an issue (the small sample may draw none)
        {"event_id": "X-CT2", "type": "contract", "unit_id": "PO-001", "contract_id": "K-Y", "contractor_id": "CT-2",
         "contractor_name": "新規委託先", "title": "t", "handles_personal_info": True, "start_on": "2025-06-01",
         "end_on": "2026-03-31", "new_contractor": True},
        {"event_id": "X-SC", "type": "security_site_check", "unit_id": "PO-001", "check_id": "X-SC", "contract_id": "K-Y",
         "checked_on": "2025-05-20", "issues_found": 1},
    ])  # fmt: skip
    report = run(engine, tmp_path / "s")
    assert report.total_rejected == 0
    never_set: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for name, view in VIEWS.items():
            rows = list(view.rows(conn, AS_OF, None))
            assert rows, name
            for row in rows:
                assert set(row) == set(view.fields), name  # nothing undeclared, nothing missing
                wrong = {f: row[f] for f, t in view.fields.items() if row[f] is not None and not _fits(row[f], t)}
                assert wrong == {}, name
            never_set[name] = sorted(f for f in view.fields if all(r[f] is None for r in rows))
    assert never_set == {name: [] for name in VIEWS}  # every declared field was seen with a value of its type


def test_the_vocabulary_is_the_declarations() -> None:
    assert {name: dict(v.fields) for name, v in VIEW_SPECS.items()} == SOURCES
    assert set(VIEWS) == set(VIEW_SPECS)
    # fields that were stored but could not be used in rules before
    assert SOURCES["error_report"]["occurred_at"] == "datetime"
    assert SOURCES["daily_report"]["submitted_at"] == "datetime"
    assert SOURCES["inspection_result"]["note"] == "text"


def test_each_registry_is_built_once_with_its_imports_at_the_top() -> None:
    """The feeds' views were appended after the originals with mid-module imports (``# noqa: E402``)
    and a second ``update``: a registry that changes while a module is still importing. Both are
    now one literal, originals first, and the declarations and selects list them in one order."""
    import riskmon.engine.sources as sources_module
    import riskmon.store.views as views_module

    for module in (sources_module, views_module):
        text = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "E402" not in text and ".update(" not in text, module.__name__
    order = [
        "error_report", "nonconformity", "inspection_result", "contract", "daily_report", "processing_time",
        "customer_voice", "audit_finding", "infosec_incident", "inspection_review", "contract_security_check",
        "procurement_officer",
    ]  # fmt: skip
    assert list(VIEW_SPECS) == order and list(VIEWS) == order
    assert all(VIEWS[name].spec is VIEW_SPECS[name] for name in order)
