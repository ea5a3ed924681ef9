"""Rule tests and the rule book together: untested rules are a warning, a test of an unknown
rule is a failure the summary counts, a test of a refused rule is not reported a second time."""

from __future__ import annotations

from pathlib import Path

from riskmon.business_calendar import BusinessCalendar
from riskmon.rules.checker import load_rules
from riskmon.ruletest import run_tests

RULE = """\
id: {id}
title: {{ja: t, en: t}}
description: d
kind: match
event: error_report
when: {{field: is_priority_incident, is: true}}
severity: high
risk_category: administrative
owner: {{line: first, unit: "{{{{ unit_id }}}}"}}
message: {{ja: "{{{{ case_id }}}}", en: "{{{{ case_id }}}}"}}
sources: ["S1:2104"]
"""


def _folder(tmp_path: Path, tests: str) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "a.yaml").write_text(RULE.format(id="A1"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(RULE.format(id="B1"), encoding="utf-8")
    (tmp_path / "tests" / "t.yaml").write_text(tests, encoding="utf-8")
    return tmp_path


def test_a_rule_without_a_test_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    book = load_rules(_folder(tmp_path, "rules: [A1]\ntests: []\n"), {})
    assert book.problems == []
    assert [r.id for r in book.rules] == ["A1", "B1"]
    assert [str(w).replace(str(tmp_path) + "/", "") for w in book.warnings] == [
        "b.yaml:1:5: ルールB1にはテストがありません（testsに追加してください） / rule B1 has no test (add one under tests)"
    ]


def test_an_unknown_rule_in_a_test_file_is_a_counted_failure(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "rules: [A1, B11]\ntests: [{name: x, as_of: '2025-05-01T12:00:00', events: [], expect: []}]\n")
    book = load_rules(folder, {})
    results, problems = run_tests(folder, book.rules, BusinessCalendar(), book.broken_ids)
    assert problems == []
    assert [(r.name, r.passed, r.error) for r in results] == [
        ("rules: B11", False, "1:13: 不明なルール 'B11'（もしかして 'B1'？） / unknown rule 'B11' (did you mean 'B1'?)")
    ]


def test_the_tests_of_a_refused_rule_are_not_a_second_report(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "rules: [B1]\ntests: [{name: x, as_of: '2025-05-01T12:00:00', events: [], expect: []}]\n")
    (folder / "b.yaml").write_text(RULE.format(id="B1").replace("severity: high", "severity: hihg"), encoding="utf-8")
    book = load_rules(folder, {})
    assert len(book.problems) == 1 and "did you mean 'high'" in str(book.problems[0])
    assert book.broken_ids == {"B1"}
    results, problems = run_tests(folder, book.rules, BusinessCalendar(), book.broken_ids)
    assert (results, problems) == ([], [])
