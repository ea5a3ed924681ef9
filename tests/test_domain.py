"""The domain vocabulary: every member has both labels, the groups are what the policy means."""

from __future__ import annotations

import io
import re
import tokenize
from enum import StrEnum
from pathlib import Path

import pytest

import riskmon
from riskmon import domain
from riskmon.domain import FOUR_EYES, LABELS, OPEN_STATES, ReviewStatus, Severity
from riskmon.i18n import label

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
    assert label(domain.CaseAction.ACKNOWLEDGE) == "受領"
    assert label(domain.CaseAction.CONFIRM) == "承認"
    assert label(ReviewStatus.RESOLVED) == "完了"
    assert label(ReviewStatus.RESOLVED, "en") == "resolved"


def test_severity_order_and_four_eyes() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]
    assert Severity.CRITICAL.rank > Severity.HIGH.rank
    assert FOUR_EYES == (Severity.HIGH, Severity.CRITICAL)
    assert OPEN_STATES == ("open", "acknowledged", "in_progress")


PACKAGE = Path(riskmon.__file__).parent
#: the areas whose status and severity values come from riskmon.domain only (the evaluation run
#: lives in riskmon/flags/evaluation.py)
TYPED_AREAS = [*sorted((PACKAGE / "review").rglob("*.py")), *sorted((PACKAGE / "flags").rglob("*.py")),
               *sorted((PACKAGE / "reports").rglob("*.py"))]  # fmt: skip
STATUS_WORDS = {m.value for e in (ReviewStatus, domain.FlagStatus, Severity, domain.Resolution) for m in e}


def test_the_open_states_are_spelt_once() -> None:
    spelt = re.compile(r"""\(\s*["']open["']\s*,\s*["']acknowledged["']\s*,\s*["']in_progress["']\s*\)""")
    where = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
             if p.name != "domain.py" and spelt.search(p.read_text(encoding="utf-8"))]  # fmt: skip
    assert where == []


def _status_literals(path: Path) -> list[str]:
    """String literals that are a status, severity or resolution value, except keys (report content
    keys such as ``"resolved": 3`` or ``counts["cleared"]`` name counts, not statuses) and lines
    marked ``# not a status`` (a rule's ``critical:`` threshold level)."""
    found = []
    lines = path.read_text(encoding="utf-8").splitlines()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]  # fmt: skip
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING or tok.string[:1] not in "\"'":
            continue
        value = tok.string[1:-1]
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        is_key = after == ":" or (after == "]" and tokens[i - 1].string == "[")
        if value in STATUS_WORDS and not is_key and "# not a status" not in lines[tok.start[0] - 1]:
            found.append(f"{path.relative_to(PACKAGE)}:{tok.start[0]}: {tok.string}")
    return found


@pytest.mark.parametrize("path", TYPED_AREAS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_bare_status_literal_outside_the_domain(path: Path) -> None:
    assert _status_literals(path) == []


def test_the_literal_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = PACKAGE / "review" / "_probe_for_the_test.py"
    try:
        sample.write_text('OPEN = ("open", "acknowledged", "in_progress")\nx = {"resolved": 1}\ny = s == "dismissed"\n', encoding="utf-8")
        assert _status_literals(sample) == [
            'review/_probe_for_the_test.py:1: "open"', 'review/_probe_for_the_test.py:1: "acknowledged"',
            'review/_probe_for_the_test.py:1: "in_progress"', 'review/_probe_for_the_test.py:3: "dismissed"',
        ]  # fmt: skip
    finally:
        sample.unlink()


def test_case_actions_are_what_case_events_store() -> None:
    # the engine's own steps were always stored as "escalated", "retired", "restored"
    assert {domain.CaseAction.ESCALATED, domain.CaseAction.RETIRED, domain.CaseAction.RESTORED} == {"escalated", "retired", "restored"}
    assert domain.PROPOSABLE == ("remediated", "explained", "risk_accepted", "duplicate")
