"""Change records of the rule book and the config values (issue #12): who changed what, when,
and which second-line person approved it — for the third line to read.

How a change is found: :func:`record_changes` compares what is in force
(riskmon.review.change_snapshot) with the state last recorded, which is the latest row of each
key in ``change_records`` (its ``content``), and adds a row per difference. It runs at every
evaluation that is not a dry run (``riskmon evaluate``, the nightly job) and on
``riskmon rules changes record``. Nobody edits the rule book *through* riskmon, so "who" is who
ran the recording (a person proven by a token, ``cli:<login>`` for the operator's shell,
``job:nightly`` for the scheduler) — which is why a change should be recorded by the person who
made it, with their token, before the nightly run finds it.

The first recording (an empty table) writes the baseline as one ``initial`` row per rule and per
config value, rather than one summary row: each key's history then starts with a row holding
its text, so every later diff has something to be computed from and the third line can read
what was in force at any point key by key; the baseline is approved like any change, so
someone signs that the starting point is the approved book.

Approval is four eyes (:func:`approve`): a second-line user who is not the person who recorded
the change (nor another account of theirs, riskmon.review.policy.same_person). Evaluation never
waits for approval: unapproved changes are counted and shown, not enforced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, text, update

from riskmon import audit
from riskmon.domain import Line
from riskmon.review.change_snapshot import Item, diff_text
from riskmon.review.policy import Refused, same_person
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.tables import ChangeRow, table_of

__all__ = [
    "READERS",
    "ChangeRecord",
    "approve",
    "can_read",
    "changes_between",
    "get_change",
    "list_changes",
    "record_changes",
    "refused",
    "require_approver",
    "require_reader",
    "require_recorder",
    "unapproved",
]  # fmt: skip

#: who may read the change records: the second line (who keeps the rule book), the third line
#: and governance (who read everything)
READERS = (Line.SECOND, Line.THIRD, Line.GOVERNANCE)
_LOCK_KEY = 7_452_118  # serialises recordings on PostgreSQL (audit ...113, evaluation ...114, ingest ...116)
_LONGEST_NOTE = 2000


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded change. ``before``/``after``: a rule's text hash or a config value (JSON);
    None where the rule or value did not exist. ``change``: initial (the baseline), added,
    changed or removed. ``rule_version``: the version the rule's flags carry after the change."""

    id: int
    kind: str
    key: str
    before: str | None
    after: str | None
    diff: str
    changed_by: str
    changed_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    note: str | None
    change: str = "changed"
    rule_version: str | None = None

    @property
    def approved(self) -> bool:
        return self.approved_by is not None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record(row: Any) -> ChangeRecord:
    return ChangeRecord(row["id"], row["kind"], row["key"], row["before"], row["after"], row["diff"], row["changed_by"],
                        row["changed_at"], row["approved_by"], row["approved_at"], row["note"], row["change"],
                        row["rule_version"])  # fmt: skip


# -- recording -------------------------------------------------------------------------------------


def _last_state(conn: Connection) -> dict[tuple[str, str], Item]:
    """The state last recorded: each key's latest row, without the keys last recorded as removed."""
    t = table_of(ChangeRow)
    latest = select(func.max(t.c.id)).group_by(t.c.kind, t.c.key)
    rows = conn.execute(select(t.c.kind, t.c.key, t.c.content, t.c.rule_version).where(t.c.id.in_(latest))).all()
    return {(k, key): Item(k, key, content, version) for k, key, content, version in rows if content is not None}


