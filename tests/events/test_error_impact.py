"""An error report's 事象 (impact_kind) and 制度 (scheme), issue #13: optional, so old files load;
an amount without its 事象 refused with the file, line and field named in both languages; stored in
typed columns and read back through the error_report view."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO
from riskmon.engine.sources import error_reports
from riskmon.events.enums import FINANCIAL_IMPACT_KINDS, ImpactKind, Scheme
from riskmon.events.models import EVENT_ADAPTER, ErrorReport
from riskmon.events.reasons import translate
from riskmon.i18n import label
from riskmon.store.tables import ErrorReportRow, table_of
from tests.helpers import SAMPLE, error_report, run, write_jsonl

REQUIRED_JA = (
    "影響金額 (amount_impact_jpy) があるときは事象（underpayment 未払い・overpayment 過払い・overcollection 過徴収・"
    "undercollection 未徴収・wrong_refund 誤還付）が必須です"
)
REQUIRED_EN = "is required when amount_impact_jpy is given: underpayment, overpayment, overcollection, undercollection or wrong_refund"


def parse(**kw: object) -> ErrorReport:
    ev = EVENT_ADAPTER.validate_json(json.dumps(error_report("e1", "C1", **kw)), context={"tz": TOKYO})
    assert isinstance(ev, ErrorReport)
    return ev


def test_a_report_written_before_the_fields_still_loads() -> None:
    ev = parse(amount_impact_jpy=0)
    assert (ev.impact_kind, ev.scheme, ev.amount_impact_jpy) == (None, None, 0)
    assert parse().impact_kind is None


def test_an_amount_carries_its_impact_and_scheme() -> None:
    ev = parse(amount_impact_jpy=408100, impact_kind="underpayment", scheme="employees_pension")
    assert (ev.impact_kind, ev.scheme) == (ImpactKind.UNDERPAYMENT, Scheme.EMPLOYEES_PENSION)
    # a 事象 whose amount is still being computed is accepted without it
    assert parse(impact_kind="overpayment").amount_impact_jpy is None


@pytest.mark.parametrize(
    ("change", "ja", "en"),
    [
        ({"amount_impact_jpy": 12000}, REQUIRED_JA, REQUIRED_EN),
        ({"amount_impact_jpy": 1, "scheme": "national_pension"}, REQUIRED_JA, REQUIRED_EN),
        ({"amount_impact_jpy": 12000, "impact_kind": "no_financial_impact"},
         "金銭的影響なし (no_financial_impact) なのに影響金額 (amount_impact_jpy) が0円より大きい",
         "is no_financial_impact while amount_impact_jpy is above 0"),
    ],
)  # fmt: skip
def test_an_amount_without_its_impact_is_refused_in_both_languages(change: dict[str, object], ja: str, en: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse(**change)
    assert [(r.field, r.ja, r.en) for r in translate(err.value, "error_report")] == [("impact_kind", ja, en)]


def test_an_unknown_code_is_named_with_its_nearest_choice() -> None:
    with pytest.raises(ValidationError) as err:
        parse(impact_kind="overpaymnt", scheme="kokumin")
    reasons = {r.field: r for r in translate(err.value, "error_report")}
    assert set(reasons) == {"impact_kind", "scheme"}
    assert "'overpayment'" in reasons["impact_kind"].ja and "'overpayment'" in reasons["impact_kind"].en


def test_every_code_has_its_words() -> None:
    assert [label(k) for k in ImpactKind] == ["未払い", "過払い", "過徴収", "未徴収", "誤還付", "金銭的影響なし"]
    assert [label(s) for s in Scheme] == ["国民年金", "厚生年金保険", "健康保険", "船員保険", "年金生活者支援給付金", "その他"]
    assert ImpactKind.NO_FINANCIAL_IMPACT not in FINANCIAL_IMPACT_KINDS and len(FINANCIAL_IMPACT_KINDS) == 5


def test_stored_typed_and_read_through_the_view_the_bad_line_named(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "e.jsonl", [
        error_report("e1", "C1", amount_impact_jpy=30000, impact_kind="wrong_refund", scheme="national_pension"),
        error_report("e2", "C2", amount_impact_jpy=30000),  # line 2: no 事象
        error_report("e3", "C3"),  # an old report: neither field
    ])  # fmt: skip
    report = run(engine, units_file, path)
    assert report.accepted["error_report"] == 2
    [bad] = report.rejections
    assert f"{Path(bad.source).name}:{bad.line}: {bad.reasons[0].describe('ja')}" == f"e.jsonl:2: impact_kind: {REQUIRED_JA}"
    assert bad.reasons[0].describe("en") == f"impact_kind: {REQUIRED_EN}"
    er = table_of(ErrorReportRow)
    with engine.connect() as conn:
        stored = conn.execute(select(er.c.case_id, er.c.impact_kind, er.c.scheme, er.c.amount_impact_jpy).order_by(er.c.case_id)).all()
        view = {r["case_id"]: (r["impact_kind"], r["scheme"]) for r in error_reports(conn, datetime(2025, 4, 30, tzinfo=TOKYO))}
    assert [tuple(r) for r in stored] == [("C1", "wrong_refund", "national_pension", 30000), ("C3", None, None, None)]
    assert view == {"C1": ("wrong_refund", "national_pension"), "C3": (None, None)}


def test_the_samples_bad_records_show_the_refusal(engine: Engine, units_file: Path) -> None:
    """``make demo``'s ``rejects list`` shows it: sample_events/bad_records.jsonl line 9."""
    report = run(engine, units_file, SAMPLE / "bad_records.jsonl")
    [bad] = [r for r in report.rejections if r.event_id == "BAD-009"]
    assert (bad.line, [r.describe("ja") for r in bad.reasons]) == (9, [f"impact_kind: {REQUIRED_JA}"])
