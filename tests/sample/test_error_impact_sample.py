"""The sample's 事象, 制度 and amounts (riskmon/sample/error_impact.py): every shipped report has
them, consistent with its category's summary and with the event contract."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from riskmon.events.enums import FINANCIAL_IMPACT_KINDS, ImpactKind, Scheme
from riskmon.sample import error_impact
from tests.helpers import SAMPLE

FINANCIAL = {k.value for k in FINANCIAL_IMPACT_KINDS}


def reports() -> list[dict[str, Any]]:
    lines = (SAMPLE / "error_reports.jsonl").read_text(encoding="utf-8").splitlines()
    return [rec for rec in map(json.loads, lines) if rec["type"] == "error_report"]


def test_every_report_has_its_impact_and_scheme_and_an_amount_only_with_money_at_stake() -> None:
    shipped = reports()
    assert len(shipped) == 754
    for r in shipped:
        assert r["impact_kind"] in {k.value for k in ImpactKind} and r["scheme"] in {s.value for s in Scheme}, r["case_id"]
        assert (r["impact_kind"] in FINANCIAL) == (r.get("amount_impact_jpy", 0) > 0), r["case_id"]
    # every 事象 and every 制度 occurs, so each row of the publication's tables has cases somewhere in the year
    assert set(Counter(r["impact_kind"] for r in shipped)) == {k.value for k in ImpactKind}
    assert set(Counter(r["scheme"] for r in shipped)) == {s.value for s in Scheme}


def test_the_impact_follows_what_the_summary_says() -> None:
    for r in reports():
        impacts, schemes = error_impact.PROFILES[r["category"]]
        if r.get("report_kind", "processing_error") != "processing_error":
            assert r["impact_kind"] == "no_financial_impact", r["case_id"]  # a lost 届書, a misdelivery
        else:
            assert r["impact_kind"] in {k.value for k in impacts}, r["case_id"]
        assert r["scheme"] in {s.value for s in schemes}, r["case_id"]
    by_category = {(r["category"], r["impact_kind"]) for r in reports()}
    assert {k for c, k in by_category if c == "benefit_error"} == {"underpayment"}  # 「…過少支給」
    assert {k for c, k in by_category if c == "misdelivery"} == {"no_financial_impact"}


def test_national_pension_contributions_are_whole_months_of_the_premium() -> None:
    for r in reports():
        if r["scheme"] == "national_pension" and r["impact_kind"] in ("overcollection", "undercollection", "wrong_refund"):
            assert r["amount_impact_jpy"] % error_impact.NP_PREMIUM == 0, r["case_id"]
        if r["scheme"] == "support_benefit" and r["impact_kind"] in FINANCIAL:
            assert r["amount_impact_jpy"] % error_impact.SUPPORT_BASE == 0, r["case_id"]


def test_the_draw_is_the_cases_own() -> None:
    """The same case id draws the same 事象, 制度 and amount whatever was drawn before it."""
    first = error_impact.fields("ER-202505-00042", "collection_error", "processing_error", 3)
    assert error_impact.fields("ER-202505-00042", "collection_error", "processing_error", 3) == first
    assert first["impact_kind"] in ("wrong_refund", "overcollection") and first["amount_impact_jpy"] > 0
    incident = error_impact.fields("ER-202505-00042", "document_loss", "incident", 3)
    assert (sorted(incident), incident["impact_kind"]) == (["impact_kind", "scheme"], "no_financial_impact")  # no amount
