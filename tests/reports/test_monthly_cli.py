"""``riskmon report monthly`` and ``riskmon report annual`` as people run them, on both backends: the
default month, the files, ``--lang en``, and bad input answered in both languages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from riskmon.cli.app import app
from riskmon.cli.common import ExitCode
from tests.helpers import riskmon_folder, write_jsonl
from tests.reports.publication_cases import EVENTS, section


class Run:
    def __init__(self, url: str) -> None:
        self.env = {"RISKMON_DATABASE_URL": url}

    def __call__(self, *args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=self.env)


@pytest.fixture
def cli(engine: Engine, units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    riskmon_folder(tmp_path, monkeypatch)
    run = Run(engine.url.render_as_string(hide_password=False))
    result = run("ingest", str(units_file), str(write_jsonl(tmp_path / "e.jsonl", EVENTS)))
    assert result.exit_code == 0, result.output
    return run


def files_of(result: Any) -> list[str]:
    assert result.exit_code == 0, result.output
    return [Path(f).relative_to(Path.cwd()).as_posix() for f in json.loads(result.output)["files"]]


def test_a_month_and_its_files(cli: Run) -> None:
    files = files_of(cli("report", "monthly", "--month", "2025-05", "--format", "json"))
    assert files == ["var/reports/monthly_2025-05/monthly.md", "var/reports/monthly_2025-05/monthly.html",
                     "var/reports/monthly_2025-05/monthly.xlsx"]  # fmt: skip
    md = Path(files[0]).read_text(encoding="utf-8")
    assert "- データ時点：令和7年6月30日23時59分" in md and "- 公表件数：2件" in md


def test_without_a_month_the_draft_is_the_one_being_prepared(cli: Run) -> None:
    # as of 15 July the last month-end is 30 June: May's publication is being prepared
    files = files_of(cli("report", "monthly", "--as-of", "2025-07-15", "--format", "json"))
    assert files[0] == "var/reports/monthly_2025-05/monthly.md"
    md = Path(files[0]).read_text(encoding="utf-8")
    assert "- データ時点：令和7年7月15日23時59分" in md and "- 公表件数：3件" in md  # E was decided on 5 July


def test_the_english_draft_goes_to_its_own_folder(cli: Run) -> None:
    files = files_of(cli("--lang", "en", "report", "monthly", "--month", "2025-05", "--format", "json"))
    assert files[0] == "var/reports/monthly_2025-05_en/monthly.md"
    md = Path(files[0]).read_text(encoding="utf-8")
    assert md.startswith("# Publication of processing errors etc. (May 2025) (draft)\n")


def test_the_annual_draft(cli: Run) -> None:
    files = files_of(cli("report", "annual", "--fiscal-year", "2025", "--format", "json"))
    assert files == [
        "var/reports/annual_FY2025/annual.md",
        "var/reports/annual_FY2025/annual.html",
        "var/reports/annual_FY2025/annual.xlsx",
    ]
    md = Path(files[0]).read_text(encoding="utf-8")
    assert section(md, "判明年度別の件数")[-2] == "| 合計 | 1 | 4 | 5 |"  # then the note on 未記録
    en = files_of(cli("--lang", "en", "report", "annual", "--fy", "FY2025", "--format", "json"))
    assert en[0] == "var/reports/annual_FY2025_en/annual.md"
    english = Path(en[0]).read_text(encoding="utf-8")
    assert english.startswith("# Processing errors etc. in FY2025 (draft)\n")
    assert section(english, "By fiscal year of discovery")[:3] == [
        "| Financial impact | FY2024 | FY2025 | Total |", "|---|---:|---:|---:|", "| underpayment | 1 | 1 | 2 |"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("report", "monthly", "--month", "2025-5"), "月は YYYY-MM で指定してください: 2025-5"),
        (("--lang", "en", "report", "monthly", "--month", "May"), "the month is YYYY-MM: May"),
        (("report", "annual", "--fy", "R7"), "年度は 2025 または FY2025 の形で指定してください: R7"),
        (("--lang", "en", "report", "annual", "--fy", "20255"), "the fiscal year is 2025 or FY2025: 20255"),
    ],
)
def test_bad_input_is_answered_not_traced(cli: Run, args: tuple[str, ...], says: str) -> None:
    result = cli(*args)
    assert (result.exit_code, result.exception is None or isinstance(result.exception, SystemExit)) == (ExitCode.USAGE, True)
    assert says in result.output and "Traceback" not in result.output
