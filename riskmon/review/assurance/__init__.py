"""The 監査部's audit of the second line (``riskmon report assurance``): the data of
「第二線のリスク管理体制の整備・運用状況に関する監査資料」 (S4:41: the third line audits the
effectiveness of the second line's risk-management set-up and its operation).

Each part is one module of this package: how cases were handled (:mod:`.measures`, in business
days), the stratified audit sample (:mod:`.sample`), the coverage of the seeds' requirements by the
rules (:mod:`.coverage`), the risk acceptances and their end dates (:mod:`.acceptances`), the
committee cadence (:mod:`.cadence`), data completeness (:mod:`.completeness`), the reconciliation
of error reports with the 公表判断 (:mod:`.publication`), the follow-up of audit findings
(:mod:`.findings`), and the rule and config changes with their approvers (:func:`_changes_section`).
riskmon.reports.assurance writes the document from this data.

Everything is as of a moment (``as_of``, default now) through the as-of layer (riskmon.store.asof):
flags raised by then, case events up to then, each case's state then replayed from its history,
events known by then — so a report for a past moment does not move with later actions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import CLOSED_STATES, ReviewStatus
from riskmon.review.assurance.acceptances import acceptances
from riskmon.review.assurance.cadence import cadence
from riskmon.review.assurance.completeness import DEFAULT_EXPECTED, daily_reports, rejects
from riskmon.review.assurance.coverage import RuleLike, coverage
from riskmon.review.assurance.findings import findings
from riskmon.review.assurance.measures import handling
from riskmon.review.assurance.publication import publication
from riskmon.review.assurance.sample import stratified_sample
from riskmon.review.changes import ChangeRecord, changes_between
from riskmon.store.asof import AsOf, case_state_at
from riskmon.store.tables import CaseEvent, Flag, Unit, User, table_of

#: the rule whose ``expect_from`` says which units owe a daily report
DAILY_REPORT_RULE = "R13"


@dataclass
class Assurance:
    period: tuple[date, date]
    data: dict[str, Any]


class ChangeLike(Protocol):
    """A rule or config change as riskmon.review.changes records it (``ChangeRecord``); read-only,
    typed loosely so the record's own field types fit."""

    @property
    def id(self) -> object: ...
    @property
    def kind(self) -> object: ...
    @property
    def key(self) -> object: ...
    @property
    def before(self) -> object: ...
    @property
    def after(self) -> object: ...
    @property
    def diff(self) -> object: ...
    @property
    def changed_by(self) -> object: ...
    @property
    def changed_at(self) -> object: ...
    @property
    def approved_by(self) -> object: ...
    @property
    def approved_at(self) -> object: ...
    @property
    def note(self) -> object: ...


def assurance(engine: Engine, first: date, last: date, cal: BusinessCalendar, rules: Sequence[RuleLike | str], *,
              sample_size: int = 10, seed: int = 1, closing_business_days: int = 5,
              as_of: datetime | None = None) -> Assurance:  # fmt: skip
    """The report's data for ``first``..``last`` as of ``as_of``. ``rules``: the rule book (a bare
    id stands for a rule whose sources are unknown)."""
    f, e, u, un = table_of(Flag), table_of(CaseEvent), table_of(User), table_of(Unit)
    window = AsOf(as_of or datetime.now(UTC))
    today = window.at.astimezone(cal.tz).date()
    book = [r for r in rules if not isinstance(r, str)]
    rule_ids = [r if isinstance(r, str) else r.id for r in rules]
    with engine.connect() as conn:
        flags = [dict(r) for r in conn.execute(select(f).where(window.flags_clause(f))).mappings()]
        events = [dict(r) for r in conn.execute(select(e).where(window.case_events_clause(e)).order_by(e.c.id)).mappings()]
        states = case_state_at(conn, [x["id"] for x in flags], window.at)
        lines = {r.user_id: r.line for r in conn.execute(select(u.c.user_id, un.c.line).join(un, un.c.unit_id == u.c.unit_id))}
        until = {x["id"]: x["accepted_until"] for x in flags}
        for x in flags:  # the case as it stood at the moment, not as it stands today
            st = states.get(x["id"])
            x["review_status"] = st.status if st else ReviewStatus.OPEN
            x["closed_at"], x["closed_by"] = (st.closed_at, st.closed_by) if st else (None, [])
            x["resolution"], x["resolution_note"] = (st.resolution, st.note) if st else (None, None)
        in_period = [x for x in flags if first <= x["first_seen"].astimezone(cal.tz).date() <= last]
        parts = {
            "cadence": cadence(conn, first, last, window, cal.tz),
            "daily_reports": daily_reports(conn, first, last, window, cal, _expected_units(book)),
            "rejects": rejects(conn, window),
            "publication": publication(conn, first, last, window, cal),
            "findings": findings(conn, first, last, window, flags),
        }
        changes = _changes_known(conn, first, last, window, cal)
    ids = {x["id"] for x in in_period}
    by_flag: dict[int, list[dict[str, Any]]] = {}
    for ev in events:
        if ev["flag_id"] in ids:
            by_flag.setdefault(ev["flag_id"], []).append(ev)
    closed = [x for x in in_period if x["review_status"] in CLOSED_STATES]
    fired = Counter(x["rule_id"] for x in in_period)
    data = {
        "kind": "assurance", "period": {"from": first.isoformat(), "to": last.isoformat()}, "as_of": window.at.isoformat(),
        **handling(in_period, by_flag, lines, rule_ids, cal, closing_business_days),
        "audit_sample": stratified_sample(closed, sample_size, seed),
        "sample_cases": [_case(x, cal) for x in sorted(closed, key=lambda x: x["id"])],
        "coverage": coverage(book, fired),
        "acceptances": acceptances(flags, until, today, cal.tz),
        **parts,
        "changes": _changes_section(changes, cal),
    }  # fmt: skip
    chosen = set(data["audit_sample"]["flag_ids"])
    data["sample_cases"] = [c for c in data["sample_cases"] if c["flag_id"] in chosen]
    return Assurance((first, last), data)


