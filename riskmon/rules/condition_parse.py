"""Reading a condition as written (``{field: x, above: 3}``, ``all`` / ``any`` / ``not``) into the
tree of riskmon/rules/conditions.py, keeping where each leaf was written so that the semantic
validators can point at it. Only the shape is checked here; whether the field exists and the
value fits it is the validators' business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskmon.rules.conditions import COMBINATORS, OPERATORS, Condition, Leaf, Node, negate
from riskmon.rules.words import OPERATOR_SYNONYMS, did_you_mean, hint
from riskmon.rules.yamlpos import Path_

Finding = tuple[Path_, str, str]  # (path inside the rule, Japanese, English)


@dataclass(frozen=True)
class LeafAt:
    """A leaf and where it was written: the mapping, and its operator's value."""

    leaf: Leaf
    path: Path_
    op_path: Path_


@dataclass
class Parsed:
    condition: Condition | None = None
    leaves: list[LeafAt] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def parse(raw: Any, path: Path_) -> Parsed:
    out = Parsed()
    out.condition = _node(raw, path, out)
    if out.findings:
        out.condition = None
    return out


def _node(raw: Any, path: Path_, out: Parsed) -> Condition | None:
    if not isinstance(raw, dict) or not raw:
        out.findings.append((path, "条件は「{field: …, 演算子: 値}」か「all / any / not」で書いてください",
                             "a condition is {field: ..., <operator>: value} or all / any / not"))  # fmt: skip
        return None
    combinator = [k for k in raw if k in COMBINATORS]
    if combinator:
        key = combinator[0]
        if len(raw) != 1:
            out.findings.append((path, f"'{key}' は単独で書いてください", f"'{key}' must stand alone in its mapping"))
            return None
        if key == "not":
            inner = _node(raw["not"], (*path, "not"), out)
            return negate(inner) if inner else None
        items = raw[key]
        if not isinstance(items, list) or not items:
            out.findings.append(((*path, key), f"'{key}' には条件のリストを書いてください", f"'{key}' takes a list of conditions"))
            return None
        parts = [_node(item, (*path, key, i), out) for i, item in enumerate(items)]
        return None if any(p is None for p in parts) else Node(key, tuple(p for p in parts if p is not None))
    ops = [k for k in raw if k != "field"]
    if "field" not in raw or len(ops) != 1 or ops[0] not in OPERATORS:
        bad = next((k for k in ops if k not in OPERATORS), None)
        ja, en = hint(did_you_mean(bad, [*OPERATORS, *COMBINATORS], OPERATOR_SYNONYMS) if bad is not None else None)
        listed = ", ".join(OPERATORS)
        if "field" not in raw and ops and not bad:
            ja_what, en_what = "field がありません", "'field' is missing"
        else:
            ja_what, en_what = (
                f"条件は field と演算子1つで書いてください（演算子：{listed}）",
                f"a condition needs 'field' and one operator ({listed})",
            )
        out.findings.append(((*path, bad) if bad is not None else path, ja_what + ja, en_what + en))
        return None
    op = ops[0]
    value = raw[op]
    if op in ("in", "not_in") and not isinstance(value, list):
        out.findings.append(((*path, op), f"'{op}' には値のリストを書いてください", f"'{op}' takes a list of values"))
        return None
    if not isinstance(raw["field"], str):
        out.findings.append(((*path, "field"), "項目名を書いてください", "give a field name"))
        return None
    leaf = Leaf(raw["field"], op, True if op in ("exists", "missing") else value)
    out.leaves.append(LeafAt(leaf, path, (*path, op)))
    return leaf
