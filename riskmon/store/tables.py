"""The schema: an event registry, one typed table per event family, master data and quarantine.

``events`` holds what every event shares (identity, content hash, provenance) so idempotency and
listing work across families. Each family also gets a typed table whose columns are the fields the
rules query, so set-oriented rule work is plain SQL over typed columns, not JSON extraction.
Flags, cases, users and the audit log follow. The scheduler's tables (:mod:`.tables_jobs`) and the
accounts' (:mod:`.tables_accounts`) live in modules of their own and are re-exported here, so every
table is imported from this one place. Schema changes go through Alembic
(``riskmon/store/migrations``); these modules are the source the migrations are written from.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from riskmon.store.columns import NO_ROWID, count, event_fk, holder, tz

# the scheduler's and the accounts' tables live in their own modules; every table is reached from here
from riskmon.store.tables_accounts import ApiToken as ApiToken
from riskmon.store.tables_accounts import LoginThrottle as LoginThrottle
from riskmon.store.tables_accounts import WebCredential as WebCredential
from riskmon.store.tables_accounts import WebSession as WebSession
from riskmon.store.tables_changes import ChangeRow as ChangeRow
from riskmon.store.tables_jobs import JobClaim as JobClaim
from riskmon.store.tables_jobs import JobLock as JobLock
from riskmon.store.tables_jobs import JobRun as JobRun


class Unit(SQLModel, table=True):
    """Organisation master data: every unit with its line of defence and parent 地域部."""

    __tablename__ = "units"
    unit_id: str = Field(primary_key=True, max_length=128)
    name_ja: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    unit_type: str = Field(max_length=64, index=True)
    line: str = Field(max_length=16, index=True)
    parent_unit_id: str | None = Field(default=None, max_length=128, index=True)
    prefecture: str | None = Field(default=None, max_length=32)
    active: bool = True
    source_path: str | None = Field(default=None, max_length=1024)
    source_line: int | None = None
    updated_at: datetime = tz(nullable=False)


class IngestRun(SQLModel, table=True):
    """One ``riskmon ingest`` invocation: what it read and what became of it."""

    __tablename__ = "ingest_runs"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = tz(nullable=False)
    finished_at: datetime | None = tz(nullable=True)
    status: str = Field(default="running", max_length=16)  # running/completed/interrupted/failed/crashed
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    holder: str | None = holder()
    uploaded_by: str | None = Field(default=None, max_length=64)  # the user of the web's 取込 page; None: riskmon ingest


class Source(SQLModel, table=True):
    """Each input file once, so a million events share one path instead of repeating it."""

    __tablename__ = "sources"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=1024, unique=True)


class Event(SQLModel, table=True):
    """Registry of every accepted event: identity and provenance, whatever its family.

    Kept deliberately narrow (the fields live in the typed tables) because every ingested event
    writes one row here; ``raw_hash`` lets a re-ingest of an unchanged line be recognised without
    re-reading the stored event.
    """

    __tablename__ = "events"
    __table_args__ = (NO_ROWID,)
    event_id: str = Field(primary_key=True, max_length=128)
    type: str = Field(max_length=32)
    raw_hash: str = Field(max_length=32)
    source_id: int
    source_line: int
    ingest_run_id: int


class DailyReportRow(SQLModel, table=True):
    __tablename__ = "daily_reports"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    business_date: date
    forms_received: int = count()
    forms_processed: int = count()
    forms_pending: int = count()
    oldest_pending_days: int = count()
    complaints: int = count()
    suspected_errors: int = count()
    note: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime | None = tz(nullable=True)
    visitors: int | None = count(nullable=True)
    max_wait_minutes: int | None = count(nullable=True)
    # forms processed and their total processing days, by form and medium (S2:223-227, R14)
    acquisition_e_application_processed: int | None = count(nullable=True)
    acquisition_e_application_days: int | None = count(nullable=True)
    acquisition_e_media_processed: int | None = count(nullable=True)
    acquisition_e_media_days: int | None = count(nullable=True)
    acquisition_paper_processed: int | None = count(nullable=True)
    acquisition_paper_days: int | None = count(nullable=True)
    dependent_e_application_processed: int | None = count(nullable=True)
    dependent_e_application_days: int | None = count(nullable=True)
    dependent_e_media_processed: int | None = count(nullable=True)
    dependent_e_media_days: int | None = count(nullable=True)
    dependent_paper_processed: int | None = count(nullable=True)
    dependent_paper_days: int | None = count(nullable=True)


class ErrorReportRow(SQLModel, table=True):
    __tablename__ = "error_reports"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128, index=True)
    case_id: str = Field(max_length=128, unique=True)
    discovered_at: datetime = tz(nullable=False, index=True)
    category: str = Field(max_length=32, index=True)
    is_priority_incident: bool
    affected_customers: int = count()
    personal_info_involved: bool
    summary: str = Field(sa_column=Column(Text, nullable=False))
    report_kind: str = Field(max_length=32)
    occurred_at: datetime | None = tz(nullable=True)
    business_area: str = Field(max_length=32)
    discovery_channel: str = Field(max_length=32)
    discovered_by_unit_id: str | None = Field(default=None, max_length=128)
    my_number_involved: bool
    amount_impact_jpy: int | None = count(nullable=True)
    contractor_id: str | None = Field(default=None, max_length=128)
    contract_id: str | None = Field(default=None, max_length=128)
    # 事象 and 制度 of the 月次公表 (0020_error_impact); NULL on reports written before them
    impact_kind: str | None = Field(default=None, max_length=32)
    scheme: str | None = Field(default=None, max_length=32)


class ErrorUpdateRow(SQLModel, table=True):
    __tablename__ = "error_updates"
    __table_args__ = (Index("ix_error_updates_case_step", "case_id", "step"), NO_ROWID)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    case_id: str = Field(max_length=128)
    at: datetime = tz(nullable=False)
    step: str = Field(max_length=32)
    cause_category: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text))
    # the lifecycle's joint steps, マニュアル改正 requirement and 公表判断 (0015_error_lifecycle)
    joint_unit_id: str | None = Field(default=None, max_length=128)
    manual_revision_required: bool | None = None
    publication_decision: str | None = Field(default=None, max_length=16)
    publication_reason: str | None = Field(default=None, sa_column=Column(Text))


class InspectionRow(SQLModel, table=True):
    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_contract_type", "contract_id", "inspection_type"), NO_ROWID)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    inspection_id: str = Field(max_length=128, unique=True)
    contract_id: str = Field(max_length=128)
    inspection_type: str = Field(max_length=32)
    inspected_on: date = Field(index=True)
    nonconformity_count: int
    note: str | None = Field(default=None, sa_column=Column(Text))


class NonconformityRow(SQLModel, table=True):
    __tablename__ = "nonconformities"
    __table_args__ = (NO_ROWID,)
    nc_id: str = Field(primary_key=True, max_length=128)
    event_id: str = Field(sa_column=Column(String(128), ForeignKey("events.event_id", ondelete="CASCADE"), index=True))
    inspection_id: str = Field(max_length=128, index=True)
    aspect: str = Field(max_length=32)
    description: str = Field(sa_column=Column(Text, nullable=False))
    due_on: date | None = None
    resolved_on: date | None = None


class NonconformityUpdateRow(SQLModel, table=True):
    __tablename__ = "nonconformity_updates"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    nc_id: str = Field(max_length=128, index=True)
    resolved_on: date
    note: str | None = Field(default=None, sa_column=Column(Text))


class ContractRow(SQLModel, table=True):
    __tablename__ = "contracts"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    contract_id: str = Field(max_length=128, unique=True)
    contractor_id: str = Field(max_length=128, index=True)
    handles_personal_info: bool
    start_on: date
    end_on: date
    new_contractor: bool
    contractor_name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=400)


class EventRawText(SQLModel, table=True):
    """A record as written in its file, kept where the reader read cells into another form
    (``１２`` → 12, ``令和8年4月7日`` → 2026-04-07, ``はい`` → true): ``cells`` maps each such field
    to its cell as written, ``raw`` is the record's text. Only those records get a row, so files in
    riskmon's own forms (every JSONL file) cost nothing here; ``riskmon events show`` shows both."""

    __tablename__ = "event_raw_text"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    cells: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raw: str = Field(sa_column=Column(Text, nullable=False))


