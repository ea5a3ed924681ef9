"""The change records of the rule book and the config values evaluation reads (issue #12):
one row per difference found, who and when, the readable diff, and who approved it.

Apart from the pipeline's tables because only riskmon.review.changes reads and writes them. The
table is append-only except for the approval columns: the latest row of a key *is* the state
last recorded for it (its ``content``), so there is no second snapshot table to drift from the
history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from riskmon.store.columns import tz


class ChangeRow(SQLModel, table=True):
    """One recorded change of one rule (by id) or one config value (``section.key``)."""

    __tablename__ = "change_records"
    __table_args__ = (Index("ix_change_records_kind_key", "kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # rule | config
    key: str = Field(max_length=128)  # a rule id, or a config value's section.key
    change: str = Field(max_length=16)  # initial | added | changed | removed
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # rule: text hash; config: JSON value
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # what is in force after this change (the rule's YAML text, the value's JSON); None: removed
    content: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rule_version: str | None = Field(default=None, max_length=32)  # the version a rule's flags carry
    diff: str = Field(sa_column=Column(Text, nullable=False))
    changed_by: str = Field(max_length=128)
    changed_at: datetime = tz(nullable=False, index=True)
    approved_by: str | None = Field(default=None, max_length=128)
    approved_at: datetime | None = tz(nullable=True)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
