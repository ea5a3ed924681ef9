"""Cutting driver-ready rows from validated events.

Separate from the writer because the ingest prepares rows wherever it validates, which for large
files is a worker process (riskmon.ingest.parallel): rows made of plain strings and numbers cross a
process boundary cheaply, the events themselves do not (docs/benchmarks.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Date, Table

from riskmon.events.registry import FAMILIES
from riskmon.store.tables import EVENT_TABLES, NonconformityRow, table_of
from riskmon.store.types import TZDateTime, to_utc_text


def _converter(col_type: Any, dialect: str) -> Callable[[Any], Any] | None:
    """The conversion a column needs before the driver sees it, if any (most need none)."""
    if dialect == "sqlite" and isinstance(col_type, TZDateTime):
        return to_utc_text
    if dialect == "sqlite" and isinstance(col_type, Date):
        return date.isoformat
    return None


class InsertPlan:
    """A prepared ``INSERT`` for one table: column order, converters and the driver SQL."""

    def __init__(self, table: Table, dialect: str, suffix: str = "", *, from_mapping: bool = False) -> None:
        self.table = table.name
        self.columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
        self._get = (itemgetter if from_mapping else attrgetter)(*self.columns)
        self._fix = [(i, conv) for i, name in enumerate(self.columns) if (conv := _converter(table.c[name].type, dialect)) is not None]
        mark = "?" if dialect == "sqlite" else "%s"
        self.sql = f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({', '.join([mark] * len(self.columns))}){suffix}"

    def row(self, values: Any) -> Sequence[Any]:
        """The row for one event (an object, or a mapping with ``from_mapping``)."""
        cut = self._get(values)
        if not self._fix:
            return cut
        out = list(cut)
        for i, conv in self._fix:
            if out[i] is not None:
                out[i] = conv(out[i])
        return out


class RowMaker:
    """Typed-table rows (and child rows) for events of every family, for one SQL dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.typed = {name: InsertPlan(table_of(model), dialect) for name, model in EVENT_TABLES.items()}
        self.children = InsertPlan(table_of(NonconformityRow), dialect, from_mapping=True)

    def typed_row(self, event: Any) -> Sequence[Any]:
        """The event's row in its family's table (model properties included)."""
        return self.typed[event.type].row(event)

    def child_rows(self, event: Any) -> list[Sequence[Any]]:
        """Rows of the event's list field kept in a table of its own (an inspection's 不適事項)."""
        name = FAMILIES[event.type].children
        if not name:
            return []
        link = {"event_id": event.event_id, "inspection_id": event.inspection_id}
        return [self.children.row({**dataclasses.asdict(c), **link}) for c in getattr(event, name)]
