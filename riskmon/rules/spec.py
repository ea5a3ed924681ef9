"""A checked rule, as the evaluator sees it: everything resolved, nothing left to interpret."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from riskmon.domain import LABELS, Line, RiskCategory, Severity
from riskmon.rules.conditions import Condition
from riskmon.rules.schema import Period, RuleSpec

# re-exports of riskmon.domain, in the string shape rule files are checked against
SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
RISK_CATEGORY_LABELS: dict[str, tuple[str, str]] = {c.value: LABELS[c] for c in RiskCategory}
LINES: tuple[str, ...] = (Line.FIRST.value, Line.SECOND.value, Line.THIRD.value)


@dataclass(frozen=True)
class Tier:
    """A severity and the condition under which it applies (the default tier has none)."""

    severity: str
    when: Condition | None


@dataclass(frozen=True)
class Rule:
    """A checked rule: the common parts resolved for the evaluator, the kind's own parts in ``spec``."""

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
    #: the kind-specific parts as the schema read them (riskmon/rules/schema.py); the engine's kind
    #: (riskmon/engine/kinds/) reads its own spec from here
    spec: RuleSpec | None = field(default=None, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    #: units told of a new flag without owning it (entries like ``escalation``), and why, ja/en
    inform: tuple[str, ...] = ()
    inform_reason: dict[str, str] = field(default_factory=dict)

    @cached_property
    def version(self) -> str:
        """Content hash of the rule as written (after config values were filled in).

        Cached because the evaluator stamps it on every flag the rule raises.
        """
        blob = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


__all__ = ["LINES", "RISK_CATEGORY_LABELS", "SEVERITIES", "Period", "Rule", "Tier"]
