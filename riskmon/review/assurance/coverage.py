"""The coverage matrix: each seed requirement the rule book cites → the rules citing it → whether
they fired in the period.

The requirements are the rules' own ``sources`` (seed citations such as ``S1:2164``): the repository
holds no separate table of the obligations the domain reference lists, so a requirement no rule
cites cannot appear here — the report says so rather than implying full coverage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

_CITATION = re.compile(r"S(\d+):(\d+)")


class RuleLike(Protocol):
    """What the matrix reads of a rule (riskmon.rules.spec.Rule has it)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> dict[str, str]: ...
    @property
    def sources(self) -> tuple[str, ...]: ...
    @property
    def enabled(self) -> bool: ...


def citation_key(source: str) -> tuple[int, int, str]:
    """Seeds in order, then lines in order (``S1:980`` before ``S1:2164``); anything else last."""
    m = _CITATION.match(source)
    return (int(m.group(1)), int(m.group(2)), source) if m else (10**6, 0, source)


def coverage(rules: Sequence[RuleLike], fired: Mapping[str, int]) -> dict[str, Any]:
    """One row per (requirement, rule): the rule's title, whether it is enabled and how many flags
    it raised in the period (0: never fired). ``uncited``: enabled rules that cite no source."""
    rows: list[dict[str, Any]] = [
        {"source": s, "rule_id": r.id, "title_ja": r.title.get("ja", ""), "title_en": r.title.get("en", ""),
         "enabled": r.enabled, "flags": fired.get(r.id, 0)}
        for r in rules for s in dict.fromkeys(r.sources)
    ]  # fmt: skip
    rows.sort(key=lambda x: (citation_key(x["source"]), x["rule_id"]))
    requirements = list(dict.fromkeys(x["source"] for x in rows))
    never = [s for s in requirements if not any(x["flags"] for x in rows if x["source"] == s)]
    return {
        "basis": "rule_sources",  # no requirements table in docs/: built from the rules' citations only
        "rows": rows, "requirements": len(requirements), "requirements_never_fired": never,
        "uncited_rules": sorted(r.id for r in rules if r.enabled and not r.sources),
    }  # fmt: skip
