"""Loading a folder of rule files and checking them as a whole (``riskmon rules check``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskmon.events.enums import UnitType
from riskmon.ingest.reasons import did_you_mean
from riskmon.rules import engine_probe
from riskmon.rules.parser import RuleParser
from riskmon.rules.spec import Rule
from riskmon.rules.yamlpos import Located, Path_, Problem, load

_UNIT_TYPES = {u.value for u in UnitType}


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]


def rule_files(path: Path) -> list[Path]:
    """Rule files under ``path`` (rule tests live in a ``tests`` folder and are not rules)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.y*ml") if "tests" not in p.relative_to(path).parts)


def load_rules(path: Path, config: dict[str, Any], known_units: Iterable[str] | None = None) -> RuleBook:
    book = RuleBook()
    if not path.exists():
        book.problems.append(Problem(str(path), 1, 1, f"見つかりません / not found: {path}"))
        return book
    seen: dict[str, Rule] = {}
    contains: list[tuple[Located, Path_, str]] = []
    units = set(known_units) if known_units is not None else None
    for file in rule_files(path):
        doc, problems = load(file)
        book.problems.extend(problems)
        if doc is None or doc.data is None:
            continue
        entries: list[tuple[tuple[str | int, ...], Any]]
        if isinstance(doc.data, dict) and "rules" in doc.data and len(doc.data) == 1:
            items = doc.data["rules"] if isinstance(doc.data["rules"], list) else []
            entries = [(("rules", i), item) for i, item in enumerate(items)]
        elif isinstance(doc.data, list):
            entries = [((i,), item) for i, item in enumerate(doc.data)]
        else:
            entries = [((), doc.data)]
        for base, raw in entries:
            parser = RuleParser(doc, base, config)
            rule = parser.parse(raw)
            book.problems.extend(parser.problems)
            contains.extend((doc, where, value) for where, value in parser.contains)
            if rule is None:
                continue
            if rule.id in seen:
                book.problems.append(doc.at((*base, "id"), (
                    f"id '{rule.id}' は {seen[rule.id].file} でも使われています / duplicate id '{rule.id}'"
                    f" (also in {seen[rule.id].file})"
                )))  # fmt: skip
                continue
            for where, unit in [(("owner", "unit"), rule.owner_unit)] + [(("escalation", i), u) for i, u in enumerate(rule.escalation)]:
                if "{" in unit or unit in _UNIT_TYPES or (units is not None and unit in units):
                    continue
                if units is None and not unit.islower():
                    continue  # looks like a unit id, and there is no units master to check it against
                guess = did_you_mean(unit, [*(units or ()), *_UNIT_TYPES])
                book.problems.append(doc.at((*base, *where), (
                    f"'{unit}' は組織マスタにも組織種別にもありません" + (f"（もしかして '{guess}'？）" if guess else "")
                    + f" / '{unit}' is neither a known unit nor a unit type"
                    + (f" (did you mean '{guess}'?)" if guess else "")
                )))  # fmt: skip
            seen[rule.id] = rule
            book.rules.append(rule)
    refused = engine_probe.refused(value for _, _, value in contains)  # one engine process for all
    book.problems.extend(doc.at(where, refused[value]) for doc, where, value in contains if value in refused)
    bad_files = {p.file for p in book.problems}
    book.rules = [r for r in book.rules if r.file not in bad_files]  # a file with any problem is not used
    return book
