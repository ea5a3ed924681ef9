"""``riskmon report assurance`` writes the 監査部's document (Markdown, HTML, xlsx, PDF) and, with
``--format json``, gives its data; ``--lang en`` writes it in English; bad periods are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskmon.cli.app import app
from tests.helpers import ROOT, UNITS_CSV, error_report, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A folder with the shipped rules and config, the test units and one error report."""
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    config = (ROOT / "config.toml").read_text(encoding="utf-8").replace('url = "sqlite:///var/riskmon.db"', 'url = "sqlite:///t.db"')
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1", category="misissuance")])
    runner = CliRunner()
    for args in (["db", "upgrade"], ["ingest", "units.csv", "e.jsonl"]):
        assert runner.invoke(app, args).exit_code == 0
    return runner


def test_the_document_is_written_and_its_data_given(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["report", "assurance", "--period", "2025-04-01..2025-05-31", "--as-of", "2025-05-31",
                              "--out", "out", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    folder = tmp_path / "out" / "assurance_2025-04-01_2025-05-31"
    assert out["files"] == [str(Path("out") / folder.name / f"assurance.{x}") for x in ("md", "html", "xlsx", "pdf")]
    assert out["pdf_problem"] is None and (folder / "assurance.pdf").read_bytes().startswith(b"%PDF-")
    assert out["data"]["period"] == {"from": "2025-04-01", "to": "2025-05-31"}
    assert out["data"]["publication"]["undecided_cases"] == [
        {"case_id": "C1", "unit_id": "PO-001", "discovered_on": "2025-04-01", "category": "misissuance"}]  # fmt: skip
    md = (folder / "assurance.md").read_text(encoding="utf-8")
    assert md.startswith("# 第二線のリスク管理体制の整備・運用状況に関する監査資料 令和7年4月1日～令和7年5月31日\n")
    assert "| C1 | 札幌中央年金事務所 | 令和7年4月1日 | 誤交付 |" in md


def test_lang_en(cli: CliRunner, tmp_path: Path) -> None:
    config = (tmp_path / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "config.toml").write_text(config.replace('browser = "chromium"', 'browser = "no-such-browser-riskmon"'), encoding="utf-8")
    result = cli.invoke(app, ["--lang", "en", "report", "assurance", "--period", "FY2025", "--as-of", "2026-03-31"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "reports" / "assurance_2025-04-01_2026-03-31_en"
    md = (folder / "assurance.md").read_text(encoding="utf-8")
    assert md.startswith("# Audit of the second line's risk-management set-up and its operation FY2025\n")
    assert "Prepared by: Internal Audit Department" in md and "| C1 | Sapporo | 1 Apr 2025 |" in md
    assert "written" in result.stdout and (folder / "assurance.xlsx").exists() and (folder / "assurance.html").exists()
    assert "cannot print the PDF" in result.stderr.replace("\n", " ") and not (folder / "assurance.pdf").exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [("FY", "期間として読めません: FY"), ("2025-09-30..2025-04-01", "期間が逆です: 2025-09-30..2025-04-01")],
)
def test_a_bad_period_is_refused(cli: CliRunner, period: str, message: str) -> None:
    result = cli.invoke(app, ["report", "assurance", "--period", period])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
