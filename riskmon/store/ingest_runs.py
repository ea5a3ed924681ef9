"""Ingest runs, newest first, as the JSON API lists them (through ``rm.uploads``): the one read of
``ingest_runs`` besides the pipeline's own bookkeeping (the CLI prints one run's summary as it ends)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from riskmon.store.tables import IngestRun, table_of

COLUMNS = ("id", "started_at", "finished_at", "status", "sources", "accepted", "duplicates", "conflicts", "rejected", "error",
           "uploaded_by")


def runs(engine: Engine, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    t = table_of(IngestRun)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        rows = conn.execute(select(*(t.c[c] for c in COLUMNS)).order_by(t.c.id.desc()).limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows], total


def run(engine: Engine, run_id: int) -> dict[str, Any] | None:
    t = table_of(IngestRun)
    with engine.connect() as conn:
        row = conn.execute(select(*(t.c[c] for c in COLUMNS)).where(t.c.id == run_id)).mappings().first()
        return dict(row) if row is not None else None
