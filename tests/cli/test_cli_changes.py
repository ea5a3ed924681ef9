"""``riskmon rules changes`` (list, show, approve, record) and the evaluation's warning, on the
seeded CLI of tests/cli/conftest.py (both backends): the shipped rules and config.toml, evaluated
once by the operator's shell, so the baseline is recorded as ``cli:<login>``."""

from __future__ import annotations

import json
from pathlib import Path

from riskmon.cli.app import app
from riskmon.cli.common import operator_name
from riskmon.config import load_settings
from riskmon.review.change_snapshot import config_items
from tests.cli.token_support import Cli, token_for
from tests.helpers import ROOT, shipped

#: the baseline of the shipped book: one record per rule and per config value evaluation reads
BASELINE = len(shipped()) + len(config_items(load_settings(ROOT / "config.toml")))


def _json(result: object) -> object:
    assert getattr(result, "exit_code") == 0, getattr(result, "output")  # noqa: B009
    return json.loads(getattr(result, "stdout"))  # noqa: B009


def _lower_many_customers(folder: Path) -> None:
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert "many_customers = 30 " in text
    config.write_text(text.replace("many_customers = 30 ", "many_customers = 25 "), encoding="utf-8")


def test_the_evaluation_recorded_the_baseline_and_the_second_and_third_line_read_it(cli: Cli) -> None:
    rows = _json(cli("rules", "changes", "list", "--unapproved", "--format", "json", as_user="auditor"))
    assert isinstance(rows, list) and len(rows) == BASELINE == 36 + 49
    assert {(r["change"], r["changed_by"], r["approved_by"]) for r in rows} == {("initial", operator_name(), None)}
    many = next(r for r in rows if r["key"] == "thresholds.many_customers")
    assert (many["kind"], many["before"], many["after"], many["diff"]) == ("config", None, "30", "thresholds.many_customers: — → 30")
    wide = {**cli.env, "COLUMNS": "250", "RISKMON_TOKEN": token_for(cli.url, "risk1")}  # one line a record
    table = cli.runner.invoke(app, ["--lang", "en", "rules", "changes", "list"], env=wide)
    assert table.exit_code == 0 and f"{BASELINE} rule and config change records" in table.stdout
    line = next(x for x in table.stdout.splitlines() if "thresholds.many_customers" in x)
    assert [c.strip() for c in line.split("│")[1:-1]][1:7] == ["config value", "thresholds.many_customers", "baseline", "—", "30",
                                                              operator_name()]  # fmt: skip
    assert line.split("│")[-2].strip() == "not approved"
    assert "ルール・設定の変更記録85件" in cli("rules", "changes", "list").stdout  # the operator's shell reads everything


def test_a_config_value_change_recorded_shown_and_approved_by_another_person(cli: Cli, tmp_path: Path) -> None:
    _lower_many_customers(tmp_path)
    recorded = cli("rules", "changes", "record", as_user="risk1")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == f"{BASELINE + 1}: 変更 設定値 thresholds.many_customers\n1件の変更を記録しました\n"
    change = _json(cli("rules", "changes", "show", str(BASELINE + 1), "--format", "json", as_user="auditor"))
    assert isinstance(change, dict)
    assert {k: change[k] for k in ("kind", "key", "change", "before", "after", "diff", "changed_by", "approved_by")} == {
        "kind": "config", "key": "thresholds.many_customers", "change": "changed", "before": "30", "after": "25",
        "diff": "thresholds.many_customers: 30 → 25", "changed_by": "risk1", "approved_by": None,
    }  # fmt: skip
    shown = cli("--lang", "en", "rules", "changes", "show", str(BASELINE + 1), as_user="risk2")
    assert shown.exit_code == 0 and "diff:\nthresholds.many_customers: 30 → 25\n" in shown.stdout
    own = cli("rules", "changes", "approve", str(BASELINE + 1), "--note", "確認", as_user="risk1")
    assert own.exit_code == 1
    assert f"{BASELINE + 1}: 変更{BASELINE + 1}はrisk1本人が記録したため承認できません（四つの目の原則）" in own.output
    audit = cli("rules", "changes", "approve", str(BASELINE + 1), "--note", "確認", as_user="auditor")
    assert audit.exit_code == 1 and "第三線（監査部）・ガバナンスは変更記録を閲覧のみで、承認はできません" in audit.output
    done = cli("rules", "changes", "approve", str(BASELINE + 1), "--note", "委員会資料と照合", as_user="risk2")
    assert (done.exit_code, done.stdout) == (0, f"{BASELINE + 1}: 承認しました（config thresholds.many_customers）\n")
    pending = _json(cli("rules", "changes", "list", "--unapproved", "--format", "json", as_user="risk2"))
    assert isinstance(pending, list) and BASELINE + 1 not in [r["id"] for r in pending] and len(pending) == BASELINE
    assert cli("rules", "changes", "record", as_user="risk1").stdout == "0件の変更を記録しました\n"


def test_the_first_line_is_refused_with_a_clear_message(cli: Cli) -> None:
    for args in (("rules", "changes", "list"), ("rules", "changes", "show", "1"), ("rules", "changes", "approve", "1", "--note", "x")):
        result = cli(*args, as_user="po1")
        assert result.exit_code == 1
        assert "第二線（リスク統括部等）" in result.output and "Traceback" not in result.output


def test_evaluation_never_fails_on_unapproved_changes_and_says_how_many(cli: Cli, tmp_path: Path) -> None:
    _lower_many_customers(tmp_path)
    result = cli("evaluate", "--as-of", "2025-04-11T12:00", as_user="risk1")
    assert result.exit_code == 0, result.output
    assert f"警告：未承認のルール・設定の変更が{BASELINE + 1}件あります" in result.output
    data = _json(cli("evaluate", "--as-of", "2025-04-11T12:00", "--format", "json"))
    assert isinstance(data, dict) and data["unapproved_changes"] == BASELINE + 1
    latest = _json(cli("rules", "changes", "list", "--from", "2000-01-01", "--format", "json"))
    assert isinstance(latest, list) and (latest[-1]["key"], latest[-1]["changed_by"]) == ("thresholds.many_customers", "risk1")
    assert _json(cli("rules", "changes", "list", "--to", "2000-01-01", "--format", "json")) == []
