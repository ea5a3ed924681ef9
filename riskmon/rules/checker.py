"""Loading a folder of rule files and checking them as a whole (``riskmon rules check``).

Checks that need the decision engine (whether it takes a ``contains`` value) are passed in as a
``probe`` by riskmon/engine/rulebook.py, which is the entry point the CLI and the scheduler use:
the rules layer never imports the engine. Without a probe only the static limits apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskmon.rules.parser import RuleParser
from riskmon.rules.spec import Rule
from riskmon.rules.words import msg
from riskmon.rules.yamlpos import Located, Path_, Problem, load

#: values → for each one the engine refuses, why (riskmon/engine/engine_probe.py)
Probe = Callable[[Iterable[str]], dict[str, str]]


@dataclass
class RuleBook:
    rules: list[Rule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: what is worth knowing but does not stop the rules (a rule without a test)
    warnings: list[Problem] = field(default_factory=list)
    #: ids of rules that were written but not loaded because their file has problems; their tests
    #: are not run, and not reported again as tests of unknown rules
    broken_ids: set[str] = field(default_factory=set)

    @property
    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]


def rule_files(path: Path) -> list[Path]:
    """Rule files under ``path`` (rule tests live in a ``tests`` folder and are not rules)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.y*ml") if "tests" not in p.relative_to(path).parts)


def _entries(doc: Located) -> list[tuple[Path_, Any]]:
    if isinstance(doc.data, dict) and "rules" in doc.data and len(doc.data) == 1:
        items = doc.data["rules"] if isinstance(doc.data["rules"], list) else []
        return [(("rules", i), item) for i, item in enumerate(items)]
    if isinstance(doc.data, list):
        return [((i,), item) for i, item in enumerate(doc.data)]
    return [((), doc.data)]


def load_rules(path: Path, config: dict[str, Any], known_units: Iterable[str] | None = None, *, probe: Probe | None = None) -> RuleBook:
    """Every rule under ``path``, checked; every problem with its ``file:line:column``."""
    book = RuleBook()
    if not path.exists():
        book.problems.append(Problem(str(path), 1, 1, f"見つかりません / not found: {path}"))
        return book
    seen: dict[str, Rule] = {}
    contains: list[tuple[Located, Path_, str]] = []
    units = set(known_units) if known_units is not None else None
    id_at: dict[str, tuple[Located, Path_]] = {}
    for file in rule_files(path):
        doc, problems = load(file)
        book.problems.extend(problems)
        if doc is None or doc.data is None:
            continue
        for base, raw in _entries(doc):
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                id_at.setdefault(raw["id"], (doc, (*base, "id")))
                book.broken_ids.add(raw["id"])
            parser = RuleParser(doc, base, config, units)
            rule = parser.parse(raw)
            book.problems.extend(parser.problems)
            contains.extend((doc, where, value) for where, value in parser.contains)
            if rule is None:
                continue
            if rule.id in seen:
                other = seen[rule.id].file
                book.problems.append(doc.at((*base, "id"), msg(
                    f"id '{rule.id}' は{other}でも使われています", f"duplicate id '{rule.id}' (also in {other})"
                )))  # fmt: skip
                continue
            seen[rule.id] = rule
            book.rules.append(rule)
    if probe is not None and contains:
        refused = probe(value for _, _, value in contains)  # one engine process for all
        book.problems.extend(doc.at(where, refused[value]) for doc, where, value in contains if value in refused)
    bad_files = {p.file for p in book.problems}
    book.rules = [r for r in book.rules if r.file not in bad_files]  # a file with any problem is not used
    book.broken_ids -= {r.id for r in book.rules}
    if path.is_dir():
        tested = tested_rules(path)
        for rule in book.rules:
            if rule.id not in tested and rule.id in id_at:
                doc, where = id_at[rule.id]
                book.warnings.append(doc.at(where, msg(
                    f"ルール{rule.id}にはテストがありません（{path / 'tests'}に追加してください）",
                    f"rule {rule.id} has no test (add one under {path / 'tests'})",
                )))  # fmt: skip
    return book


def tested_rules(path: Path) -> set[str]:
    """Ids named by the rule test files beside the rules (``tests/*.yaml``, ``rules: [...]``)."""
    out: set[str] = set()
    folder = path / "tests"
    for file in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        doc, _ = load(file, allow_aliases=True)
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("rules"), list):
            out.update(str(r) for r in doc.data["rules"])
    return out
