"""A scheduled committee pack that could not print its PDF says why in its run record, as the CLI
says it when a person makes the pack (riskmon.jobs.catalogue._pack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskmon.cli.app import app
from tests.helpers import riskmon_folder

MISSING = "/nonexistent/riskmon-test/chromium"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    riskmon_folder(tmp_path, monkeypatch)
    config = tmp_path / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert 'browser = "chromium"' in text
    config.write_text(text.replace('browser = "chromium"', f'browser = "{MISSING}"'), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def test_the_committee_job_records_why_there_is_no_pdf(cli: CliRunner, tmp_path: Path) -> None:
    # 2 June 2025: the first business day of an even month, when the pack for April–May is due
    result = cli.invoke(app, ["jobs", "run", "committee_pack", "--as-of", "2025-06-02T08:00"])
    assert result.exit_code == 0, result.output
    problem = f"PDF を作成できません：ブラウザ「{MISSING}」が見つかりません（config.toml [reports] browser）。"
    folder = tmp_path / "var" / "reports" / "committee_2025-04-01_2025-05-31"
    assert result.output.startswith(f"committee_pack: ok\n{problem}")
    assert result.output.endswith(f"作成済みです。\n{folder} ({result.output[-14:-2]})\n")
    assert (folder / "committee.html").exists() and not (folder / "committee.pdf").exists()
    listed = json.loads(cli.invoke(app, ["jobs", "list", "--format", "json"]).output)
    pack = next(j for j in listed if j["job"] == "committee_pack")
    assert pack["last_status"] == "ok" and pack["last_detail"].startswith(problem)


def test_in_english_the_record_is_in_english(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert '\nlang = "ja"' in text
    config.write_text(text.replace('\nlang = "ja"', '\nlang = "en"'), encoding="utf-8")
    result = cli.invoke(app, ["jobs", "run", "committee_pack", "--as-of", "2025-06-02T08:00"])
    assert result.exit_code == 0, result.output
    assert f"cannot print the PDF: browser '{MISSING}' not found ([reports] browser in config.toml)" in result.output
