"""The public API (riskmon.Riskmon) end to end on SQLite and PostgreSQL, and the embedding example of
docs/api.md executed as it is written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, func, insert, inspect, select, table

import riskmon
from riskmon import Riskmon
from riskmon.business_calendar import TOKYO
from riskmon.config import PathsConfig, Settings, load_settings
from riskmon.flags.store import FlagFilter
from riskmon.jobs.service import JobOverview, JobRunRecord, Jobs, UnknownJob
from riskmon.liveness import current
from riskmon.store.queries import Page, RejectRecord, UnitRecord
from riskmon.store.tables import JobRun, Reject, Unit, table_of
from tests.helpers import ROOT, UNITS_CSV, daily, error_report, write_jsonl

USERS = "user_id,name,unit_id,role\npo1,事務所長,PO-001,site_manager\nrisk1,リスク1,RMD,risk_officer\n"
AS_OF = datetime(2025, 4, 10, 12, tzinfo=TOKYO)


def _rules(folder: Path) -> Path:
    """A rule folder with R01 (not notified in time) and R02 (priority incident) of the shipped book."""
    folder.mkdir()
    for name in ("r01_error_not_notified.yaml", "r02_priority_incident.yaml"):
        shutil.copy(ROOT / "rules" / name, folder / name)
    return folder


def _settings(tmp_path: Path) -> Settings:
    paths = PathsConfig(rules=Path("rules"), reports=Path("out/reports"), outbox=Path("out/outbox"), inbox=Path("in"))
    return load_settings(ROOT / "config.toml").model_copy(update={"paths": paths, "base_dir": tmp_path})


def _row_counts(engine: Engine) -> dict[str, int]:
    """Every table's row count: a dry run must leave every one unchanged."""
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {n: int(conn.execute(select(func.count()).select_from(table(n))).scalar_one()) for n in names}


def test_the_api_end_to_end(engine: Engine, tmp_path: Path) -> None:
    _rules(tmp_path / "rules")
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    events = write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")])
    (tmp_path / "users.csv").write_text(USERS, encoding="utf-8")
    with Riskmon(_settings(tmp_path), engine=engine) as rm:
        report = rm.ingest([units, events])
        assert (dict(report.accepted), report.total_rejected) == ({"unit": 6, "error_report": 1}, 0)

        book = rm.check_rules()  # [paths] rules, resolved against base_dir
        assert ([r.id for r in book.rules], book.problems) == (["R01", "R02"], [])

        before = _row_counts(engine)
        dry = rm.evaluate(AS_OF, dry_run=True)
        assert _row_counts(engine) == before  # nothing written: no run, no flag, no audit entry
        would = sorted((f.values["rule_id"], f.values["subject"], f.values["severity"]) for f in dry.flags)
        assert would == [("R01", "C1", "critical"), ("R02", "C1", "critical")]
        assert (dry.run_id, dry.dry_run, dry.counts, dry.errors) == (0, True, {"would_raise": 2}, {})

        real = rm.evaluate(AS_OF)
        assert (real.counts["raised"], real.errors) == (2, {})
        stored = rm.flags(FlagFilter())
        assert sorted((f["rule_id"], f["subject"], f["severity"]) for f in stored) == would

        assert rm.load_users(tmp_path / "users.csv") == (2, [])
        r01 = next(f["id"] for f in stored if f["rule_id"] == "R01")
        done = rm.cases.acknowledge("po1", r01, "確認しました")
        assert (done.ok, done.status) == (True, "acknowledged")
        refused = rm.cases.dismiss("po1", r01, "一時的")  # the first line cannot dismiss
        assert (refused.ok, refused.text("en").startswith("only the second line")) == (False, True)

        files = rm.reports.monthly(2025, 4)
        assert [f.relative_to(tmp_path).as_posix() for f in files] == ["out/reports/monthly_2025-04/monthly.md",
                                                                      "out/reports/monthly_2025-04/monthly.html",
                                                                      "out/reports/monthly_2025-04/monthly.xlsx"]  # fmt: skip
        assert all(f.stat().st_size > 0 for f in files)

        escalated = rm.escalate(AS_OF)
        assert escalated.reopened == []
        day = tmp_path / "out" / "outbox" / "2025-04-10"  # [paths] outbox, one folder per day, a file per unit
        assert [d.relative_to(day).as_posix() for d in escalated.digests] == sorted(f"{u}.md" for u in escalated_units(engine))
        # the jobs are Riskmon's: a run by hand is recorded like the scheduler's runs
        assert rm.jobs.run("weekly_digest", as_of=datetime(2025, 4, 14, 7, tzinfo=TOKYO)).status == "ok"
        assert (tmp_path / "out" / "reports" / "weekly_2025-04-14.md").exists()