class Reject(SQLModel, table=True):
    """Quarantine: every record that was not accepted, with where it came from and why."""

    __tablename__ = "rejects"
    __table_args__ = (UniqueConstraint("source_path", "line_no", "raw_hash", name="uq_rejects_source"),)
    id: int | None = Field(default=None, primary_key=True)
    ingest_run_id: int = Field(index=True)
    source_path: str = Field(max_length=1024)
    line_no: int
    raw: str = Field(sa_column=Column(Text, nullable=False))
    raw_hash: str = Field(max_length=32)
    record_type: str | None = Field(default=None, max_length=32)
    event_id: str | None = Field(default=None, max_length=128, index=True)
    kind: str = Field(max_length=16)  # invalid / conflict
    reasons: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_seen_at: datetime = tz(nullable=False)
    last_seen_at: datetime = tz(nullable=False)
    times_seen: int = 1
    resolved_at: datetime | None = tz(nullable=True)
    # a second-line person's "dealt with" (the web's 取込エラー page), audited; a later ingest may still resolve it
    handled_by: str | None = Field(default=None, max_length=64)
    handled_at: datetime | None = tz(nullable=True)
    handled_note: str | None = Field(default=None, sa_column=Column(Text))


EVENT_TABLES: dict[str, type[SQLModel]] = {
    "daily_report": DailyReportRow,
    "error_report": ErrorReportRow,
    "error_update": ErrorUpdateRow,
    "inspection_result": InspectionRow,
    "nonconformity_update": NonconformityUpdateRow,
    "contract": ContractRow,
}

