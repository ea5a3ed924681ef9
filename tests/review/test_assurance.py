from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.review.assurance import assurance, parse_period, to_markdown
from riskmon.review.service import ReviewService

CAL = BusinessCalendar()


def proposal_id(svc: ReviewService, flag_id: int) -> str | None:
    """The id of the proposal on file, which a confirmation names (None when there is none)."""
    p = svc.flag("risk2", flag_id).proposal
    return p.digest if p else None


def test_assurance_measures_the_second_line(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    svc.acknowledge("po1", flags["medium"])
    svc.resolve("risk1", flags["medium"], "explained", "理由あり")
    svc.resolve("risk1", flags["high"], "remediated", "是正")
    svc.confirm("risk2", flags["high"], proposal_id(svc, flags["high"]))
    svc.dismiss("risk1", flags["critical"], "重複登録")
    svc.confirm("risk2", flags["critical"], proposal_id(svc, flags["critical"]))
    rules = ["R01", "R02", "R03", "R99"]
    report = assurance(engine, date(2025, 4, 1), date(2025, 4, 30), CAL, rules, sample_size=2, seed=7)
    d = report.data
    assert d["closed"] == 3
    assert d["four_eyes"] == {"closures": 2, "compliant": 2, "share": 1.0}
    assert d["dismissals_by_reason"] == {"重複登録": 1}
    assert d["dismissals_by_person"] == {"risk1": 1, "risk2": 1}
    assert d["rules_never_fired"] == ["R99"]
    again = assurance(engine, date(2025, 4, 1), date(2025, 4, 30), CAL, rules, sample_size=2, seed=7)
    assert again.data["audit_sample"] == d["audit_sample"] and len(d["audit_sample"]["flag_ids"]) == 2
    assert d["recurrence_for_audit_planning"] == {}  # no R05 finding in the fixture
    assert "監査計画への入力：同種誤りの再発（拠点|分類: フラグ数）: -" in to_markdown(report, "ja")
    assert "四つの目の遵守: 2/2" in to_markdown(report, "ja")
    assert "four-eyes compliance: 2/2" in to_markdown(report, "en")


def test_periods() -> None:
    assert parse_period("FY2025") == (date(2025, 4, 1), date(2026, 3, 31))
    assert parse_period("2025-04-01..2025-09-30") == (date(2025, 4, 1), date(2025, 9, 30))
