"""The field types and the base every event shares: what a value must be to be stored by SQLite
and PostgreSQL alike (riskmon.events.models explains the contract), in one place for the
original families (riskmon.events.models) and the feeds (riskmon.events.feeds).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, ValidationInfo
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from riskmon.business_calendar import TOKYO

__all__ = ["MAX_INT", "MAX_YEAR", "MIN_YEAR", "Count", "Day", "EventBase", "Id", "LocalDatetime", "Name", "Text", "Title",
           "field_error", "no_nul", "record", "year_error"]  # fmt: skip


def field_error(field: str, ja: str, en: str) -> PydanticCustomError:
    """A cross-field check's failure, pinned to the field a person should correct."""
    return PydanticCustomError("inconsistent", "{en}", {"field": field, "ja": ja, "en": en})


#: The years a date or date-time may lie in (docs/events.md): wide enough for any real record,
#: narrow enough that every value converts to UTC and sorts the same on both databases.
MIN_YEAR, MAX_YEAR = 1900, 2200
#: The largest whole number both databases store (a signed 64-bit ``BIGINT``).
MAX_INT = 2**63 - 1


def year_error(value: date) -> PydanticCustomError:
    return PydanticCustomError(
        "year_range", "year must be between {min} and {max}", {"min": MIN_YEAR, "max": MAX_YEAR, "value": value.isoformat()}
    )


def _localize(value: datetime, info: ValidationInfo) -> datetime:
    # The year check lives here because this validator runs for every date-time anyway.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise year_error(value)
    # Aware values are kept as sent: they denote the same instant in any zone, compare equal to
    # their converted form, and converting every one costs more than the rest of validation.
    if value.tzinfo is not None:
        return value
    tz: ZoneInfo = (info.context or {}).get("tz", TOKYO)
    return value.replace(tzinfo=tz)


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "must not contain the NUL character")
    return value


#: A datetime that is always timezone-aware, in the configured zone.
LocalDatetime = Annotated[datetime, AfterValidator(_localize)]
#: A date in the years MIN_YEAR..MAX_YEAR (checked in pydantic-core, no Python call).
Day = Annotated[date, Field(ge=date(MIN_YEAR, 1, 1), le=date(MAX_YEAR, 12, 31))]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), AfterValidator(no_nul)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(no_nul)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]

#: Text for columns of 200 / 400 characters (PostgreSQL enforces the length, SQLite would not).
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(no_nul)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=400), AfterValidator(no_nul)]


_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)
#: frozen, slotted, keyword-only dataclasses validated by pydantic
record = dataclass(config=_CONFIG, frozen=True, slots=True, kw_only=True)


#: 資格取得届 / 被扶養者異動届 × 電子申請 / 電子媒体 / 紙媒体: the daily report's processing fields
#: are ``<form>_<medium>_processed`` and ``<form>_<medium>_days`` (S2:223-227)


@record
class EventBase:
    event_id: Id
    unit_id: Id