def record_changes(conn: Connection, in_force: Iterable[Item], changed_by: str, at: datetime) -> list[ChangeRecord]:
    """Record each difference between ``in_force`` (riskmon.review.change_snapshot.in_force) and
    the state last recorded, in the caller's transaction, with one audit entry for the lot; the
    records written (none when nothing changed). ``at`` must be timezone-aware."""
    if at.tzinfo is None:
        raise ValueError("record_changes needs a timezone-aware time")
    if conn.dialect.name == "postgresql":  # two evaluations at once must not record one change twice
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = _last_state(conn)
    first = not last and conn.execute(select(func.count()).select_from(table_of(ChangeRow))).scalar_one() == 0
    now = {(i.kind, i.key): i for i in in_force}
    rows = []
    for where in sorted(now.keys() | last.keys()):
        before, after = last.get(where), now.get(where)
        if before is not None and after is not None and before.content == after.content:
            continue
        change = "removed" if after is None else "changed" if before is not None else "initial" if first else "added"
        rows.append({"kind": where[0], "key": where[1], "change": change, "before": before.shown if before else None,
                     "after": after.shown if after else None, "content": after.content if after else None,
                     "rule_version": after.version if after else None, "diff": diff_text(where[0], where[1], before, after),
                     "changed_by": changed_by, "changed_at": at})  # fmt: skip
    if not rows:
        return []
    t = table_of(ChangeRow)
    ids = [int(conn.execute(t.insert().values(**row).returning(t.c.id)).scalar_one()) for row in rows]
    audit.append(conn, changed_by, "changes_recorded", "rulebook",
                 {"ids": ids, "changes": [f"{r['change']} {r['kind']} {r['key']}" for r in rows]}, at)  # fmt: skip
    return [_record({**row, "id": i, "approved_by": None, "approved_at": None, "note": None}) for i, row in zip(ids, rows, strict=True)]


# -- who may ---------------------------------------------------------------------------------------


def require_reader(who: Actor) -> None:
    """Only the second line, the third line and governance read the change records."""
    if who.line not in READERS:
        raise Refused("ルール・設定の変更記録は第二線（リスク統括部等）と第三線（監査部）だけが閲覧できます",
                      "only the second line (risk management) and the third line (audit) may read the rule and config "
                      "change records")  # fmt: skip


def can_read(who: Actor) -> bool:
    """:func:`require_reader` as a question (whether a page links the change records)."""
    return who.line in READERS


def _require_second_line(who: Actor, what_ja: str, what_en: str) -> None:
    if who.line == Line.SECOND:
        return
    if who.line in READERS:
        raise Refused(f"第三線（監査部）・ガバナンスは変更記録を閲覧のみで、{what_ja}はできません。{what_ja}は第二線が行います",
                      f"the third line and governance read the change records and {what_en} nothing; the second line does")  # fmt: skip
    raise Refused(f"ルール・設定の変更の{what_ja}は第二線（リスク統括部等）だけが行えます",
                  f"only the second line (risk management) may {what_en} rule and config changes")  # fmt: skip


def require_approver(who: Actor) -> None:
    """Approving is the second line's: the first line is refused, the third line only reads."""
    _require_second_line(who, "承認", "approve")


def require_recorder(who: Actor) -> None:
    """Recording by hand is the second line's, who keep the rule book (an evaluation records too)."""
    _require_second_line(who, "記録", "record")


def _require_other_person(conn: Connection, who: Actor, record: ChangeRecord) -> None:
    """Four eyes: whoever recorded the change cannot approve it, nor can another account of
    theirs. A change recorded by a job or the operator's shell (``job:…``, ``cli:…``) names no
    person of the users master, so any second-line user may approve it."""
    if record.changed_by == who.user_id:
        raise Refused(f"変更{record.id}は{who.user_id}本人が記録したため承認できません（四つの目の原則）",
                      f"change {record.id} was recorded by {who.user_id}, who cannot approve it (four eyes)")  # fmt: skip
    if ":" in record.changed_by:  # a user id never holds a colon (riskmon.review.users.USER_ID)
        return
    try:
        changer = actor(conn, record.changed_by, active_only=False)
    except UnknownUser:
        raise Refused(f"変更を記録した{record.changed_by}が利用者マスタにないため、同一人物でないことを確かめられません",
                      f"{record.changed_by}, who recorded the change, is not in the users master, so four eyes cannot be "
                      "checked") from None  # fmt: skip
    if same_person(who, changer):
        raise Refused(f"{who.user_id}と変更を記録した{record.changed_by}は同一人物のアカウントです。"
                      "別の第二線担当者が承認してください（四つの目の原則）",
                      f"{who.user_id} and {record.changed_by}, who recorded the change, are accounts of one person; another "
                      "second-line user must approve (four eyes)")  # fmt: skip


