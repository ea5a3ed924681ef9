"""Typed tables of the feeds the seeds name beyond errors, daily reports and outsourcing (issue #12):
お客様の声, internal-audit findings with their follow-up, 情報セキュリティインシデント, and the
調達企画部 審査 of contractor inspections with the checks around new contractors and officers.

A module of its own so that the original families' schema (:mod:`.tables`) stays one concept; the
tables are re-exported there, where every table is gathered. Columns are the events' fields, as
in :mod:`.tables`: rules query them set-oriented in SQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from riskmon.store.columns import NO_ROWID, count, event_fk, tz


class CustomerVoiceRow(SQLModel, table=True):
    """お客様の声 (S1:2096-2102, S1:2249)."""

    __tablename__ = "customer_voices"
    __table_args__ = (Index("ix_customer_voices_unit_received", "unit_id", "received_at"), NO_ROWID)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    voice_id: str = Field(max_length=128, unique=True)
    received_at: datetime = tz(nullable=False)
    category: str = Field(max_length=32)
    suggests_error: bool
    summary: str = Field(sa_column=Column(Text, nullable=False))
    linked_case_id: str | None = Field(default=None, max_length=128)


class AuditFindingRow(SQLModel, table=True):
    """A 監査部 finding about one audited unit (S1:2375-2381; S2:375)."""

    __tablename__ = "audit_findings"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128, index=True)
    finding_id: str = Field(max_length=128, unique=True)
    auditor_unit_id: str = Field(max_length=128)
    reported_on: date
    level: str = Field(max_length=32)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    audit_id: str | None = Field(default=None, max_length=128)


class AuditFollowUpRow(SQLModel, table=True):
    """One follow-up step of a finding (S3:583-584)."""

    __tablename__ = "audit_followups"
    __table_args__ = (Index("ix_audit_followups_finding_step", "finding_id", "step"), NO_ROWID)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    finding_id: str = Field(max_length=128)
    done_on: date
    step: str = Field(max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text))


class InfosecIncidentRow(SQLModel, table=True):
    """情報セキュリティインシデント (S1:2480-2488; S2:386-388)."""

    __tablename__ = "infosec_incidents"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    incident_id: str = Field(max_length=128, unique=True)
    detected_at: datetime = tz(nullable=False)
    kind: str = Field(max_length=32)
    personal_info_leaked: bool
    summary: str = Field(sa_column=Column(Text, nullable=False))
    my_number_involved: bool
    affected_persons: int | None = count(nullable=True)
    occurred_at: datetime | None = tz(nullable=True)


class InfosecUpdateRow(SQLModel, table=True):
    """One step of an incident (CSIRT response, containment, reports)."""

    __tablename__ = "infosec_updates"
    __table_args__ = (Index("ix_infosec_updates_incident_step", "incident_id", "step"), NO_ROWID)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    incident_id: str = Field(max_length=128)
    at: datetime = tz(nullable=False)
    step: str = Field(max_length=32)
    note: str | None = Field(default=None, sa_column=Column(Text))


class ProcurementReviewRow(SQLModel, table=True):
    """調達企画部's 審査 of an inspection (S1:2326-2330)."""

    __tablename__ = "procurement_reviews"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    review_id: str = Field(max_length=128, unique=True)
    inspection_id: str = Field(max_length=128, index=True)
    reviewed_on: date
    problem_found: bool
    risk_reported_on: date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))


class SecuritySiteCheckRow(SQLModel, table=True):
    """A new contractor's early on-site security check (S2:270)."""

    __tablename__ = "security_site_checks"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    check_id: str = Field(max_length=128, unique=True)
    contract_id: str = Field(max_length=128, index=True)
    checked_on: date
    issues_found: int = count()
    note: str | None = Field(default=None, sa_column=Column(Text))


class ProcurementOfficerRow(SQLModel, table=True):
    """A new 調達担当者 (S2:283)."""

    __tablename__ = "procurement_officers"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    officer_id: str = Field(max_length=128, unique=True)
    assigned_on: date
    name: str | None = Field(default=None, max_length=200)


class SiteVisitRow(SQLModel, table=True):
    """A 調達担当者's 履行場所の実査 (S2:283)."""

    __tablename__ = "site_visits"
    __table_args__ = (NO_ROWID,)
    event_id: str = event_fk()
    unit_id: str = Field(max_length=128)
    visit_id: str = Field(max_length=128, unique=True)
    officer_id: str = Field(max_length=128, index=True)
    contractor_id: str = Field(max_length=128)
    visited_on: date
    contract_id: str | None = Field(default=None, max_length=128)


#: family name → typed table, merged into :data:`riskmon.store.tables.EVENT_TABLES`
FEED_TABLES: dict[str, type[SQLModel]] = {
    "customer_voice": CustomerVoiceRow,
    "audit_finding": AuditFindingRow,
    "audit_followup": AuditFollowUpRow,
    "infosec_incident": InfosecIncidentRow,
    "infosec_update": InfosecUpdateRow,
    "procurement_review": ProcurementReviewRow,
    "security_site_check": SecuritySiteCheckRow,
    "procurement_officer": ProcurementOfficerRow,
    "site_visit": SiteVisitRow,
}
