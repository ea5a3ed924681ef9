"""The append-only, hash-chained audit log and its verification (``riskmon audit verify``).

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own canonical content,
so editing an entry breaks its hash, deleting one leaves a gap in the sequence and breaks the next
link, and reordering breaks the links. Appends take a lock first (an advisory transaction lock on
PostgreSQL; SQLite serialises writers itself) so two writers never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from riskmon.store.tables import AuditEntry, table_of

GENESIS = "0" * 64
_LOCK_KEY = 7_452_113  # any constant: the advisory lock that serialises appends on PostgreSQL


def _digest(prev: str, seq: int, at: datetime, actor: str, action: str, subject: str, payload: dict[str, Any]) -> str:
    body = json.dumps(
        {"seq": seq, "at": at.astimezone(UTC).isoformat(), "actor": actor, "action": action, "subject": subject, "payload": payload},
        sort_keys=True, ensure_ascii=False, default=str,
    )  # fmt: skip
    return hashlib.sha256((prev + body).encode()).hexdigest()


def append(conn: Connection, actor: str, action: str, subject: str, payload: dict[str, Any], at: datetime | None = None) -> int:
    """Add an entry inside the caller's transaction; returns its sequence number."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    t = table_of(AuditEntry)
    last = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = at or datetime.now(UTC)
    clean = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    conn.execute(t.insert().values(seq=seq, at=when, actor=actor, action=action, subject=subject, payload=clean,
                                   prev_hash=prev, hash=_digest(prev, seq, when, actor, action, subject, clean)))  # fmt: skip
    return int(seq)


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str  # edited | deleted | reordered
    detail: str


def verify(conn: Connection) -> tuple[int, list[Break]]:
    """Check the whole chain; returns how many entries were read and every break found."""
    t = table_of(AuditEntry)
    breaks: list[Break] = []
    prev_hash, expected_seq, n = GENESIS, 1, 0
    for row in conn.execute(select(t).order_by(t.c.seq)).mappings():
        n += 1
        if row["seq"] != expected_seq:
            breaks.append(Break(expected_seq, "deleted", f"entries {expected_seq}..{row['seq'] - 1} are missing"))
        if row["prev_hash"] != prev_hash:
            breaks.append(Break(row["seq"], "reordered" if row["seq"] == expected_seq else "deleted",
                                "does not follow the entry before it (its link to the previous hash is broken)"))  # fmt: skip
        recomputed = _digest(row["prev_hash"], row["seq"], row["at"], row["actor"], row["action"], row["subject"], row["payload"])
        if recomputed != row["hash"]:
            breaks.append(Break(row["seq"], "edited", f"content does not match its hash ({row['action']} on {row['subject']})"))
        prev_hash, expected_seq = row["hash"], row["seq"] + 1
    return n, breaks
