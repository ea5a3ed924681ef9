"""The as-of layer (riskmon.store.asof) on SQLite and PostgreSQL: an event's own time and the run
that ingested it, the ingest high-water mark, case state replayed from the history, and the
readers that go through it (engine views, dry-run evaluation, review queue, assurance)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.engine import sources
from riskmon.flags.evaluation import evaluate_dry
from riskmon.review.assurance import assurance
from riskmon.review.queue import morning_queue
from riskmon.review.service import ReviewService
from riskmon.store.asof import AsOf, CaseState, case_state_at, high_water
from riskmon.store.tables import AuditEntry, CaseEvent, DailyReportRow, ErrorReportRow, EvaluationRun, Flag, IngestRun, table_of
from tests.helpers import at, daily, error_report, raise_flags, run, shipped, write_jsonl

CAL = BusinessCalendar()
T = datetime(2025, 9, 30, 23, 59, 59, tzinfo=TOKYO)
USERS = "user_id,name,unit_id,role\npo1,事務所長,PO-001,site_manager\nrisk1,リスク1,RMD,risk_officer\nrisk2,リスク2,RMD,risk_officer\n"


def two_runs(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    """Run 1: a case before T, a case after T, daily reports either side of T. Run 2: a case dated
    before T that arrives late."""
    first = [error_report("E1", "C1", discovered_at="2025-09-10T10:00:00"),
             error_report("E2", "C2", discovered_at="2025-10-05T10:00:00"),
             daily("D1", day="2025-09-30"), daily("D2", day="2025-10-01")]  # fmt: skip
    assert run(engine, units_file, write_jsonl(tmp_path / "1.jsonl", first)).rejections == []
    late = [error_report("E3", "C3", discovered_at="2025-09-15T10:00:00"), daily("D3", unit="PO-002", day="2025-09-29")]
    assert run(engine, write_jsonl(tmp_path / "2.jsonl", late)).rejections == []


def test_events_clause_applies_their_own_time_and_the_run_that_ingested_them(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    two_runs(engine, units_file, tmp_path)
    er, dr = table_of(ErrorReportRow), table_of(DailyReportRow)
    with engine.connect() as conn:

        def cases(window: AsOf) -> set[str]:
            return set(conn.execute(select(er.c.case_id).where(window.events_clause(er, er.c.discovered_at))).scalars())

        def days(window: AsOf) -> set[str]:
            return set(conn.execute(select(dr.c.event_id).where(window.events_clause(dr, dr.c.business_date))).scalars())

        assert cases(AsOf(T)) == {"C1", "C3"} == cases(AsOf(T, 2))
        assert cases(AsOf(T, 1)) == {"C1"}  # C3 is dated before T but was not known at run 1
        assert cases(AsOf(T, 0)) == set()
        assert days(AsOf(T)) == {"D1", "D3"} and days(AsOf(T, 1)) == {"D1"}  # a date column compares with T's day
        assert high_water(conn) == 2
        # the views the rules read go through the same layer
        assert [r["case_id"] for r in sources.error_reports(conn, AsOf(T, 1))] == ["C1"]
        assert [r["case_id"] for r in sources.error_reports(conn, T)] == ["C1", "C3"]
        assert sources.report_days(conn, date(2025, 9, 29), date(2025, 10, 1), AsOf(T, 1)) == {("PO-001", date(2025, 9, 30)),
                                                                                              ("PO-001", date(2025, 10, 1))}  # fmt: skip


def test_the_high_water_mark_stops_below_a_run_still_in_progress(engine: Engine) -> None:
    r = table_of(IngestRun)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        assert high_water(conn) == 0
        for status in ("completed", "interrupted", "running", "completed"):
            conn.execute(insert(r).values(started_at=now, status=status, sources=[]))
        assert high_water(conn) == 2  # run 3 is still writing: run 4's events may not be all there is
        conn.execute(r.update().where(r.c.id == 3).values(status="crashed"))
        assert high_water(conn) == 4


def test_case_state_is_replayed_from_the_case_history(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    events = [error_report("E1", "C1", category="data_entry_error", discovered_at="2025-04-08T10:00:00"),
              error_report("E3", "C3", category="record_error")]  # fmt: skip
    ids = raise_flags(engine, units_file, tmp_path, events, ["R01", "R03"], USERS)  # evaluated at NOW, 2025-04-10 12:00
    high, medium = ids["R01:C1"][0], ids["R03:C3"][0]

    def service(when: str) -> ReviewService:
        return ReviewService(engine, clock=lambda: at(when))

    assert service("2025-04-11T09:00:00").acknowledge("po1", medium).ok
    assert service("2025-04-14T09:00:00").resolve("risk1", medium, "remediated", "是正").ok  # medium: closed at once
    assert service("2025-04-20T09:00:00").reopen("risk1", medium, "再発").ok
    assert service("2025-04-15T09:00:00").resolve("risk1", high, "explained", "説明").ok  # high: waits for four eyes
    pending = service("2025-04-16T09:00:00").flag("risk2", high).proposal
    assert pending is not None and service("2025-04-16T09:00:00").confirm("risk2", high, pending.digest).ok
    with engine.connect() as conn:

        def state(when: str) -> dict[int, CaseState]:
            return case_state_at(conn, [high, medium], at(when))

        assert state("2025-04-10T23:00:00") == {}  # no history yet: as every case starts
        s = state("2025-04-12T00:00:00")[medium]
        assert (s.status, s.acknowledged_at, s.is_open) == ("acknowledged", at("2025-04-11T09:00:00"), True)
        s = state("2025-04-14T12:00:00")[medium]
        assert (s.status, s.closed_at, s.closed_by, s.resolution, s.note) == (
            "resolved", at("2025-04-14T09:00:00"), ["risk1"], "remediated", "是正")  # fmt: skip
        s = state("2025-04-15T12:00:00")[high]
        assert (s.status, s.closed_by) == ("open", [])  # proposed, not yet confirmed
        s = state("2025-04-16T12:00:00")[high]
        assert (s.status, s.closed_by, s.closed_at) == ("resolved", ["risk1", "risk2"], at("2025-04-16T09:00:00"))
        s = state("2025-04-21T00:00:00")[medium]
        assert (s.status, s.closed_at, s.closed_by, s.reopened) == ("open", None, [], True)
        assert set(case_state_at(conn, None, at("2025-04-21T00:00:00"))) == {high, medium}

    # the third line's report as of a past moment shows the cases as they stood then
    early = assurance(engine, date(2025, 4, 1), date(2025, 4, 30), CAL, ["R01", "R03"], as_of=at("2025-04-14T12:00:00"))
    assert (early.data["closed"], early.data["four_eyes"]["closures"]) == (1, 0)
    later = assurance(engine, date(2025, 4, 1), date(2025, 4, 30), CAL, ["R01", "R03"], as_of=at("2025-04-16T12:00:00"))
    assert (later.data["closed"], later.data["four_eyes"]) == (2, {"closures": 1, "compliant": 1, "share": 1.0})
    now = assurance(engine, date(2025, 4, 1), date(2025, 4, 30), CAL, ["R01", "R03"])
    assert now.data["closed"] == 1 and now.data["reopen_rate"] == 1.0  # the medium case was reopened


def test_a_dry_run_writes_nothing_and_reads_only_what_was_known(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    two_runs(engine, units_file, tmp_path)
    models = (Flag, EvaluationRun, CaseEvent, AuditEntry)

    def counts() -> list[int]:
        with engine.connect() as conn:
            return [conn.execute(select(func.count()).select_from(table_of(m))).scalar_one() for m in models]

    before = counts()
    assert before[:3] == [0, 0, 0]
    known = evaluate_dry(engine, shipped("R02"), AsOf(at("2025-10-31T23:00:00"), 1), CAL)
    everything = evaluate_dry(engine, shipped("R02"), at("2025-10-31T23:00:00"), CAL)
    assert [f["key"] for f in known.flags] == ["R02:C1", "R02:C2"] and known.errors == {}
    assert [f["key"] for f in everything.flags] == ["R02:C1", "R02:C2", "R02:C3"]
    assert counts() == before  # no flag, no run record, no case event, no audit entry


def test_the_morning_queue_of_a_past_morning_has_no_later_flags(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    raise_flags(engine, units_file, tmp_path, [error_report("E2", "C2", category="misissuance")], ["R02"], USERS)
    raised = at("2025-04-10T12:00:00")  # NOW
    assert [i.flag.subject for i in morning_queue(engine, "risk1", raised + timedelta(hours=1), CAL).items] == ["C2"]
    assert morning_queue(engine, "risk1", at("2025-04-09T08:00:00"), CAL).items == []
