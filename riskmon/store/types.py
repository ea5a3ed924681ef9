"""Column types that behave the same on SQLite and PostgreSQL.

Instants are stored in UTC: ``timestamptz`` on PostgreSQL, and on SQLite an ISO-8601 text with a
fixed ``+00:00`` offset, so text order is time order and SQLite's date functions still read it.
Values always come back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def to_utc_text(value: datetime) -> str:
    """The SQLite storage form of an aware datetime (used by the bulk writer as well)."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} cannot be stored; attach a zone first")
    return value.astimezone(UTC).isoformat(" ", "microseconds")  # e.g. 2025-04-01 01:00:00.000000+00:00


class TZDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_utc_text(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; attach a zone first")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
