"""The domain vocabulary: every member has both labels, the groups are what the policy means."""

from __future__ import annotations

from enum import StrEnum

import pytest

from riskmon import domain
from riskmon.domain import FOUR_EYES, LABELS, OPEN_STATES, ReviewStatus, Severity, label_of

ENUMS: list[type[StrEnum]] = [
    domain.LineOfDefence, domain.Severity, domain.FlagStatus, domain.ReviewStatus,
    domain.Resolution, domain.CaseAction, domain.RuleKind, domain.RiskCategory,
]  # fmt: skip


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_japanese_and_an_english_label(enum: type[StrEnum]) -> None:
    missing = [m.value for m in enum if m not in LABELS]
    assert missing == []
    for m in enum:
        ja, en = LABELS[m]
        assert ja.strip(), m
        assert en.strip(), m


def test_one_word_per_concept_in_japanese() -> None:
    # 確認 was used for both acknowledging and the four-eyes confirmation: now 受領 and 承認
    assert label_of(domain.CaseAction.ACKNOWLEDGE) == "受領"
    assert label_of(domain.CaseAction.CONFIRM) == "承認"
    assert label_of(ReviewStatus.RESOLVED) == "完了"
    assert label_of(ReviewStatus.RESOLVED, "en") == "resolved"


def test_severity_order_and_four_eyes() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]
    assert Severity.CRITICAL.rank > Severity.HIGH.rank
    assert FOUR_EYES == (Severity.HIGH, Severity.CRITICAL)
    assert OPEN_STATES == ("open", "acknowledged", "in_progress")
