"""The ingest pipeline: files → records → validated events → stored batches.

Pure orchestration around three replaceable steps (readers, validation, writer). Progress is
reported through a small protocol so the CLI can draw a bar while tests stay silent.

Bad input never stops good input, at any level: a bad record is quarantined (prepare); a file
that cannot be read, or not to its end, is one file-level reject and the other files still load
(riskmon.ingest.files, readers); a users file is skipped with a note; and a record the database
refuses although it passed validation is found by splitting its batch until it stands alone, then
quarantined with the database's words while the rest of the batch is committed.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from sqlalchemy import exc as sa_exc

from riskmon import audit
from riskmon.events.reasons import Reason
from riskmon.ingest import parallel
from riskmon.ingest.files import InputFile, cannot_open, plan
from riskmon.ingest.prepare import Preparer
from riskmon.ingest.readers import SourceFile
from riskmon.ingest.units_loader import load_units
from riskmon.ingest.upload import Upload, units_file
from riskmon.ingest.xlsx import open_input
from riskmon.store.batch import PreparedBatch, Rejection, file_rejection
from riskmon.store.consistency import holds_ingest_lock
from riskmon.store.tables import IngestRun, Unit, table_of
from riskmon.store.writer import BatchOutcome, BatchWriter, register_source

#: How many rejections an ingest keeps in memory for its report (all are stored in the database).
REPORT_REJECTIONS = 200


class Progress(Protocol):
    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, position: int) -> None: ...
    def end_file(self) -> None: ...


class _NoProgress:
    def start_file(self, path: Path, size: int) -> None:
        pass

    def advance(self, position: int) -> None:
        pass

    def end_file(self) -> None:
        pass


@dataclass
class IngestReport:
    run_id: int
    status: str = "running"
    accepted: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    skipped: list[tuple[str, Reason]] = field(default_factory=list)  # recognised, not events (users)
    encodings: dict[str, str] = field(default_factory=dict)  # file → what it was read as (riskmon.ingest.encodings)

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values()) + sum(self.conflicts.values())

    def as_dict(self) -> dict[str, Any]:
        types = sorted(set(self.accepted) | set(self.duplicates) | set(self.conflicts) | set(self.rejected))
        return {
            "run_id": self.run_id,
            "status": self.status,
            "files": self.files,
            "by_type": {
                t: {
                    "accepted": self.accepted[t],
                    "duplicates": self.duplicates[t],
                    "conflicts": self.conflicts[t],
                    "rejected": self.rejected[t],
                }
                for t in types
            },
            "totals": {
                "accepted": sum(self.accepted.values()),
                "duplicates": sum(self.duplicates.values()),
                "conflicts": sum(self.conflicts.values()),
                "rejected": sum(self.rejected.values()),
            },
            "skipped": [{"source": source, "reason": reason.as_dict()} for source, reason in self.skipped],
            "encodings": self.encodings,
        }

    def _count(self, rejections: Iterable[Rejection]) -> None:
        for r in rejections:
            target = self.conflicts if r.kind == "conflict" else self.rejected
            target[r.record_type or "?"] += 1
            if len(self.rejections) < REPORT_REJECTIONS:
                self.rejections.append(r)


@dataclass(frozen=True, slots=True)
class _Run:
    """What every file of one ingest run is read and written with."""

    engine: Engine
    writer: BatchWriter
    report: IngestReport
    tz: ZoneInfo
    batch_size: int
    workers: int
    progress: Progress
    upload: Upload | None = None  # started from the web (riskmon.ingest.upload)


@contextmanager
def _bulk_gc() -> Iterator[None]:
    """Collect garbage less often while millions of short-lived records stream through.

    Records are freed by reference counting as each batch is written; the cyclic collector only
    re-scans them, which cost a fifth of ingest time at a million events. Objects alive before the
    ingest are frozen out of its scans, and the usual thresholds come back afterwards.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@holds_ingest_lock  # an evaluation never reads a run half-loaded (riskmon.store.consistency)
def ingest(
    engine: Engine,
    paths: list[Path],
    *,
    tz: ZoneInfo,
    batch_size: int = 5000,
    workers: int | None = None,
    progress: Progress | None = None,
    upload: Upload | None = None,
) -> IngestReport:
    """Ingest files and folders. Interrupted runs raise after recording what was committed.

    ``workers``: processes that validate large JSONL files while this one writes (None: one per
    usable CPU; 1: validate here). The result is the same either way (riskmon.ingest.parallel).
    ``upload``: the files a person sent from the web, staged once the run has its number (``paths``
    is then ignored), read with that person's restrictions (riskmon.ingest.upload).
    """
    progress = progress or _NoProgress()
    files = plan(paths) if upload is None else []
    with engine.begin() as conn:
        names = list(dict.fromkeys(str(f.path) for f in files))  # a workbook is one input per sheet
        run = IngestRun(started_at=datetime.now(UTC), sources=names, uploaded_by=upload.by if upload else None)
        run_id = conn.execute(
            table_of(IngestRun).insert().values(**run.model_dump(exclude={"id"})).returning(table_of(IngestRun).c.id)
        ).scalar_one()
    if upload is not None:
        files = _staged(engine, run_id, upload)
        names = list(dict.fromkeys(str(f.path) for f in files))
    report = IngestReport(run_id=run_id, files=names)
    writer = BatchWriter(engine.dialect.name, tz, run_id)
    this = _Run(engine, writer, report, tz, batch_size, parallel.usable_cpus() if workers is None else workers, progress, upload)
    try:
        with _bulk_gc():
            for item in files:
                _ingest_file(this, item)
        report.status = "completed"
    except KeyboardInterrupt:
        report.status = "interrupted"
        raise
    except Exception as exc:
        report.status = "failed"
        _finish(engine, report, error=repr(exc))
        raise
    finally:
        if report.status != "failed":
            _finish(engine, report)
    return report


