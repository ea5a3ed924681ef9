"""Japanese business days, fiscal periods and time-zone handling.

Deadlines in the seeds are stated in business days (営業日) and fiscal periods (年度, 上期/下期). A
business day is a weekday that is neither a Japanese public holiday (from the maintained
``holidays`` package, which tracks substitute and special holidays) nor a 年末年始 closure day
(12/29–1/3), nor an extra closure day from ``config.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from riskmon.config import Settings

TOKYO = ZoneInfo("Asia/Tokyo")


@lru_cache(maxsize=64)
def _jp_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def jp_holiday_name(d: date) -> str | None:
    """The Japanese public holiday name for ``d`` (``None`` on other days)."""
    return holidays.country_holidays("JP", years=d.year, language="ja").get(d)


@dataclass(frozen=True)
class BusinessCalendar:
    """A calendar of business days; cheap to query, safe to share."""

    year_end_closure: tuple[tuple[int, int], ...] = (
        (12, 29),
        (12, 30),
        (12, 31),
        (1, 1),
        (1, 2),
        (1, 3),
    )
    extra_closures: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = TOKYO
    fiscal_year_start_month: int = 4
    business_hours: tuple[time, time] = (time(8, 30), time(17, 15))

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        closure = tuple((int(m), int(d)) for m, d in (s.split("-") for s in settings.calendar.year_end_closure))
        return cls(
            year_end_closure=closure,
            extra_closures=frozenset(settings.calendar.extra_closures),
            tz=settings.tz,
            fiscal_year_start_month=settings.time.fiscal_year_start_month,
            business_hours=(settings.calendar.business_hours_start, settings.calendar.business_hours_end),
        )

    # -- days ---------------------------------------------------------------------------------
    def is_holiday(self, d: date) -> bool:
        return d in _jp_holidays(d.year)

    def is_business_day(self, d: date) -> bool:
        return (
            d.weekday() < 5
            and d not in _jp_holidays(d.year)
            and (d.month, d.day) not in self.year_end_closure
            and d not in self.extra_closures
        )

    def next_business_day(self, d: date, *, inclusive: bool = False) -> date:
        """The first business day after ``d`` (or ``d`` itself when ``inclusive`` and open)."""
        cur = d if inclusive else d + timedelta(days=1)
        while not self.is_business_day(cur):
            cur += timedelta(days=1)
        return cur

    def previous_business_day(self, d: date, *, inclusive: bool = False) -> date:
        cur = d if inclusive else d - timedelta(days=1)
        while not self.is_business_day(cur):
            cur -= timedelta(days=1)
        return cur

    def add_business_days(self, d: date, n: int) -> date:
        """``d`` moved by ``n`` business days; counting starts from the day after ``d``.

        ``add_business_days(d, 0)`` is ``d`` rolled forward to a business day, so a deadline of
        "the same business day" for an event found on a Saturday is the following Monday.
        """
        if n < 0:
            cur = d
            for _ in range(-n):
                cur = self.previous_business_day(cur)
            return cur
        cur = self.next_business_day(d, inclusive=True)
        for _ in range(n):
            cur = self.next_business_day(cur)
        return cur

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in the half-open interval ``(start, end]`` (negative when end < start).

        Uses per-year tables of running counts (built once per calendar and year), so a span of
        years costs a few look-ups rather than a walk over every day.
        """
        if end < start:
            return -self.business_days_between(end, start)
        if start.year == end.year:
            return self._upto(end) - self._upto(start)
        total = self._year_counts(start.year)[-1] - self._upto(start)
        total += sum(self._year_counts(y)[-1] for y in range(start.year + 1, end.year))
        return total + self._upto(end)

    def _upto(self, d: date) -> int:
        """Business days from 1 January of ``d``'s year up to and including ``d``."""
        return self._year_counts(d.year)[d.timetuple().tm_yday - 1]

    def _year_counts(self, year: int) -> list[int]:
        cache: dict[int, list[int]] = self.__dict__.setdefault("_years", {})  # beside the frozen fields
        if year not in cache:
            running, counts = 0, []
            for d in iter_days(date(year, 1, 1), date(year, 12, 31)):
                running += self.is_business_day(d)
                counts.append(running)
            cache[year] = counts
        return cache[year]

    def business_days(self, start: date, end: date) -> Iterator[date]:
        """Business days in the closed interval ``[start, end]``."""
        return (d for d in iter_days(start, end) if self.is_business_day(d))

    # -- time of day ----------------------------------------------------------------------------
    def localize(self, dt: datetime) -> datetime:
        """Attach the calendar zone to a naive datetime, or convert an aware one to it."""
        return dt.replace(tzinfo=self.tz) if dt.tzinfo is None else dt.astimezone(self.tz)

    def at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def end_of_day(self, d: date) -> datetime:
        """The last instant of ``d`` in the calendar zone (deadlines are inclusive of their day)."""
        return datetime.combine(d, time(23, 59, 59), tzinfo=self.tz)

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus working hours, counting only business hours on business days."""
        open_t, close_t = self.business_hours
        cur = self.localize(start)
        remaining = timedelta(hours=hours)
        while True:
            day = cur.date()
            if not self.is_business_day(day) or cur.timetz().replace(tzinfo=None) >= close_t:
                cur = self.at(self.next_business_day(day), open_t)
                continue
            if cur.timetz().replace(tzinfo=None) < open_t:
                cur = self.at(day, open_t)
            available = self.at(day, close_t) - cur
            if remaining <= available:
                return cur + remaining
            remaining -= available
            cur = self.at(self.next_business_day(day), open_t)

    # -- fiscal periods -----------------------------------------------------------------------
    def fiscal_year(self, d: date) -> int:
        """年度: FY2025 runs 2025-04-01 .. 2026-03-31 with the default April start."""
        return d.year if d.month >= self.fiscal_year_start_month else d.year - 1

    def fiscal_year_bounds(self, fy: int) -> tuple[date, date]:
        start = date(fy, self.fiscal_year_start_month, 1)
        return start, _add_months(start, 12) - timedelta(days=1)

    def fiscal_half(self, d: date) -> int:
        """1 for 上期 (first six months of the fiscal year), 2 for 下期."""
        return 1 if _months_since_fy_start(d, self.fiscal_year_start_month) < 6 else 2

    def fiscal_quarter(self, d: date) -> int:
        return _months_since_fy_start(d, self.fiscal_year_start_month) // 3 + 1

    def fiscal_half_bounds(self, fy: int, half: int) -> tuple[date, date]:
        start = _add_months(date(fy, self.fiscal_year_start_month, 1), 6 * (half - 1))
        return start, _add_months(start, 6) - timedelta(days=1)


def iter_days(start: date, end: date) -> Iterator[date]:
    """Every date in the closed interval ``[start, end]``."""
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    return start, _add_months(start, 1) - timedelta(days=1)


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar months, clamped to the end of a shorter month."""
    return _add_months(d, n)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def _months_since_fy_start(d: date, start_month: int) -> int:
    return (d.month - start_month) % 12
