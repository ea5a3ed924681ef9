# ruff: noqa: E501  (exact bilingual messages are long lines)
"""The rule schema (pydantic, a union on ``kind``), the semantic validators one by one, and the
friendlier ``rules check``: every message at its file:line:column, in Japanese and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskmon.rules import validators
from riskmon.rules.schema import SPECS
from tests.helpers import deadline_rule, rule_check

DEADLINE = deadline_rule()
THRESHOLD = """\
id: T2
title: {ja: テスト, en: test}
description: d
kind: threshold
event: error_report
window: {rolling_days: 30}
group_by: [unit_id]
warn: 3
critical: 5
severity: {warn: medium, critical: high}
risk_category: administrative
owner: {line: first, unit: "{{ unit_id }}"}
message: {ja: "{{ value }}", en: "{{ value }}"}
sources: ["S1:2260"]
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    return rule_check(tmp_path, text)[0]


def test_the_good_rules_pass(tmp_path: Path) -> None:
    assert problems(tmp_path, DEADLINE) == []
    assert problems(tmp_path, THRESHOLD) == []


def test_a_threshold_written_as_text_is_refused_not_silently_disabled(tmp_path: Path) -> None:
    assert problems(tmp_path, THRESHOLD.replace("warn: 3", 'warn: "三"')) == [
        "r.yaml:8:7: 数で書いてください（引用符なし、半角数字）：'三' / must be a number (unquoted digits): '三'"
    ]


@pytest.mark.parametrize(("levels", "direction"), [("warn: 2\ncritical: 1", "above"), ("warn: 1\ncritical: 2", "below")])
def test_inverted_levels_are_refused(tmp_path: Path, levels: str, direction: str) -> None:
    text = THRESHOLD.replace("warn: 3\ncritical: 5", f"{levels}\ndirection: {direction}")
    [problem] = problems(tmp_path, text)
    assert problem.startswith("r.yaml:9:11: direction: " + direction), problem
    assert "逆になっています" in problem and "they are inverted" in problem


def test_equal_or_ordered_levels_pass(tmp_path: Path) -> None:
    assert problems(tmp_path, THRESHOLD.replace("warn: 3\ncritical: 5", "warn: 5\ncritical: 2\ndirection: below")) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # ConditionFields
        ("when: {field: categry, is: misdelivery}",
         "r.yaml:15:15: 'categry' はこのイベントにない項目です（もしかして 'category'？） / 'categry' is not a field of this event (did you mean 'category'?)"),
        # OperatorFitsField
        ("when: {field: summary, above: 3}",
         "r.yaml:15:31: 'summary' は数値ではないためaboveは使えません / 'summary' is not a number, so 'above' cannot be used"),
        # ValueFitsField: a Japanese label where the code is expected
        ("when: {field: category, is: 誤送付}",
         "r.yaml:15:29: '誤送付' はcategoryに使えません（もしかして 'misdelivery'？）。次のいずれか：benefit_error, collection_error, "
         "data_entry_error, document_loss, enrolment_error, misdelivery, misissuance, mistransmission, other, processing_delay, "
         "processing_omission, record_error / '誤送付' is not a valid category (did you mean 'misdelivery'?); one of: benefit_error, "
         "collection_error, data_entry_error, document_loss, enrolment_error, misdelivery, misissuance, mistransmission, other, "
         "processing_delay, processing_omission, record_error"),
        # ContainsLength
        ("when: {field: summary, contains: " + "あ" * 51 + "}",
         "r.yaml:15:34: contains の値が長すぎます（51文字。判定エンジンの限界のため50文字まで） / contains value too long (51 characters; the decision engine takes at most 50)"),
        # NamedFields
        ("subject: [case_ix]",
         "r.yaml:15:11: 'case_ix' はこのイベントにない項目です（もしかして 'case_id'？） / 'case_ix' is not a field of this event (did you mean 'case_id'?)"),
    ],
)  # fmt: skip
def test_each_semantic_check_speaks_at_its_place(tmp_path: Path, change: str, expected: str) -> None:
    assert problems(tmp_path, DEADLINE + change + "\n") == [expected]


