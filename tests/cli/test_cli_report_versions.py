"""``riskmon report committee`` says what it did: a reversed period is refused, an identical pack
regenerated is said to exist already, and the PDF is printed beside the other files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskmon.cli.app import app
from tests.helpers import cli_folder


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    runner = cli_folder(tmp_path, monkeypatch)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def test_a_reversed_period_is_refused(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "committee", "--from", "2025-09-30", "--to", "2025-04-01"])
    assert result.exit_code == 2
    assert "期間が逆です：--from 2025-09-30 は --to 2025-04-01 より後です" in result.output


def test_an_identical_pack_is_said_to_exist_and_not_stored_again(cli: CliRunner, tmp_path: Path) -> None:
    args = ["report", "committee", "--from", "2025-04-01", "--to", "2025-05-31", "--format", "json"]
    first = cli.invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert (data["version"], data["unchanged"], data["pdf_problem"]) == (1, False, None)
    assert [Path(f).name for f in data["files"]] == ["committee.md", "committee.html", "committee.xlsx", "committee.pdf"]
    assert Path(data["files"][3]).read_bytes().startswith(b"%PDF-")
    again = cli.invoke(app, args[:-2])
    assert again.exit_code == 0
    assert "同じ期間・データ時点の同一の資料が既にあります（第1版）。新たには保存していません。" in again.output.replace("\n", "")


def test_no_browser_still_writes_the_pack_and_says_why_there_is_no_pdf(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "sqlite:///var/t.db"\n[reports]\nbrowser = "no-such-browser-riskmon"\n', encoding="utf-8"
    )
    result = cli.invoke(app, ["report", "committee", "--from", "2025-04-01", "--to", "2025-05-31", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pdf_problem"].startswith("PDF を作成できません：ブラウザ「no-such-browser-riskmon」が見つかりません")
    assert [Path(f).name for f in data["files"]] == ["committee.md", "committee.html", "committee.xlsx"]
