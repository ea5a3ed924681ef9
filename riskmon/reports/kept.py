"""Generated reports kept in ``reports``: what a regeneration must agree with, and its version.

Committee packs and 月次公表 drafts are reproducible the same way (riskmon.reports.committee's
docstring): a report regenerated for the same period and data date reads at the ingest
high-water mark its first generation recorded, and is stored again only when its data differ.
Both kinds go through this one module, so they cannot drift apart.

A report is kept once per data: ``reports`` has a unique index on (kind, period, as_of,
data_hash) (migration 0018), so when two people generate the same pack at the same moment the
second insert is refused and that caller reads the first one's row, as if it had come second.

Who generated a report (``made_by``: a user id, ``cli:<login name>`` or :data:`SCHEDULER`) is
stored with its row. A regeneration identical to a kept report stores nothing, so the maker a
report names is its *first* maker: whoever regenerates it later only confirmed it (the audit log's
``report_generated`` entries, for the web, still name everyone who pressed the button).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from riskmon.store.asof import high_water
from riskmon.store.tables import Report, table_of

#: the maker the scheduler's jobs record (shown as 「自動実行（スケジューラ）」)
SCHEDULER = "scheduler"


def data_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def first_generation(conn: Connection, kind: str, first: date, last: date, as_of: datetime) -> Any:
    """The first report of ``kind`` generated for this period and data date (any language), if
    any: what a regeneration must agree with."""
    r = table_of(Report)
    q = (select(r).where(r.c.kind == kind, r.c.period_from == first, r.c.period_to == last, r.c.as_of == as_of)
         .order_by(r.c.id).limit(1))  # fmt: skip
    return conn.execute(q).mappings().first()


def first_in(conn: Connection, kind: str, first: date, last: date, as_of: datetime, lang: str, *, folder: str) -> Any:
    """The first report of ``kind`` kept for this period and data date in ``lang`` in a folder
    named ``folder``, if any: a document that is read back rather than made again (the 監査
    page's, riskmon.app_reports)."""
    r = table_of(Report)
    q = select(r.c.id, r.c.folder, r.c.data).where(r.c.kind == kind, r.c.period_from == first, r.c.period_to == last, r.c.as_of == as_of)
    rows = conn.execute(q.order_by(r.c.id)).mappings()
    return next((row for row in rows if row["data"].get("lang", "ja") == lang and Path(row["folder"]).name == folder), None)


def known_run(conn: Connection, pinned: Any) -> int:
    """The ingest high-water mark to read at: the one ``pinned`` (a first generation) recorded,
    else today's."""
    recorded = pinned["data"].get("known_run") if pinned is not None else None
    return int(recorded) if recorded is not None else high_water(conn)


def keep(engine: Engine, kind: str, first: date, last: date, as_of: datetime, digest: str, folder: Path,
         content: dict[str, Any], *, made_by: str | None = None) -> tuple[int, bool]:  # fmt: skip
    """Store a generated report unless the identical one (same data hash) is already kept; return
    its version (1 + how many different reports in its language precede it for the period and data
    date) and whether it was already there.

    The read and the insert are one transaction, but two transactions can both read "not there"
    before either inserts; the unique index refuses the second insert, and that caller then finds
    the first one's row and answers "unchanged" with its version."""
    try:
        return _keep_once(engine, kind, first, last, as_of, digest, folder, content, made_by)
    except IntegrityError:  # the same report was stored by someone else between our read and insert
        version, _ = _keep_once(engine, kind, first, last, as_of, digest, folder, content, made_by)
        return version, True


def _keep_once(engine: Engine, kind: str, first: date, last: date, as_of: datetime, digest: str, folder: Path,
               content: dict[str, Any], made_by: str | None) -> tuple[int, bool]:  # fmt: skip
    r = table_of(Report)
    same = (r.c.kind == kind, r.c.period_from == first, r.c.period_to == last, r.c.as_of == as_of)
    lang = content.get("lang", "ja")
    with engine.begin() as conn:
        rows = conn.execute(select(r.c.data_hash, r.c.data).where(*same).order_by(r.c.id)).all()
        hashes = [h for h, data in rows if data.get("lang", "ja") == lang]
        distinct = list(dict.fromkeys(hashes))
        if digest in distinct:
            return distinct.index(digest) + 1, True
        conn.execute(insert(r).values(kind=kind, period_from=first, period_to=last, as_of=as_of, data_hash=digest,
                                      folder=str(folder), data=json.loads(json.dumps(content, default=str)), made_by=made_by))  # fmt: skip
        return len(distinct) + 1, False


def makers(conn: Connection, report_ids: list[int]) -> dict[int, str | None]:
    """Who generated each of these kept reports (None: kept before makers were recorded)."""
    r = table_of(Report)
    return {int(i): m for i, m in conn.execute(select(r.c.id, r.c.made_by).where(r.c.id.in_(report_ids)))} if report_ids else {}
