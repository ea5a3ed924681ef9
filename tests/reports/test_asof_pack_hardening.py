"""Issue #10 "one as-of layer": a committee pack says what was true and known at its data date.

(1) Events and case actions that come after the data date — also events dated before it but
ingested later — do not change a regenerated pack: the files are byte-identical and the data hash
is the same. (2) The pack's flags section is what the rules find over the data known at the data
date, joined with each flag's case state at that moment: it does not depend on when (or whether)
evaluations happened to run. Both on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.reports import committee, kept, monthly
from riskmon.reports.publication.cases import completed_between
from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from riskmon.store.tables import ErrorReportRow, Flag, Report, table_of
from tests.helpers import at, error_report, run, shipped, write_jsonl

CAL = BusinessCalendar()
T = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)
FIRST, LAST = date(2025, 8, 1), date(2025, 9, 30)
RULES = ("R01", "R02", "R03", "R03P", "R04")
USERS = "user_id,name,unit_id,role\npo1,事務所長,PO-001,site_manager\nrisk1,リスク1,RMD,risk_officer\nrisk2,リスク2,RMD,risk_officer\n"
FLAG_PARTS = ("flags", "priority_deadlines", "risky_offices", "open_flags")


def update(event_id: str, case_id: str, when: str, step: str, **kw: object) -> dict[str, object]:
    return {"event_id": event_id, "type": "error_update", "unit_id": "PO-001", "case_id": case_id, "at": when, "step": step, **kw}


def known_before_t(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    """Three cases discovered in September, one cause analysed in September; users to act."""
    events = [
        error_report("E1", "C1", category="misissuance", discovered_at="2025-09-01T10:00:00"),
        error_report("E2", "C2", category="data_entry_error", discovered_at="2025-09-08T10:00:00"),
        error_report("E3", "C3", category="record_error", discovered_at="2025-08-20T10:00:00"),
        update("U1", "C1", "2025-09-20T10:00:00", "cause_analyzed", cause_category="human_error"),
    ]
    report = run(engine, units_file, write_jsonl(tmp_path / "before.jsonl", events))
    assert report.rejections == [], report
    users = tmp_path / "users.csv"
    users.write_text(USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (3, [])


def learnt_after_t(engine: Engine, tmp_path: Path) -> None:
    """After the data date: a case discovered in October, a cause analysed in October, and a case
    discovered in September but reported (ingested) only now."""
    events = [
        error_report("E4", "C4", category="misdelivery", discovered_at="2025-10-03T10:00:00"),
        update("U2", "C2", "2025-10-02T10:00:00", "cause_analyzed", cause_category="system"),
        error_report("E5", "C5", category="misissuance", discovered_at="2025-09-25T10:00:00"),
    ]
    report = run(engine, write_jsonl(tmp_path / "after.jsonl", events))
    assert report.rejections == [] and sum(report.accepted.values()) == 3, report


def flag_ids(engine: Engine) -> dict[str, int]:
    t = table_of(Flag)
    with engine.connect() as conn:
        return {k: int(i) for k, i in conn.execute(select(t.c.key, t.c.id))}


def pack(engine: Engine, **kw: Any) -> dict[str, Any]:
    return committee.build(engine, FIRST, LAST, T, CAL, shipped(*RULES), **kw)


def test_a_regenerated_pack_is_byte_identical_after_later_events_and_case_actions(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    known_before_t(engine, units_file, tmp_path)
    evaluate(engine, shipped(*RULES), at("2025-09-30T23:00:00"), CAL)
    first = committee.write(engine, pack(engine), tmp_path / "a", CAL)
    assert (first.version, first.unchanged) == (1, False)

    learnt_after_t(engine, tmp_path)
    svc = ReviewService(engine, clock=lambda: at("2025-10-10T09:00:00"))
    ids = flag_ids(engine)
    assert svc.acknowledge("risk1", ids["R02:C1"]).ok  # R02 is the second line's (triage, 役員等への報告)
    assert svc.resolve("risk1", ids["R03:C3"], "remediated", "対応済み").ok
    evaluate(engine, shipped(*RULES), at("2025-10-15T23:00:00"), CAL)  # finds C4, C5 and the October cause

    again = pack(engine)
    assert again["known_run"] == 1
    assert again["errors"]["total"] == 3  # C5, discovered 09-25 but ingested later, is not counted
    assert {c["label"]: c["count"] for c in again["errors"]["by_cause"]} == {
        "確認誤り等（人為的な誤り）": 1,
        "原因分析中": 2,
    }  # C2's October analysis is not known at T
    second = committee.write(engine, again, tmp_path / "b", CAL)
    assert second.data_hash == first.data_hash and (second.version, second.unchanged) == (1, True)
    for fa, fb in zip(first.files, second.files, strict=True):
        assert hashlib.sha256(fa.read_bytes()).hexdigest() == hashlib.sha256(fb.read_bytes()).hexdigest(), fa.name
    r = table_of(Report)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(r)).scalar_one() == 1  # the identical pack is not kept twice

    # asked for today's knowledge, the backdated case is in: a different pack, kept as version 2
    fresh = pack(engine, refresh=True)
    assert fresh["known_run"] == 2 and fresh["errors"]["total"] == 4
    third = committee.write(engine, fresh, tmp_path / "c", CAL)
    assert third.data_hash != first.data_hash and (third.version, third.unchanged) == (2, False)
    # and the default still reproduces the first generation
    assert kept.data_hash(pack(engine)) == first.data_hash


def test_the_flags_section_does_not_depend_on_when_evaluations_ran(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    known_before_t(engine, units_file, tmp_path)
    never = {k: pack(engine)[k] for k in FLAG_PARTS}
    evaluate(engine, shipped(*RULES), at("2025-09-02T23:00:00"), CAL)
    early = {k: pack(engine)[k] for k in FLAG_PARTS}
    evaluate(engine, shipped(*RULES), at("2026-01-15T23:00:00"), CAL)
    late = {k: pack(engine)[k] for k in FLAG_PARTS}
    assert never == early == late
    assert never["open_flags"] == {"R01:C1": "critical", "R01:C2": "high", "R01:C3": "high", "R02:C1": "critical",
                                   "R03:C2": "high", "R03:C3": "high", "R03P:C1": "critical", "R04:C3": "medium"}  # fmt: skip
    flags = never["flags"]
    assert (flags["opened"], flags["resolved"], flags["open"], flags["overdue"], flags["escalations"]) == (8, 0, 8, 7, 0)
    assert [(o["rule_id"], o["case_id"], o["business_days_overdue"]) for o in never["priority_deadlines"]["overdue"]] == [
        ("R01", "C1", 19), ("R03P", "C1", 16)]  # only C1 is a 重点三事案 (R02:C1); C2, C3 are other errors  # fmt: skip
    # flags 17 points (R02:C1 says only "a 重点三事案": not counted again), capped at 10; errors C1 2 + C2 1 + C3 1
    assert [(o["unit_id"], o["score"]) for o in never["risky_offices"]] == [("PO-001", 14)]


def test_the_flags_section_joins_each_flags_case_state_at_the_data_date(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    known_before_t(engine, units_file, tmp_path)
    evaluate(engine, shipped(*RULES), at("2025-09-24T23:00:00"), CAL)
    ids = flag_ids(engine)
    before = ReviewService(engine, clock=lambda: at("2025-09-26T10:00:00"))
    assert before.resolve("risk1", ids["R03:C3"], "remediated", "対応済み").ok  # high: four eyes
    assert before.confirm("risk2", ids["R03:C3"], before.flag("risk2", ids["R03:C3"]).proposal.digest).ok  # type: ignore[union-attr]
    after = ReviewService(engine, clock=lambda: at("2025-10-06T10:00:00"))
    assert after.resolve("risk1", ids["R01:C2"], "remediated", "通知済み").ok
    assert after.confirm("risk2", ids["R01:C2"], after.flag("risk2", ids["R01:C2"]).proposal.digest).ok  # type: ignore[union-attr]
    section = pack(engine)
    assert set(section["open_flags"]) == {"R01:C1", "R01:C2", "R01:C3", "R02:C1", "R03:C2", "R03P:C1", "R04:C3"}
    assert (section["flags"]["open"], section["flags"]["resolved"]) == (7, 1)  # closed at 09-26: closed; closed in October: open


def test_a_regenerated_monthly_draft_is_the_same(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    # the 月次公表 lists settled cases (riskmon.reports.monthly): C1 settled in September before the
    # first draft, C5 settled in September too but ingested only after it (backdated)
    def settled(case: str, days: tuple[str, str, str]) -> list[dict[str, object]]:
        return [update(f"{case}-r", case, f"2025-09-{days[0]}T10:00:00", "customer_response_done"),
                update(f"{case}-p", case, f"2025-09-{days[1]}T10:00:00", "prevention_set"),
                update(f"{case}-d", case, f"2025-09-{days[2]}T10:00:00", "publication_decided", publication_decision="publish",
                       publication_reason="公表")]  # fmt: skip

    known_before_t(engine, units_file, tmp_path)
    run(engine, write_jsonl(tmp_path / "c1.jsonl", settled("C1", ("10", "22", "25"))))
    a = monthly.write(engine, 2025, 9, T, CAL, tmp_path / "a")
    learnt_after_t(engine, tmp_path)
    run(engine, write_jsonl(tmp_path / "c5.jsonl", settled("C5", ("26", "28", "29"))))
    b = monthly.write(engine, 2025, 9, T, CAL, tmp_path / "b")
    for fa, fb in zip(a, b, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    assert "- 公表件数：1件" in a[0].read_text(encoding="utf-8")
    # without the recorded mark, the backdated C5 is known
    assert [c.case_id for c in completed_between(engine, date(2025, 9, 1), date(2025, 9, 30), T, CAL)] == ["C1", "C5"]


def test_the_h1_sample_pack_is_the_same_after_the_year_is_evaluated(sample_db: Engine) -> None:
    """The issue's own case: the 上期 pack (data as of 2025-09-30) once counted 20 cause analyses
    recorded in October and 92 flags about cases discovered later, once the demo had evaluated the
    year at its end. (The sample year, loaded once per session on SQLite.)"""
    h1 = (date(2025, 4, 1), date(2025, 9, 30))
    before = committee.build(sample_db, *h1, T, CAL, shipped())
    evaluate(sample_db, shipped(), at("2026-03-31T23:00:00"), CAL)  # what the demo does
    after = committee.build(sample_db, *h1, T, CAL, shipped())
    assert kept.data_hash(after) == kept.data_hash(before)
    assert {c["label"]: c["count"] for c in after["errors"]["by_cause"]}["原因分析中"] == 12  # analysed only in October
    er, f = table_of(ErrorReportRow), table_of(Flag)
    with sample_db.connect() as conn:
        later = set(conn.execute(select(er.c.case_id).where(er.c.discovered_at > T)).scalars())
        stored = conn.execute(select(func.count()).select_from(f).where(f.c.status == "open", f.c.subject.in_(later))).scalar_one()
    assert stored == 130  # the year-end evaluation holds 130 open flags about cases discovered after 09-30 …
    assert {k.split(":", 1)[1] for k in after["open_flags"]} & later == set()  # … and none of them is in the pack
    assert (after["flags"]["open"], after["flags"]["overdue"]) == (
        467,
        24,
    )  # FY2024 cases and the feeds included; steps done late are not overdue
    deadlines = after["priority_deadlines"]
    # overdue at the data date: only the one step not done by then; the rest were done late and are listed apart,
    # days late counted to completion (ER-202505-00044 answered 12 business days late, not counted on to the data date)
    assert [(o["rule_id"], o["case_id"], o["business_days_overdue"]) for o in deadlines["overdue"]] == [("R04", "ER-202508-00153", 15)]
    late = {(o["rule_id"], o["case_id"]): (o["done"], o["business_days_late"]) for o in deadlines["completed_late"]}
    assert len(late) == 36 and late[("R03P", "ER-202505-00044")] == ("2025-06-03", 12)
    assert late[("R01", "ER-202507-00118")] == ("2025-07-12", 0)  # reported on the Saturday after a Friday deadline
    assert not {(o["rule_id"], o["case_id"]) for o in deadlines["overdue"]} & set(late)