def test_templates_and_units_validators(tmp_path: Path) -> None:
    text = DEADLINE.replace("[risk_management_department]", '["{{ regon_id }}", risk_managment_department]')
    assert problems(tmp_path, text) == [
        "r.yaml:12:14: テンプレートの 'regon_id' は使えない名前です（もしかして 'region_id'？） / template name 'regon_id' is unknown (did you mean 'region_id'?)",
        "r.yaml:12:32: 'risk_managment_department' は組織マスタにも組織種別にもありません（もしかして 'risk_management_department'？）"
        " / 'risk_managment_department' is neither a known unit nor a unit type (did you mean 'risk_management_department'?)",
    ]  # fmt: skip


def test_every_validator_is_registered_once() -> None:
    classes = [type(v) for v in validators.VALIDATORS]
    assert [c.__name__ for c in classes] == ["ConditionFields", "OperatorFitsField", "ValueFitsField", "ContainsLength",
                                             "NamedFields", "ThresholdLevels", "Templates", "UnitsKnown", "InformReason"]  # fmt: skip
    assert len({c.name for c in classes}) == len(classes)


def test_operator_did_you_mean_knows_programmers_words(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, DEADLINE + "when: {field: affected_customers, greater_than: 3}\n")
    assert problem.startswith("r.yaml:15:49:") and "did you mean 'above'" in problem and "もしかして 'above'" in problem


def test_a_knock_on_is_not_repeated(tmp_path: Path) -> None:
    # the unknown event would make every field and template name unknown too: one problem only
    text = DEADLINE.replace("event: error_report", "event: error_reprot") + "when: {field: category, is: misdelivery}\n"
    assert problems(tmp_path, text) == [
        "r.yaml:5:8: 'error_reprot' はeventに使えません（もしかして 'error_report'？）。次のいずれか：error_report, nonconformity, "
        f"inspection_result, contract, daily_report, processing_time, {FEED_VIEWS} / 'error_reprot' is not a valid event (did you mean 'error_report'?); "
        f"one of: error_report, nonconformity, inspection_result, contract, daily_report, processing_time, {FEED_VIEWS}"
    ]  # fmt: skip


#: the feeds' views (issue #12), listed after the original ones
FEED_VIEWS = "customer_voice, audit_finding, infosec_incident, inspection_review, contract_security_check, procurement_officer"


def test_fields_stored_but_unavailable_before_can_be_used(tmp_path: Path) -> None:
    assert problems(tmp_path, DEADLINE.replace("start: discovered_at", "start: occurred_at")) == []


def test_an_unquoted_time_gets_a_hint(tmp_path: Path) -> None:
    text = """\
        id: T3
        title: {ja: t, en: t}
        description: d
        kind: absence
        expect_from: [pension_office]
        due_at: 10:00
        severity: low
        risk_category: administrative
        owner: {line: first, unit: "{{ unit_id }}"}
        message: {ja: "{{ unit_id }}", en: "{{ unit_id }}"}
        sources: ["S1:2249"]
        """
    assert problems(tmp_path, text) == [
        'r.yaml:6:9: 時刻は引用符で囲んで "10:00" のように書いてください / quote a time, as in "10:00" (unquoted, YAML reads it as a number)'
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: T1\n\tkind: match\n", "r.yaml:2:1: タブ文字は使えません。字下げは半角スペースで書いてください / a tab character is not allowed: indent with spaces"),
        ("id: T1\nkind:match\nevent: error_report\n",
         "r.yaml:2:5: 「kind:」の後に半角スペースが必要です（「kind: 値」のように書きます） / a space is needed after 'kind:' (write 'kind: value')"),
        ("id: T1\nescalation: [a, b\nkind: match\n",
         "r.yaml:2:13: ここで開いた「[」が閉じられていません（「]」が必要です） / the '[' opened here is never closed (a ']' is missing)"),
    ],
)  # fmt: skip
def test_yaml_syntax_errors_in_plain_words(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text) == [expected]


def test_every_kind_has_a_spec_in_the_union() -> None:
    assert list(SPECS) == ["match", "deadline", "threshold", "absence"]
