"""`make demo`'s replay of FY2024 (scripts/demo_history.py) leaves no change record unapproved:
one risk officer records the rule book and config values in force, the recorder's own approval is
refused and another officer approves them, so the sample year's evaluation (the demo's next step)
ends without 「未承認のルール・設定の変更が…件あります」. The script runs as `make demo` runs it,
on the shipped config and rules, against a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import riskmon
from riskmon.cli.app import app
from tests.helpers import ROOT, SAMPLE, riskmon_folder


def _demo_history(folder: Path) -> str:
    """Run scripts/demo_history.py in ``folder`` as `make demo` does; what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RISKMON_") or k in ("RISKMON_AUDIT_KEY", "RISKMON_AUDIT_ANCHORS")}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_history.py")], env=env, cwd=folder,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_approves_the_rule_book_before_the_year_is_evaluated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = riskmon_folder(tmp_path, monkeypatch)
    (folder / "sample_events").symlink_to(SAMPLE)
    with riskmon.Riskmon.from_config(folder / "config.toml") as rm:
        rm.upgrade()
        rm.ingest([SAMPLE / "units.csv"])
    first = _demo_history(folder)
    with riskmon.Riskmon.from_config(folder / "config.toml") as rm:
        records = rm.changes.find()
    baseline = len(records)
    assert baseline > 0 and {r.change for r in records} == {"initial"}
    assert {(r.changed_by, r.approved_by) for r in records} == {("rmd.suzuki", "rmd.tanaka")}
    assert f"> rmd.suzuki records the rule book and config values in force: {baseline} change records, {baseline} not approved\n" in first
    assert "  rmd.suzuki approves change 1: refused — 変更1はrmd.suzuki本人が記録したため承認できません（四つの目の原則）\n" in first
    assert "  rmd.tanaka approves them: 0 not approved\n" in first

    evaluated = CliRunner().invoke(app, ["evaluate", "--as-of", "2026-03-31T23:00"])  # the Makefile's next step
    assert evaluated.exit_code == 0, evaluated.output
    assert "評価" in evaluated.output and "未承認" not in evaluated.output

    again = _demo_history(folder)  # a second `make demo`: nothing new to record or approve
    assert "> rmd.suzuki records the rule book and config values in force: 0 change records, 0 not approved\n" in again
    assert "approves" not in again
