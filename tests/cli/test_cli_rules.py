"""rules check / list / test, evaluate and flags, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskmon.cli.app import app
from tests.helpers import error_report, riskmon_folder, shipped, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    riskmon_folder(tmp_path, monkeypatch)
    return CliRunner()


def invoke(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def test_rules_check_passes_on_the_shipped_rules_and_fails_with_positions(cli: CliRunner, tmp_path: Path) -> None:
    code, out = invoke(cli, "rules", "check")
    assert code == 0 and f"ルール{len(shipped())}件：問題なし" in out  # every shipped rule, however many
    path = tmp_path / "rules" / "r01_error_not_notified.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stop: risk_notified_at", "stop: risk_notifed_at"), encoding="utf-8")
    code, out = invoke(cli, "rules", "check")
    assert code == 1
    line = 1 + path.read_text(encoding="utf-8").splitlines().index("stop: risk_notifed_at")
    assert f"rules/r01_error_not_notified.yaml:{line}:7:" in out and "did you mean 'risk_notified_at'" in out


def test_rules_list_json(cli: CliRunner) -> None:
    code, out = invoke(cli, "rules", "list", "--format", "json")
    assert code == 0
    rules = {r["id"]: r for r in json.loads(out)}
    assert rules["R02"]["kind"] == "match" and rules["R02"]["sources"] == ["S1:2104-2110", "S1:2083", "S1:2168", "S3:429-439", "S2:270"]


def test_rules_test_prints_a_readable_diff_on_failure(cli: CliRunner, tmp_path: Path) -> None:
    code, out = invoke(cli, "rules", "test")
    assert code == 0 and "0 failed" in out
    test = tmp_path / "rules" / "tests" / "r02_test.yaml"
    test.write_text(test.read_text(encoding="utf-8").replace("{rule_id: R02, subject: C1, severity: critical}",
                                                             "{rule_id: R02, subject: C1, severity: low}"), encoding="utf-8")  # fmt: skip
    code, out = invoke(cli, "rules", "test")
    assert code == 1
    assert "FAIL" in out and "expected, not raised" not in out  # Japanese by default
    assert "期待したが出なかった" in out and "'severity': 'low'" in out


def test_evaluate_then_flags(cli: CliRunner, units_file: Path, tmp_path: Path) -> None:
    invoke(cli, "db", "upgrade")
    invoke(cli, "ingest", str(units_file), str(write_jsonl(tmp_path / "e.jsonl", [error_report("E1", "C1")])))
    code, out = invoke(cli, "evaluate", "--as-of", "2025-04-10T12:00", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["counts"]["raised"] >= 2
    code, again = invoke(cli, "evaluate", "--as-of", "2025-04-10T12:00", "--format", "json")
    assert json.loads(again)["counts"]["raised"] == 0
    code, out = invoke(cli, "flags", "list", "--format", "json")
    rows = json.loads(out)
    assert {r["rule_id"] for r in rows} >= {"R01", "R02"}
    assert rows[0]["severity"] == "critical"
    code, out = invoke(cli, "flags", "list", "--format", "csv", "--rule", "R01")
    assert out.splitlines()[0].startswith("\ufeffid,rule_id,severity")  # a BOM: Japanese Excel reads it as UTF-8
    first_seen = out.splitlines()[1].split(",")[7]
    assert first_seen.endswith("+09:00")  # the configured zone, as the messages say it, not the stored UTC
    code, plain = invoke(cli, "flags", "list", "--format", "csv", "--rule", "R01", "--no-bom")
    assert plain.splitlines()[0].startswith("id,rule_id,severity") and plain.splitlines()[1:] == out.splitlines()[1:]
    code, as_json = invoke(cli, "flags", "list", "--format", "json", "--rule", "R01")
    assert json.loads(as_json)[0]["first_seen"] == first_seen
    code, out = invoke(cli, "--lang", "en", "flags", "show", str(rows[0]["id"]))
    assert code == 0 and "source events" in out and "E1" in out
