"""Small helpers for writing event files in tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, func, select

from riskmon.business_calendar import TOKYO
from riskmon.ingest.pipeline import IngestReport, ingest
from riskmon.store.tables import Event, Reject, table_of


def write_jsonl(path: Path, records: Iterable[dict[str, object] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(engine: Engine, *paths: Path, batch_size: int = 5000) -> IngestReport:
    return ingest(engine, list(paths), tz=TOKYO, batch_size=batch_size)


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table_of(model))).scalar_one())


def open_rejects(engine: Engine) -> list[dict[str, object]]:
    t = table_of(Reject)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).where(t.c.resolved_at.is_(None)).order_by(t.c.line_no)).mappings()]


__all__ = ["Event", "count", "open_rejects", "run", "write_jsonl"]
