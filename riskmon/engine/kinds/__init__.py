"""The rule kinds, found by name (pySigma's name → class registries are the model).

Adding a kind: its spec in riskmon/rules/schema.py (one line in ``SPECS``), one module here with
its :class:`~riskmon.engine.kinds.base.Kind`, one line below, and its tests
(tests/engine/test_kinds.py checks that the two registries agree).
"""

from __future__ import annotations

from riskmon.engine.kinds.absence import Absence
from riskmon.engine.kinds.base import Fact, Kind, Views
from riskmon.engine.kinds.deadline import Deadline
from riskmon.engine.kinds.match import Match
from riskmon.engine.kinds.threshold import Threshold

__all__ = ["KINDS", "Fact", "Kind", "Views", "kind_of"]

KINDS: dict[str, type[Kind]] = {  # type: ignore[type-arg]
    "match": Match,
    "deadline": Deadline,
    "threshold": Threshold,
    "absence": Absence,
}

_INSTANCES = {name: cls() for name, cls in KINDS.items()}


def kind_of(name: str) -> Kind:  # type: ignore[type-arg]
    """The kind registered under ``name``."""
    return _INSTANCES[name]
