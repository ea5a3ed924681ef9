"""The append-only, keyed hash chain itself: appending an entry and checking the chain.

Each entry's hash is HMAC-SHA256, under a key kept outside the database (riskmon.audit.keys),
over the previous entry's hash and the entry's own canonical content. So editing an entry breaks
its hash, deleting one leaves a gap and breaks the next link, reordering breaks the links — and,
unlike a plain SHA-256 chain, someone who can write the database but has no key cannot recompute
the chain after an edit: whatever they recompute is plain SHA-256, which the check reports as
*unsigned*. Appends take a lock first (an advisory transaction lock on PostgreSQL; SQLite
serialises writers itself) so two writers never fork the chain.

Chains written before keying (plain SHA-256, riskmon before 0005) stay verifiable: when a key is
first set up for such a chain, a keyed ``audit_keyed`` entry records where the legacy part ends
(:func:`start_keyed`). Plain entries up to there are *legacy*; any plain entry elsewhere is a break.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select, text

from riskmon.audit.keys import load_key
from riskmon.store.tables import AuditEntry, table_of

GENESIS = "0" * 64
KEYED_START = "audit_keyed"  # the first keyed entry of a chain that began unkeyed
_LOCK_KEY = 7_452_113  # any constant: the advisory lock that serialises appends on PostgreSQL


def _body(prev: str, seq: int, at: datetime, actor: str, action: str, subject: str, payload: Any) -> bytes:
    content = json.dumps(
        {"seq": seq, "at": at.astimezone(UTC).isoformat(), "actor": actor, "action": action, "subject": subject, "payload": payload},
        sort_keys=True, ensure_ascii=False, default=str,
    )  # fmt: skip
    return (prev + content).encode()


def plain_digest(prev: str, seq: int, at: datetime, actor: str, action: str, subject: str, payload: Any) -> str:
    """The unkeyed hash of riskmon before 0005 (and of anyone recomputing the chain without the key)."""
    return hashlib.sha256(_body(prev, seq, at, actor, action, subject, payload)).hexdigest()


def keyed_digest(key: bytes, prev: str, seq: int, at: datetime, actor: str, action: str, subject: str, payload: Any) -> str:
    return hmac.new(key, _body(prev, seq, at, actor, action, subject, payload), hashlib.sha256).hexdigest()


def _row_digests(key: bytes, row: RowMapping) -> tuple[str, str]:
    args = (row["prev_hash"], row["seq"], row["at"], row["actor"], row["action"], row["subject"], row["payload"])
    return keyed_digest(key, *args), plain_digest(*args)


def append(conn: Connection, actor: str, action: str, subject: str, payload: dict[str, Any], at: datetime | None = None,
           *, key: bytes | None = None) -> int:  # fmt: skip
    """Add an entry inside the caller's transaction; returns its sequence number.

    The key is read before anything is written, so a missing key stops the action with a clear
    error instead of writing an entry nobody can verify."""
    key = key or load_key()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    t = table_of(AuditEntry)
    last = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = at or datetime.now(UTC)
    clean = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    conn.execute(t.insert().values(seq=seq, at=when, actor=actor, action=action, subject=subject, payload=clean,
                                   prev_hash=prev, hash=keyed_digest(key, prev, seq, when, actor, action, subject, clean)))  # fmt: skip
    return int(seq)


def head(conn: Connection) -> tuple[int, str]:
    """The newest entry's (seq, hash); (0, GENESIS) for an empty chain."""
    t = table_of(AuditEntry)
    last = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str  # edited | deleted | reordered | unsigned | truncated | rewritten | case_event | flag_state | engine_state
    detail: str  # English
    detail_ja: str = ""

    def text(self, lang: str) -> str:
        return self.detail_ja if lang == "ja" and self.detail_ja else self.detail


@dataclass
class ChainResult:
    entries: int = 0
    keyed: int = 0
    legacy: int = 0  # plain entries accepted as written before keying
    legacy_until: int = 0
    head: tuple[int, str] = (0, GENESIS)
    breaks: list[Break] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)  # seq → stored hash, for the seqs asked for


