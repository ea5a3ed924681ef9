"""The CLI as a user runs it: real config, real SQLite file, real sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskmon.cli.app import app
from tests.helpers import cli_folder, daily, error_report, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return cli_folder(tmp_path, monkeypatch)


def invoke(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def test_commands_refuse_politely_before_the_schema_exists(cli: CliRunner) -> None:
    code, out = invoke(cli, "events", "list")
    assert code == 2
    assert "riskmon db upgrade" in out


def test_ingest_reports_rejects_with_file_line_and_field(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    assert invoke(cli, "db", "upgrade")[0] == 0
    events = write_jsonl(tmp_path / "in.jsonl", [daily("d1"), daily("d2", forms_received="x")])
    code, out = invoke(cli, "ingest", str(units_file), str(events))
    assert code == 3
    assert "in.jsonl:2: forms_received: 整数ではありません: 'x'" in out
    code, out = invoke(cli, "--lang", "en", "rejects", "list", "--format", "json")
    assert code == 0
    [reject] = json.loads(out)
    assert reject["line_no"] == 2 and reject["reasons"][0]["field"] == "forms_received"


def test_ingest_json_summary_and_idempotent_rerun(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    invoke(cli, "db", "upgrade")
    events = write_jsonl(tmp_path / "in.jsonl", [daily("d1"), error_report("e1", "C1")])
    code, out = invoke(cli, "ingest", str(units_file), str(events), "--format", "json")
    assert code == 0
    assert json.loads(out)["totals"]["accepted"] == 8
    code, out = invoke(cli, "ingest", str(events), "--format", "json")
    assert code == 0 and json.loads(out)["totals"] == {"accepted": 0, "duplicates": 2, "conflicts": 0, "rejected": 0}


def test_events_list_and_show_in_both_languages(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    invoke(cli, "db", "upgrade")
    invoke(cli, "ingest", str(units_file), str(write_jsonl(tmp_path / "in.jsonl", [error_report("e1", "C1")])))
    code, out = invoke(cli, "events", "list", "--type", "error_report", "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["event_id"] == "e1" and row["occurred_at"] == "2025-04-01T10:00:00+09:00"  # Tokyo time, as the messages say it
    code, out = invoke(cli, "events", "show", "e1")
    assert code == 0 and "誤送付" in out and "札幌中央年金事務所" in out
    code, out = invoke(cli, "--lang", "en", "events", "show", "e1")
    assert "misdelivery" in out and "Sapporo" in out
    code, out = invoke(cli, "events", "show", "nope")
    assert code == 1


def test_unknown_type_filter_is_a_usage_error(cli: CliRunner) -> None:
    invoke(cli, "db", "upgrade")
    code, out = invoke(cli, "events", "list", "--type", "dialy_report")
    assert code == 2 and "daily_report" in out


@pytest.mark.parametrize(
    "command",
    [
        ["ingest"],
        ["db", "upgrade"],
        ["events", "list"],
        ["events", "show"],
        ["rejects", "list"],
        ["sample", "generate"],
        ["units", "list"],
    ],
)
def test_every_command_has_help_with_an_example(cli: CliRunner, command: list[str]) -> None:
    code, out = invoke(cli, *command, "--help")
    assert code == 0
    assert "Examples" in out and "riskmon " in out


def test_bad_config_is_reported_with_the_key(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[display]\nlang = "fr"\n', encoding="utf-8")
    code, out = invoke(cli, "events", "list")
    assert code == 2 and "display.lang" in out


def test_ingest_with_a_lost_worker_says_what_to_do(
    cli: CliRunner, units_file: Path, tmp_path: Path, in_workers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskmon.ingest import parallel

    assert invoke(cli, "db", "upgrade")[0] == 0
    monkeypatch.setattr(parallel, "_prepare", _exit_at_once)
    code, out = invoke(cli, "ingest", str(units_file), str(write_jsonl(tmp_path / "a.jsonl", [daily("d1")])), "--workers", "2")
    assert code == 1
    assert "ワーカープロセスが応答なく終了しました" in out and "--workers 1" in out
    assert len(in_workers) == 1


def _exit_at_once(*args: object) -> None:
    import os

    os._exit(9)


def test_units_rejects_and_jobs_lists_render_what_riskmon_returns(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    """The three listings go through one Riskmon call each (rm.units, rm.rejects, rm.jobs.overview);
    what they print is what they printed when they queried the tables themselves."""
    invoke(cli, "db", "upgrade")
    invoke(cli, "ingest", str(units_file), str(write_jsonl(tmp_path / "in.jsonl", [daily("d1", forms_received="x"), daily("d2", note=7)])))
    code, out = invoke(cli, "--lang", "en", "units", "list", "--line", "second")
    assert code == 0 and "1 units" in out and "│ RMD     │ Risk Mgmt │ Risk Management Dept. │ second line     │        │" in out
    code, out = invoke(cli, "units", "list", "--format", "json")
    units = json.loads(out)
    assert [u["unit_id"] for u in units] == ["AUD", "HQ-NP", "PO-001", "PO-002", "RD01", "RMD"]
    assert list(units[0]) == ["unit_id", "name_ja", "name_en", "unit_type", "line", "parent_unit_id", "prefecture", "active",
                              "source_path", "source_line", "updated_at"]  # fmt: skip
    code, out = invoke(cli, "--lang", "en", "rejects", "list", "--limit", "1")
    assert code == 0 and "rejects 1/2" in out and "showing 1 of 2 (--limit 2 for all)" in out and "│ in.jsonl:1 │ daily report │" in out
    code, out = invoke(cli, "rejects", "list", "--format", "json")
    assert [(r["line_no"], r["reasons"][0]["field"]) for r in json.loads(out)] == [(1, "forms_received"), (2, "note")]
    code, out = invoke(cli, "jobs", "run", "monthly_publication", "--as-of", "2025-06-03T07:30")
    assert (code, out) == (0, "monthly_publication: skipped\n2025-06-03 is not the last business day of the month\n")
    code, out = invoke(cli, "jobs", "list", "--format", "json")
    jobs = json.loads(out)
    assert [j["job"] for j in jobs] == ["nightly", "weekly_digest", "monthly_publication", "committee_pack", "half_year_review"]
    monthly = jobs[2]
    assert list(monthly) == ["job", "title", "cron", "next", "last_as_of", "last_status", "last_detail", "failures"]
    last = (monthly["cron"], monthly["last_as_of"], monthly["last_status"], monthly["failures"])
    assert last == ("30 7 22-31 * *", "2025-06-03T07:30:00+09:00", "skipped", 0)  # as of 07:30 Tokyo, shown in Tokyo time
    code, out = invoke(cli, "--lang", "en", "jobs", "list")
    assert code == 0 and "│ monthly_publication │" in out and "│ skipped │" in out
