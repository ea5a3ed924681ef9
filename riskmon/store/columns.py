"""Column helpers shared by the table modules: timezone-aware times, the running process's id,
64-bit counts and the event foreign key, declared once so every table spells them alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String
from sqlmodel import Field

from riskmon.liveness import current_id
from riskmon.store.types import TZDateTime

#: Tables keyed by a text id are stored as the id's own B-tree on SQLite (no hidden rowid index),
#: which halves the index work of a bulk insert.
NO_ROWID = {"sqlite_with_rowid": False}


def tz(**kw: Any) -> Any:
    return Field(sa_column=Column(TZDateTime(), **kw))


def holder() -> Any:
    """The process that runs this record (riskmon.liveness), filled in on every insert, ORM or Core,
    so that a crashed run can be recognised and marked ``crashed`` (riskmon.jobs.recovery)."""
    return Field(default_factory=current_id, sa_column=Column(String(128), nullable=True, default=current_id))


def count(nullable: bool = False) -> Any:
    """A count from the field: 64-bit on both backends (SQLite's INTEGER already is), as the event
    models declare (riskmon.events.models.MAX_INT)."""
    return Field(sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), nullable=nullable))


def event_fk() -> Any:
    return Field(sa_column=Column(String(128), ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True))