def approve(conn: Connection, change_id: int, who: Actor, note: str, *, at: datetime | None = None,
            via: dict[str, str] | None = None) -> ChangeRecord:  # fmt: skip
    """Approve one change in the caller's transaction and audit it; :class:`Refused` (nothing
    written — the caller audits the refusal in a transaction of its own) when ``who`` is not a
    second-line user, is the person who recorded it, the note is empty, or it is approved already."""
    require_approver(who)
    words = (note or "").strip()
    if not words:
        raise Refused("承認の説明（--note）が必要です（何を確かめたか）", "an approval needs a note (--note): what was checked")
    record = get_change(conn, change_id, lock=True)
    if record is None:
        raise Refused(f"変更記録{change_id}はありません", f"change record {change_id} does not exist")
    if record.approved_by is not None:
        raise Refused(f"変更{change_id}は{record.approved_by}が承認済みです",
                      f"change {change_id} is already approved by {record.approved_by}")  # fmt: skip
    _require_other_person(conn, who, record)
    when = at or datetime.now().astimezone()
    t = table_of(ChangeRow)
    conn.execute(update(t).where(t.c.id == change_id).values(approved_by=who.user_id, approved_at=when, note=words[:_LONGEST_NOTE]))
    audit.append(conn, who.user_id, "change_approved", f"change:{change_id}",
                 {"kind": record.kind, "key": record.key, "change": record.change, "note": words[:_LONGEST_NOTE], **(via or {})},
                 when)  # fmt: skip
    return ChangeRecord(**{**record.as_dict(), "approved_by": who.user_id, "approved_at": when, "note": words[:_LONGEST_NOTE]})


def refused(conn: Connection, user_id: str, action: str, subject: str, reason: str, at: datetime,
            via: dict[str, str] | None = None) -> None:  # fmt: skip
    """The audit entry of a refused look or approval (the third line reads attempts too)."""
    audit.append(conn, user_id, f"refused:{action}", subject, {"reason": reason, **(via or {})}, at)


# -- reading ---------------------------------------------------------------------------------------


def get_change(conn: Connection, change_id: int, *, lock: bool = False) -> ChangeRecord | None:
    t = table_of(ChangeRow)
    query = select(t).where(t.c.id == change_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return _record(row) if row is not None else None


def list_changes(conn: Connection, start: datetime | None = None, end: datetime | None = None, *, only_unapproved: bool = False,
                 kind: str | None = None) -> list[ChangeRecord]:  # fmt: skip
    """Change records recorded at or after ``start`` and before ``end`` (either open), oldest first."""
    for bound in (start, end):
        if bound is not None and bound.tzinfo is None:
            raise ValueError("change records are selected by timezone-aware times")
    t = table_of(ChangeRow)
    query = select(t).order_by(t.c.id)
    if start is not None:
        query = query.where(t.c.changed_at >= start)
    if end is not None:
        query = query.where(t.c.changed_at < end)
    if only_unapproved:
        query = query.where(t.c.approved_by.is_(None))
    if kind is not None:
        query = query.where(t.c.kind == kind)
    return [_record(r) for r in conn.execute(query).mappings()]


def changes_between(conn: Connection, start: datetime, end: datetime) -> list[ChangeRecord]:
    """Every change recorded from ``start`` (inclusive) to ``end`` (exclusive), oldest first —
    what the third line's report shows."""
    return list_changes(conn, start, end)


def unapproved(conn: Connection) -> list[ChangeRecord]:
    """The changes nobody has approved yet, oldest first."""
    return list_changes(conn, only_unapproved=True)
