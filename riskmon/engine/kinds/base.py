"""The interface every rule kind implements, and the facts kinds build.

A kind is one class (riskmon/engine/kinds/<kind>.py) registered by name in
riskmon/engine/kinds/__init__.py, the way pySigma finds its backends and pipelines: its ``spec``
(the pydantic model rule files of this kind are read with, riskmon/rules/schema.py, which also
says which fields the kind adds), its condition (what the engine must find true of a fact), its
severity tiers, how it builds facts from the views, and what its evidence shows. Evaluation and
rule compilation only ever call this interface; nothing switches on the kind's name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import ChainMap
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Connection

from riskmon.business_calendar import BusinessCalendar
from riskmon.engine import sources
from riskmon.rules.conditions import Condition
from riskmon.rules.schema import RuleSpec
from riskmon.rules.spec import Rule
from riskmon.store.asof import AsOf
from riskmon.store.views import FieldType

S = TypeVar("S", bound=RuleSpec)


@dataclass
class Fact:
    data: MutableMapping[str, Any]  # a dict, or the rule's derived fields layered over a shared view row
    subject: str
    event_ids: list[str]
    due_at: datetime | None = None
    observed: dict[str, Any] | None = None  # what the evidence shows: value vs threshold / deadline


class Views:
    """Each SQL view read once per evaluation run and shared by the rules that use it (seven rules
    look at error cases); a rule's derived fields are layered over the shared rows, not copied in."""

    def __init__(self, conn: Connection, as_of: datetime | AsOf) -> None:
        self.conn = conn
        self.window = AsOf.of(as_of)  # what the views may read (riskmon.store.asof)
        self.as_of = self.window.at
        self._rows: dict[tuple[str, datetime | None], list[dict[str, Any]]] = {}

    def rows(self, event: str, since: datetime | None = None) -> list[dict[str, Any]]:
        key = (event, since)
        if key not in self._rows:
            self._rows[key] = list(sources.VIEWS[event].rows(self.conn, self.window, since))
        return self._rows[key]


def subject_of(rule: Rule, row: MutableMapping[str, Any]) -> str:
    return "|".join(str(row.get(f)) for f in rule.subject)


class Kind(ABC, Generic[S]):
    """One rule kind. Subclasses set ``name`` and ``spec`` and implement :meth:`build`."""

    name: ClassVar[str]
    spec: ClassVar[type[RuleSpec]]

    @classmethod
    def adds(cls) -> dict[str, FieldType]:
        """The fields this kind's facts gain (declared by its spec)."""
        return dict(cls.spec.adds)

    def spec_of(self, rule: Rule) -> S:
        """The rule's kind-specific parts, as this kind's spec."""
        if not isinstance(rule.spec, self.spec):
            raise TypeError(f"rule {rule.id} has no {self.name} spec")
        return rule.spec  # type: ignore[return-value]

    def filter(self, rule: Rule) -> Condition | None:
        """What the engine checks of every fact besides the kind's condition (the rule's ``when``)."""
        return rule.when

    def condition(self, rule: Rule) -> Condition | None:
        """What makes a fact a finding for this kind (``None``: the filter alone decides)."""
        return None

    def tiers(self, rule: Rule) -> list[tuple[str, Condition | None]]:
        """Each severity with the condition under which it applies, lowest first."""
        return [(t.severity, t.when) for t in rule.tiers]

    @abstractmethod
    def build(self, rule: Rule, views: Views, cal: BusinessCalendar) -> list[Fact]:
        """The facts the engine decides on, each with its subject, source events and evidence."""

    def rows_as_facts(self, rule: Rule, views: Views) -> list[Fact]:
        """One fact per view row; derived fields go into a small dict layered over the shared row
        (no copy per rule, which is most of the evaluation's memory at ten million events)."""
        out = []
        for shared in views.rows(rule.event):
            row: Any = ChainMap({}, shared)
            out.append(Fact(row, subject_of(rule, row), [row["event_id"]] if row.get("event_id") else []))
        return out
