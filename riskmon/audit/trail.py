"""Reading the audit log as people look at it (the 監査 page): newest first, filtered, paged.

The chain module appends and verifies; this one only reads, so the page can never write to the
log it shows. Filters are plain column conditions (actor, an action or every refusal, a subject
prefix, a period), counted and paged in SQL: the log grows by every action and every refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from riskmon.store.tables import AuditEntry, table_of

#: the action prefix every refusal is audited under (riskmon.review.service, riskmon.app_pages)
REFUSED = "refused:"


@dataclass(frozen=True)
class TrailQuery:
    """``action``: one action, or ``refused`` for every refusal; ``since``/``until``: a half-open
    period [since, until) in absolute time."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    per: int = 50


def _conditions(q: TrailQuery) -> list[ColumnElement[bool]]:
    a = table_of(AuditEntry)
    where: list[ColumnElement[bool]] = []
    if q.actor:
        where.append(a.c.actor == q.actor)
    if q.action == "refused":
        where.append(a.c.action.startswith(REFUSED, autoescape=True))
    elif q.action:
        where.append(a.c.action == q.action)
    if q.subject:
        where.append(a.c.subject.startswith(q.subject, autoescape=True))
    if q.since is not None:
        where.append(a.c.at >= q.since)
    if q.until is not None:
        where.append(a.c.at < q.until)
    return where


def entries(conn: Connection, q: TrailQuery) -> tuple[list[dict[str, Any]], int]:
    """One page of entries matching ``q`` (newest first) and how many match in all."""
    a = table_of(AuditEntry)
    where = _conditions(q)
    total = int(conn.execute(select(func.count()).select_from(a).where(*where)).scalar_one())
    rows = conn.execute(select(a.c.seq, a.c.at, a.c.actor, a.c.action, a.c.subject, a.c.payload).where(*where)
                        .order_by(a.c.seq.desc()).limit(q.per).offset((max(q.page, 1) - 1) * q.per)).mappings()  # fmt: skip
    return [dict(r) for r in rows], total


def actions(conn: Connection) -> list[str]:
    """The actions the log holds (for the filter's choices), refusals folded into one."""
    a = table_of(AuditEntry)
    found = [r for (r,) in conn.execute(select(a.c.action).distinct().order_by(a.c.action))]
    return [x for x in found if not x.startswith(REFUSED)]


def generations(conn: Connection, action: str) -> dict[str, tuple[str, datetime]]:
    """Who last generated each report folder through an audited channel: ``folder`` → (actor,
    when), from the entries ``action`` names (few: one per generation)."""
    a = table_of(AuditEntry)
    out: dict[str, tuple[str, datetime]] = {}
    for actor, at, payload in conn.execute(select(a.c.actor, a.c.at, a.c.payload).where(a.c.action == action).order_by(a.c.seq)):
        folder = (payload or {}).get("folder")
        if folder:
            out[str(folder)] = (actor, at)
    return out
