"""The cases the 月次・年次公表 tests build (tests/reports/test_monthly.py says what each is for), and
reading a generated Markdown report back by its sections."""

from __future__ import annotations

from tests.helpers import error_report

REASON = "お客様の権利に影響しないため"


def step(case: str, when: str, name: str, **kw: object) -> dict[str, object]:
    rec: dict[str, object] = {"event_id": f"{case}-{name}-{when}", "type": "error_update", "unit_id": "PO-001", "case_id": case,
                              "at": when, "step": name}  # fmt: skip
    rec.update(kw)
    return rec


def publish(case: str, when: str) -> dict[str, object]:
    return step(case, when, "publication_decided", unit_id="RMD", publication_decision="publish", publication_reason="お客様の権利に影響")


def withhold(case: str, when: str) -> dict[str, object]:
    return step(case, when, "publication_decided", unit_id="RMD", publication_decision="withhold", publication_reason=REASON)


def done(case: str, responded: str, reported: str, **prevention: object) -> list[dict[str, object]]:
    return [step(case, responded, "customer_response_done"), step(case, reported, "prevention_set", **prevention)]


EVENTS: list[dict[str, object]] = [
    error_report("A", "A", occurred_at="2025-04-20T09:00:00", discovered_at="2025-04-25T10:00:00", affected_customers=3,
                 amount_impact_jpy=12000, impact_kind="underpayment", scheme="employees_pension", discovery_channel="customer_voice",
                 summary="通知書を別のお客様へ送付|再送"),
    step("A", "2025-04-30T10:00:00", "cause_analyzed", cause_category="human_error"),
    *done("A", "2025-04-28T10:00:00", "2025-05-10T10:00:00", note="送付前の宛名確認を二人で行う"),
    step("A", "2025-05-20T10:00:00", "closed"),
    publish("A", "2025-06-05T10:00:00"),
    error_report("B", "B", unit_id="PO-002", report_kind="incident", category="document_loss", discovered_at="2025-05-02T09:00:00",
                 affected_customers=2, impact_kind="no_financial_impact", scheme="other", discovery_channel="daily_report",
                 summary="=1+1 添付書類の紛失"),
    *done("B", "2025-05-31T23:30:00", "2025-05-20T10:00:00"), publish("B", "2025-06-10T10:00:00"),
    error_report("C", "C", category="benefit_error", occurred_at="2024-12-01T09:00:00", discovered_at="2025-03-03T09:00:00",
                 affected_customers=5, amount_impact_jpy=30000, impact_kind="overpayment", scheme="national_pension",
                 discovery_channel="award_check"),
    *done("C", "2025-05-01T00:10:00", "2025-04-15T10:00:00"), publish("C", "2025-05-20T10:00:00"), withhold("C", "2025-06-01T10:00:00"),
    error_report("D", "D", unit_id="PO-002", category="data_entry_error", discovered_at="2025-05-05T09:00:00"),
    *done("D", "2025-05-06T10:00:00", "2025-05-09T10:00:00"), withhold("D", "2025-05-15T10:00:00"),
    error_report("E", "E", occurred_at="2025-05-01T09:00:00", discovered_at="2025-05-07T09:00:00"),
    *done("E", "2025-05-08T10:00:00", "2025-05-14T10:00:00"), publish("E", "2025-07-05T10:00:00"),
    error_report("F", "F", occurred_at="2025-03-20T09:00:00", discovered_at="2025-04-02T09:00:00"),
    *done("F", "2025-04-10T10:00:00", "2025-04-30T23:59:00"), publish("F", "2025-05-10T10:00:00"),
    error_report("G", "G", category="benefit_error", occurred_at="2024-03-10T09:00:00", discovered_at="2025-03-28T09:00:00",
                 amount_impact_jpy=408100, impact_kind="underpayment", scheme="employees_pension"),
    *done("G", "2025-05-10T10:00:00", "2025-06-01T00:05:00"), publish("G", "2025-06-15T10:00:00"),
    error_report("H", "H", discovered_at="2025-05-03T09:00:00"), step("H", "2025-05-04T10:00:00", "customer_response_done"),
    error_report("I", "I", discovered_at="2025-05-20T09:00:00"),
]  # fmt: skip


def section(md: str, heading: str) -> list[str]:
    """The lines of a Markdown section, from its heading to the next (blank lines dropped)."""
    lines = md.split("\n")
    start = lines.index(f"## {heading}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start + 1 : end] if line]
