"""riskmon — rule-based risk monitoring for 日本年金機構, as a library.

The public API is what this package exports (``__all__``), the way httpx does it: embedding
scripts write ``import riskmon`` and use ``riskmon.Riskmon``, ``riskmon.Severity``,
``riskmon.RiskmonError`` … without knowing the module layout, which may change. See docs/api.md.

The errors and the domain enums are small and imported at once (their ``__module__`` shows as
``riskmon`` in reprs and tracebacks); the composition root and the result types pull in the whole
pipeline (SQLAlchemy, the rule engine) and are imported on first use, so ``import riskmon.config``
in a worker process stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from riskmon.domain import CaseAction, FlagStatus, Line, Resolution, ReviewStatus, RiskCategory, RuleKind, Severity
from riskmon.errors import (
    ConfigError,
    DatabaseBusy,
    EngineError,
    IngestError,
    NotFound,
    Refused,
    RiskmonError,
    RuleError,
    RuleProblem,
    SchemaOutdated,
    StoreError,
)

if TYPE_CHECKING:
    from riskmon.app import Escalation, Riskmon
    from riskmon.config import Settings, load_settings
    from riskmon.flags.evaluation import RunResult
    from riskmon.flags.store import FlagFilter
    from riskmon.ingest.pipeline import IngestReport
    from riskmon.rules.checker import RuleBook

__all__ = [
    "CaseAction",
    "ConfigError",
    "DatabaseBusy",
    "EngineError",
    "Escalation",
    "FlagFilter",
    "FlagStatus",
    "IngestError",
    "IngestReport",
    "Line",
    "NotFound",
    "Refused",
    "Resolution",
    "ReviewStatus",
    "RiskCategory",
    "Riskmon",
    "RiskmonError",
    "RuleBook",
    "RuleError",
    "RuleKind",
    "RuleProblem",
    "RunResult",
    "SchemaOutdated",
    "Settings",
    "Severity",
    "StoreError",
    "load_settings",
]

#: names imported on first use, and the module each lives in
_LAZY = {
    "Riskmon": "riskmon.app",
    "Escalation": "riskmon.app",
    "Settings": "riskmon.config",
    "load_settings": "riskmon.config",
    "RunResult": "riskmon.flags.evaluation",
    "FlagFilter": "riskmon.flags.store",
    "IngestReport": "riskmon.ingest.pipeline",
    "RuleBook": "riskmon.rules.checker",
}

for _obj in (CaseAction, FlagStatus, Line, Resolution, ReviewStatus, RiskCategory, RuleKind, Severity, ConfigError, DatabaseBusy,
             EngineError, IngestError, NotFound, Refused, RiskmonError, RuleError, RuleProblem, SchemaOutdated, StoreError):  # fmt: skip
    _obj.__module__ = "riskmon"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'riskmon' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
