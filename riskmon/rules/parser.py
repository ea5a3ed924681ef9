"""Reading one rule from its YAML mapping, with a precise message for every mistake.

Rule authors are not programmers: every problem names the file, line and column, says what is
wrong in Japanese and English, and offers the nearest valid spelling. All problems in a file are
reported at once; a rule with any problem is not used.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import TemplateSyntaxError, meta

from riskmon.ingest.reasons import did_you_mean
from riskmon.rules import engine_probe, templates
from riskmon.rules.conditions import COMBINATORS, NUMERIC_OPS, OPERATORS, Condition, Leaf, Node, negate
from riskmon.rules.kinds import kind_parts
from riskmon.rules.spec import KINDS, LINES, RISK_CATEGORIES, SEVERITIES, Rule, Tier
from riskmon.rules.vocabulary import (
    DEFAULT_SUBJECT,
    KIND_FIELDS,
    NUMERIC,
    RESERVED_FIELDS,
    SOURCES,
    FieldType,
    sample_value,
)
from riskmon.rules.yamlpos import Located, Path_, Problem

COMMON = {"id", "title", "description", "kind", "event", "when", "severity", "risk_category", "owner",
          "escalation", "message", "sources", "enabled", "subject"}  # fmt: skip
BY_KIND = {
    "match": set(),
    "deadline": {"start", "stop", "due", "within", "escalate_after"},
    "threshold": {"measure", "field", "window", "group_by", "warn", "critical", "direction", "compare", "threshold_on"},
    "absence": {"expect_from", "every", "due_at", "lookback_business_days", "last", "since", "max_gap"},
}
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")


def _msg(ja: str, en: str) -> str:
    return f"{ja} / {en}"


class RuleParser:
    """Parses the rule at ``base`` inside ``doc``; problems accumulate in :attr:`problems`."""

    def __init__(self, doc: Located, base: Path_, config: dict[str, Any]) -> None:
        self.doc = doc
        self.base = base
        self.config = config
        self.problems: list[Problem] = []
        self.data: dict[str, Any] = {}
        #: every ``contains`` value with its path, for the checker to try in the real engine
        self.contains: list[tuple[Path_, str]] = []

    def err(self, path: Path_, ja: str, en: str) -> None:
        self.problems.append(self.doc.at((*self.base, *path), _msg(ja, en)))

    # -- entry ----------------------------------------------------------------------------------
    def parse(self, raw: Any) -> Rule | None:
        if not isinstance(raw, dict):
            self.err((), "ルールは「キー: 値」の形で書いてください", "a rule must be a mapping of keys to values")
            return None
        self.data = raw
        kind = raw.get("kind")
        if kind not in KINDS:
            self._choice(("kind",), kind, KINDS, "kind")
            return None
        allowed = COMMON | BY_KIND[kind]
        for key in raw:
            if isinstance(key, bool):
                self.problems.append(self.doc.at((*self.base, key, "__key__"), _msg(
                    "YAML は on / off / yes / no を true / false と読みます。キーは引用符で囲んでください",
                    "YAML reads on/off/yes/no as true/false: quote this key",
                )))  # fmt: skip
                continue
            if key not in allowed:
                guess = did_you_mean(str(key), allowed)
                hint = f"（もしかして '{guess}'？）" if guess else ""
                self.problems.append(self.doc.at((*self.base, key, "__key__"), _msg(
                    f"'{key}' は {kind} ルールでは使えない項目です{hint}",
                    f"'{key}' is not a key of a {kind} rule" + (f" (did you mean '{guess}'?)" if guess else ""),
                )))  # fmt: skip
        required = ["id", "title", "description", "severity", "risk_category", "owner", "message", "sources"]
        if not (kind == "absence" and "expect_from" in raw):
            required.append("event")
        for key in required:
            if key not in raw:
                self.err((), f"必須項目 '{key}' がありません", f"required key '{key}' is missing")
        rule_id = self._text("id")
        if rule_id and not ID_RE.match(rule_id):
            self.err(("id",), "id は英字で始まる英数字・_・- で書いてください", "id must be letters, digits, _ or -")
        event = self._event(kind)
        source: dict[str, FieldType] = SOURCES.get(event, {}) if event else {}
        fields = {**source, **KIND_FIELDS[kind]} if event else {}
        if kind == "threshold":
            groups: list[Any] = raw["group_by"] if isinstance(raw.get("group_by"), list) else []
            fields = {**{g: source[g] for g in groups if g in source}, **KIND_FIELDS[kind]}
            if "unit_id" in groups:
                fields.update({k: source[k] for k in ("unit_name", "unit_type", "region_id")})
        filter_fields = dict(source)
        when = self._condition(("when",), raw.get("when"), filter_fields if kind == "threshold" else fields)
        extra = kind_parts(self, kind, event, fields)
        tiers = self._severity(kind, fields)
        owner_line, owner_unit = self._owner(fields)
        message = self._localized("message", fields, templates=True)
        title = self._localized("title", fields)
        if "risk_category" in raw and raw["risk_category"] not in RISK_CATEGORIES:
            self._choice(("risk_category",), raw["risk_category"], RISK_CATEGORIES, "risk_category")
        sources = raw.get("sources")
        if "sources" in raw and (not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources)):
            self.err(("sources",), "根拠（例 'S1:2164'）を1つ以上のリストで書いてください",
                     "give at least one source citation as a list, e.g. ['S1:2164']")  # fmt: skip
        escalation = raw.get("escalation", [])
        if not isinstance(escalation, list) or not all(isinstance(x, str) for x in escalation):
            self.err(
                ("escalation",),
                "エスカレーション先は組織のリストで書いてください",
                "escalation must be a list of units",
            )
            escalation = []
        for i, entry in enumerate(escalation):
            if "{" in entry:
                self._template(("escalation", i), entry, fields)
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            self.err(("enabled",), "true / false で書いてください", "must be true or false")
        subject = self._subject(kind, event, fields)
        if self.problems or not (rule_id and event and tiers and title and message):
            return None
        return Rule(
            id=rule_id, title=title, description=str(raw.get("description", "")), kind=kind, event=event,
            when=when, tiers=tiers, risk_category=raw["risk_category"], owner_line=owner_line, owner_unit=owner_unit,
            escalation=tuple(escalation), message=message, sources=tuple(sources or ()), enabled=bool(enabled),
            subject=subject, file=self.doc.file, raw=self._resolved(raw), **extra,
        )  # fmt: skip

    # -- pieces ---------------------------------------------------------------------------------
    def _text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.err((key,), "文字で書いてください", "must be text")
            return None
        return str(value)

    def _choice(self, path: Path_, value: Any, choices: tuple[str, ...] | list[str], what: str) -> None:
        guess = did_you_mean(str(value), choices) if value is not None else None
        listed = ", ".join(choices)
        ja_hint = f"（もしかして '{guess}'？）" if guess else ""
        en_hint = f" (did you mean '{guess}'?)" if guess else ""
        if value is None:
            self.err(path, f"'{what}' がありません。次のいずれか: {listed}", f"'{what}' is missing; one of: {listed}")
        else:
            self.err(path, f"'{value}' は {what} に使えません{ja_hint}。次のいずれか: {listed}",
                     f"'{value}' is not a valid {what}{en_hint}; one of: {listed}")  # fmt: skip

    def _event(self, kind: str) -> str | None:
        event = self.data.get("event")
        if kind == "absence" and event is None and "expect_from" in self.data:
            return "daily_report"
        if event not in SOURCES:
            if "event" in self.data:
                self._choice(("event",), event, list(SOURCES), "event")
            return None
        return str(event)

    def _field(self, path: Path_, name: Any, fields: dict[str, FieldType]) -> FieldType | None:
        if not isinstance(name, str):
            self.err(path, "項目名を書いてください", "give a field name")
            return None
        if name in RESERVED_FIELDS:
            self.err(path, f"'{name}' は予約語のため使えません", f"'{name}' is reserved by the rule engine")
            return None
        if name not in fields:
            guess = did_you_mean(name, fields)
            self.err(path, f"'{name}' はこのイベントにない項目です" + (f"（もしかして '{guess}'？）" if guess else ""),
                     f"'{name}' is not a field of this event" + (f" (did you mean '{guess}'?)" if guess else ""))  # fmt: skip
            return None
        return fields[name]

    def _condition(self, path: Path_, raw: Any, fields: dict[str, FieldType]) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            self.err(path, "条件は {field: …, 演算子: 値} か all / any / not で書いてください",
                     "a condition is {field: ..., <operator>: value} or all / any / not")  # fmt: skip
            return None
        combinator = [k for k in raw if k in COMBINATORS]
        if combinator:
            key = combinator[0]
            if len(raw) != 1:
                self.err(path, f"'{key}' は単独で書いてください", f"'{key}' must stand alone in its mapping")
                return None
            if key == "not":
                inner = self._condition((*path, "not"), raw["not"], fields)
                return negate(inner) if inner else None
            items = raw[key]
            if not isinstance(items, list) or not items:
                self.err((*path, key), f"'{key}' には条件のリストを書いてください", f"'{key}' takes a list of conditions")
                return None
            parts = [self._condition((*path, key, i), item, fields) for i, item in enumerate(items)]
            if any(p is None for p in parts):
                return None
            return Node(key, tuple(p for p in parts if p is not None))
        ops = [k for k in raw if k != "field"]
        if "field" not in raw or len(ops) != 1 or ops[0] not in OPERATORS:
            bad = next((k for k in ops if k not in OPERATORS), None)
            guess = did_you_mean(str(bad), [*OPERATORS, *COMBINATORS]) if bad else None
            listed = ", ".join(OPERATORS)
            self.err((*path, bad) if bad else path,
                     f"条件は field と演算子1つで書いてください（演算子: {listed}）" + (f"（もしかして '{guess}'？）" if guess else ""),
                     f"a condition needs 'field' and one operator ({listed})"
                     + (f" (did you mean '{guess}'?)" if guess else ""))  # fmt: skip
            return None
        op = ops[0]
        ftype = self._field((*path, "field"), raw["field"], fields)
        if ftype is None:
            return None
        value = self._value((*path, op), raw[op])
        if op in NUMERIC_OPS and ftype not in NUMERIC:
            self.err((*path, op), f"'{raw['field']}' は数値ではないため {op} は使えません",
                     f"'{raw['field']}' is not a number, so '{op}' cannot be used")  # fmt: skip
            return None
        if op in ("exists", "missing"):
            return Leaf(raw["field"], op, True)
        if op in ("in", "not_in") and not isinstance(value, list):
            self.err((*path, op), f"'{op}' には値のリストを書いてください", f"'{op}' takes a list of values")
            return None
        for i, v in enumerate(value if isinstance(value, list) else [value]):
            self._check_value((*path, op, i) if isinstance(value, list) else (*path, op), v, ftype, raw["field"])
        if op in ("contains", "not_contains"):
            if (problem := engine_probe.too_long(str(value))) is not None:
                self.problems.append(self.doc.at((*self.base, *path, op), problem))
                return None
            self.contains.append(((*self.base, *path, op), str(value)))
        return Leaf(raw["field"], op, value)

    def _check_value(self, path: Path_, value: Any, ftype: FieldType, name: str) -> None:
        if isinstance(ftype, frozenset):
            if value not in ftype:
                self._choice(path, value, sorted(ftype), name)
        elif ftype == "bool" and not isinstance(value, bool):
            self.err(path, f"'{name}' は true / false です", f"'{name}' is true or false")
        elif ftype in NUMERIC and (isinstance(value, bool) or not isinstance(value, int | float)):
            self.err(path, f"'{name}' は数値です: {value!r}", f"'{name}' is a number: {value!r}")

    def _value(self, path: Path_, raw: Any) -> Any:
        """A literal, or ``{config: section.key}`` taken from config.toml."""
        if isinstance(raw, dict) and set(raw) == {"config"}:
            ref = str(raw["config"])
            node: Any = self.config
            for part in ref.split("."):
                if not isinstance(node, dict) or part not in node:
                    self.err(path, f"config.toml に '{ref}' がありません", f"config.toml has no '{ref}'")
                    return None
                node = node[part]
            return node
        return raw

    def _severity(self, kind: str, fields: dict[str, FieldType]) -> tuple[Tier, ...]:
        raw = self.data.get("severity")
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = {"default": raw}
        if not isinstance(raw, dict):
            self.err(("severity",), "severity は重大度か {default: …, escalate: […]} です",
                     "severity is a level or {default: ..., escalate: [...]}")  # fmt: skip
            return ()
        if kind == "threshold":
            tiers = []
            for level in ("warn", "critical"):
                sev = raw.get(level, {"warn": "medium", "critical": "high"}[level])
                if sev not in SEVERITIES:
                    self._choice(("severity", level), sev, SEVERITIES, "severity")
                tiers.append(Tier(sev, Leaf("__level__", "at_least", 1 if level == "warn" else 2)))
            return tuple(tiers)
        default = raw.get("default")
        if default not in SEVERITIES:
            self._choice(("severity", "default"), default, SEVERITIES, "severity")
            return ()
        tiers = [Tier(default, None)]
        for i, step in enumerate(raw.get("escalate", []) or []):
            path: Path_ = ("severity", "escalate", i)
            if not isinstance(step, dict) or "to" not in step or "when" not in step:
                self.err(
                    path,
                    "escalate の各項目は {when: 条件, to: 重大度} です",
                    "each escalate step is {when: condition, to: level}",
                )
                continue
            if step["to"] not in SEVERITIES:
                self._choice((*path, "to"), step["to"], SEVERITIES, "severity")
                continue
            cond = self._condition((*path, "when"), step["when"], fields)
            if cond is not None:
                tiers.append(Tier(step["to"], cond))
        return tuple(sorted(tiers, key=lambda t: SEVERITIES.index(t.severity)))

    def _owner(self, fields: dict[str, FieldType]) -> tuple[str, str]:
        raw = self.data.get("owner")
        if raw is None:
            return "", ""
        if not isinstance(raw, dict) or "line" not in raw or "unit" not in raw:
            self.err(("owner",), "owner は {line: first|second|third, unit: 組織} です", "owner is {line: ..., unit: ...}")
            return "", ""
        if raw["line"] not in LINES:
            self._choice(("owner", "line"), raw["line"], LINES, "line")
        self._template(("owner", "unit"), str(raw["unit"]), fields)
        return str(raw["line"]), str(raw["unit"])

    def _localized(self, key: str, fields: dict[str, FieldType], *, templates: bool = False) -> dict[str, str]:
        raw = self.data.get(key)
        if raw is None:
            return {}
        if not isinstance(raw, dict) or not isinstance(raw.get("ja"), str) or not isinstance(raw.get("en"), str):
            self.err((key,), f"{key} は ja と en の両方を書いてください", f"{key} needs both 'ja' and 'en' text")
            return {}
        if templates:
            for lang in ("ja", "en"):
                self._template((key, lang), raw[lang], fields)
        return {"ja": raw["ja"], "en": raw["en"]}

    def _template(self, path: Path_, text: str, fields: dict[str, FieldType]) -> None:
        """Refuse now whatever the sandbox would refuse at evaluation: the static limits, unknown
        names, and a trial render over sample values of the fields (riskmon/rules/templates.py)."""
        try:
            names = meta.find_undeclared_variables(templates.parse(text))
        except TemplateSyntaxError as exc:
            self.err(path, f"テンプレートの書き方の誤り: {exc.message}", f"template syntax error: {exc.message}")
            return
        except templates.TemplateRefused as exc:
            self.err(path, f"このテンプレートは使えません: {exc.ja}", f"template refused: {exc.en}")
            return
        known = {*fields, *TEMPLATE_EXTRAS}
        for name in sorted(names - known):
            guess = did_you_mean(name, known)
            self.err(path, f"テンプレートの '{name}' は使えない名前です" + (f"（もしかして '{guess}'？）" if guess else ""),
                     f"template name '{name}' is unknown" + (f" (did you mean '{guess}'?)" if guess else ""))  # fmt: skip
        if names - known:
            return
        try:
            templates.render(templates.compile_template(text), {**{f: sample_value(t) for f, t in fields.items()}, **TEMPLATE_EXTRAS})
        except templates.TemplateRefused as exc:
            self.err(path, f"このテンプレートは使えません: {exc.ja}", f"template refused: {exc.en}")
        except Exception as exc:  # what the evaluation would record against the rule
            self.err(path, f"テンプレートを見本の値で展開すると失敗します（{exc.__class__.__name__}: {exc}）",
                     f"the template fails with sample values ({exc.__class__.__name__}: {exc})")  # fmt: skip

    def _subject(self, kind: str, event: str | None, fields: dict[str, FieldType]) -> tuple[str, ...]:
        raw = self.data.get("subject")
        if raw is None:
            if kind == "threshold":
                return (*self.data.get("group_by", []), "period")
            if kind == "absence" and "expect_from" in self.data:
                return ("unit_id",)
            return tuple(DEFAULT_SUBJECT.get(event or "", []))
        if not isinstance(raw, list):
            self.err(("subject",), "subject は項目のリストです", "subject is a list of fields")
            return ()
        for i, name in enumerate(raw):
            self._field(("subject", i), name, fields)
        return tuple(raw)

    def _resolved(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The rule with config references replaced by their values (what the version hash covers)."""

        def walk(x: Any) -> Any:
            if isinstance(x, dict):
                if set(x) == {"config"}:
                    return self._value((), x)
                return {k: walk(v) for k, v in x.items()}
            if isinstance(x, list):
                return [walk(v) for v in x]
            return x

        return dict(walk(raw))


#: names every message template may use besides the fact's fields, with the sample value ``rules check``
#: renders each template with (as riskmon/flags/render.py gives them: times and dates already text)
TEMPLATE_EXTRAS: dict[str, object] = {
    "severity": "high", "due_at": "2025-04-02 17:15", "as_of": "2025-04-03 23:00", "threshold": 3,
    "period": "2025-04-01..2025-04-30", "category_label": "誤送付", "rule_title": "ルール名",
    "missing_dates": "2025-04-01, 2025-04-02", "last_seen": "2025-04-01", "overdue_business_days": 2, "value": 3,
}  # fmt: skip
