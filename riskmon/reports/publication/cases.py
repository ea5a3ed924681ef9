"""Which cases a publication covers: those whose customer response and detailed report were both
completed in its period, with their 公表判断.

The 機構 publishes a case once it is settled, not when it is found: the month's publication lists the
事務処理誤り等 (事件・事故 included, S1:2642-2647) whose お客様対応 *and* 詳細報告 were completed in that
month, so a case found in March and settled in May is May's. A case is "completed in the month" when
the later of the two steps falls in it: its customer response done in April and its report in May
makes it May's, never April's and May's.

The event contract has no step named 詳細報告: the detailed report is the case's cause and its
再発防止策, so it is complete when ``prevention_set`` is recorded (that step follows
``cause_analyzed``; riskmon.events.enums.ErrorStep). Each step counts from its first recording.

The 公表判断 is the latest ``publication_decided`` step known at the data date (a decision can be
revised); none yet means the case is undecided, which the draft shows apart and never publishes.

Everything is read through the as-of layer (riskmon.store.asof): steps after the data date, and
events ingested after the report's recorded high-water mark, do not exist for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.events.enums import ErrorStep, PublicationDecision
from riskmon.store.asof import AsOf
from riskmon.store.tables import ErrorReportRow, ErrorUpdateRow, Unit, table_of

#: the step that completes the お客様対応
CUSTOMER_RESPONSE = ErrorStep.CUSTOMER_RESPONSE_DONE
#: the step that completes the 詳細報告 (cause and prevention measures; see the module docstring)
DETAILED_REPORT = ErrorStep.PREVENTION_SET


@dataclass(frozen=True)
class Case:
    """One case as the publication needs it; dates are local (the calendar's zone)."""

    case_id: str
    report_kind: str
    category: str
    occurred: date | None
    discovered: date
    unit_id: str
    office_ja: str
    office_en: str
    summary: str
    customers: int
    amount: int | None
    impact: str | None  # 事象 (riskmon.events.enums.ImpactKind); None on a report that predates it
    scheme: str | None  # 制度 (riskmon.events.enums.Scheme); None likewise
    channel: str
    responded: date
    reported: date
    closed: bool
    decision: str | None
    reason: str | None
    personal_info: bool = False
    cause: str | None = None  # 発生原因: the latest cause category recorded (riskmon.events.enums.CauseCategory)
    prevention: str | None = None  # 再発防止策: the note of the latest prevention_set step

    @property
    def ready(self) -> date:
        """The day both the customer response and the detailed report were complete."""
        return max(self.responded, self.reported)

    @property
    def published(self) -> bool:
        return self.decision == PublicationDecision.PUBLISH

    @property
    def withheld(self) -> bool:
        return self.decision == PublicationDecision.WITHHOLD

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in out.items()}


def completed_between(engine: Engine, first: date, last: date, as_of: AsOf | datetime, cal: BusinessCalendar) -> list[Case]:
    """The cases whose customer response and detailed report were both complete by ``last`` and
    the later of them on or after ``first``, ordered by discovery (then case id): the publication's
    番号 order."""
    window = AsOf.of(as_of)
    lo, hi = cal.at(first, datetime.min.time()), cal.end_of_day(last)
    er, up, u = table_of(ErrorReportRow), table_of(ErrorUpdateRow), table_of(Unit)
    responded = func.min(up.c.at).filter(up.c.step == CUSTOMER_RESPONSE.value)
    reported = func.min(up.c.at).filter(up.c.step == DETAILED_REPORT.value)
    closed = func.min(up.c.at).filter(up.c.step == ErrorStep.CLOSED.value)
    steps = (
        select(up.c.case_id, responded.label("responded"), reported.label("reported"), closed.label("closed"))
        .where(window.events_clause(up, up.c.at), up.c.step.in_([CUSTOMER_RESPONSE.value, DETAILED_REPORT.value, ErrorStep.CLOSED.value]))
        .group_by(up.c.case_id)
        .having(and_(responded <= hi, reported <= hi, or_(responded >= lo, reported >= lo)))
        .subquery()
    )
    q = (
        select(er, u.c.name_ja, u.c.name_en, steps.c.responded, steps.c.reported, steps.c.closed)
        .select_from(er.join(steps, steps.c.case_id == er.c.case_id).outerjoin(u, u.c.unit_id == er.c.unit_id))
        .where(window.events_clause(er, er.c.discovered_at))
    )
    decisions = (
        select(up.c.case_id, up.c.publication_decision, up.c.publication_reason)
        .where(up.c.step == ErrorStep.PUBLICATION_DECIDED.value, window.events_clause(up, up.c.at),
               up.c.case_id.in_(select(steps.c.case_id)))
        .order_by(up.c.at, up.c.event_id)
    )  # fmt: skip
    analysis = (
        select(up.c.case_id, up.c.step, up.c.cause_category, up.c.note)
        .where(up.c.step.in_([ErrorStep.CAUSE_ANALYZED.value, DETAILED_REPORT.value]), window.events_clause(up, up.c.at),
               up.c.case_id.in_(select(steps.c.case_id)))
        .order_by(up.c.at, up.c.event_id)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
        latest = {d.case_id: (d.publication_decision, d.publication_reason) for d in conn.execute(decisions)}
        cause: dict[str, str] = {}
        prevention: dict[str, str] = {}
        for a in conn.execute(analysis):  # in time order: the latest recorded wins
            if a.cause_category:
                cause[a.case_id] = a.cause_category
            if a.step == DETAILED_REPORT.value and a.note:
                prevention[a.case_id] = a.note

    def day(moment: datetime | None) -> date | None:
        return moment.astimezone(cal.tz).date() if moment is not None else None

    out = []
    for r in rows:
        decision, reason = latest.get(r["case_id"], (None, None))
        out.append(Case(
            case_id=r["case_id"], report_kind=r["report_kind"], category=r["category"], occurred=day(r["occurred_at"]),
            discovered=r["discovered_at"].astimezone(cal.tz).date(), unit_id=r["unit_id"], office_ja=r["name_ja"] or r["unit_id"],
            office_en=r["name_en"] or r["name_ja"] or r["unit_id"], summary=r["summary"], customers=r["affected_customers"],
            amount=r["amount_impact_jpy"], impact=r["impact_kind"], scheme=r["scheme"], channel=r["discovery_channel"],
            responded=r["responded"].astimezone(cal.tz).date(), reported=r["reported"].astimezone(cal.tz).date(),
            closed=r["closed"] is not None, decision=decision, reason=reason, personal_info=bool(r["personal_info_involved"]),
            cause=cause.get(r["case_id"]), prevention=prevention.get(r["case_id"]),
        ))  # fmt: skip
    return sorted(out, key=lambda c: (c.discovered, c.case_id))
