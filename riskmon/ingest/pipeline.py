"""The ingest pipeline: files → records → validated events → stored batches.

Pure orchestration around three replaceable steps (readers, validation, writer). Progress is
reported through a small protocol so the CLI can draw a bar while tests stay silent.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update

from riskmon import audit
from riskmon.ingest import parallel
from riskmon.ingest.prepare import Preparer
from riskmon.ingest.readers import UNITS_STEM, SourceFile, expand, stem_of
from riskmon.ingest.units_loader import load_units
from riskmon.store.batch import PreparedBatch, Rejection
from riskmon.store.consistency import holds_ingest_lock
from riskmon.store.tables import IngestRun, Unit, table_of
from riskmon.store.writer import BatchWriter, register_source

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
        }

    def _count(self, rejections: Iterable[Rejection]) -> None:
        for r in rejections:
            target = self.conflicts if r.kind == "conflict" else self.rejected
            target[r.record_type or "?"] += 1
            if len(self.rejections) < REPORT_REJECTIONS:
                self.rejections.append(r)


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
) -> IngestReport:
    """Ingest files and folders. Interrupted runs raise after recording what was committed.

    ``workers``: processes that validate large JSONL files while this one writes (None: one per
    usable CPU; 1: validate here). The result is the same either way (riskmon.ingest.parallel).
    """
    progress = progress or _NoProgress()
    files = expand(paths)
    with engine.begin() as conn:
        run = IngestRun(started_at=datetime.now(UTC), sources=[str(f) for f in files])
        run_id = conn.execute(
            table_of(IngestRun).insert().values(**run.model_dump(exclude={"id"})).returning(table_of(IngestRun).c.id)
        ).scalar_one()
    report = IngestReport(run_id=run_id, files=[str(f) for f in files])
    writer = BatchWriter(engine.dialect.name, tz, run_id)
    workers = parallel.usable_cpus() if workers is None else workers
    try:
        with _bulk_gc():
            for path in files:
                source = SourceFile(path)
                progress.start_file(path, source.size)
                if stem_of(path) == UNITS_STEM:
                    _ingest_units(engine, source, writer, report)
                else:
                    _ingest_events(engine, source, writer, report, tz, batch_size, workers, progress)
                progress.end_file()
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


def _ingest_units(engine: Engine, source: SourceFile, writer: BatchWriter, report: IngestReport) -> None:
    with engine.begin() as conn:
        stored, unchanged, rejections = load_units(conn, source)
        writer.write(conn, PreparedBatch(source.source, rejections=rejections))
    report.accepted["unit"] += stored
    report.duplicates["unit"] += unchanged
    report._count(rejections)


def _ingest_events(
    engine: Engine,
    source: SourceFile,
    writer: BatchWriter,
    report: IngestReport,
    tz: ZoneInfo,
    batch_size: int,
    workers: int,
    progress: Progress,
) -> None:
    with engine.begin() as conn:
        known_units = frozenset(conn.execute(select(table_of(Unit).c.unit_id)).scalars())
        source_id = register_source(conn, source.source)
    preparer = Preparer(engine.dialect.name, tz, known_units)
    for batch in parallel.batches(source, preparer, batch_size, workers):
        with engine.begin() as conn:
            outcome = writer.write(conn, batch, source_id)
        # counted only after the commit: what is reported as accepted is durable
        report.accepted.update(outcome.accepted)
        report.duplicates.update(outcome.duplicates)
        report._count(outcome.rejections)
        progress.advance(source.position)
