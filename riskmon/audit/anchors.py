"""Anchors: the chain's head written down outside the database, so a cut-off chain is noticed.

A keyed chain cannot be edited unnoticed, but its newest entries can be deleted: what remains
is still a valid chain. So the head (seq + hash) is recorded where the database cannot reach it
— each nightly run and each committee pack append it to ``var/audit-anchors.jsonl`` (one JSON
object per line, append-only) and a pack also keeps it in its folder as ``audit-anchor.json``;
``riskmon audit anchor`` prints it for a record kept elsewhere. ``riskmon audit verify`` then
checks the chain against every anchor of this database: an anchored seq beyond the head is a
truncation, an anchored hash no longer at its seq is a rewrite. Entries deleted after the last
anchor cannot be noticed; anchoring often keeps that window short.

Each anchor names its database (the URL without password, or the SQLite file's absolute path),
so one anchors file may serve several databases without mixing them up.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from riskmon.audit.chain import Break, head
from riskmon.audit.keys import AuditError, paths
from riskmon.config import Settings

PACK_FILE = "audit-anchor.json"


@dataclass(frozen=True)
class Anchor:
    database: str
    seq: int
    hash: str
    at: str
    reason: str  # nightly | committee | manual | keyed_start | upgrade

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def database_id(conn: Connection) -> str:
    url = conn.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return f"sqlite:{Path(url.database).resolve()}"
    return url.render_as_string(hide_password=True)


def current(conn: Connection, reason: str) -> Anchor:
    seq, digest = head(conn)
    return Anchor(database_id(conn), seq, digest, datetime.now(UTC).isoformat(timespec="seconds"), reason)


def record_anchor(bind: Engine | Connection, reason: str, pack_folder: Path | None = None, settings: Settings | None = None) -> Anchor:
    """Append the chain's current head to the anchors file (and, for a pack, to its folder).

    Called after the nightly run and after each committee pack is written; the head is read in
    its own short transaction, so it covers everything committed before the call."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            anchor = current(conn, reason)
    else:
        anchor = current(bind, reason)
    target = paths(settings).anchors_file
    line = json.dumps(anchor.as_dict(), ensure_ascii=False, sort_keys=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        if pack_folder is not None:
            (pack_folder / PACK_FILE).write_text(json.dumps(anchor.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"監査アンカーを書けません：{target}: {exc}", f"cannot write the audit anchor to {target}: {exc}") from exc
    return anchor


def load(database: str, settings: Settings | None = None) -> tuple[list[Anchor], list[str]]:
    """This database's anchors in file order, and the lines that could not be read (as ``file:line``)."""
    target = paths(settings).anchors_file
    if not target.exists():
        return [], []
    found: list[Anchor] = []
    bad: list[str] = []
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"監査アンカーを読めません：{target}: {exc}", f"cannot read the audit anchors {target}: {exc}") from exc
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            d = json.loads(raw)
            anchor = Anchor(str(d["database"]), int(d["seq"]), str(d["hash"]), str(d["at"]), str(d["reason"]))
        except (ValueError, KeyError, TypeError):
            bad.append(f"{target}:{n}")
            continue
        if anchor.database == database:
            found.append(anchor)
    return found, bad


def any_recorded(conn: Connection, settings: Settings | None = None) -> bool:
    return bool(load(database_id(conn), settings)[0])


def check(anchors: list[Anchor], chain_head: int, hashes: dict[int, str]) -> list[Break]:
    """Truncation (an anchored seq beyond the head) and rewriting (an anchored hash gone)."""
    breaks: list[Break] = []
    beyond = [a for a in anchors if a.seq > chain_head]
    if beyond:
        a = max(beyond, key=lambda x: x.seq)
        breaks.append(Break(chain_head + 1, "truncated",
                            f"the chain ends at seq {chain_head}, but the {a.reason} anchor of {a.at} recorded seq {a.seq}: "
                            f"entries {chain_head + 1}..{a.seq} were deleted",
                            f"監査証跡は{chain_head}番で終わっていますが、{a.at}のアンカー（{a.reason}）は{a.seq}番まで"
                            f"記録しています：{chain_head + 1}〜{a.seq}番が削除されています"))  # fmt: skip
    for a in anchors:
        if 0 < a.seq <= chain_head and hashes.get(a.seq) != a.hash:
            breaks.append(Break(a.seq, "rewritten",
                                f"the {a.reason} anchor of {a.at} recorded entry {a.seq} with hash {a.hash[:16]}…, "
                                "which is no longer in the chain",
                                f"{a.at}のアンカー（{a.reason}）が記録した{a.seq}番のハッシュ"
                                f"{a.hash[:16]}…が監査証跡にありません"))  # fmt: skip
            break
    return breaks
