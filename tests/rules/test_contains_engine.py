"""``contains`` against the real durable_rules engine: special characters match literally, and a
value the engine refuses or matches wrongly is refused by ``rules check``, not at evaluation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.engine import engine_probe
from riskmon.engine.durable_adapter import CompiledRule, CompiledTier, decide
from riskmon.engine.engine_probe import MAX_CONTAINS_CHARS
from riskmon.engine.rulebook import load_rules
from riskmon.flags.evaluation import evaluate
from riskmon.rules.conditions import Leaf, to_durable
from riskmon.store.tables import Flag, table_of
from tests.helpers import error_report, rule_check, rule_yaml, run, write_jsonl

RULE = rule_yaml("C1", "match", "when: {field: summary, contains: VALUE}\n", severity="high")


@pytest.mark.parametrize("value", ["a.b", "(A-4)", "50%", "[注]", "a|b", "x*", "{1}", "a+b?"])
def test_special_characters_match_literally_in_the_engine(value: str) -> None:
    """durable_rules escapes with %, not a backslash: before, 'a.b' never matched 'a.b'."""
    rule = CompiledRule("P", "v", (CompiledTier("high", to_durable(Leaf("s", "contains", value))),), ("s",))
    near_miss = value.replace(value[1], "Z") if len(value) > 1 else "Z"
    decided, errors = decide([rule], {"P": [{"s": f"前{value}後"}, {"s": near_miss}, {"s": value}]})
    assert errors == {} and decided == {"P": {0: "high", 2: "high"}}


def _check(tmp_path: Path, value: str) -> tuple[list[str], list[str]]:
    return rule_check(tmp_path, RULE.replace("VALUE", f"'{value}'"), probe=engine_probe.refused)


@pytest.mark.parametrize("value", ["マイナンバー", "誤送付", "a.b", "個" + "人情報を含む書類を別のお客様へ送付" * 3])
def test_values_the_engine_takes_pass_the_check(tmp_path: Path, value: str) -> None:
    assert _check(tmp_path, value[:MAX_CONTAINS_CHARS]) == ([], ["C1"])


def test_a_value_over_the_measured_limit_is_refused_with_its_position(tmp_path: Path) -> None:
    assert _check(tmp_path, "誤" * 3000) == ([
        "r.yaml:6:34: contains の値が長すぎます（3,000文字。判定エンジンの限界のため50文字まで）"
        " / contains value too long (3,000 characters; the decision engine takes at most 50)"
    ], [])  # fmt: skip
    problems, rules = _check(tmp_path, "x" * (MAX_CONTAINS_CHARS + 1))
    assert len(problems) == 1 and "51文字" in problems[0] and rules == []


@pytest.mark.parametrize("value", ["000123", "aaab", "務務務f所ha"])
def test_a_short_value_the_engine_refuses_is_refused_by_the_check(tmp_path: Path, value: str) -> None:
    """Three equal characters and then another: durable_rules answers error 503 (too many regex states)."""
    problems, rules = _check(tmp_path, value)
    assert problems == [
        "r.yaml:6:34: この値は判定エンジン（durable_rules）が受け付けません（error code: 503）。"
        "同じ文字が3つ続く値や長い値で起きます。短くするか言い換えてください"
        " / the decision engine (durable_rules) refuses this value (error code: 503); this happens with"
        " three equal characters in a row or long values: shorten or reword it"
    ]
    assert rules == []


def test_a_contains_rule_with_special_characters_raises_its_flag(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULE.replace("VALUE", "'(A.4)'"), encoding="utf-8")
    book = load_rules(tmp_path / "rules", {})
    assert book.problems == []
    events = [error_report("E1", "K1", summary="通知書(A.4)を誤送付"), error_report("E2", "K2", summary="通知書(AX4)を誤送付")]
    run(engine, units_file, write_jsonl(tmp_path / "e.jsonl", events))
    result = evaluate(engine, book.rules, datetime(2025, 4, 10, 12, 0, tzinfo=TOKYO), BusinessCalendar())
    assert result.errors == {}
    with engine.connect() as conn:
        assert [r.subject for r in conn.execute(select(table_of(Flag).c.subject))] == ["K1"]
