"""Issue 9 items 9 and 11 as a user meets them on the command line: a job that is locked is not
reported as done, a crashed run is named when the next command starts, and ``riskmon evaluate``
over the rule folder retires the flags of a deleted rule file (not when given one rule file)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.jobs import locks
from riskmon.liveness import current
from riskmon.store.db import make_engine
from riskmon.store.tables import IngestRun, JobRun, table_of
from tests.helpers import error_report, riskmon_folder, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    riskmon_folder(tmp_path, monkeypatch)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def invoke(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def test_a_locked_job_run_by_hand_says_so_and_fails(cli: CliRunner, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'riskmon.db'}")
    assert locks.acquire(engine, "weekly_digest", "other-host:7:", datetime.now(UTC), locks.Lease())
    code, out = invoke(cli, "--lang", "en", "jobs", "run", "weekly_digest", "--as-of", "2025-06-02T07:00")
    assert code == 1
    assert "weekly_digest: locked\nanother process (other-host:7:) is running this job; run it again when it has finished" in out
    code, out = invoke(cli, "jobs", "run", "weekly_digest", "--as-of", "2025-06-02T07:00")
    assert code == 1 and "別のプロセス（other-host:7:）がこのジョブを実行中です" in out
    assert "Traceback" not in out


def test_the_next_ingest_names_and_marks_a_crashed_ingest(cli: CliRunner, tmp_path: Path, units_file: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'riskmon.db'}")
    t = table_of(IngestRun)
    with engine.begin() as conn:  # what a killed `riskmon ingest` leaves behind
        conn.execute(t.insert().values(started_at=datetime.now(UTC), sources=["big.jsonl"], status="running",
                                       holder=f"{current().host}:{dead.pid}:"))  # fmt: skip
    code, out = invoke(cli, "--lang", "en", "ingest", str(units_file))
    assert code == 0 and "ingest_runs 1 had crashed" in out and "recorded as crashed" in out
    with engine.connect() as conn:
        assert [r.status for r in conn.execute(select(t.c.status).order_by(t.c.id))] == ["crashed", "completed"]


def test_a_job_run_by_hand_names_the_crashed_job_run_it_recovered(cli: CliRunner, tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = f"{current().host}:{dead.pid}:"
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'riskmon.db'}")
    with engine.begin() as conn:  # what a killed `riskmon jobs run nightly` leaves behind
        conn.execute(table_of(JobRun).insert().values(job="nightly", as_of=datetime.now(UTC), started_at=datetime.now(UTC),
                                                      trigger="manual", status="running", holder=holder))  # fmt: skip
    code, out = invoke(cli, "--lang", "en", "jobs", "run", "monthly_publication", "--as-of", "2025-06-03T07:30")
    assert (code, out) == (0, f"job_runs 1 had crashed ({holder}: holder process is gone); recorded as crashed\n"
                              "monthly_publication: skipped\n2025-06-03 is not the last business day of the month\n")  # fmt: skip
    code, out = invoke(cli, "jobs", "run", "monthly_publication", "--as-of", "2025-06-03T07:30")
    assert "crashed" not in out  # named once: it is recorded now


def test_evaluate_over_the_rule_folder_retires_the_flags_of_a_deleted_rule(cli: CliRunner, tmp_path: Path, units_file: Path) -> None:
    invoke(cli, "ingest", str(units_file), str(write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")])))
    code, out = invoke(cli, "evaluate", "--as-of", "2025-04-10T12:00", "--format", "json")
    assert code == 0 and json.loads(out)["counts"]["retired"] == 0
    (tmp_path / "rules" / "r02_priority_incident.yaml").unlink()
    code, out = invoke(cli, "evaluate", "--as-of", "2025-04-10T12:00", "--rules", "rules/r01_error_not_notified.yaml", "--format", "json")
    assert code == 0 and "retired" not in json.loads(out)["counts"]  # one rule file is not the rule book
    code, out = invoke(cli, "evaluate", "--as-of", "2025-04-11T12:00", "--format", "json")
    assert code == 0 and json.loads(out)["counts"]["retired"] == 1
    code, out = invoke(cli, "flags", "list", "--status", "retired", "--format", "json")
    assert [(r["rule_id"], r["subject"], r["status"]) for r in json.loads(out)] == [("R02", "C1", "retired")]
    code, out = invoke(cli, "flags", "list", "--format", "json")
    assert {r["rule_id"] for r in json.loads(out)} == {"R01", "R03P", "R13", "R16"}  # R02 is gone from the open list
