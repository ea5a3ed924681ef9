"""Flags and their case histories, read as typed records.

Every reader (the review service and policy, the queue, the CLI, the web pages) used to get
``dict[str, Any]`` rows and index them by string keys, so a misspelt key or a status compared
with a misspelt literal was a silent bug. Here a row becomes a frozen :class:`FlagRecord` whose
statuses are the domain's enums, and a pending four-eyes proposal a :class:`Proposal` with a
content hash the confirming person names (riskmon.review.service.confirm).

Reading is filtered and paged in SQL (``list_page``: LIMIT/OFFSET and a COUNT), never by loading
every flag into Python; ``scope`` is the visibility clause the review policy builds for a user.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, select

from riskmon.domain import CaseAction, FlagStatus, Line, Resolution, ReviewStatus, Severity
from riskmon.store.queries import Page
from riskmon.store.tables import CaseEvent, Flag, table_of

__all__ = ["CaseEventRecord", "FlagFilter", "FlagRecord", "Proposal", "get", "history", "list_page", "severity_order"]


@dataclass(frozen=True)
class Proposal:
    """A closure waiting for its second pair of eyes (or a first-line suggestion).

    ``digest`` is a hash of everything the proposal says, who made it and when; confirming names
    it, so the proposal cannot be swapped between the second person reading it and confirming."""

    kind: CaseAction  # resolve or dismiss
    resolution: Resolution
    note: str
    until: date | None
    duplicate_of: int | None
    by: str
    line: Line
    at: datetime

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Proposal:
        return cls(CaseAction(raw["kind"]), Resolution(raw["resolution"]), str(raw.get("note") or ""),
                   date.fromisoformat(raw["until"]) if raw.get("until") else None, raw.get("duplicate_of"),
                   str(raw["by"]), Line(raw["line"]), datetime.fromisoformat(raw["at"]))  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The stored shape (``flags.proposal``), unchanged since proposals were plain dicts."""
        return {"kind": self.kind.value, "resolution": self.resolution.value, "note": self.note,
                "until": self.until.isoformat() if self.until else None, "duplicate_of": self.duplicate_of,
                "by": self.by, "line": self.line.value, "at": self.at.isoformat()}  # fmt: skip

    @property
    def digest(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FlagRecord:
    """One flag and its case, as stored in ``flags``."""

    id: int
    key: str
    rule_id: str
    rule_version: str
    raised_run_id: int
    last_run_id: int
    subject: str
    severity: Severity
    risk_category: str
    owner_line: str  # a Line value as written by the rule (first | second | third)
    owner_unit: str
    escalation: tuple[str, ...]
    title_ja: str
    title_en: str
    message_ja: str
    message_en: str
    due_at: datetime | None
    first_seen: datetime
    last_seen: datetime
    status: FlagStatus
    cleared_at: datetime | None
    evidence: dict[str, Any]
    review_status: ReviewStatus
    assignee: str | None
    acknowledged_at: datetime | None
    proposal: Proposal | None
    resolution: Resolution | None
    resolution_note: str | None
    accepted_until: date | None
    duplicate_of: int | None
    closed_by: tuple[str, ...]
    closed_at: datetime | None
    escalation_level: int

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> FlagRecord:
        values = {f.name: row[f.name] for f in fields(cls)}
        values.update(
            severity=Severity(row["severity"]), status=FlagStatus(row["status"]), review_status=ReviewStatus(row["review_status"]),
            escalation=tuple(row["escalation"] or ()), closed_by=tuple(row["closed_by"] or ()),
            proposal=Proposal.from_json(row["proposal"]) if row["proposal"] else None,
            resolution=Resolution(row["resolution"]) if row["resolution"] else None, evidence=dict(row["evidence"] or {}),
        )  # fmt: skip
        return cls(**values)

    def as_row(self) -> dict[str, Any]:
        """The column shape (plain strings, lists and the stored proposal), for JSON output and
        callers that still index rows by name."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row.update(escalation=list(self.escalation), closed_by=list(self.closed_by),
                   proposal=self.proposal.to_json() if self.proposal else None)  # fmt: skip
        return row

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_ja

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_ja


@dataclass(frozen=True)
class CaseEventRecord:
    """One step in a case's story (``case_events``)."""

    id: int
    flag_id: int
    at: datetime
    actor: str
    action: CaseAction
    from_status: ReviewStatus | None
    to_status: ReviewStatus | None
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> CaseEventRecord:
        return cls(row["id"], row["flag_id"], row["at"], row["actor"], CaseAction(row["action"]),
                   ReviewStatus(row["from_status"]) if row["from_status"] else None,
                   ReviewStatus(row["to_status"]) if row["to_status"] else None, dict(row["detail"] or {}))  # fmt: skip

    def as_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class FlagFilter:
    """What a flag list asks for; ``None`` is "any". ``status`` is the engine's view (``all``: any)."""

    severity: Severity | str | None = None
    line: Line | str | None = None
    unit: str | None = None
    rule: str | None = None
    status: FlagStatus | str | None = FlagStatus.OPEN
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = 200  # for riskmon.flags.store.list_flags; list_page takes its own limit and offset
    review_status: ReviewStatus | str | tuple[ReviewStatus, ...] | None = None  # a tuple: any of them
    risk_category: str | None = None


def severity_order() -> ColumnElement[int]:
    """Severity's rank as SQL, for ``ORDER BY`` (most severe first is ``.desc()``)."""
    t = table_of(Flag)
    return case({s.value: s.rank for s in Severity}, value=t.c.severity, else_=-1)


def _where(flt: FlagFilter, scope: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    t = table_of(Flag)
    clauses: list[ColumnElement[bool]] = [] if scope is None else [scope]
    for column, value in ((t.c.severity, flt.severity), (t.c.owner_line, flt.line), (t.c.owner_unit, flt.unit),
                          (t.c.rule_id, flt.rule), (t.c.risk_category, flt.risk_category)):  # fmt: skip
        if value:
            clauses.append(column == str(value))
    if isinstance(flt.review_status, tuple):
        clauses.append(t.c.review_status.in_([str(s) for s in flt.review_status]))
    elif flt.review_status:
        clauses.append(t.c.review_status == str(flt.review_status))
    if flt.status and flt.status != "all":
        clauses.append(t.c.status == str(flt.status))
    if flt.since:
        clauses.append(t.c.first_seen >= flt.since)
    if flt.until:
        clauses.append(t.c.first_seen <= flt.until)
    return clauses


def list_page(conn: Connection, flt: FlagFilter, limit: int | None = 200, offset: int = 0,
              scope: ColumnElement[bool] | None = None) -> Page[FlagRecord]:  # fmt: skip
    """Flags matching ``flt`` (and ``scope``), most severe first, then oldest; filtered, counted
    and paged by the database."""
    t = table_of(Flag)
    where = _where(flt, scope)
    total = conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one()
    q = select(t).where(*where).order_by(severity_order().desc(), t.c.first_seen, t.c.id).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return Page([FlagRecord.from_row(r) for r in conn.execute(q).mappings()], int(total))


def get(conn: Connection, flag_id: int, scope: ColumnElement[bool] | None = None, *, lock: bool = False) -> FlagRecord | None:
    """One flag, or None when it does not exist or lies outside ``scope``. ``lock``: held for the
    transaction on PostgreSQL (SQLite has one writer at a time), so two people acting on one flag
    at once are applied one after the other."""
    t = table_of(Flag)
    q = select(t).where(t.c.id == flag_id, *([] if scope is None else [scope]))
    row = conn.execute(q.with_for_update() if lock else q).mappings().first()
    return FlagRecord.from_row(row) if row else None


def history(conn: Connection, flag_id: int) -> list[CaseEventRecord]:
    t = table_of(CaseEvent)
    return [CaseEventRecord.from_row(r) for r in conn.execute(select(t).where(t.c.flag_id == flag_id).order_by(t.c.id)).mappings()]


def rule_ids(conn: Connection) -> list[str]:
    """The rule ids that have flags, sorted: what フラグ一覧's rule filter offers, and what a rule
    filter may name besides the rule files (a removed rule's flags stay)."""
    t = table_of(Flag)
    return [r[0] for r in conn.execute(select(t.c.rule_id).distinct().order_by(t.c.rule_id))]
