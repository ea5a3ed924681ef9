"""What is in force: the rule book as written and the config values evaluation reads, as items
that can be compared with what was last recorded (riskmon.review.changes stores the differences).

Why the rule's *written* text and not ``Rule.version``: the version a flag carries is a hash of the
rule after its ``{config: …}`` values were filled in, so a config change would also show up as a
change of every rule that reads the value. Comparing the text as written records a rule change
only when someone edited the rule, and the value's own record says why the version moved.

Why these config sections: they are what an evaluation's result depends on — the named periods and
thresholds rules refer to (``deadlines``, ``thresholds``, ``feeds``), the escalation ladder and
its default path, the business calendar (closures, business hours) and the time zone and fiscal
year. Paths, the database, the web and mail settings change nothing a rule decides.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from riskmon.config import Settings
from riskmon.rules.spec import Rule

#: the config sections whose values an evaluation depends on, in the order they are listed
CONFIG_SECTIONS = ("deadlines", "thresholds", "feeds", "escalation", "calendar", "time")
#: how a missing side of a config change is shown (the value did not exist): language-neutral
ABSENT = "—"


@dataclass(frozen=True)
class Item:
    """One rule (by id) or one config value (``section.key``) as it is in force."""

    kind: str  # rule | config
    key: str
    content: str  # rule: its YAML text as written; config: the value as canonical JSON
    version: str | None = None  # rule: the version its flags carry (riskmon.rules.spec.Rule.version)

    @property
    def digest(self) -> str:
        return digest(self.content)

    @property
    def shown(self) -> str:
        """What a record's ``before``/``after`` says: a rule's text hash, a config value itself."""
        return self.digest if self.kind == "rule" else self.content


def digest(content: str) -> str:
    """A rule text's hash as records show it (16 hex digits, as rule versions are)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def config_items(settings: Settings) -> list[Item]:
    """Every value of :data:`CONFIG_SECTIONS`, one item per key (a list, such as the escalation
    steps, is one value: it is read as a whole)."""
    items = []
    for section in CONFIG_SECTIONS:
        part = getattr(settings, section)
        values: dict[str, Any] = dict(part) if isinstance(part, dict) else part.model_dump(mode="json")
        items += [Item("config", f"{section}.{key}", _canonical(values[key])) for key in sorted(values)]
    return items


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def _entry_text(text: str, rule_id: str) -> str:
    """The lines of one rule in a file holding several (a ``rules:`` list or a top-level list),
    as written: from its first line to the next rule's (the checker already read the file safely)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(root, yaml.MappingNode):
        root = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "rules"), None)
    entries = root.value if isinstance(root, yaml.SequenceNode) else []
    lines = text.splitlines(keepends=True)
    for i, entry in enumerate(entries):
        ids = [v.value for k, v in entry.value if k.value == "id"] if isinstance(entry, yaml.MappingNode) else []
        if ids == [rule_id]:
            end = entries[i + 1].start_mark.line if i + 1 < len(entries) else len(lines)
            return "".join(lines[entry.start_mark.line : end])
    raise LookupError(f"no rule {rule_id}")  # the checker loaded it from this file: cannot happen


def rule_items(rules: Sequence[Rule]) -> list[Item]:
    """Each rule's text as written: the whole file when it holds one rule (comments included —
    they are part of what was approved), else that rule's lines of the file."""
    per_file: dict[str, int] = {}
    for r in rules:
        per_file[r.file] = per_file.get(r.file, 0) + 1
    items = []
    for r in sorted(rules, key=lambda rule: rule.id):
        path = Path(r.file)
        text = _text(path) if per_file[r.file] == 1 else _entry_text(_text(path), r.id)
        items.append(Item("rule", r.id, text, r.version))
    return items


def in_force(rules: Sequence[Rule], settings: Settings) -> list[Item]:
    """The rule book and the config values in force, rules first, each kind by key."""
    return rule_items(rules) + config_items(settings)


def diff_text(kind: str, key: str, before: Item | None, after: Item | None) -> str:
    """The readable difference: a unified diff of a rule's text (headed ``<id> <hash>``, ``—`` for
    a side that did not exist), or ``section.key: old → new`` for a config value."""
    if kind == "config":
        old = before.content if before is not None else ABSENT
        new = after.content if after is not None else ABSENT
        return f"{key}: {old} → {new}"
    lines = difflib.unified_diff(
        before.content.splitlines(keepends=True) if before is not None else [],
        after.content.splitlines(keepends=True) if after is not None else [],
        fromfile=f"{key} {before.digest if before is not None else ABSENT}",
        tofile=f"{key} {after.digest if after is not None else ABSENT}",
    )
    return "".join(lines)


def by_key(items: Iterable[Item]) -> dict[tuple[str, str], Item]:
    return {(i.kind, i.key): i for i in items}