def escalated_units(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(table("outbox", column("recipient_unit"))))}


def test_units_and_rejects_come_as_typed_records_with_their_tables_columns(engine: Engine, tmp_path: Path) -> None:
    """``--format json`` of ``units list`` and ``rejects list`` prints ``as_dict()``: the same keys,
    in the same order, as the table rows it printed before the records were typed."""
    assert list(UnitRecord.__dataclass_fields__) == list(table_of(Unit).c.keys())
    assert list(RejectRecord.__dataclass_fields__) == list(table_of(Reject).c.keys())
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    bad = [daily("d1", forms_received="x"), daily("d2", forms_pending="y"), daily("d3", complaints="z")]
    with Riskmon(_settings(tmp_path), engine=engine) as rm:
        rm.ingest([units, write_jsonl(tmp_path / "e.jsonl", bad)])
        [rmd] = rm.units(line="second")
        assert (rmd.unit_id, rmd.name("ja"), rmd.name("en"), rmd.unit_type) == (
            "RMD",
            "リスク統括部",
            "Risk Mgmt",
            "risk_management_department",
        )
        assert [u.unit_id for u in rm.units(unit_type="pension_office")] == ["PO-001", "PO-002"]
        with engine.connect() as conn:
            assert rmd.as_dict() == dict(conn.execute(select(table_of(Unit)).where(table_of(Unit).c.unit_id == "RMD")).mappings().one())
        page = rm.rejects(limit=2)
        assert isinstance(page, Page) and page.total == 3
        assert [(r.line_no, r.reasons[0]["field"]) for r in page.items] == [(1, "forms_received"), (2, "forms_pending")]
        assert [r.line_no for r in rm.rejects().items] == [1, 2, 3]  # no limit: all of them


def test_riskmon_offers_the_jobs(engine: Engine, tmp_path: Path) -> None:
    monday = datetime(2025, 6, 2, 7, tzinfo=TOKYO)
    with Riskmon(_settings(tmp_path), engine=engine, clock=lambda: monday) as rm:
        with pytest.raises(UnknownJob) as caught:
            rm.jobs.run("nightlly")
        assert isinstance(caught.value, riskmon.NotFound) and caught.value.text("en").startswith("unknown job: nightlly (nightly, ")
        assert caught.value.text("ja").startswith("不明なジョブ：nightlly（nightly, ")
        assert rm.jobs.run("weekly_digest").status == "ok"  # as of the clock's now
        assert rm.jobs.run("monthly_publication", as_of=datetime(2025, 6, 3, 7, 30, tzinfo=TOKYO)).status == "skipped"
        runs = rm.jobs.list_runs()
        assert [(r.id, r.job, r.trigger, r.status, r.as_of) for r in runs] == [
            (2, "monthly_publication", "manual", "skipped", datetime(2025, 6, 3, 7, 30, tzinfo=TOKYO)),
            (1, "weekly_digest", "manual", "ok", monday),
        ]  # fmt: skip
        assert all(isinstance(r, JobRunRecord) for r in runs) and [r.id for r in rm.jobs.list_runs("weekly_digest")] == [1]
        weekly = next(o for o in rm.jobs.overview(monday + timedelta(minutes=1)) if o.job == "weekly_digest")
        title, next_monday = "常勤役員会向け週次ダイジェスト", datetime(2025, 6, 9, 7, tzinfo=TOKYO)
        assert weekly == JobOverview("weekly_digest", title, "0 7 * * mon", next_monday, monday, "ok", weekly.last_detail, 0)
        assert weekly.last_detail == f"{tmp_path / 'out' / 'reports' / 'weekly_2025-06-02.md'} (0 new, 0 overdue)"[:120]
        assert [o.job for o in rm.jobs.overview()] == list(rm.jobs.catalogue)
        # a run left 'running' by a process that is gone: recover() marks it crashed, once
        with engine.begin() as conn:
            conn.execute(insert(table_of(JobRun)).values(job="nightly", as_of=monday, started_at=monday, trigger="schedule",
                                                         status="running", holder=f"{current().host}:{_dead_pid()}:"))  # fmt: skip
        assert [(c.table, c.run_id, c.why) for c in rm.jobs.recover()] == [("job_runs", 3, "holder process is gone")]
        assert rm.jobs.recover() == [] and rm.jobs.list_runs("nightly")[0].status == "crashed"


