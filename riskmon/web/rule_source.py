"""The YAML of the rule that raised a flag, for フラグ詳細.

The store keeps each flag's rule *version* (a content hash) but not the rule's text, so the page
shows the rule file as it is now and says whether it is still the version that raised the flag
(same hash) or has changed since — never passing a changed rule off as the one that fired.
Loading the rule book parses every file and asks the engine about the conditions once, so the
result is kept until a rule file changes (by path, size and modification time).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskmon.engine.rulebook import load_rules
from riskmon.rules.checker import rule_files

_lock = threading.Lock()
_cache: dict[tuple[Path, str], tuple[tuple[tuple[str, int, int], ...], dict[str, tuple[str, str]]]] = {}


@dataclass(frozen=True)
class RuleText:
    rule_id: str
    file: str | None  # None: the rule is no longer in the rule book
    text: str
    current_version: str | None
    same_version: bool


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    files = rule_files(folder) if folder.exists() else []
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def _book(folder: Path, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """rule id → (file, version), reloaded only when a file changed. The key is the folder's
    absolute path and the config values the rules are filled with: both change the versions."""
    stamp = _stamp(folder)
    key = (folder.resolve(), json.dumps(values, sort_keys=True, default=str))
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    book = {r.id: (r.file, r.version) for r in load_rules(folder, values).rules}
    with _lock:
        _cache[key] = (stamp, book)
    return book


def rule_text(folder: Path, values: dict[str, Any], rule_id: str, version: str) -> RuleText:
    found = _book(folder, values).get(rule_id)
    if found is None:
        return RuleText(rule_id, None, "", None, False)
    file, current = found
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError:
        return RuleText(rule_id, None, "", current, False)
    return RuleText(rule_id, file, text, current, current == version)
