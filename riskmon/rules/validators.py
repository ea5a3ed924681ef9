"""Semantic checks of a rule that passed the schema: one small class per check (pySigma's validators).

The schema (riskmon/rules/schema.py) knows types; these know the vocabulary: the fields of the
rule's view and of its kind, the units master, the template sandbox. Each yields findings
``(path inside the rule, Japanese, English)``. A check skips what an earlier one already refused
(a leaf on an unknown field gets no "not a number" as well), so one mistake is reported once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jinja2 import TemplateSyntaxError, meta

from riskmon.events.enums import UnitType
from riskmon.rules import templates
from riskmon.rules.condition_parse import Finding, LeafAt
from riskmon.rules.conditions import NUMERIC_OPS
from riskmon.rules.schema import AbsenceSpec, DeadlineSpec, RuleSpec, ThresholdSpec
from riskmon.rules.vocabulary import NUMERIC, RESERVED_FIELDS, FieldType, sample_value
from riskmon.rules.words import did_you_mean, hint
from riskmon.rules.yamlpos import Path_

#: the static cap on a ``contains`` value; values under it are also tried in the real engine
#: (riskmon/engine/engine_probe.py), see docs/rules.md
MAX_CONTAINS_CHARS = 50

#: names every message template may use besides the fact's fields, with the sample value ``rules check``
#: renders each template with (as riskmon/flags/render.py gives them: times and dates already text)
TEMPLATE_EXTRAS: dict[str, object] = {
    "severity": "high", "due_at": "2025-04-02 17:15", "as_of": "2025-04-03 23:00", "threshold": 3,
    "period": "2025-04-01..2025-04-30", "category_label": "誤送付", "rule_title": "ルール名",
    "missing_dates": "2025-04-01, 2025-04-02", "last_seen": "2025-04-01", "overdue_business_days": 2, "value": 3,
}  # fmt: skip

_UNIT_TYPES = {u.value for u in UnitType}


@dataclass
class Draft:
    """A rule that passed the schema, with what the checks need to know about it."""

    spec: RuleSpec
    source: dict[str, FieldType]  # the view's fields
    fields: dict[str, FieldType]  # the facts' fields (severity conditions, subject, templates)
    filter_leaves: list[LeafAt] = field(default_factory=list)
    tier_leaves: list[LeafAt] = field(default_factory=list)
    units: set[str] | None = None  # the units master, when there is one

    def leaves(self) -> Iterator[tuple[LeafAt, dict[str, FieldType]]]:
        filter_fields = self.spec.filter_fields(self.source)
        yield from ((at, filter_fields) for at in self.filter_leaves)
        yield from ((at, self.fields) for at in self.tier_leaves)


class Validator(ABC):
    """One semantic check."""

    name: ClassVar[str]

    @abstractmethod
    def check(self, draft: Draft) -> Iterator[Finding]: ...


def unknown_field(path: Any, name: str, fields: dict[str, FieldType]) -> Finding | None:
    """The finding for a name that is no field here (or is reserved), else ``None``."""
    if name in RESERVED_FIELDS:
        return (path, f"'{name}' は予約語のため使えません", f"'{name}' is reserved by the rule engine")
    if name not in fields:
        ja, en = hint(did_you_mean(name, fields))
        return (path, f"'{name}' はこのイベントにない項目です{ja}", f"'{name}' is not a field of this event{en}")
    return None


class ConditionFields(Validator):
    """Every condition names a field of the view (the filter) or of the facts (severity steps)."""

    name = "condition_fields"

    def check(self, draft: Draft) -> Iterator[Finding]:
        for at, fields in draft.leaves():
            if (found := unknown_field((*at.path, "field"), at.leaf.field, fields)) is not None:
                yield found


class OperatorFitsField(Validator):
    """above / at_least / below / at_most compare numbers only."""

    name = "operator_fits_field"

    def check(self, draft: Draft) -> Iterator[Finding]:
        for at, fields in draft.leaves():
            ftype = fields.get(at.leaf.field)
            if ftype is not None and at.leaf.op in NUMERIC_OPS and ftype not in NUMERIC:
                f, op = at.leaf.field, at.leaf.op
                yield at.op_path, f"'{f}' は数値ではないため{op}は使えません", f"'{f}' is not a number, so '{op}' cannot be used"


class ValueFitsField(Validator):
    """A value compared with a field is of its type; a code field takes its codes (a Japanese
    label such as 誤送付 is answered with its code, misdelivery)."""

    name = "value_fits_field"

    def check(self, draft: Draft) -> Iterator[Finding]:
        for at, fields in draft.leaves():
            ftype = fields.get(at.leaf.field)
            if ftype is None or at.leaf.op in ("exists", "missing", "contains", "not_contains"):
                continue
            if at.leaf.op in NUMERIC_OPS and ftype not in NUMERIC:
                continue  # OperatorFitsField said it
            values = at.leaf.value if isinstance(at.leaf.value, list) else [at.leaf.value]
            for i, v in enumerate(values):
                path = (*at.op_path, i) if isinstance(at.leaf.value, list) else at.op_path
                yield from self._one(path, v, ftype, at.leaf.field)

    @staticmethod
    def _one(path: Any, value: Any, ftype: FieldType, name: str) -> Iterator[Finding]:
        if isinstance(ftype, frozenset):
            if value not in ftype:
                choices = sorted(ftype)
                ja, en = hint(did_you_mean(value, choices))
                listed = ", ".join(choices)
                yield (path, f"'{value}' は{name}に使えません{ja}。次のいずれか：{listed}",
                       f"'{value}' is not a valid {name}{en}; one of: {listed}")  # fmt: skip
        elif ftype == "bool" and not isinstance(value, bool):
            yield path, f"'{name}' は true / false です", f"'{name}' is true or false"
        elif ftype in NUMERIC and (isinstance(value, bool) or not isinstance(value, int | float)):
            yield path, f"'{name}' は数値です：{value!r}", f"'{name}' is a number: {value!r}"


class ContainsLength(Validator):
    """A ``contains`` value the decision engine can take reliably (the static part of the limit)."""

    name = "contains_length"

    def check(self, draft: Draft) -> Iterator[Finding]:
        for at, _ in draft.leaves():
            text = str(at.leaf.value)
            if at.leaf.op in ("contains", "not_contains") and len(text) > MAX_CONTAINS_CHARS:
                n, cap = f"{len(text):,}", MAX_CONTAINS_CHARS
                yield (
                    at.op_path,
                    f"contains の値が長すぎます（{n}文字。判定エンジンの限界のため{cap}文字まで）",
                    f"contains value too long ({n} characters; the decision engine takes at most {cap})",
                )


class NamedFields(Validator):
    """Fields named outside conditions exist and have the right type: a deadline's start / stop /
    due and an absence's last / since are dates; a measured field is a number; group_by and
    subject are fields."""

    name = "named_fields"

    def check(self, draft: Draft) -> Iterator[Finding]:
        spec, source = draft.spec, draft.source
        dates: list[tuple[str, str | None]] = []
        if isinstance(spec, DeadlineSpec):
            dates = [("start", spec.start), ("stop", spec.stop), ("due", spec.due)]
        elif isinstance(spec, AbsenceSpec):
            dates = [("last", spec.last), ("since", spec.since)]
        for key, name in dates:
            if name is None:
                continue
            if (found := unknown_field((key,), name, draft.fields)) is not None:
                yield found
            elif draft.fields[name] not in ("date", "datetime"):
                yield (key,), f"'{name}' は日付・日時の項目ではありません", f"'{name}' is not a date or date-time field"
        if isinstance(spec, ThresholdSpec):
            measured = [("field", spec.measure_field)] if spec.measure != "count" else []
            measured += [("per", spec.per)] if spec.measure == "ratio" else []
            for key, f in measured:
                if f is None:
                    continue
                if (found := unknown_field((key,), f, source)) is not None:
                    yield found
                elif source[f] not in NUMERIC:
                    yield (key,), f"'{f}' は数値の項目ではありません", f"'{f}' is not a numeric field"
            if spec.target is not None and spec.target.field not in spec.group_by:
                t = spec.target.field
                yield ("target", "field"), f"'{t}' は group_by にありません", f"'{t}' is not in group_by"
            for i, g in enumerate(spec.group_by):
                if (found := unknown_field(("group_by", i), g, source)) is not None:
                    yield found
        for i, s in enumerate(spec.subject or ()):
            if (found := unknown_field(("subject", i), s, draft.fields)) is not None:
                yield found


class ThresholdLevels(Validator):
    """``critical`` lies beyond ``warn`` in the rule's direction (above: larger; below: smaller);
    inverted, the critical tier would swallow the warning or never be reached."""

    name = "threshold_levels"

    def check(self, draft: Draft) -> Iterator[Finding]:
        spec = draft.spec
        if not isinstance(spec, ThresholdSpec) or spec.warn is None or spec.critical is None:
            return
        above = spec.direction == "above"
        if (spec.critical < spec.warn) if above else (spec.critical > spec.warn):
            word_ja, word_en = ("以上", "at least") if above else ("以下", "at most")
            d, c, w = spec.direction, spec.critical, spec.warn
            yield (
                ("critical",),
                f"direction: {d}では critical（{c}）は warn（{w}）{word_ja}にしてください（逆になっています）",
                f"with direction: {d}, critical ({c}) must be {word_en} warn ({w}): they are inverted",
            )


class Templates(Validator):
    """Message, owner, escalation and inform templates: what the sandbox would refuse at evaluation,
    unknown names, and a trial render over sample values (riskmon/rules/templates.py)."""

    name = "templates"

    def check(self, draft: Draft) -> Iterator[Finding]:
        spec = draft.spec
        texts: list[tuple[Any, str]] = [(("message", "ja"), spec.message.ja), (("message", "en"), spec.message.en),
                                         (("owner", "unit"), spec.owner.unit)]  # fmt: skip
        texts += [(("escalation", i), e) for i, e in enumerate(spec.escalation) if "{" in e]
        texts += [(("inform", i), e) for i, e in enumerate(spec.inform) if "{" in e]
        for path, text in texts:
            yield from self._one(path, text, draft.fields)

    @staticmethod
    def _one(path: Any, text: str, fields: dict[str, FieldType]) -> Iterator[Finding]:
        try:
            names = meta.find_undeclared_variables(templates.parse(text))
        except TemplateSyntaxError as exc:
            yield path, f"テンプレートの書き方の誤り：{exc.message}", f"template syntax error: {exc.message}"
            return
        except templates.TemplateRefused as exc:
            yield path, f"このテンプレートは使えません：{exc.ja}", f"template refused: {exc.en}"
            return
        known = {*fields, *TEMPLATE_EXTRAS}
        for name in sorted(names - known):
            ja, en = hint(did_you_mean(name, known))
            yield path, f"テンプレートの '{name}' は使えない名前です{ja}", f"template name '{name}' is unknown{en}"
        if names - known:
            return
        try:
            templates.render(templates.compile_template(text), {**{f: sample_value(t) for f, t in fields.items()}, **TEMPLATE_EXTRAS})
        except templates.TemplateRefused as exc:
            yield path, f"このテンプレートは使えません：{exc.ja}", f"template refused: {exc.en}"
        except Exception as exc:  # what the evaluation would record against the rule
            yield (path, f"テンプレートを見本の値で展開すると失敗します（{exc.__class__.__name__}: {exc}）",
                   f"the template fails with sample values ({exc.__class__.__name__}: {exc})")  # fmt: skip


class UnitsKnown(Validator):
    """An owner, escalation or inform entry that is no template names a unit type or a unit of the master."""

    name = "units_known"

    def check(self, draft: Draft) -> Iterator[Finding]:
        units = draft.units
        entries: list[tuple[Path_, str]] = [(("owner", "unit"), draft.spec.owner.unit)]
        entries += [(("escalation", i), u) for i, u in enumerate(draft.spec.escalation)]
        entries += [(("inform", i), u) for i, u in enumerate(draft.spec.inform)]
        for path, unit in entries:
            if "{" in unit or unit in _UNIT_TYPES or (units is not None and unit in units):
                continue
            if units is None and not unit.islower():
                continue  # looks like a unit id, and there is no units master to check it against
            ja, en = hint(did_you_mean(unit, [*(units or ()), *_UNIT_TYPES]))
            yield path, f"'{unit}' は組織マスタにも組織種別にもありません{ja}", f"'{unit}' is neither a known unit nor a unit type{en}"


class InformReason(Validator):
    """``inform`` and ``inform_reason`` come together: a unit told of a flag it does not own reads
    why (「共同所管」, 「第三線への報告」), and a reason without anyone to tell is a slip. An entry
    that repeats the owner or another entry would tell a unit twice, or tell the owner as if it
    were not."""

    name = "inform_reason"

    def check(self, draft: Draft) -> Iterator[Finding]:
        spec = draft.spec
        if spec.inform and spec.inform_reason is None:
            yield (("inform",), "inform には inform_reason（ja と en：通知を受ける理由、例「共同所管」）が必要です",
                   "'inform' needs an 'inform_reason' (ja and en: why they are told, e.g. joint ownership)")  # fmt: skip
        if spec.inform_reason is not None and not spec.inform:
            yield (("inform_reason",), "inform_reason がありますが inform（通知する部署）がありません",
                   "'inform_reason' is given but 'inform' (the units to tell) is not")  # fmt: skip
        seen = {spec.owner.unit}
        for i, unit in enumerate(spec.inform):
            if unit == spec.owner.unit:
                yield (("inform", i), f"'{unit}' は担当（owner.unit）と同じです。担当には発生時に通知されます",
                       f"'{unit}' is the owner (owner.unit), who is notified of a new flag anyway")  # fmt: skip
            elif unit in seen:
                yield ("inform", i), f"'{unit}' が inform に重複しています", f"'{unit}' is listed twice in 'inform'"
            seen.add(unit)


#: every semantic check, in the order their findings are reported
VALIDATORS: tuple[Validator, ...] = (
    ConditionFields(), OperatorFitsField(), ValueFitsField(), ContainsLength(), NamedFields(), ThresholdLevels(),
    Templates(), UnitsKnown(), InformReason(),
)  # fmt: skip
