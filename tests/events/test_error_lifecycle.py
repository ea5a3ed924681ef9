"""The 事務処理誤り lifecycle's step fields (issue #12): 公表判断 with its reason, the マニュアル改正
requirement on the 再発防止策, the unit a step was taken jointly with — refused where they do not
belong, with the field named in both languages, and stored and read back through the view."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO
from riskmon.engine.sources import error_reports
from riskmon.events.enums import ErrorStep, PublicationDecision
from riskmon.events.models import EVENT_ADAPTER, ErrorUpdate
from riskmon.events.reasons import translate
from tests.helpers import error_report, run, write_jsonl

BASE = {"event_id": "u1", "type": "error_update", "unit_id": "RMD", "case_id": "C1", "at": "2025-06-30T10:00:00"}


def parse(rec: dict[str, object]) -> object:
    return EVENT_ADAPTER.validate_json(json.dumps(rec), context={"tz": TOKYO})


def test_a_publication_decision_carries_its_decision_and_reason() -> None:
    ev = parse({**BASE, "step": "publication_decided", "publication_decision": "withhold", "publication_reason": "内部処理のみ"})
    assert isinstance(ev, ErrorUpdate)
    assert (ev.step, ev.publication_decision, ev.publication_reason) == (
        ErrorStep.PUBLICATION_DECIDED, PublicationDecision.WITHHOLD, "内部処理のみ",
    )  # fmt: skip


REQUIRED = "公表判断 (step: publication_decided) には必須です"
ONLY_DECIDED = "公表判断 (step: publication_decided) のときだけ書けます"
ONLY_PREVENTION = "再発防止策の策定 (step: prevention_set) のときだけ書けます"


@pytest.mark.parametrize(
    ("change", "field", "ja"),
    [
        ({"step": "publication_decided", "publication_reason": "理由"}, "publication_decision", REQUIRED),
        ({"step": "publication_decided", "publication_decision": "publish"}, "publication_reason", REQUIRED),
        ({"step": "publication_decided", "publication_decision": "publish", "publication_reason": "  "}, "publication_reason", REQUIRED),
        ({"step": "closed", "publication_decision": "publish"}, "publication_decision", ONLY_DECIDED),
        ({"step": "cause_analyzed", "manual_revision_required": True}, "manual_revision_required", ONLY_PREVENTION),
    ],
)
def test_step_fields_are_refused_where_they_do_not_belong(change: dict[str, object], field: str, ja: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse({**BASE, **change})
    reasons = translate(err.value, "error_update")
    assert [(r.field, r.ja) for r in reasons] == [(field, ja)]


def test_an_unknown_decision_is_named_with_its_choices() -> None:
    with pytest.raises(ValidationError) as err:
        parse({**BASE, "step": "publication_decided", "publication_decision": "maybe", "publication_reason": "r"})
    (reason,) = translate(err.value, "error_update")
    assert reason.field == "publication_decision"
    assert "publish" in reason.en and "withhold" in reason.en


def test_the_view_shows_the_joint_units_the_manual_requirement_and_the_decision(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    step = {"type": "error_update", "case_id": "C1"}
    write_jsonl(tmp_path / "e.jsonl", [
        error_report("r1", "C1", discovered_at="2025-06-02T10:00:00"),
        {**step, "event_id": "u1", "unit_id": "PO-001", "at": "2025-06-05T10:00:00", "step": "customer_response_done"},
        {**step, "event_id": "u2", "unit_id": "PO-001", "at": "2025-06-30T16:00:00", "step": "cause_analyzed", "joint_unit_id": "RMD"},
        {**step, "event_id": "u3", "unit_id": "PO-001", "at": "2025-07-01T10:00:00", "step": "prevention_set",
         "joint_unit_id": "RMD", "manual_revision_required": True},
        {**step, "event_id": "u4", "unit_id": "RMD", "at": "2025-07-20T10:00:00", "step": "publication_decided",
         "publication_decision": "publish", "publication_reason": "月次公表"},
        error_report("r2", "C2", discovered_at="2025-06-02T10:00:00", report_kind="accident"),
        {**step, "case_id": "C2", "event_id": "u5", "unit_id": "PO-001", "at": "2025-06-03T10:00:00", "step": "prevention_set"},
    ])  # fmt: skip
    report = run(engine, units_file, tmp_path / "e.jsonl")
    assert report.total_rejected == 0
    with engine.connect() as conn:
        rows = {r["case_id"]: r for r in error_reports(conn, datetime(2025, 8, 1, tzinfo=TOKYO))}
        before = {r["case_id"]: r for r in error_reports(conn, datetime(2025, 7, 10, tzinfo=TOKYO))}
    c1, c2 = rows["C1"], rows["C2"]
    assert (c1["cause_joint_unit_id"], c1["prevention_joint_unit_id"], c1["manual_revision_required"]) == ("RMD", "RMD", True)
    assert (c1["publication_decision"], c1["publication_reason"]) == ("publish", "月次公表")
    # both done by 6/30 → due at the end of July; the decision is not known before it was taken
    assert c1["publication_due_on"] == date(2025, 7, 31)
    assert (before["C1"]["publication_decision"], before["C1"]["publication_decided_at"]) == (None, None)
    assert (c1["is_incident"], c1["report_kind_label"], c1["prevention_before_cause_analysis"]) == (False, "事務処理誤り", False)
    assert (c2["is_incident"], c2["report_kind_label"], c2["prevention_before_cause_analysis"]) == (True, "事故", True)
    assert c2["publication_due_on"] is None and c2["manual_revision_required"] is None


def test_a_joint_unit_must_be_in_the_units_master(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "e.jsonl", [
        error_report("r1", "C1"),
        {**BASE, "unit_id": "PO-001", "step": "cause_analyzed", "joint_unit_id": "RMX"},
    ])  # fmt: skip
    report = run(engine, units_file, tmp_path / "e.jsonl")
    assert report.total_rejected == 1


def test_a_step_recorded_twice_counts_from_its_first_time_and_shows_its_latest_decision_with_its_reason(
    engine: Engine, units_file: Path, tmp_path: Path
) -> None:
    step = {"type": "error_update", "case_id": "C1", "unit_id": "RMD", "step": "publication_decided"}
    write_jsonl(tmp_path / "e.jsonl", [
        error_report("r1", "C1", discovered_at="2025-06-02T10:00:00"),
        {**step, "event_id": "u1", "at": "2025-07-01T10:00:00", "publication_decision": "publish", "publication_reason": "月次公表"},
        {**step, "event_id": "u2", "at": "2025-07-05T10:00:00", "publication_decision": "withhold", "publication_reason": "再検討"},
        {**step, "event_id": "u3", "at": "2025-09-05T10:00:00", "publication_decision": "publish", "publication_reason": "あ"},
    ])  # fmt: skip
    assert run(engine, units_file, tmp_path / "e.jsonl").total_rejected == 0
    with engine.connect() as conn:
        [row] = error_reports(conn, datetime(2025, 8, 1, tzinfo=TOKYO))
    assert row["publication_decided_at"] == datetime(2025, 7, 1, 10, 0, tzinfo=TOKYO)
    # the 7/5 correction, with its own reason (the 9/5 record is not known on 8/1)
    assert (row["publication_decision"], row["publication_reason"]) == ("withhold", "再検討")
