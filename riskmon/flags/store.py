"""Writing flags idempotently and reading them back.

A flag's key is its rule and subject. Evaluating again updates the same row (last seen, current
value, severity); a finding whose condition no longer holds is marked ``cleared``, never deleted;
one that comes back is open again. Only rules that ran without error clear anything.

A flag whose rule left the rule book (removed, or ``enabled: false``) is ``retired`` (:func:`retire`):
no run would ever clear it, so it would stay open and keep climbing the escalation ladder and
filling the review queues — both look only at open flags. The case (``review_status``) is
left as people had it; a case event says in both languages why the flag was retired. If the
rule comes back and still finds the condition, the flag is open again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from riskmon import audit
from riskmon.domain import CLOSED_STATES, CaseAction, FlagStatus, ReviewStatus
from riskmon.flags import repository
from riskmon.flags.repository import FlagFilter as FlagFilter  # re-exported: the CLI's filters
from riskmon.flags.repository import FlagRecord, Proposal
from riskmon.store.tables import CaseEvent, Flag, table_of

#: the engine's view of a flag (``flags.status``); ``review_status`` is the case's
ENGINE_STATUSES: tuple[FlagStatus, ...] = tuple(FlagStatus)

#: a new flag is a new case: open, unassigned, not yet escalated
NEW_CASE: dict[str, Any] = {"review_status": ReviewStatus.OPEN, "closed_by": [], "escalation_level": 0}
#: what reopening a case clears
REOPENED_CASE: dict[str, Any] = {
    "review_status": ReviewStatus.OPEN, "resolution": None, "resolution_note": None, "accepted_until": None, "duplicate_of": None,
    "closed_by": [], "closed_at": None, "proposal": None, "escalation_level": 0,
}  # fmt: skip


def record_case_event(conn: Connection, actor: str, flag_id: int, action: CaseAction, before: ReviewStatus,
                      after: ReviewStatus, detail: dict[str, Any], at: datetime) -> None:  # fmt: skip
    """One step in a case's story, in ``case_events`` and the audit log, in the caller's transaction."""
    clean = {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in detail.items()}
    before, after = ReviewStatus(before), ReviewStatus(after)
    conn.execute(table_of(CaseEvent).insert().values(flag_id=flag_id, at=at, actor=actor, action=action.value,
                                                     from_status=before.value, to_status=after.value, detail=clean))  # fmt: skip
    audit.append(conn, actor, action.value, f"flag:{flag_id}", {"from": before.value, "to": after.value, **clean}, at)


@dataclass
class NewFlag:
    key: str
    values: dict[str, Any]


def save(conn: Connection, run_id: int, as_of: datetime, found: list[NewFlag], evaluated_rules: set[str]) -> dict[str, int]:
    table = table_of(Flag)
    existing = {
        r.key: r
        for r in conn.execute(
            select(table.c.id, table.c.key, table.c.status, table.c.review_status).where(table.c.rule_id.in_(evaluated_rules))
        )
    }
    counts = {"raised": 0, "updated": 0, "reopened": 0, "cleared": 0}
    inserts, updates = [], []
    recurred: list[tuple[int, str]] = []
    restored: list[tuple[int, str, str]] = []
    for flag in found:
        old = existing.pop(flag.key, None)
        values = {**flag.values, "last_run_id": run_id, "last_seen": as_of, "status": FlagStatus.OPEN, "cleared_at": None}
        if old is None:
            inserts.append({**values, "key": flag.key, "raised_run_id": run_id, "first_seen": as_of, **NEW_CASE})
            counts["raised"] += 1
        else:
            updates.append({**values, "flag_id": old.id})
            counts["reopened" if old.status in (FlagStatus.CLEARED, FlagStatus.RETIRED) else "updated"] += 1
            if old.status == FlagStatus.CLEARED and old.review_status in CLOSED_STATES:
                recurred.append((old.id, old.review_status))
            if old.status == FlagStatus.RETIRED:
                restored.append((old.id, old.review_status, flag.values["rule_id"]))
    if inserts:
        conn.execute(table.insert(), inserts)
    if updates:  # one executemany; every row carries the same keys
        columns: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "flag_id"}
        conn.execute(update(table).where(table.c.id == bindparam("flag_id")).values(**columns), updates)
    for flag_id, was in recurred:  # a closed case whose condition came back is open again
        conn.execute(update(table).where(table.c.id == flag_id).values(**REOPENED_CASE))
        record_case_event(conn, "riskmon", flag_id, CaseAction.AUTO_REOPEN, ReviewStatus(was), ReviewStatus.OPEN,
                          {"why": "condition recurred"}, as_of)  # fmt: skip
    for flag_id, review, rule_id in restored:
        record_case_event(conn, "riskmon", flag_id, CaseAction.RESTORED, ReviewStatus(review), ReviewStatus(review),
                          {"why": "rule_restored", "rule_id": rule_id,
                           "ja": f"ルール{rule_id}が再び評価され、条件が成り立っているため、フラグを再開しました",
                           "en": f"rule {rule_id} is evaluated again and its condition holds: the flag is open again"}, as_of)  # fmt: skip
    gone = [r.id for r in existing.values() if r.status == FlagStatus.OPEN]
    if gone:
        conn.execute(update(table).where(table.c.id.in_(gone)).values(status=FlagStatus.CLEARED, cleared_at=as_of, last_run_id=run_id))
        counts["cleared"] = len(gone)
    return counts


_LEAVES = ("（エスカレーション・レビュー対象から外れます）", " (it leaves escalation and the review queues)")
_RETIRED_WHY = {
    "rule_removed": ("ルール{rule}がルールブックから削除されたため、このフラグを廃止しました" + _LEAVES[0],
                     "rule {rule} was removed from the rule book: this flag is retired" + _LEAVES[1]),
    "rule_disabled": ("ルール{rule}が無効（enabled: false）にされたため、このフラグを廃止しました" + _LEAVES[0],
                      "rule {rule} was disabled (enabled: false): this flag is retired" + _LEAVES[1]),
}  # fmt: skip


def retire(conn: Connection, run_id: int, as_of: datetime, active_rules: set[str], rule_book: set[str]) -> int:
    """Retire the open flags of every rule that is not active: ``rule_book`` holds the ids of
    every rule in the book, enabled or not, to tell a disabled rule from a removed one."""
    table = table_of(Flag)
    rows = conn.execute(select(table.c.id, table.c.rule_id, table.c.review_status)
                        .where(table.c.status == FlagStatus.OPEN, table.c.rule_id.not_in(active_rules))
                        .order_by(table.c.id)).all()  # fmt: skip
    if not rows:
        return 0
    conn.execute(
        update(table).where(table.c.id.in_([r.id for r in rows])).values(status=FlagStatus.RETIRED, cleared_at=as_of, last_run_id=run_id)
    )
    for r in rows:
        why = "rule_disabled" if r.rule_id in rule_book else "rule_removed"
        ja, en = (text.format(rule=r.rule_id) for text in _RETIRED_WHY[why])
        record_case_event(conn, "riskmon", r.id, CaseAction.RETIRED, ReviewStatus(r.review_status), ReviewStatus(r.review_status),
                          {"why": why, "rule_id": r.rule_id, "ja": ja, "en": en}, as_of)  # fmt: skip
    return len(rows)


def list_flags(conn: Connection, flt: FlagFilter) -> list[dict[str, Any]]:
    """Most severe first, then oldest, as rows by column name (riskmon.flags.repository has the typed reader)."""
    return [r.as_row() for r in repository.list_page(conn, flt, flt.limit).items]


def get_flag(conn: Connection, flag_id: int) -> dict[str, Any] | None:
    record = repository.get(conn, flag_id)
    return record.as_row() if record else None


def as_json(flag: FlagRecord | dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of a flag (keys relied on by scripts)."""
    row = flag.as_row() if isinstance(flag, FlagRecord) else flag
    return {
        "id": row["id"], "rule_id": row["rule_id"], "rule_version": row["rule_version"], "subject": row["subject"],
        "severity": str(row["severity"]), "status": str(row["status"]), "review_status": str(row["review_status"]),
        "assignee": row["assignee"], "risk_category": row["risk_category"],
        "owner_line": row["owner_line"], "owner_unit": row["owner_unit"], "escalation": list(row["escalation"]),
        "title": {"ja": row["title_ja"], "en": row["title_en"]},
        "message": {"ja": row["message_ja"], "en": row["message_en"]},
        "due_at": row["due_at"], "first_seen": row["first_seen"], "last_seen": row["last_seen"],
        "cleared_at": row["cleared_at"], "raised_run_id": row["raised_run_id"], "last_run_id": row["last_run_id"],
        "evidence": row["evidence"],
        "proposal": _proposal_json(row["proposal"]),
    }  # fmt: skip


def _proposal_json(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The pending proposal with its ``id``, the digest a confirmation names (``--proposal``)."""
    return None if not stored else {**stored, "id": Proposal.from_json(stored).digest}
