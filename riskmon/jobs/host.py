"""What a job needs from the composition root, stated here so the jobs layer sits *below* the app.

A job is a few calls on :class:`riskmon.app.Riskmon` (ingest, evaluate, escalate, the packs). If
this package imported the app, the app could not offer ``rm.jobs`` without a cycle. So the jobs
layer declares the calls it makes as a :class:`JobHost` protocol and the app passes itself in
(dependency inversion): ``Riskmon`` satisfies the protocol, mypy checks that it does wherever
``Jobs(self)`` is built, and the import contract (pyproject ``[tool.importlinter]``) keeps
``riskmon.jobs`` from ever importing ``riskmon.app``. Only what the catalogue and the run
bookkeeping use is listed: a smaller host is easier to keep honest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import Settings
from riskmon.errors import Lang
from riskmon.flags.evaluation import RunResult
from riskmon.ingest.pipeline import IngestReport
from riskmon.reports.committee import Written
from riskmon.review.delivery import Delivery


class EscalationDone(Protocol):
    """What the nightly job reports of an escalate-and-digest pass (``riskmon.app.Escalation``)."""

    @property
    def escalated(self) -> Mapping[int, int]: ...
    @property
    def reopened(self) -> Sequence[int]: ...
    @property
    def digests(self) -> Sequence[Path]: ...
    @property
    def delivery(self) -> Delivery: ...


class ReportsHost(Protocol):
    """The documents a job writes (``riskmon.app.Reports``)."""

    def committee(self, first: date, last: date, *, as_of: datetime | None = None, out: str | Path | None = None,
                  lang: Lang | None = None, refresh: bool = False, made_by: str | None = None) -> Written: ...  # fmt: skip

    def monthly(self, year: int, month: int, *, as_of: datetime | None = None, out: str | Path | None = None,
                made_by: str | None = None) -> list[Path]: ...  # fmt: skip


class JobHost(Protocol):
    """The calls of ``riskmon.app.Riskmon`` that jobs and their run records use."""

    settings: Settings

    @property
    def calendar(self) -> BusinessCalendar: ...
    @property
    def reports(self) -> ReportsHost: ...

    def ready(self) -> Engine: ...
    def now(self) -> datetime: ...
    def path(self, name: str) -> Path: ...
    def ingest(self, paths: Sequence[str | Path]) -> IngestReport: ...
    def evaluate(self, as_of: datetime | None = None, *, changed_by: str = ...) -> RunResult: ...
    def escalate(self, as_of: datetime | None = None) -> EscalationDone: ...
