"""The escalation ladder: who is told about a flag, and when, in business days.

A new flag notifies its owner unit. If the case stays unacknowledged (first step) or unresolved
(later steps) for the configured number of business days since it was first seen, the next
recipient on the rule's escalation path is told: e.g. office → its 地域部 → リスク統括部 → 役員.
Critical flags start at a higher step at once. Each step is recorded on the case, in the audit
log and in the outbox; the flag's ``escalation_level`` and the outbox's uniqueness make a re-run
of the same night escalate nothing twice.

The units a rule names under ``inform`` (R04's joint owner リスク統括部, R33's third line), resolved
when the flag was raised and kept in its evidence, are told of the new flag the same night, once,
headed by the rule's reason (「共同所管」, 「第三線への報告」) and the owner's name: they are told,
they do not own it. Being told is no ladder step: a unit that is also on the escalation path is
told again when the flag climbs to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from riskmon import audit
from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import OPEN_STATES, CaseAction, FlagStatus, ReviewStatus, Severity
from riskmon.errors import ConfigError
from riskmon.flags import repository
from riskmon.flags.repository import FlagFilter, FlagRecord
from riskmon.i18n import phrase
from riskmon.store.queries import unit_names
from riskmon.store.tables import CaseEvent, Flag, Notification, table_of


@dataclass(frozen=True)
class Step:
    after_business_days: int
    until: ReviewStatus  # ACKNOWLEDGED or RESOLVED: the step applies while the case is not yet that


@dataclass(frozen=True)
class Ladder:
    steps: tuple[Step, ...] = (Step(2, ReviewStatus.ACKNOWLEDGED), Step(5, ReviewStatus.RESOLVED), Step(10, ReviewStatus.RESOLVED))
    critical_start: int = 2

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> Ladder:
        if not raw:
            return cls()
        steps = tuple(Step(int(s["after_business_days"]), _until(s.get("until", ReviewStatus.RESOLVED))) for s in raw.get("steps", []))
        return cls(steps or cls().steps, int(raw.get("critical_start", 2)))


def _until(value: object) -> ReviewStatus:
    allowed = (ReviewStatus.ACKNOWLEDGED, ReviewStatus.RESOLVED)
    if value not in allowed:
        raise ConfigError(f"[escalation] steps.until: {value!r}は acknowledged か resolved です",
                          f"[escalation] steps.until: {value!r} must be acknowledged or resolved")  # fmt: skip
    return ReviewStatus(str(value))


@dataclass
class EscalationResult:
    notified: int = 0
    escalated: dict[int, int] = field(default_factory=dict)  # flag id → new level


def due_level(flag: FlagRecord, ladder: Ladder, as_of: datetime, cal: BusinessCalendar) -> int:
    """How far up the ladder this flag should be as of ``as_of``."""
    recipients = len(flag.escalation)
    waited = cal.business_days_between(flag.first_seen.astimezone(cal.tz).date(), as_of.astimezone(cal.tz).date())
    level = 0
    for i, step in enumerate(ladder.steps, 1):
        still = flag.acknowledged_at is None if step.until is ReviewStatus.ACKNOWLEDGED else flag.review_status in OPEN_STATES
        if still and waited >= step.after_business_days:
            level = i
    if flag.severity is Severity.CRITICAL:
        level = max(level, ladder.critical_start)
    return min(level, recipients)


def escalate(engine: Engine, as_of: datetime, cal: BusinessCalendar, ladder: Ladder) -> EscalationResult:
    result = EscalationResult()
    t = table_of(Flag)
    with engine.begin() as conn:
        flags = repository.list_page(conn, FlagFilter(status=FlagStatus.OPEN, review_status=OPEN_STATES), limit=None).items
        for flag in sorted(flags, key=lambda f: f.id):
            if _notify(conn, flag, flag.owner_unit, "new", 0, as_of, cal):
                result.notified += 1
            for unit, reason in informed(flag):
                if _notify(conn, flag, unit, "informed", 0, as_of, cal, reason):
                    result.notified += 1
            target = due_level(flag, ladder, as_of, cal)
            if target <= flag.escalation_level:
                continue
            for level in range(flag.escalation_level + 1, target + 1):
                unit = flag.escalation[level - 1]
                if _notify(conn, flag, unit, "escalated", level, as_of, cal):
                    result.notified += 1
                detail = {"level": level, "to": unit}
                conn.execute(table_of(CaseEvent).insert().values(flag_id=flag.id, at=as_of, actor="riskmon", action=CaseAction.ESCALATED,
                                                                 from_status=flag.review_status, to_status=flag.review_status,
                                                                 detail=detail))  # fmt: skip
                audit.append(conn, "riskmon", CaseAction.ESCALATED, f"flag:{flag.id}", detail, as_of)
            conn.execute(update(t).where(t.c.id == flag.id).values(escalation_level=target))
            result.escalated[flag.id] = target
    return result


def informed(flag: FlagRecord) -> list[tuple[str, dict[str, str]]]:
    """The units the flag's rule said to tell (evidence ``inform``, written by the evaluation), each
    with the reason; none for a flag raised before its rule had ``inform`` or by a rule without it."""
    inform = flag.evidence.get("inform")
    if not isinstance(inform, dict):
        return []
    reason = {str(k): str(v) for k, v in (inform.get("reason") or {}).items()}
    return [(str(u), reason) for u in inform.get("units") or () if u and u != flag.owner_unit]


def _notify(conn: Connection, flag: FlagRecord, unit: str, kind: str, level: int, as_of: datetime, cal: BusinessCalendar,
            reason: dict[str, str] | None = None) -> bool:  # fmt: skip
    """Queue one notification; False if this exact one was queued before (re-runs add nothing).
    A unit told without owning the flag reads why first, and who owns it."""
    t = table_of(Notification)
    head = f"{reason.get('ja', '')}: " if reason else ""
    subject = f"[riskmon {flag.severity.value}] {head}{flag.title_ja} ({flag.subject})"
    body = f"{flag.message_ja}\n\n{flag.message_en}\n\nriskmon flags show {flag.id}"
    if reason:
        names = unit_names(conn, "ja")
        owner = f"{names.get(flag.owner_unit, flag.owner_unit)}（{flag.owner_unit}）"
        body = (f"{reason.get('ja', '')} / {reason.get('en', '')} — 担当 / owner: {owner}"
                f"（担当ではなく、通知のみ / for information: you do not own this flag）\n\n{body}")  # fmt: skip
    row = {"created_at": as_of, "digest_date": as_of.astimezone(cal.tz).date(), "recipient_unit": unit, "flag_id": flag.id,
           "kind": kind, "level": level, "subject": subject, "body": body}  # fmt: skip
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t).values(**row)
    # RETURNING tells reliably whether the row went in (rowcount is -1 on some drivers)
    stmt = ins.on_conflict_do_nothing(index_elements=["flag_id", "recipient_unit", "kind", "level"]).returning(t.c.id)
    return conn.execute(stmt).first() is not None


def write_digests(engine: Engine, day: datetime, folder: Path) -> list[Path]:
    """One Markdown digest per recipient unit for the notifications of ``day``."""
    t = table_of(Notification)
    with engine.connect() as conn:
        names = unit_names(conn, "ja")
        rows = (
            conn.execute(select(t).where(t.c.digest_date == day.date()).order_by(t.c.recipient_unit, t.c.level.desc(), t.c.flag_id))
            .mappings()
            .all()
        )
    by_unit: dict[str, list[Any]] = {}
    for r in rows:
        by_unit.setdefault(r["recipient_unit"], []).append(r)
    target = folder / day.date().isoformat()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for unit, items in sorted(by_unit.items()):
        lines = [f"# {phrase('review', 'n_title')} {day.date().isoformat()} — {names.get(unit, unit)}（{unit}）", ""]
        for r in items:
            label = phrase("review", {"escalated": "n_escalated", "informed": "n_informed"}.get(r["kind"], "n_new"))
            lines += [f"## {label}: {r['subject']}", "", r["body"], ""]
        path = target / f"{unit}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written
