"""Rule authors' mistakes get precise, friendly errors: file, line, column, what and a suggestion."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from riskmon.rules.checker import load_rules
from riskmon.rules.schema import DeadlineSpec, Period
from tests.helpers import deadline_rule, rule_check

CONFIG = {"deadlines": {"days": 5}, "thresholds": {"n": 3}}
GOOD = deadline_rule(within="{business_days: {config: deadlines.days}}")


def check(tmp_path: Path, text: str, units: list[str] | None = None) -> list[str]:
    return rule_check(tmp_path, text, CONFIG, units)[0]


def test_a_good_rule_has_no_problems(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(GOOD, encoding="utf-8")
    book = load_rules(tmp_path, CONFIG)
    assert book.problems == []
    [rule] = book.rules
    assert isinstance(rule.spec, DeadlineSpec)
    assert rule.spec.within == Period(unit="business_days", amount=5.0)  # the config value, resolved
    assert len(rule.version) == 16


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (("stop: risk_notified_at", "stop: risk_notifed_at"), "r.yaml:7:7:", "did you mean 'risk_notified_at'"),
        (("event: error_report", "event: error_reports"), "r.yaml:5:8:", "did you mean 'error_report'"),
        (("kind: deadline", "kind: deadlin"), "r.yaml:4:7:", "did you mean 'deadline'"),
        (("severity: {default: high}", "severity: {default: hihg}"), "r.yaml:9:21:", "did you mean 'high'"),
        (('sources: ["S1:2164"]', "sources: []"), "r.yaml:14:10:", "source citation"),
        (
            ("within: {business_days: {config: deadlines.days}}", "within: {business_days: {config: deadlines.dayz}}"),
            "r.yaml:8:",
            "config.toml has no 'deadlines.dayz'",
        ),
        (("within: {business_days: {config: deadlines.days}}", "within: {weeks: 2}"), "r.yaml:8:9:", "a period is one of"),
        (
            ("escalation: [risk_management_department]", "escalation: [risk_managment_department]"),
            "r.yaml:12:14:",
            "did you mean 'risk_management_department'",
        ),
        (
            ('message: {ja: "{{ case_id }}", en: "{{ case_id }}"}', 'message: {ja: "{{ case_idd }}", en: "{{ case_id }"}'),
            "r.yaml:13:",
            "did you mean 'case_id'",
        ),
    ],
)
def test_each_mistake_is_pinned_and_explained(tmp_path: Path, change: tuple[str, str], where: str, words: str) -> None:
    problems = check(tmp_path, GOOD.replace(*change))
    assert any(p.startswith(where) and words in p for p in problems), problems


def test_conditions_are_checked_against_the_event_fields(tmp_path: Path) -> None:
    text = GOOD + textwrap.dedent("""\
        when:
          all:
            - {field: categry, is: misdelivery}
            - {field: category, in: [misdelivry]}
            - {field: summary, at_least: 3}
            - {field: id, is: 1}
            - {field: affected_customers, biggerthan: 3}
        """)
    problems = check(tmp_path, text)
    joined = "\n".join(problems)
    assert "r.yaml:17:15:" in joined and "did you mean 'category'" in joined
    assert "r.yaml:18:30:" in joined and "did you mean 'misdelivery'" in joined
    assert "'summary' is not a number" in joined
    assert "'id' is reserved" in joined
    assert "r.yaml:21:47:" in joined and "one operator (is, is_not, above" in joined


def test_unknown_keys_every_problem_at_once_and_yaml_boolean_keys(tmp_path: Path) -> None:
    problems = check(tmp_path, GOOD + "owner_unit: RMD\non: value\n")
    assert any("r.yaml:15:1:" in p and "'owner_unit' is not a key" in p for p in problems)
    assert any("r.yaml:16:1:" in p and "quote this key" in p for p in problems)


def test_unknown_units_are_checked_against_the_master(tmp_path: Path) -> None:
    problems = check(tmp_path, GOOD.replace("[risk_management_department]", "[RMDX]"), units=["RMD", "PO-001"])
    assert any("'RMDX' is neither a known unit" in p and "did you mean 'RMD'" in p for p in problems)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    book = load_rules(tmp_path, CONFIG)
    assert any("duplicate id 'T1'" in str(p) for p in book.problems)


def test_yaml_syntax_error_and_code_tags_are_refused(tmp_path: Path) -> None:
    problems = check(tmp_path, "id: [unclosed\n")
    assert problems == [
        "r.yaml:1:5: ここで開いた「[」が閉じられていません（「]」が必要です） / the '[' opened here is never closed (a ']' is missing)"
    ]
    problems = check(tmp_path, "id: !!python/object/apply:os.system ['echo pwned']\n")
    assert problems and "not allowed" in problems[0]


def test_threshold_and_absence_need_their_parts(tmp_path: Path) -> None:
    text = GOOD.replace("kind: deadline", "kind: threshold").replace("start: discovered_at\nstop: risk_notified_at\n", "")
    text = text.replace("within: {business_days: {config: deadlines.days}}\n", "measure: sum\nwindow: {weekly: 1}\n")
    problems = "\n".join(check(tmp_path, text))
    assert "measure: sum needs a 'field'" in problems
    assert "window is {rolling_days: 30}" in problems
    assert "give 'warn', 'critical' or both" in problems


def test_a_file_with_problems_contributes_no_rules(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD.replace("kind: deadline", "kind: nope"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("id: T1", "id: T2"), encoding="utf-8")
    book = load_rules(tmp_path, CONFIG)
    assert [r.id for r in book.rules] == ["T2"]
