"""The shipped rules check clean, cite their sources, are tested, and their tests pass."""

from __future__ import annotations

import yaml

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import load_settings
from riskmon.engine.rulebook import load_rules
from riskmon.ruletest import run_tests
from tests.helpers import ROOT


def _book():  # type: ignore[no-untyped-def]
    s = load_settings(ROOT / "config.toml")
    return load_rules(ROOT / "rules", s.rule_values)


def test_shipped_rules_have_no_problems_and_cite_seeds() -> None:
    book = _book()
    assert book.problems == []
    assert len(book.rules) >= 13
    for rule in book.rules:
        assert rule.sources and all(s.startswith("S") for s in rule.sources), rule.id


def test_every_shipped_rule_has_tests_and_deadline_rules_have_a_holiday_case() -> None:
    tested: dict[str, list[str]] = {}
    for path in sorted((ROOT / "rules" / "tests").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rule_id in doc["rules"]:
            tested.setdefault(rule_id, []).extend(case["name"] for case in doc["tests"])
    for rule in _book().rules:
        assert rule.id in tested, f"{rule.id} has no rule test"
        if rule.kind == "deadline":
            assert any(w in name for name in tested[rule.id] for w in ("ゴールデンウィーク", "年末")), rule.id


def test_shipped_rule_tests_pass() -> None:
    results, problems = run_tests(ROOT / "rules" / "tests", _book().rules, BusinessCalendar())
    assert problems == []
    failed = [(r.name, r.error, r.missing, r.unexpected) for r in results if not r.passed]
    assert failed == []
    assert len(results) >= 20
