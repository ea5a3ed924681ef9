"""The condition language of rule files, and its compilation to durable_rules expressions.

Authors write leaves such as ``{field: category, in: [misdelivery, misissuance]}`` or
``{field: affected_customers, at_least: 10}`` and combine them with ``all``, ``any`` and ``not``.
``not`` is pushed down to the leaves (De Morgan), because durable_rules has negated comparisons
but no general negation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from riskmon.i18n import phrase

#: leaf operator → (durable operator, negated leaf operator)
OPERATORS: dict[str, tuple[str, str]] = {
    "is": ("$eq", "is_not"),
    "is_not": ("$neq", "is"),
    "above": ("$gt", "at_most"),
    "at_least": ("$gte", "below"),
    "below": ("$lt", "at_least"),
    "at_most": ("$lte", "above"),
    "in": ("$or", "not_in"),
    "not_in": ("$and", "in"),
    "exists": ("$ex", "missing"),
    "missing": ("$nex", "exists"),
    "contains": ("$mt", "not_contains"),
    "not_contains": ("$nmt", "contains"),
}
NUMERIC_OPS = {"above", "at_least", "below", "at_most"}
COMBINATORS = {"all", "any", "not"}


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Node:
    kind: str  # all | any
    children: tuple[Condition, ...]


Condition = Leaf | Node


def negate(c: Condition) -> Condition:
    """The exact negation. A comparison on an absent field is false, so its negation is
    "absent, or the opposite comparison" (found by the property test in tests/rules)."""
    if isinstance(c, Leaf):
        opposite = Leaf(c.field, OPERATORS[c.op][1], c.value)
        if c.op in ("exists", "missing"):
            return opposite
        return Node("any", (Leaf(c.field, "missing", True), opposite))
    return Node("any" if c.kind == "all" else "all", tuple(negate(x) for x in c.children))


def fields_of(c: Condition | None) -> set[str]:
    if c is None:
        return set()
    if isinstance(c, Leaf):
        return {c.field}
    return set().union(*(fields_of(x) for x in c.children))


def to_durable(c: Condition) -> dict[str, Any]:
    """A durable_rules expression over one message (alias-free: the caller wraps it)."""
    if isinstance(c, Node):
        # all(all(x, y), z) is all(x, y, z), and a repeated part adds nothing: both kept as written,
        # they multiply the engine's nodes (a negated tree of 6 leaves was refused: error code 113)
        key = "$and" if c.kind == "all" else "$or"
        parts: dict[str, dict[str, Any]] = {}
        for child in c.children:
            part = to_durable(child)
            for p in part[key] if set(part) == {key} else [part]:
                parts.setdefault(json.dumps(p, sort_keys=True, default=str), p)
        return next(iter(parts.values())) if len(parts) == 1 else {key: list(parts.values())}
    op = c.op
    if op in ("is", "is_not"):  # every comparison needs the field present, as in evaluate()
        return {c.field: c.value} if op == "is" else {"$and": [{"$ex": {c.field: 1}}, {"$neq": {c.field: c.value}}]}
    if op in ("in", "not_in"):
        values = list(c.value)
        if op == "in":
            return {"$or": [{c.field: v} for v in values]} if len(values) > 1 else {c.field: values[0]}
        return {"$and": [{"$ex": {c.field: 1}}, *({"$neq": {c.field: v}} for v in values)]}
    if op in ("exists", "missing"):
        return {OPERATORS[op][0]: {c.field: 1}}
    if op in ("contains", "not_contains"):
        match = {OPERATORS[op][0]: {c.field: ".*" + _escape(str(c.value)) + ".*"}}
        return match if op == "contains" else {"$and": [{"$ex": {c.field: 1}}, match]}
    return {OPERATORS[op][0]: {c.field: c.value}}


def _escape(text: str) -> str:
    """durable_rules has its own regex dialect: ``%`` (not a backslash) escapes its special characters."""
    return re.sub(r"([.|?*+()\[\]{}%])", r"%\1", text)


def evaluate(c: Condition | None, fact: dict[str, Any]) -> bool:
    """Plain-Python evaluation, used only to explain a decision in a flag's evidence."""
    if c is None:
        return True
    if isinstance(c, Node):
        results = (evaluate(x, fact) for x in c.children)
        return all(results) if c.kind == "all" else any(results)
    present = c.field in fact and fact[c.field] is not None
    value = fact.get(c.field)
    match c.op:
        case "exists":
            return present
        case "missing":
            return not present
        case "is":
            return present and value == c.value
        case "is_not":
            return present and value != c.value
        case "in":
            return present and value in c.value
        case "not_in":
            return present and value not in c.value
        case "contains":
            return present and str(c.value) in str(value)
        case "not_contains":
            return present and str(c.value) not in str(value)
        case "above":
            return present and value > c.value
        case "at_least":
            return present and value >= c.value
        case "below":
            return present and value < c.value
        case _:
            return present and value <= c.value


def describe(c: Condition | None, lang: str = "ja") -> str:
    """The condition in words, for flag evidence and ``rules list``."""
    if c is None:
        return ""
    if isinstance(c, Node):
        glue = phrase("condition", c.kind, lang)
        return "(" + glue.join(describe(x, lang) for x in c.children) + ")"
    words = phrase("condition", c.op, lang)
    if c.op in ("exists", "missing"):
        return f"{c.field} {words}"
    return f"{c.field} {words} {c.value}"
