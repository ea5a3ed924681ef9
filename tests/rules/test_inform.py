"""``inform`` (units told of a new flag without owning it) and ``inform_reason``: each mistake gets
the checker's precise bilingual error with file, line and column; R04 and R33 ship with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import deadline_rule, rule_check, shipped

GOOD = deadline_rule()
PATH = "escalation: [risk_management_department]\n"
REASON = "inform_reason: {ja: 共同所管, en: joint ownership}\n"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            "inform: [risk_managment_department]\n" + REASON,
            "r.yaml:13:10: 'risk_managment_department' は組織マスタにも組織種別にもありません（もしかして 'risk_management_department'？）"
            " / 'risk_managment_department' is neither a known unit nor a unit type (did you mean 'risk_management_department'?)",
        ),
        (
            'inform: ["{{ unit_idd }}"]\n' + REASON,
            "r.yaml:13:10: テンプレートの 'unit_idd' は使えない名前です（もしかして 'unit_id'？）"
            " / template name 'unit_idd' is unknown (did you mean 'unit_id'?)",
        ),
        (
            "inform: [audit_department]\n",
            "r.yaml:13:9: inform には inform_reason（ja と en：通知を受ける理由、例「共同所管」）が必要です"
            " / 'inform' needs an 'inform_reason' (ja and en: why they are told, e.g. joint ownership)",
        ),
        (
            REASON,
            "r.yaml:13:16: inform_reason がありますが inform（通知する部署）がありません"
            " / 'inform_reason' is given but 'inform' (the units to tell) is not",
        ),
        (
            "infrom: [audit_department]\n",
            "r.yaml:13:1: 'infrom' はdeadlineルールでは使えない項目です（もしかして 'inform'？）"
            " / 'infrom' is not a key of a deadline rule (did you mean 'inform'?)",
        ),
        (
            "inform: audit_department\n" + REASON,
            "r.yaml:13:9: リスト [...] で書いてください：audit_department / must be a list [...]: audit_department",
        ),
    ],
)
def test_each_inform_mistake_is_pinned_and_explained(tmp_path: Path, extra: str, problem: str) -> None:
    assert rule_check(tmp_path, GOOD.replace(PATH, PATH + extra)) == ([problem], [])


def test_the_owner_and_a_repeated_unit_are_refused(tmp_path: Path) -> None:
    extra = 'inform: ["{{ unit_id }}", audit_department, audit_department]\n' + REASON
    problems, ids = rule_check(tmp_path, GOOD.replace(PATH, PATH + extra))
    assert ids == []
    assert problems == [
        "r.yaml:13:10: '{{ unit_id }}' は担当（owner.unit）と同じです。担当には発生時に通知されます"
        " / '{{ unit_id }}' is the owner (owner.unit), who is notified of a new flag anyway",
        "r.yaml:13:45: 'audit_department' が inform に重複しています / 'audit_department' is listed twice in 'inform'",
    ]


def test_a_unit_id_is_checked_against_the_units_master(tmp_path: Path) -> None:
    extra = "inform: [AUDX]\n" + REASON
    problems, _ = rule_check(tmp_path, GOOD.replace(PATH, PATH + extra), units=["AUD", "RMD", "PO-001"])
    assert problems == [
        "r.yaml:13:10: 'AUDX' は組織マスタにも組織種別にもありません（もしかして 'AUD'？）"
        " / 'AUDX' is neither a known unit nor a unit type (did you mean 'AUD'?)"
    ]
    assert rule_check(tmp_path, GOOD.replace(PATH, PATH + "inform: [AUD]\n" + REASON), units=["AUD", "PO-001"]) == ([], ["T1"])


def test_r04_informs_its_joint_owner_and_r33_the_third_line() -> None:
    r04, r33 = shipped("R04", "R33")
    assert (r04.owner_unit, r04.inform, r04.inform_reason) == ("{{ unit_id }}", ("risk_management_department",),
                                                               {"ja": "共同所管", "en": "joint ownership"})  # fmt: skip
    assert (r33.owner_unit, r33.inform, r33.inform_reason) == ("{{ unit_id }}", ("audit_department",),
                                                               {"ja": "第三線への報告", "en": "reported to the third line"})  # fmt: skip
    assert "audit_department" not in r33.escalation  # told, never an escalation target (S3:530)
    assert "基準" not in r04.description and "仮定" in r04.description
