"""Reading one rule from its YAML mapping, with a precise message for every mistake.

Rule authors are not programmers: every problem names the file, line and column, says what is
wrong in Japanese and English, and offers the nearest valid spelling. The steps:

1. keys YAML read as booleans (``on:``) are refused, ``{config: section.key}`` values are filled in;
2. what each kind requires is checked on the mapping as written (so it is reported even when a
   value elsewhere has the wrong type);
3. the schema (pydantic, riskmon/rules/schema.py) checks every type;
4. the conditions are read and the semantic validators (riskmon/rules/validators.py) check the
   rule against its view's vocabulary.

A step that finds problems stops the later ones, so a mistake is reported once, not again as the
knock-on complaints of the steps after it. A rule with any problem is not used.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from riskmon.rules import condition_parse, schema_errors
from riskmon.rules.conditions import Leaf
from riskmon.rules.schema import RULE_ADAPTER, SPECS, RuleSpec, ThresholdSpec
from riskmon.rules.spec import SEVERITIES, Rule, Tier
from riskmon.rules.validators import TEMPLATE_EXTRAS, VALIDATORS, Draft
from riskmon.rules.vocabulary import SOURCES
from riskmon.rules.words import msg
from riskmon.rules.yamlpos import Located, Path_, Problem

__all__ = ["TEMPLATE_EXTRAS", "RuleParser"]


class RuleParser:
    """Parses the rule at ``base`` inside ``doc``; problems accumulate in :attr:`problems`."""

    def __init__(self, doc: Located, base: Path_, config: dict[str, Any], units: set[str] | None = None) -> None:
        self.doc = doc
        self.base = base
        self.config = config
        self.units = units
        self.problems: list[Problem] = []
        #: every ``contains`` value with its path, for the checker to try in the real engine
        self.contains: list[tuple[Path_, str]] = []
        self.spec: RuleSpec | None = None

    def err(self, path: Path_, ja: str, en: str) -> None:
        self.problems.append(self.doc.at((*self.base, *path), msg(ja, en)))

    def parse(self, raw: Any) -> Rule | None:
        if not isinstance(raw, dict):
            self.err((), "ルールは「キー: 値」の形で書いてください", "a rule must be a mapping of keys to values")
            return None
        for key in [k for k in raw if isinstance(k, bool)]:
            self.problems.append(self.doc.at((*self.base, key, "__key__"), msg(
                "YAML は on / off / yes / no を true / false と読みます。キーは引用符で囲んでください",
                "YAML reads on/off/yes/no as true/false: quote this key",
            )))  # fmt: skip
        failed: list[Path_] = []
        data = self._resolve({k: v for k, v in raw.items() if not isinstance(k, bool)}, (), failed)
        kind = data.get("kind")
        if kind in SPECS:
            for path, ja, en in SPECS[kind].requirements(data):
                self.err(path, ja, en)
        try:
            spec = RULE_ADAPTER.validate_python(data)
        except ValidationError as exc:
            found = schema_errors.translate(exc, self.doc, self.base, kind if kind in SPECS else None)
            self.problems.extend(p for p in found if not any(self._under(p, f) for f in failed))
            return None
        if self.problems:
            return None
        self.spec = spec
        return self._semantic(spec, data)

    def _semantic(self, spec: RuleSpec, data: dict[str, Any]) -> Rule | None:
        source = SOURCES[spec.view]
        draft = Draft(spec, source, spec.fact_fields(source), units=self.units)
        when = None
        if spec.when is not None:
            parsed = condition_parse.parse(spec.when, ("when",))
            when, draft.filter_leaves = parsed.condition, parsed.leaves
            for path, ja, en in parsed.findings:
                self.err(path, ja, en)
        tiers = self._tiers(spec, draft)
        for validator in VALIDATORS:
            for path, ja, en in validator.check(draft):
                self.err(path, ja, en)
        if self.problems:
            return None
        for at in [*draft.filter_leaves, *draft.tier_leaves]:
            if at.leaf.op in ("contains", "not_contains"):
                self.contains.append(((*self.base, *at.op_path), str(at.leaf.value)))
        return Rule(
            id=spec.id, title={"ja": spec.title.ja, "en": spec.title.en}, description=spec.description,
            kind=str(data["kind"]), event=spec.view, when=when, tiers=tiers, risk_category=str(spec.risk_category),
            owner_line=spec.owner.line, owner_unit=spec.owner.unit, escalation=tuple(spec.escalation),
            message={"ja": spec.message.ja, "en": spec.message.en}, sources=tuple(spec.sources),
            enabled=spec.enabled, subject=tuple(spec.subject) if spec.subject is not None else spec.default_subject(),
            file=self.doc.file, spec=spec, raw=data, inform=tuple(spec.inform),
            inform_reason={"ja": spec.inform_reason.ja, "en": spec.inform_reason.en} if spec.inform_reason else {},
        )  # fmt: skip

    def _tiers(self, spec: RuleSpec, draft: Draft) -> tuple[Tier, ...]:
        if isinstance(spec, ThresholdSpec):  # the engine compares the value with each level
            return (Tier(str(spec.severity.warn), Leaf("__level__", "at_least", 1)),
                    Tier(str(spec.severity.critical), Leaf("__level__", "at_least", 2)))  # fmt: skip
        severity = getattr(spec, "severity")  # noqa: B009 - every other kind has default/escalate tiers
        tiers = [Tier(str(severity.default), None)]
        for i, step in enumerate(severity.escalate):
            parsed = condition_parse.parse(step.when, ("severity", "escalate", i, "when"))
            for path, ja, en in parsed.findings:
                self.err(path, ja, en)
            draft.tier_leaves.extend(parsed.leaves)
            if parsed.condition is not None:
                tiers.append(Tier(str(step.to), parsed.condition))
        return tuple(sorted(tiers, key=lambda t: SEVERITIES.index(t.severity)))

    def _resolve(self, x: Any, path: Path_, failed: list[Path_]) -> Any:
        """The rule with ``{config: section.key}`` replaced by config.toml's value (what the version
        hash covers); a reference to nothing is a problem at its place."""
        if isinstance(x, dict):
            if set(x) == {"config"}:
                ref = str(x["config"])
                node: Any = self.config
                for part in ref.split("."):
                    if not isinstance(node, dict) or part not in node:
                        self.err(path, f"config.toml に '{ref}' がありません", f"config.toml has no '{ref}'")
                        failed.append(path)
                        return None
                    node = node[part]
                return node
            return {k: self._resolve(v, (*path, k), failed) for k, v in x.items()}
        if isinstance(x, list):
            return [self._resolve(v, (*path, i), failed) for i, v in enumerate(x)]
        return x

    def _under(self, problem: Problem, path: Path_) -> bool:
        """Whether ``problem`` sits at or inside ``path`` (the knock-on of a failed config reference there)."""
        full = (*self.base, *path)
        here = {(pos.line, pos.column) for p, pos in self.doc.positions.items() if p[: len(full)] == full}
        return (problem.line, problem.column) in here
