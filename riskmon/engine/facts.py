"""Facts for the engine: each rule's kind builds them (riskmon/engine/kinds/), and each rule's
conditions — filter, kind condition, severity tiers — are compiled for durable_rules here.

Ages, business-day deadlines and window aggregates are computed by the kinds, before the engine:
durable rules' own timers are wall-clock only and it has no windowed aggregation (shared note).
Nothing here knows one kind from another: everything goes through the kind's interface.
"""

from __future__ import annotations

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine.durable_adapter import CompiledRule, CompiledTier
from riskmon.engine.kinds import Fact, Views, kind_of
from riskmon.rules.conditions import Node, fields_of, to_durable
from riskmon.rules.spec import Rule

__all__ = ["Fact", "Views", "build", "compile_rule"]


def compile_rule(rule: Rule) -> CompiledRule:
    """One durable expression per severity tier: filter ∧ kind condition ∧ tier condition."""
    kind = kind_of(rule.kind)
    base = [c for c in (kind.filter(rule), kind.condition(rule)) if c is not None]
    compiled, fields = [], set()
    for severity, cond in kind.tiers(rule):
        parts = [*base, *([cond] if cond is not None else [])]
        if not parts:  # no condition at all: every fact matches (the adapter adds its fact marker)
            compiled.append(CompiledTier(severity, {}))
            continue
        expr = Node("all", tuple(parts)) if len(parts) > 1 else parts[0]
        fields |= fields_of(expr)
        compiled.append(CompiledTier(severity, to_durable(expr)))
    return CompiledRule(rule.id, rule.version, tuple(compiled), tuple(sorted(fields)))


def build(rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
    """The facts ``rule`` is decided on, as of ``views.as_of``."""
    return kind_of(rule.kind).build(rule, views, cal)
