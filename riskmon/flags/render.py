"""Words for a flag: titles, messages (sandboxed templates) and the evidence a reviewer reads."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Template

from riskmon.engine.facts import Fact
from riskmon.i18n import label
from riskmon.rules import templates
from riskmon.rules.conditions import Condition, Node, describe, evaluate, fields_of
from riskmon.rules.spec import Rule


def _plain(value: Any, tz: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def context(rule: Rule, fact: Fact, severity: str, as_of: datetime, tz: Any) -> dict[str, Any]:
    data = {k: _plain(v, tz) for k, v in fact.data.items()}
    threshold = (fact.observed or {}).get("threshold", {})
    data.update({
        "severity": severity, "as_of": _plain(as_of, tz), "due_at": _plain(fact.due_at, tz) if fact.due_at else "",
        # the rule's upper or lower threshold level (its ``critical:`` or ``warn:`` key)
        "threshold": threshold.get("critical" if severity == rule.tiers[-1].severity else "warn", ""),  # not a status
        "rule_title": rule.title["ja"], "category_label": label(fact.data.get("category")),
    })  # fmt: skip
    for key in ("period", "missing_dates", "value", "overdue_business_days"):
        data.setdefault(key, "")
    data.setdefault("last_seen", _plain((fact.observed or {}).get("last_seen"), tz) or "")
    return data


@lru_cache(maxsize=512)
def _compiled(template: str) -> Template:
    return templates.compile_template(template)


def render(template: str, values: dict[str, Any]) -> str:
    """The template over ``values`` in the guarded sandbox (riskmon/rules/templates.py): a template
    that breaks a limit raises ``TemplateRefused`` quickly, whatever the values, and the evaluator
    records it against its rule instead of hanging the night."""
    return templates.render(_compiled(template), values)


def evidence(rule: Rule, fact: Fact, severity: str, tz: Any) -> dict[str, Any]:
    """Why it fired, without opening the rule: source events and each condition's observed value."""
    observed = {k: _plain(v, tz) for k, v in (fact.observed or {}).items() if not isinstance(v, dict | tuple | list)}
    if fact.observed and "missing_dates" in fact.observed:
        observed["missing_dates"] = [d.isoformat() for d in fact.observed["missing_dates"]]
    if fact.observed and "threshold" in fact.observed:
        observed.update({"value": fact.data.get("value"), "previous_value": fact.data.get("previous_value"),
                         "change_pct": fact.data.get("change_pct"), **fact.observed["threshold"]})  # fmt: skip
        first, last = fact.observed["window"]
        observed["window"] = f"{first}..{last}"
    because = _because(rule, fact, severity)
    used = sorted(fields_of(rule.when) | {f for t in rule.tiers for f in fields_of(t.when)} - {"__level__"})
    return {
        "event_ids": fact.event_ids,
        "conditions": {
            "filter": {"ja": describe(rule.when, "ja"), "en": describe(rule.when, "en")},
            "severity": severity,
            **({"severity_because": because} if because else {}),
        },
        "values": {f: _plain(fact.data.get(f), tz) for f in used if f in fact.data},
        "observed": observed,
    }


def _because(rule: Rule, fact: Fact, severity: str) -> dict[str, str] | None:
    """Which part of the escalation that set the severity held, in words: a reviewer of a critical
    flag reads why it is critical (e.g. 「affected_customers が 10 以上」) without opening the rule.
    Of an ``any``, only the alternatives that held are named."""
    tier = next((t for t in reversed(rule.tiers) if t.severity == severity and t.when is not None), None)
    if tier is None or tier.when is None:
        return None
    data = dict(fact.data)
    held: list[Condition] = [tier.when]
    if isinstance(tier.when, Node) and tier.when.kind == "any":
        held = [c for c in tier.when.children if evaluate(c, data)] or [tier.when]
    return {lang: " / ".join(describe(c, lang) for c in held) for lang in ("ja", "en")}