metadata = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core ``Table`` of a table model, typed (SQLModel does not declare ``__table__``)."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


class EvaluationRun(SQLModel, table=True):
    """One ``riskmon evaluate``: when it looked, with which rule versions, and what came of it."""

    __tablename__ = "evaluation_runs"
    id: int | None = Field(default=None, primary_key=True)
    as_of: datetime = tz(nullable=False)
    started_at: datetime = tz(nullable=False)
    finished_at: datetime | None = tz(nullable=True)
    duration_s: float | None = None
    status: str = Field(default="running", max_length=32)  # running / saving / completed / completed_with_errors / crashed
    rule_versions: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    holder: str | None = holder()


class Flag(SQLModel, table=True):
    """A rule's finding about one subject; kept for good, its status follows the condition."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_rule_status", "rule_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True)  # rule id + subject: the same finding keeps one flag
    rule_id: str = Field(max_length=64)
    rule_version: str = Field(max_length=32)
    raised_run_id: int
    last_run_id: int
    subject: str = Field(max_length=300)
    severity: str = Field(max_length=16, index=True)
    risk_category: str = Field(max_length=32)
    owner_line: str = Field(max_length=16, index=True)
    owner_unit: str = Field(max_length=128, index=True)
    escalation: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    title_ja: str = Field(sa_column=Column(Text, nullable=False))
    title_en: str = Field(sa_column=Column(Text, nullable=False))
    message_ja: str = Field(sa_column=Column(Text, nullable=False))
    message_en: str = Field(sa_column=Column(Text, nullable=False))
    due_at: datetime | None = tz(nullable=True)
    first_seen: datetime = tz(nullable=False)
    last_seen: datetime = tz(nullable=False)
    status: str = Field(default="open", max_length=16)  # open | cleared | retired (the engine's view)
    cleared_at: datetime | None = tz(nullable=True)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # the case, as people work it (riskmon/review); the engine's status above is shown beside it
    review_status: str = Field(default="open", max_length=16, index=True)
    assignee: str | None = Field(default=None, max_length=64)
    acknowledged_at: datetime | None = tz(nullable=True)
    proposal: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    resolution: str | None = Field(default=None, max_length=32)
    resolution_note: str | None = Field(default=None, sa_column=Column(Text))
    accepted_until: date | None = None
    duplicate_of: int | None = None
    closed_by: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    closed_at: datetime | None = tz(nullable=True)
    escalation_level: int = 0


class User(SQLModel, table=True):
    """Who may act, from the users file the administrator edits."""

    __tablename__ = "users"
    user_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit_id: str = Field(max_length=128)
    role: str = Field(default="member", max_length=32)
    email: str | None = Field(default=None, max_length=320)
    active: bool = True
    # one person's accounts share it (e.g. a normal and an admin account): they never make two eyes
    person_id: str | None = Field(default=None, max_length=64)


class CaseEvent(SQLModel, table=True):
    """One step in a flag's story as a case: who did what, from which status to which."""

    __tablename__ = "case_events"
    id: int | None = Field(default=None, primary_key=True)
    flag_id: int = Field(index=True)
    at: datetime = tz(nullable=False)
    actor: str = Field(max_length=64)  # a user id, or "riskmon" for the engine's own steps
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuditEntry(SQLModel, table=True):
    """Append-only, hash-chained log: each entry's hash covers its content and the previous hash."""

    __tablename__ = "audit_log"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = tz(nullable=False)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=400)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Notification(SQLModel, table=True):
    """Outbox: what a unit is told about a flag (new, escalated); one row per flag, unit and step."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("flag_id", "recipient_unit", "kind", "level", name="uq_outbox_once"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = tz(nullable=False)
    digest_date: date = Field(index=True)
    recipient_unit: str = Field(max_length=128, index=True)
    flag_id: int
    kind: str = Field(max_length=16)  # new | escalated | informed | reopened
    level: int = 0
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    sent_at: datetime | None = tz(nullable=True)


class Report(SQLModel, table=True):
    """A report as generated: its period, as-of time, data hash and the data itself (to compare
    with the next one and to prove a regenerated file shows the same numbers)."""

    __tablename__ = "reports"
    # one row per report and data (migration 0018): a pack generated twice at once is stored once (reports.kept)
    __table_args__ = (Index("uq_reports_kept", "kind", "period_from", "period_to", "as_of", "data_hash", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)  # committee | monthly
    period_from: date
    period_to: date
    as_of: datetime = tz(nullable=False)
    data_hash: str = Field(max_length=64)
    folder: str = Field(max_length=1024)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # who generated it (migration 0021): a user id, cli:<login>, or "scheduler"; None: before it was recorded.
    # A regeneration identical to a kept report is not stored again, so this is its first maker (reports.kept)
    made_by: str | None = Field(default=None, max_length=128)


# the feeds' typed tables (お客様の声, 監査 findings, 情報セキュリティインシデント, 調達企画部 審査) live
# in their own module; reached from here too
from riskmon.store.tables_feeds import FEED_TABLES  # noqa: E402
from riskmon.store.tables_feeds import AuditFindingRow as AuditFindingRow  # noqa: E402
from riskmon.store.tables_feeds import AuditFollowUpRow as AuditFollowUpRow  # noqa: E402
from riskmon.store.tables_feeds import CustomerVoiceRow as CustomerVoiceRow  # noqa: E402
from riskmon.store.tables_feeds import InfosecIncidentRow as InfosecIncidentRow  # noqa: E402
from riskmon.store.tables_feeds import InfosecUpdateRow as InfosecUpdateRow  # noqa: E402
from riskmon.store.tables_feeds import ProcurementOfficerRow as ProcurementOfficerRow  # noqa: E402
from riskmon.store.tables_feeds import ProcurementReviewRow as ProcurementReviewRow  # noqa: E402
from riskmon.store.tables_feeds import SecuritySiteCheckRow as SecuritySiteCheckRow  # noqa: E402
from riskmon.store.tables_feeds import SiteVisitRow as SiteVisitRow  # noqa: E402

EVENT_TABLES.update(FEED_TABLES)
