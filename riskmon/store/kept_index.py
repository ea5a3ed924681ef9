"""The generated reports kept in the ``reports`` table, one line per folder (the レポート page).

A report's files live in one folder per kind, period, data date and language; a regeneration that
differs is kept as a new version (riskmon.reports.kept) and writes the same folder again. So the
page lists folders, with how many versions the table holds for it — never the ``data`` column,
which holds a whole pack's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from riskmon.store.tables import Report, table_of


@dataclass(frozen=True)
class KeptFolder:
    """The newest kept report of a folder: ``id`` names it in the page's download links."""

    id: int
    kind: str
    period_from: date
    period_to: date
    as_of: datetime
    folder: str
    versions: int  # distinct data hashes kept for the folder


def kept_folders(conn: Connection) -> list[KeptFolder]:
    """Every folder with a kept report, newest period first."""
    r = table_of(Report)
    q = (select(func.max(r.c.id), r.c.kind, r.c.period_from, r.c.period_to, r.c.as_of, r.c.folder, func.count(r.c.data_hash.distinct()))
         .group_by(r.c.kind, r.c.period_from, r.c.period_to, r.c.as_of, r.c.folder)
         .order_by(r.c.period_to.desc(), r.c.period_from.desc(), r.c.kind, r.c.folder))  # fmt: skip
    return [KeptFolder(int(i), k, lo, hi, at, folder, int(n)) for i, k, lo, hi, at, folder, n in conn.execute(q)]


def kept_folder(conn: Connection, report_id: int) -> KeptFolder | None:
    """The folder of one kept report (by any of its versions' ids)."""
    r = table_of(Report)
    row = conn.execute(select(r.c.kind, r.c.period_from, r.c.period_to, r.c.as_of, r.c.folder).where(r.c.id == report_id)).first()
    if row is None:
        return None
    return next((k for k in kept_folders(conn) if k.folder == row.folder and k.kind == row.kind and k.as_of == row.as_of), None)
