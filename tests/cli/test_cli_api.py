"""The CLI as a thin shell over riskmon.Riskmon: every RiskmonError becomes its own words and an
exit status in one place (riskmon.cli.errors.classify), [paths] decide where the CLI looks, and
``evaluate --dry-run`` shows the flags without writing them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from riskmon import errors
from riskmon.cli.app import app
from riskmon.cli.errors import ExitCode, classify
from riskmon.engine.durable_adapter import EngineError
from riskmon.ingest.parallel import WorkerLost
from riskmon.review.policy import Refused
from riskmon.review.users import UnknownUser
from riskmon.store.db import DatabaseBusy, make_engine
from riskmon.store.tables import EvaluationRun, Flag, table_of
from tests.helpers import ROOT, UNITS_CSV, error_report, write_jsonl

CASES = [
    (WorkerLost("big.jsonl"), ExitCode.ERROR, "big.jsonl: a worker process ended without an answer (out of memory?); "
     "committed batches are kept. Run again, or with --workers 1"),
    (EngineError("the rule engine process died (exit code -9)"), ExitCode.ERROR, "the rule engine process died (exit code -9)"),
    (Refused("拒否", "refused"), ExitCode.ERROR, "refused"),
    (UnknownUser("unknown or inactive user 'x' / 利用者 'x' は登録されていません"), ExitCode.USAGE, "unknown or inactive user 'x'"),
    (errors.NotFound("ありません", "no such report"), ExitCode.ERROR, "no such report"),
    (errors.RuleError([errors.RuleProblem("r.yaml", 3, 5, "bad")]), ExitCode.ERROR, "1 problem(s) in the rules\nr.yaml:3:5: bad"),
    (errors.SchemaOutdated("古い", "old schema"), ExitCode.USAGE, "old schema"),
    (errors.IngestError("読めません", "cannot ingest"), ExitCode.ERROR, "cannot ingest"),
]  # fmt: skip


@pytest.mark.parametrize(("exc", "code", "en"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_every_riskmon_error_maps_to_its_words_and_status(exc: errors.RiskmonError, code: ExitCode, en: str) -> None:
    mapped = classify(exc)
    assert mapped is not None
    assert (mapped.code, mapped.text("en"), mapped.text("ja")) == (code, en, exc.text("ja"))


def test_the_busy_database_keeps_exit_75() -> None:
    mapped = classify(DatabaseBusy("sqlite:///x.db", 5))
    assert mapped is not None and mapped.code == ExitCode.BUSY


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deployment whose config names its rule folder in [paths]; commands run from elsewhere."""
    for name in ("RISKMON_DATABASE_URL", "RISKMON_CONFIG", "RISKMON_LANG"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "deploy"
    (home / "my_rules").mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "r02_priority_incident.yaml", home / "my_rules")
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8").replace('rules = "rules"', 'rules = "my_rules"')
    (home / "config.toml").write_text(shipped.replace('url = "sqlite:///var/riskmon.db"', 'url = "sqlite:///t.db"'), encoding="utf-8")
    (home / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    write_jsonl(home / "e.jsonl", [error_report("E1", "C1", category="misissuance")])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return home


def cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(home / "config.toml"), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_the_cli_uses_the_rule_folder_named_in_paths(folder: Path) -> None:
    rules = folder / "my_rules"
    untested = (f"警告：{rules / 'r02_priority_incident.yaml'}:1:5: "
                f"ルールR02にはテストがありません（{rules / 'tests'}に追加してください）"
                f" / rule R02 has no test (add one under {rules / 'tests'})\n")  # fmt: skip
    assert cli(folder, "rules", "check") == (0, untested + "ルール1件：問題なし\n")
    code, out = cli(folder, "--lang", "en", "rules", "list", "--format", "json")
    assert code == 0 and f'"file": "{folder / "my_rules" / "r02_priority_incident.yaml"}"' in out


def test_evaluate_dry_run_shows_the_flags_and_writes_nothing(folder: Path) -> None:
    assert cli(folder, "db", "upgrade")[0] == 0
    assert cli(folder, "ingest", str(folder / "units.csv"), str(folder / "e.jsonl"))[0] == 0
    code, out = cli(folder, "--lang", "en", "evaluate", "--as-of", "2025-04-10T12:00", "--dry-run")
    assert code == 0
    assert "dry run as of 2025-04-10 12:00: 1 flags, nothing saved" in out
    assert "R02" in out and "critical" in out
    engine = make_engine(f"sqlite:///{folder / 't.db'}")
    try:
        with engine.connect() as conn:
            runs = conn.execute(select(func.count()).select_from(table_of(EvaluationRun))).scalar_one()
            flags = conn.execute(select(func.count()).select_from(table_of(Flag))).scalar_one()
        assert (runs, flags) == (0, 0)
        assert cli(folder, "evaluate", "--as-of", "2025-04-10T12:00")[0] == 0
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(table_of(Flag))).scalar_one() == 1
    finally:
        engine.dispose()
