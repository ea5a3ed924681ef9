"""A checked rule, as the evaluator sees it: everything resolved, nothing left to interpret."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import time
from functools import cached_property
from typing import Any

from riskmon.domain import LABELS, Line, RiskCategory, RuleKind, Severity
from riskmon.rules.conditions import Condition

# re-exports of riskmon.domain, in the string shape rule files are checked against
SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
KINDS: tuple[str, ...] = tuple(k.value for k in RuleKind)
RISK_CATEGORIES: tuple[str, ...] = tuple(c.value for c in RiskCategory)
RISK_CATEGORY_LABELS: dict[str, tuple[str, str]] = {c.value: LABELS[c] for c in RiskCategory}
LINES: tuple[str, ...] = (Line.FIRST.value, Line.SECOND.value, Line.THIRD.value)


def severity_rank(s: str) -> int:
    return SEVERITIES.index(s)


@dataclass(frozen=True)
class Period:
    unit: str  # business_days | business_hours | days | months
    amount: float


@dataclass(frozen=True)
class Tier:
    """A severity and the condition under which it applies (the default tier has none)."""

    severity: str
    when: Condition | None


@dataclass(frozen=True)
class Rule:
    id: str
    title: dict[str, str]
    description: str
    kind: str
    event: str
    when: Condition | None
    tiers: tuple[Tier, ...]  # lowest first; the highest whose condition holds wins
    risk_category: str
    owner_line: str
    owner_unit: str  # a unit id, a unit type, or a template such as "{{ unit_id }}"
    escalation: tuple[str, ...]
    message: dict[str, str]
    sources: tuple[str, ...]
    enabled: bool
    subject: tuple[str, ...]
    file: str
    # kind-specific
    start: str | None = None
    stop: str | None = None
    due_field: str | None = None
    within: Period | None = None
    measure: str | None = None
    measure_field: str | None = None
    window: dict[str, Any] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    warn: float | None = None
    critical: float | None = None
    direction: str = "above"
    compare: str | None = None
    on: str = "value"
    expect_from: tuple[str, ...] = ()
    due_at: time | None = None
    lookback_business_days: int = 5
    last: str | None = None
    since: str | None = None
    max_gap: Period | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def version(self) -> str:
        """Content hash of the rule as written (after config values were filled in).

        Cached because the evaluator stamps it on every flag the rule raises.
        """
        blob = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
