"""The bodies the API answers with, as OpenAPI states them (schemathesis checks each answer).

Rows the library already shapes (a flag of the list, an event, a reject) pass through as objects
whose fields are the library's: the models name what a client may rely on, and allow the rest.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class RejectOut(BaseModel):
    """One rejected record: ``file:line: field: reason`` in the caller's language, and the reasons in both."""

    source: str
    line: int
    kind: str
    record_type: str | None
    event_id: str | None
    text: str
    reasons: list[dict[str, str]]


class IngestOut(BaseModel):
    run_id: int
    status: str
    totals: dict[str, int]
    by_type: dict[str, dict[str, int]]
    rejects: list[RejectOut]


class RunOut(BaseModel):
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    sources: list[str]
    accepted: int
    duplicates: int
    conflicts: int
    rejected: int
    error: str | None
    uploaded_by: str | None = None  # who sent it from the 取込 page or the API (None: the operator's riskmon ingest)


class RunList(BaseModel):
    items: list[RunOut]
    total: int


class RejectRow(Open):
    id: int
    ingest_run_id: int
    source_path: str
    line_no: int
    kind: str
    reasons: list[dict[str, str]]


class RejectList(BaseModel):
    items: list[RejectRow]
    total: int
    page: int


class EventOut(Open):
    event_id: str
    type: str
    unit_id: str
    fields: dict[str, Any]


class FlagRow(Open):
    id: int
    rule_id: str
    severity: str
    owner_unit: str
    review_status: str


class FlagList(BaseModel):
    items: list[FlagRow]
    total: int
    page: int
    pages: int


class CaseEventOut(Open):
    action: str
    at: datetime


class FlagOut(BaseModel):
    flag: FlagRow
    history: list[CaseEventOut]
    allowed_actions: list[str]
    proposal_id: str | None  # the pending closure's id, which ``confirm`` and ``exec_approve`` name


class ActionIn(BaseModel):
    """What an action takes (each action reads the fields it needs, as the CLI's options)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=4000)
    resolution: str = Field("", max_length=32)
    until: date | None = None
    duplicate_of: int | None = Field(None, ge=1, le=2**31 - 1)
    proposal: str = Field("", max_length=64)
    assignee: str = Field("", max_length=64)


class ActionOut(BaseModel):
    flag_id: int
    status: str
    message: str


class ReportOut(BaseModel):
    id: int
    kind: str
    period_from: date
    period_to: date
    as_of: datetime
    files: list[str]


class ReportList(BaseModel):
    items: list[ReportOut]


#: a committee pack covers a quarter, a half or a fiscal year of the agency's data
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first: date = Field(ge=EARLIEST, le=LATEST)
    last: date = Field(ge=EARLIEST, le=LATEST)
    lang: Literal["ja", "en"] = "ja"


class GenerateOut(BaseModel):
    files: list[str]
    version: int
    unchanged: bool
    pdf_problem: str