def test_the_jobs_calls_the_docs_name_exist() -> None:
    """Every ``rm.jobs.<call>`` / ``jobs.<call>(`` in docs/api.md and docs/scheduler.md is a method of ``Jobs``."""
    named = set()
    for doc in ("api.md", "scheduler.md"):
        named |= set(re.findall(r"\bjobs\.([a-z_]+)\(", (ROOT / "docs" / doc).read_text(encoding="utf-8")))
    assert named == {"run", "fire", "catch_up", "missed", "recover", "overview", "list_runs"}
    assert all(callable(getattr(Jobs, name)) for name in named)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_book_with_problems_is_a_rule_error_in_both_languages(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.yaml").write_text("id: R99\nkind: nonsense\n", encoding="utf-8")
    with Riskmon(_settings(tmp_path), engine=engine) as rm, pytest.raises(riskmon.RuleError) as caught:
        rm.evaluate(AS_OF)
    assert caught.value.problems and caught.value.problems[0].file.endswith("bad.yaml")
    assert caught.value.text("en").startswith(f"{len(caught.value.problems)} problem(s) in the rules\n")
    assert caught.value.text("ja").startswith(f"ルールに{len(caught.value.problems)}件の問題があります\n")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table("evaluation_runs"))).scalar_one() == 0


def test_a_missing_sqlite_database_is_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RISKMON_DATABASE_URL", raising=False)
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///var/x.db"\n', encoding="utf-8")
    rm = Riskmon.from_config(tmp_path / "config.toml")
    with pytest.raises(riskmon.StoreError) as caught:
        rm.flags()
    assert caught.value.text("en") == f"no database at {tmp_path / 'var' / 'x.db'} (riskmon db upgrade creates one)"
    assert not (tmp_path / "var" / "x.db").exists()


def test_public_names_are_exported() -> None:
    assert set(riskmon.__all__) <= set(dir(riskmon))
    assert riskmon.Riskmon is Riskmon and riskmon.Settings is Settings
    assert (riskmon.Severity.__module__, riskmon.RiskmonError.__module__) == ("riskmon", "riskmon")


def _snippet() -> str:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    return blocks[0]


def test_the_embedding_example_in_docs_api_md_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first python block of docs/api.md, run by a real interpreter in a riskmon folder."""
    code = _snippet()
    assert len(code.strip().splitlines()) <= 12  # "in ten lines" (plus the two imports of the time zone)
    monkeypatch.delenv("RISKMON_DATABASE_URL", raising=False)
    _rules(tmp_path / "rules")
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")  # the rules refer to its deadlines and thresholds
    (tmp_path / "config.toml").write_text(
        shipped.replace('url = "sqlite:///var/riskmon.db"', 'url = "sqlite:///store.db"'), encoding="utf-8"
    )
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    with Riskmon.from_config(tmp_path / "config.toml") as rm:
        rm.upgrade()
        rm.ingest([units, write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")])])
    env = {k: v for k, v in os.environ.items() if k not in ("RISKMON_CONFIG", "RISKMON_DATABASE_URL")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [["R01", "critical"], ["R02", "critical"]]
    with Riskmon.from_config(tmp_path / "config.toml") as rm:
        assert rm.flags(FlagFilter(status="all")) == []  # the example's dry run wrote nothing