def scan(conn: Connection, key: bytes, want_hashes: set[int] | None = None,
         visit: Callable[[RowMapping], None] | None = None) -> ChainResult:  # fmt: skip
    """Check the whole chain in one pass; ``visit`` sees every row (for the cross-checks)."""
    t = table_of(AuditEntry)
    res = ChainResult()
    prev_hash, expected_seq = GENESIS, 1
    plain_before_keyed: list[list[int]] = []  # ranges of plain entries seen before the first keyed one
    first_keyed: RowMapping | None = None
    unsigned: list[list[int]] = []
    for row in conn.execute(select(t).order_by(t.c.seq)).mappings():
        res.entries += 1
        seq = row["seq"]
        if seq != expected_seq:
            res.breaks.append(Break(expected_seq, "deleted", f"entries {expected_seq}..{seq - 1} are missing",
                                    f"{expected_seq}〜{seq - 1}番の記録が削除されています"))  # fmt: skip
        if row["prev_hash"] != prev_hash:
            res.breaks.append(Break(seq, "reordered" if seq == expected_seq else "deleted",
                                    "does not follow the entry before it (its link to the previous hash is broken)",
                                    "直前の記録とつながっていません（前の記録のハッシュと一致しない）"))  # fmt: skip
        keyed, plain = _row_digests(key, row)
        if hmac.compare_digest(keyed, row["hash"]):
            res.keyed += 1
            if first_keyed is None:
                first_keyed = row
        elif plain == row["hash"]:
            target = plain_before_keyed if first_keyed is None else unsigned
            if target and target[-1][1] == seq - 1:
                target[-1][1] = seq
            else:
                target.append([seq, seq])
        else:
            res.breaks.append(Break(seq, "edited", f"content does not match its hash ({row['action']} on {row['subject']})",
                                    f"内容がハッシュと一致しません（{row['subject']}の{row['action']}）"))  # fmt: skip
        if want_hashes and seq in want_hashes:
            res.hashes[seq] = row["hash"]
        if visit:
            visit(row)
        prev_hash, expected_seq = row["hash"], seq + 1
    res.head = (expected_seq - 1, prev_hash) if res.entries else (0, GENESIS)
    if first_keyed is not None and first_keyed["action"] == KEYED_START:
        res.legacy_until = int(first_keyed["payload"].get("legacy_until", 0))
    for lo, hi in plain_before_keyed:
        accepted = max(0, min(hi, res.legacy_until) - lo + 1)
        res.legacy += accepted
        if hi > res.legacy_until:
            unsigned.insert(0, [max(lo, res.legacy_until + 1), hi])
    for lo, hi in unsigned:
        res.breaks.append(Break(lo, "unsigned", f"entries {lo}..{hi} are not signed with the audit key (a plain SHA-256 chain: "
                                "recomputed by someone without the key)",
                                f"{lo}〜{hi}番の記録が監査キーで署名されていません"
                                "（キーを持たない者が再計算した SHA-256の連鎖）"))  # fmt: skip
    res.breaks.sort(key=lambda b: b.seq)
    return res


def start_keyed(conn: Connection, key: bytes) -> int | None:
    """Mark where a chain written before keying ends, once, when a key is first set up for it.

    Appends the keyed ``audit_keyed`` entry naming the last legacy seq, unless the chain is empty
    or already has a keyed entry (then nothing before it is legacy). Returns the new entry's seq."""
    t = table_of(AuditEntry)
    n = 0
    for row in conn.execute(select(t).order_by(t.c.seq)).mappings():
        n += 1
        if hmac.compare_digest(_row_digests(key, row)[0], row["hash"]):
            return None
    if n == 0:
        return None
    last_seq, last_hash = head(conn)
    return append(conn, "riskmon", KEYED_START, "audit", {"legacy_until": last_seq, "legacy_head": last_hash}, key=key)