def _staged(engine: Engine, run_id: int, upload: Upload) -> list[InputFile]:
    """An upload's files, written under the run's number, recorded as its sources."""
    try:
        files = plan(upload.stage(run_id))
    except BaseException as exc:  # the disk refused them: the run is over before it read anything
        _finish(engine, IngestReport(run_id=run_id, status="failed"), error=repr(exc))
        raise
    table = table_of(IngestRun)
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == run_id).values(sources=list(dict.fromkeys(str(f.path) for f in files))))
    return files


def _finish(engine: Engine, report: IngestReport, error: str | None = None) -> None:
    table = table_of(IngestRun)
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == report.run_id)
            .values(
                finished_at=datetime.now(UTC),
                status=report.status,
                error=error,
                accepted=sum(report.accepted.values()),
                duplicates=sum(report.duplicates.values()),
                conflicts=sum(report.conflicts.values()),
                rejected=sum(report.rejected.values()),
            )
        )
        audit.append(conn, "riskmon", "ingest_run", f"ingest:{report.run_id}",
                     {**report.as_dict(), "error": error})  # fmt: skip


def _ingest_file(run: _Run, item: InputFile) -> None:
    """One file, whatever it turns out to be; only the database failing stops the run."""
    name = os.path.abspath(item.path)
    if item.role == "users":
        assert item.reason is not None
        run.report.skipped.append((name, item.reason))
        with run.engine.begin() as conn:  # its rejects from when it was read as events were bogus
            run.writer.resolve_file(conn, name, every_kind=True)
        return
    if item.role == "unreadable" or (item.role == "units" and run.upload is not None):
        _reject_file(run, file_rejection(name, item.reason or units_file()))
        return
    try:
        source = open_input(item)  # a JSONL or CSV file, or a workbook's sheet
    except OSError as error:
        _reject_file(run, file_rejection(name, cannot_open(error)))
        return
    run.progress.start_file(item.path, source.size)
    if item.role == "units":
        _ingest_units(run, source)
    else:
        _ingest_events(run, source)
    run.progress.end_file()
    run.report.encodings[source.source] = source.encoding
    if source.failure is not None:
        _reject_file(run, file_rejection(source.source, source.failure))
    else:
        with run.engine.begin() as conn:
            run.writer.resolve_file(conn, source.source)


def _reject_file(run: _Run, rejection: Rejection) -> None:
    with run.engine.begin() as conn:
        run.writer.write(conn, PreparedBatch(rejection.source, rejections=[rejection]))
    run.report._count([rejection])


def _ingest_units(run: _Run, source: SourceFile) -> None:
    with run.engine.begin() as conn:
        stored, unchanged, rejections = load_units(conn, source)
        run.writer.write(conn, PreparedBatch(source.source, rejections=rejections))
    run.report.accepted["unit"] += stored
    run.report.duplicates["unit"] += unchanged
    run.report._count(rejections)


def _ingest_events(run: _Run, source: SourceFile) -> None:
    with run.engine.begin() as conn:
        known_units = frozenset(conn.execute(select(table_of(Unit).c.unit_id)).scalars())
        source_id = register_source(conn, source.source)
    preparer = Preparer(run.engine.dialect.name, run.tz, known_units, run.upload.units if run.upload else None)
    refusals = _refusals(run.engine)
    for batch in parallel.batches(source, preparer, run.batch_size, run.workers):
        for outcome in _write(run.engine, run.writer, batch, source_id, refusals):
            # counted only after the commit: what is reported as accepted is durable
            run.report.accepted.update(outcome.accepted)
            run.report.duplicates.update(outcome.duplicates)
            run.report._count(outcome.rejections)
        run.progress.advance(source.position)


def _refusals(engine: Engine) -> tuple[type[BaseException], ...]:
    """What a database (or its driver) raises for a value it will not store: data and integrity
    errors, and the driver's own conversion errors. Not operational errors — a lost connection or
    a busy database is no record's fault and must stop the run, not quarantine every record."""
    dbapi = engine.dialect.dbapi
    driver = tuple(getattr(dbapi, name) for name in ("DataError", "IntegrityError") if hasattr(dbapi, name))
    return (sa_exc.DataError, sa_exc.IntegrityError, OverflowError, ValueError, *driver)


def _write(
    engine: Engine, writer: BatchWriter, batch: PreparedBatch, source_id: int, refusals: tuple[type[BaseException], ...]
) -> list[BatchOutcome]:
    """Write ``batch`` in one transaction; if the database refuses it, halve it until the refused
    record stands alone, quarantine that record and commit the others (about log2(batch) extra
    transactions per refused record, none when nothing is refused)."""
    try:
        with engine.begin() as conn:
            return [writer.write(conn, batch, source_id)]
    except refusals as error:
        if not batch.lines:
            raise  # only rejections in it: the quarantine itself failed, which no split can fix
        if len(batch.lines) > 1:
            first, second = batch.split()
            return _write(engine, writer, first, source_id, refusals) + _write(engine, writer, second, source_id, refusals)
        with engine.begin() as conn:
            return [writer.write(conn, batch.refused(_refused(error)), source_id)]


def _refused(error: BaseException) -> Reason:
    words = str(getattr(error, "orig", None) or error).strip().splitlines()
    said = (words[0] if words else error.__class__.__name__)[:300]
    return Reason(
        "",
        "db_refused",
        f"データベースが保存を拒否しました（{said}）。ほかのレコードは取り込みました",
        f"the database refused to store it ({said}); the other records went in",
    )
