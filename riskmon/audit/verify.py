"""``riskmon audit verify``: the chain, the anchors and the cross-checks in one report.

Each check covers what the others cannot: the keyed chain catches edits and recomputation, the
anchors catch cutting off the newest entries, the cross-checks catch changes to the tables people
read (flags, case events) that never touched the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from riskmon.audit import anchors as anchor_file
from riskmon.audit import crosscheck
from riskmon.audit.chain import GENESIS, Break, scan, start_keyed
from riskmon.audit.keys import AuditError, create_key_file, key_file_warning, load_key, paths
from riskmon.config import Settings


@dataclass
class Verification:
    entries: int = 0
    keyed: int = 0
    legacy: int = 0
    legacy_until: int = 0
    head: tuple[int, str] = (0, GENESIS)
    anchors: int = 0
    latest_anchor: anchor_file.Anchor | None = None
    breaks: list[Break] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (ja, en)

    @property
    def intact(self) -> bool:
        return not self.breaks


def check(conn: Connection, settings: Settings | None = None) -> Verification:
    key = load_key(settings)
    database = anchor_file.database_id(conn)
    anchors, unreadable = anchor_file.load(database, settings)
    audited = crosscheck.AuditedCases()
    chain = scan(conn, key, {a.seq for a in anchors}, audited.visit)
    v = Verification(chain.entries, chain.keyed, chain.legacy, chain.legacy_until, chain.head, len(anchors),
                     anchors[-1] if anchors else None)  # fmt: skip
    v.breaks = chain.breaks + anchor_file.check(anchors, chain.head[0], chain.hashes)
    v.breaks += crosscheck.case_events(conn, audited) + crosscheck.flag_states(conn, audited)
    if not anchors:
        where = paths(settings).anchors_file
        v.warnings.append((f"このデータベースのアンカーがまだありません（{where}）：末尾の削除は検出できません。"
                           "riskmon audit anchor で記録してください",
                           f"no anchor for this database yet ({where}): deleting the newest entries cannot be detected; "
                           "record one with riskmon audit anchor"))  # fmt: skip
    for line in unreadable:
        v.warnings.append((f"読めないアンカー行：{line}", f"unreadable anchor line: {line}"))
    if chain.legacy:
        v.warnings.append(
            (
                f"1〜{chain.legacy_until}番は鍵導入前の旧形式（SHA-256のみ）です",
                f"entries 1..{chain.legacy_until} predate the key (plain SHA-256, legacy)",
            )
        )
    if (w := key_file_warning(settings)) is not None:
        v.warnings.append(w)
    return v


def verify(conn: Connection) -> tuple[int, list[Break]]:
    """Entries read and every problem found (chain, anchors, cross-checks), chain breaks first."""
    v = check(conn)
    return v.entries, v.breaks


@dataclass(frozen=True)
class KeySetup:
    created: bool  # a new key file was written
    legacy_marked: int | None  # seq of the audit_keyed entry, if an unkeyed chain was taken over


def ensure_key(engine: Engine, settings: Settings | None = None) -> KeySetup:
    """Part of ``db upgrade``: make sure there is a key, and take over an unkeyed chain.

    A key file is created only if there is none and this database has never been anchored: a
    database that was anchored had a key, and a new one would make its whole chain unverifiable —
    that must be a clear error ("restore the key"), not a silent new key."""
    p = paths(settings)
    created = False
    if not p.key_from_env and not p.key_file.exists():
        with engine.connect() as conn:
            if anchor_file.any_recorded(conn, settings):
                raise AuditError(f"監査キー{p.key_file}がありませんが、このデータベースの監査証跡はキー付きで記録されています。"
                                 "キーをバックアップから戻してください（新しいキーでは検証できません）",
                                 f"the audit key {p.key_file} is missing, but this database's audit log was kept with a key: "
                                 "restore it from its backup (a new key could not verify it)")  # fmt: skip
        create_key_file(p.key_file)
        created = True
    key = load_key(settings)
    with engine.begin() as conn:
        marked = None if anchor_file.any_recorded(conn, settings) else start_keyed(conn, key)
    if marked is not None or created:
        anchor_file.record_anchor(engine, "keyed_start", settings=settings)
    return KeySetup(created, marked)