def _case(x: dict[str, Any], cal: BusinessCalendar) -> dict[str, Any]:
    return {"flag_id": x["id"], "rule_id": x["rule_id"], "subject": x["subject"], "severity": x["severity"],
            "resolution": x["resolution"] or "-", "risk_category": x["risk_category"],
            "closed_on": x["closed_at"].astimezone(cal.tz).date().isoformat(), "closed_by": list(x["closed_by"])}  # fmt: skip


def _expected_units(book: Sequence[RuleLike]) -> tuple[str, ...]:
    """The unit types R13 expects a daily report from, as the rule book says (else the usual two)."""
    for r in book:
        expect = getattr(r, "raw", {}).get("expect_from") if r.id == DAILY_REPORT_RULE else None
        if expect:
            return tuple(str(x) for x in expect)
    return DEFAULT_EXPECTED


def _changes_known(conn: Connection, first: date, last: date, window: AsOf, cal: BusinessCalendar) -> list[ChangeRecord]:
    """The rule and config changes recorded in the period as the report's moment knew them: none
    recorded after it, and an approval given after it not yet given — so a report for a past
    moment does not move when someone approves a change today."""
    start = cal.at(first, time.min)
    end = min(cal.at(last + timedelta(days=1), time.min), window.at)
    if end <= start:
        return []
    known = []
    for record in changes_between(conn, start, end):
        if record.approved_at is not None and record.approved_at > window.at:
            record = replace(record, approved_by=None, approved_at=None, note=None)
        known.append(record)
    return known


def _changes_section(records: Sequence[ChangeLike], cal: BusinessCalendar) -> dict[str, Any]:
    """Rule and config changes in the period with who made and who approved each (issue #12:
    「変更は記録し、第三線に示す」). A change nobody approved, or approved by the person who made it,
    is marked: the third line tests exactly those."""
    rows = []
    for c in sorted(records, key=lambda c: (_text(c.changed_at, cal), str(c.id))):
        approver, maker = c.approved_by, c.changed_by
        state = "unapproved" if not approver else "self_approved" if approver == maker else "approved"
        rows.append({"id": str(c.id), "kind": str(c.kind), "key": str(c.key), "diff": _diff(c.diff, c.before, c.after),
                     "changed_by": str(maker or ""), "changed_at": _text(c.changed_at, cal), "approved_by": str(approver or ""),
                     "approved_at": _text(c.approved_at, cal), "note": str(c.note or ""), "state": state})  # fmt: skip
    return {"rows": rows, "total": len(rows), "unapproved": sum(r["state"] == "unapproved" for r in rows),
            "self_approved": sum(r["state"] == "self_approved" for r in rows)}  # fmt: skip


def _text(value: object, cal: BusinessCalendar) -> str:
    """A moment in the calendar's zone to the minute (ISO); anything else as text, None as empty."""
    if isinstance(value, datetime):
        at = value.astimezone(cal.tz) if value.tzinfo else value
        return at.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    return "" if value is None else str(value)


def _diff(diff: object, before: object, after: object) -> str:
    """What changed, in one line: the record's diff, else ``before → after``."""
    if diff:
        return " ".join(str(diff).split())
    return f"{before} → {after}"


def parse_period(text: str) -> tuple[date, date]:
    """``2025-04-01..2026-03-31`` or ``FY2025``."""
    if text.upper().startswith("FY"):
        fy = int(text[2:])
        return date(fy, 4, 1), date(fy + 1, 3, 31)
    a, _, b = text.partition("..")
    return date.fromisoformat(a), date.fromisoformat(b or a)


__all__ = ["Assurance", "ChangeLike", "assurance", "parse_period"]
