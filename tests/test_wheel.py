"""The built wheel works on its own (issue #9: the Jinja templates were missing from it).

The wheel is built from a copy of the project's files, installed with its dependencies into a
plain fresh venv (no system site-packages, so nothing the source tree or the development venv
provides can hide a missing file), and then driven as a deployment would: ``db upgrade``,
``ingest``, ``report committee`` and ``report monthly`` in a folder holding only config.toml,
the rules and the sample files. Slow (about a minute), and part of ``make test`` and CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

SAMPLE_FILES = ["units.csv", "contracts.csv", "inspections.jsonl", "error_reports.jsonl"]


def sh(*args: str | Path, cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_the_built_wheel_installs_and_writes_the_reports(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RISKMON_", "PYTHON", "VIRTUAL_ENV"))}
    src = tmp_path / "src"  # a copy: building must not leave build/ or *.egg-info in the checkout
    shutil.copytree(ROOT / "riskmon", src / "riskmon", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    built = sh(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-w", tmp_path / "dist", cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("riskmon-*.whl")

    venv = tmp_path / "venv"
    made = sh(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    installed = sh(venv / "bin" / "python", "-m", "pip", "install", wheel, cwd=tmp_path, env=env)
    assert installed.returncode == 0, installed.stderr
    where = sh(venv / "bin" / "python", "-c", "import riskmon; print(riskmon.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the installed copy, not the source

    site = tmp_path / "site"  # a deployment folder: config, rules and the input files, nothing else
    site.mkdir()
    shutil.copy(ROOT / "config.toml", site / "config.toml")
    shutil.copytree(ROOT / "rules", site / "rules")
    shutil.copytree(ROOT / "sample_events", site / "inbox", ignore=lambda _d, names: [n for n in names if n not in SAMPLE_FILES])
    riskmon = venv / "bin" / "riskmon"
    steps = [
        ["db", "upgrade"],
        ["ingest", *(f"inbox/{n}" for n in SAMPLE_FILES)],
        ["report", "committee", "--from", "2025-04-01", "--to", "2025-09-30"],
        ["report", "monthly", "--month", "2025-05"],
    ]
    for step in steps:
        done = sh(riskmon, *step, cwd=site, env=env)
        assert (done.returncode, "Traceback" in done.stderr) == (0, False), (step, done.stdout, done.stderr)

    pack = site / "var" / "reports" / "committee_2025-04-01_2025-09-30"
    names = ["audit-anchor.json", "committee.html", "committee.md", "committee.pdf", "committee.xlsx"]  # the PDF by Chromium
    assert sorted(p.name for p in pack.iterdir()) == names
    assert "| 履行中検査 | 178 | 3※ | 181 | 1 |" in (pack / "committee.md").read_text(encoding="utf-8")
    assert (pack / "committee.html").read_text(encoding="utf-8").count("<svg") == 2  # no daily reports here: no funnel
    month = site / "var" / "reports" / "monthly_2025-05"
    assert sorted(p.name for p in month.iterdir()) == ["monthly.html", "monthly.md", "monthly.xlsx"]
