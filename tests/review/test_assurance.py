"""The 監査部's audit data on the second line (riskmon.review.assurance): exact figures on a small
year built here, on SQLite and PostgreSQL, as of a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.reports import kept
from riskmon.reports.assurance import to_markdown
from riskmon.review.assurance import _changes_section, assurance, parse_period
from riskmon.review.assurance.sample import allocate, stratified_sample
from riskmon.review.service import ReviewService
from tests.feeds_support import finding, followup
from tests.helpers import at, daily, run, shipped, write_jsonl

CAL = BusinessCalendar()
FIRST, LAST = date(2025, 4, 1), date(2025, 9, 30)
AS_OF = CAL.end_of_day(LAST)


class Clock:
    def __init__(self) -> None:
        self.now = at("2025-04-10T12:00:00")

    def __call__(self) -> datetime:
        return self.now


def proposal_id(svc: ReviewService, flag_id: int) -> str:
    p = svc.flag("risk2", flag_id).proposal
    assert p is not None
    return p.digest


def update(event_id: str, case_id: str, when: str, decision: str) -> dict[str, object]:
    return {"event_id": event_id, "type": "error_update", "unit_id": "RMD", "case_id": case_id, "at": when,
            "step": "publication_decided", "publication_decision": decision, "publication_reason": "理由"}  # fmt: skip


def year(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    """The flags fixture's three cases worked in April, a half-year of other evidence, two
    committee packs (one in two versions) and a five-month pack, all as the tests below expect."""
    clock = Clock()
    svc = ReviewService(engine, clock)
    steps: list[tuple[str, Any]] = [
        ("2025-04-11T09:00:00", lambda: svc.acknowledge("po1", flags["medium"])),
        ("2025-04-14T09:00:00", lambda: svc.resolve("risk1", flags["medium"], "explained", "理由あり")),
        ("2025-04-15T09:00:00", lambda: svc.propose("risk1", flags["high"], "risk_accepted", "受容", date(2025, 10, 20))),
        ("2025-04-16T09:00:00", lambda: svc.confirm("risk2", flags["high"], proposal_id(svc, flags["high"]))),
        ("2025-04-17T09:00:00", lambda: svc.dismiss("risk1", flags["critical"], "重複登録")),
        ("2025-04-18T09:00:00", lambda: svc.confirm("risk2", flags["critical"], proposal_id(svc, flags["critical"]))),
    ]
    for when, act in steps:
        clock.now = at(when)
        assert act().ok
    records: list[dict[str, object] | str] = [
        daily("D1", day="2025-04-01"), daily("D2", day="2025-04-02"), daily("D3", day="2025-04-03"),
        daily("D4", unit="PO-002", day="2025-04-01"),
        '{"event_id": "bad", "type": "daily_report", "unit_id": "PO-001"}',
        update("U1", "C1", "2025-04-20T10:00:00", "publish"), update("U2", "C2", "2025-04-21T10:00:00", "withhold"),
        update("U3", "C2", "2025-10-05T10:00:00", "publish"),  # after the data date: not known then
        finding("F1"), followup("P1", "F1", "improvement_plan", "2025-06-20"),
        finding("F2", reported_on="2025-04-01"), followup("P2", "F2", "improvement_plan", "2025-04-10"),
        followup("P3", "F2", "followup_report", "2025-07-01"), followup("P4", "F2", "improvement_confirmed", "2025-07-15"),
    ]  # fmt: skip
    run(engine, write_jsonl(tmp_path / "more.jsonl", records))
    evaluate(engine, shipped("R32", "R33"), at("2025-09-10T12:00:00"), CAL)  # R33: F1's follow-up report is late
    packs = [(date(2024, 12, 1), date(2025, 4, 30), "a"), (date(2025, 4, 1), date(2025, 5, 31), "b"),
             (date(2025, 4, 1), date(2025, 5, 31), "c"), (date(2025, 8, 1), date(2025, 9, 30), "d")]  # fmt: skip
    for lo, hi, digest in packs:
        kept.keep(engine, "committee", lo, hi, CAL.end_of_day(hi), digest, tmp_path, {"lang": "ja"})
    # a pack generated after the data date is not counted
    kept.keep(engine, "committee", FIRST, LAST, at("2025-10-15T00:00:00"), "e", tmp_path, {"lang": "ja"})


def test_the_audit_data_as_of_the_end_of_the_half(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    year(engine, flags, tmp_path)
    rules = shipped("R01", "R02", "R03", "R05", "R33")
    d = assurance(engine, FIRST, LAST, CAL, rules, sample_size=2, seed=7, as_of=AS_OF).data
    # six flags raised in the half (R01 ×3, R02, R03 in April; R33 in September), three closed
    assert (d["flags"], d["closed"]) == (6, 3)
    # business days from the flag's day (Thu 10 Apr) to the step: medium acknowledged Fri 11th,
    # closed Mon 14th (2); high confirmed Wed 16th (4); critical confirmed Fri 18th (6)
    assert d["business_days_to_acknowledge"] == {"medium": {"median": 1.0, "n": 1}}
    assert d["business_days_to_close"] == {"critical": {"median": 6.0, "n": 1}, "high": {"median": 4.0, "n": 1},
                                           "medium": {"median": 2.0, "n": 1}}  # fmt: skip
    assert d["closed_within_business_days"] == {"days": 5, "share": 0.667}
    assert d["four_eyes"] == {"closures": 2, "compliant": 2, "share": 1.0}
    assert (d["dismissals_by_reason"], d["dismissals_by_person"]) == ({"重複登録": 1}, {"risk1": 1, "risk2": 1})
    assert (d["reopen_rate"], d["rules_never_fired"], d["recurrence_for_audit_planning"]) == (0.0, ["R05"], {})

    # three strata of one case each; a sample of two takes the first two strata by key
    sample = d["audit_sample"]
    assert (sample["population"], sample["requested"], sample["size"], sample["seed"]) == (3, 2, 2, 7)
    assert [(s["severity"], s["resolution"], s["risk_category"], s["size"], s["drawn"]) for s in sample["strata"]] == [
        ("critical", "false_positive", "administrative", 1, 1),
        ("high", "risk_accepted", "administrative", 1, 1),
        ("medium", "explained", "administrative", 1, 0),
    ]
    assert sample["flag_ids"] == sorted([flags["critical"], flags["high"]])
    assert [c["flag_id"] for c in d["sample_cases"]] == sample["flag_ids"]

    cov = d["coverage"]
    assert cov["basis"] == "rule_sources" and cov["requirements"] == 13 and cov["uncited_rules"] == []
    assert [(r["source"], r["rule_id"], r["flags"]) for r in cov["rows"]] == [
        ("S1:2073-2075", "R05", 0), ("S1:2083", "R02", 1), ("S1:2083", "R03", 1), ("S1:2104-2110", "R02", 1),
        ("S1:2164", "R01", 3), ("S1:2166", "R03", 1), ("S1:2168", "R02", 1), ("S1:2375-2381", "R33", 1),
        ("S2:270", "R02", 1), ("S2:366", "R05", 0), ("S3:429-439", "R01", 3), ("S3:429-439", "R02", 1),
        ("S3:530", "R05", 0), ("S3:530", "R33", 1),
        ("S3:562-563", "R05", 0), ("S3:583-584", "R33", 1),
    ]  # fmt: skip
    assert cov["requirements_never_fired"] == ["S1:2073-2075", "S2:366", "S3:562-563"]

    acc = d["acceptances"]
    assert [(r["flag_id"], r["accepted_on"], r["accepted_by"], r["until"], r["state"]) for r in acc["rows"]] == [
        (flags["high"], "2025-04-16", ["risk1", "risk2"], "2025-10-20", "expiring")]  # fmt: skip
    assert (acc["total"], acc["expired"], acc["expiring"], acc["in_force"]) == (1, 0, 1, 0)

    cad = d["cadence"]
    assert [(p["from"], p["to"], p["months"], p["versions"], p["longer_than_cadence"]) for p in cad["packs"]] == [
        ("2024-12-01", "2025-04-30", 5, 1, True), ("2025-04-01", "2025-05-31", 2, 2, False),
        ("2025-08-01", "2025-09-30", 2, 1, False)]  # fmt: skip
    assert cad["gaps"] == [{"from": "2025-06-01", "to": "2025-07-31"}] and cad["longer_than_cadence"] == 1

    dr = d["daily_reports"]
    assert (dr["units"], dr["expected"], dr["received"], dr["rate"]) == (2, 248, 4, 0.016)  # 2 offices × 124 business days
    assert [(m["month"], m["business_days"], m["expected"], m["received"]) for m in dr["months"]] == [
        ("2025-04", 21, 42, 4), ("2025-05", 20, 40, 0), ("2025-06", 21, 42, 0), ("2025-07", 22, 44, 0),
        ("2025-08", 20, 40, 0), ("2025-09", 20, 40, 0)]  # fmt: skip
    assert d["rejects"] == {"rows": [], "total": 0, "unhandled": 0}  # quarantined today, long after the data date
    today = assurance(engine, FIRST, LAST, CAL, rules).data["rejects"]
    assert [(Path(r["source"]).name, r["record_type"], r["rejected"], r["unhandled"]) for r in today["rows"]] == [
        ("more.jsonl", "daily_report", 1, 1)]  # fmt: skip

    pub = d["publication"]
    assert pub["months"] == [{"month": "2025-04", "reports": 3, "publish": 1, "withhold": 1, "undecided": 1}]
    assert pub["undecided_cases"] == [{"case_id": "C3", "unit_id": "PO-001", "discovered_on": "2025-04-01", "category": "record_error"}]

    f = d["findings"]
    assert (f["reported_in_period"], f["open"], f["overdue"]) == (2, 1, 1)
    assert f["rows"] == [{"finding_id": "F1", "unit_id": "PO-001", "reported_on": "2025-06-02", "level": "major",
                          "plan_on": "2025-06-20", "followup_on": None, "confirmed_on": None, "overdue": ["R33"]}]  # fmt: skip
    assert d["changes"] == {"rows": [], "total": 0, "unapproved": 0, "self_approved": 0}  # wired at merge

    again = assurance(engine, FIRST, LAST, CAL, rules, sample_size=2, seed=7, as_of=AS_OF).data
    assert again == d  # the same moment and seed: the same data

    md = to_markdown(d, CAL, {"PO-001": "札幌中央年金事務所"}, "ja")
    assert md.startswith("# 第二線のリスク管理体制の整備・運用状況に関する監査資料 令和7年度（上期）\n")
    assert "作成部署：監査部" in md and "データ時点：令和7年9月30日" in md
    assert "| 重大 | - | - | 6.0 | 1 |" in md  # critical: never acknowledged, closed in 6 business days
    assert "| C3 | 札幌中央年金事務所 | 令和7年4月1日 |" in md
    assert "| 2024年12月1日" not in md and "| 令和6年12月1日 | 令和7年4月30日 | 5 | 1 | 令和7年4月30日 | なし |" in md
    assert "四つの目の遵守（高・重大の完了）: 2/2 (100.0%)" in md


def test_acceptances_expire(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    year(engine, flags, tmp_path)
    states = [assurance(engine, FIRST, LAST, CAL, ["R01"], as_of=at(when)).data["acceptances"]["rows"][0]["state"]
              for when in ("2025-06-30T12:00:00", "2025-09-30T12:00:00", "2025-10-21T12:00:00")]  # fmt: skip
    assert states == ["in_force", "expiring", "expired"]


def test_allocation_gives_every_stratum_one_then_shares_by_size() -> None:
    a, b, c = ("high", "remediated", "administrative"), ("low", "explained", "administrative"), ("critical", "-", "system")
    # 8 of 16: one each, then 5 shared by the remaining sizes 9:4:0 (3.46, 1.54, 0) → 3 + 1, the spare to b
    assert allocate({a: 10, b: 5, c: 1}, 8) == {a: 4, b: 3, c: 1}
    assert allocate({a: 10, b: 5, c: 1}, 2) == {a: 1, b: 1, c: 0}  # fewer than the strata: the largest
    assert allocate({a: 10, b: 5, c: 1}, 99) == {a: 10, b: 5, c: 1}  # never more than there is


def test_the_sample_is_reproducible_and_follows_its_seed() -> None:
    cases = [{"id": i, "severity": "high" if i % 3 else "low", "resolution": "remediated", "risk_category": "administrative"}
             for i in range(1, 61)]  # fmt: skip
    one, same, other = (stratified_sample(cases, 6, s) for s in (1, 1, 2))
    assert one == same and one["flag_ids"] != other["flag_ids"]
    assert [(s["severity"], s["size"], s["drawn"]) for s in one["strata"]] == [("high", 40, 4), ("low", 20, 2)]
    assert all(i % 3 == 0 for i in one["flag_ids"] if i in {c["id"] for c in cases if c["severity"] == "low"})


@dataclass(frozen=True)
class Change:
    id: int
    kind: str
    key: str
    before: object
    after: object
    diff: str | None
    changed_by: str
    changed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    note: str | None


def test_changes_are_shown_with_their_approvers() -> None:
    records = [
        Change(2, "config", "deadlines.daily_report_due_time", "10:00", "11:00", None, "risk1",
               datetime(2025, 5, 1, 1, 30, tzinfo=UTC), None, None, None),
        Change(1, "rule", "R01", "v1", "v2", "within:\n  business_days: 0 → 1", "risk1",
               datetime(2025, 4, 30, 23, 0, tzinfo=UTC), "risk2", datetime(2025, 5, 1, 2, 0, tzinfo=UTC), "誤検知対策"),
        Change(3, "rule", "R13", "v1", "v2", "lookback 5 → 3", "risk2",
               datetime(2025, 6, 2, 0, 0, tzinfo=UTC), "risk2", datetime(2025, 6, 2, 1, 0, tzinfo=UTC), ""),
    ]  # fmt: skip
    section = _changes_section(records, CAL)
    assert (section["total"], section["unapproved"], section["self_approved"]) == (3, 1, 1)
    assert [(r["id"], r["changed_at"], r["diff"], r["approved_by"], r["state"]) for r in section["rows"]] == [
        ("1", "2025-05-01T08:00+09:00", "within: business_days: 0 → 1", "risk2", "approved"),
        ("2", "2025-05-01T10:30+09:00", "10:00 → 11:00", "", "unapproved"),
        ("3", "2025-06-02T09:00+09:00", "lookback 5 → 3", "risk2", "self_approved"),
    ]
    assert section["rows"][0]["approved_at"] == "2025-05-01T11:00+09:00" and section["rows"][0]["note"] == "誤検知対策"


def test_periods() -> None:
    assert parse_period("FY2025") == (date(2025, 4, 1), date(2026, 3, 31))
    assert parse_period("2025-04-01..2025-09-30") == (date(2025, 4, 1), date(2025, 9, 30))
