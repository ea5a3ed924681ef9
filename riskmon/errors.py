"""One exception root for everything riskmon refuses or cannot do, each error in both languages.

An embedding script, the CLI, the scheduler and the web application catch :class:`RiskmonError`
and show ``error.text(lang)``; nothing needs to know every subclass. The tree (httpx draws its
own the same way)::

    RiskmonError
    ├── ConfigError          config.toml cannot be used (file: key: reason)
    ├── RuleError            a rule file has problems (file, line, column for each)
    ├── IngestError          an input file or ingest run cannot proceed
    ├── StoreError           the database cannot be used
    │   ├── SchemaOutdated       the schema is older than this riskmon (run ``riskmon db upgrade``)
    │   └── DatabaseBusy         another process holds the write lock longer than the timeout
    ├── NotFound             an id that names nothing (flag, event, user, report …)
    ├── Refused              the policy says no (segregation of duties, four eyes, a state)
    └── EngineError          the decision engine failed

Every error carries its Japanese text ``ja`` and English text ``en``; ``str(error)`` is the English
text so logs and tracebacks stay readable to the developers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["ja", "en"]

__all__ = [
    "ConfigError",
    "DatabaseBusy",
    "EngineError",
    "IngestError",
    "NotFound",
    "Refused",
    "RiskmonError",
    "RuleError",
    "RuleProblem",
    "SchemaOutdated",
    "StoreError",
]


class RiskmonError(Exception):
    """The root: a message in Japanese and English."""

    def __init__(self, ja: str, en: str | None = None) -> None:
        self.ja = ja
        self.en = en if en is not None else ja
        super().__init__(self.en)

    def text(self, lang: str = "ja") -> str:
        """The message in ``lang`` (Japanese unless ``"en"``)."""
        return self.en if lang == "en" else self.ja


class ConfigError(RiskmonError):
    """config.toml is missing where it was named, unreadable, or has invalid values."""


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file, where a rule author can find it."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class RuleError(RiskmonError):
    """A rule file (or folder) with problems; each one carries its file, line and column."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = list(problems)
        body = "\n".join(str(p) for p in self.problems)
        n = len(self.problems)
        super().__init__(f"ルールに{n}件の問題があります\n{body}", f"{n} problem(s) in the rules\n{body}")

    @property
    def first(self) -> RuleProblem | None:
        return self.problems[0] if self.problems else None


class IngestError(RiskmonError):
    """An ingest that cannot go on (a worker lost, a file that is no input at all)."""


class StoreError(RiskmonError):
    """The database cannot be used as it is."""


class SchemaOutdated(StoreError):
    """The database schema is older than this riskmon."""


class DatabaseBusy(StoreError):
    """Another process kept the database's write lock for longer than the busy timeout."""


class NotFound(RiskmonError):
    """An id that names nothing: a flag, an event, a user, a report."""


class Refused(RiskmonError):
    """The policy refuses the action; nothing was changed (the refusal itself is audited)."""


class EngineError(RiskmonError):
    """The decision engine (durable_rules) failed or refused a rule set."""
