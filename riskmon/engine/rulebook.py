"""The rule book as evaluation needs it: every rule file checked, ``contains`` values included.

riskmon/rules/checker.py checks everything a rule file can get wrong except what only the
decision engine can tell (whether it takes a ``contains`` value); this is the engine layer's
entry point that adds that probe. The CLI, the scheduler and embedding code load rules here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from riskmon.engine import engine_probe
from riskmon.rules import checker
from riskmon.rules.checker import RuleBook

__all__ = ["RuleBook", "load_rules"]


def load_rules(path: Path, config: dict[str, Any], known_units: Iterable[str] | None = None) -> RuleBook:
    """Every rule under ``path``, checked, with each ``contains`` value tried in a real engine."""
    return checker.load_rules(path, config, known_units, probe=engine_probe.refused)
