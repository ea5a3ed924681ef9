from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmon.business_calendar import TOKYO, BusinessCalendar, add_months, jp_holiday_name

CAL = BusinessCalendar()
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize(
    "day",
    [date(2025, 4, 29), date(2025, 5, 3), date(2025, 5, 5), date(2025, 5, 6), date(2025, 11, 24), date(2026, 1, 12)],
)
def test_public_and_substitute_holidays_are_closed(day: date) -> None:
    assert not CAL.is_business_day(day)


@pytest.mark.parametrize("day", [date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 3)])
def test_year_end_closure(day: date) -> None:
    assert not CAL.is_business_day(day)


def test_golden_week_deadline_skips_the_holidays() -> None:
    # found on Mon 28 Apr 2025; 3 business days later skips 29 Apr (昭和の日) and lands on Thu 1 May
    assert CAL.add_business_days(date(2025, 4, 28), 3) == date(2025, 5, 2)
    # found on Fri 2 May: the next business day is Wed 7 May (3-6 May closed)
    assert CAL.add_business_days(date(2025, 5, 2), 1) == date(2025, 5, 7)


def test_year_end_deadline() -> None:
    assert CAL.add_business_days(date(2025, 12, 26), 1) == date(2026, 1, 5)


def test_same_business_day_rolls_a_weekend_forward() -> None:
    assert CAL.add_business_days(date(2025, 5, 31), 0) == date(2025, 6, 2)


def test_extra_closures_from_config() -> None:
    cal = BusinessCalendar(extra_closures=frozenset({date(2025, 8, 13)}))
    assert not cal.is_business_day(date(2025, 8, 13))
    assert CAL.is_business_day(date(2025, 8, 13))


def test_holiday_names_in_japanese() -> None:
    assert jp_holiday_name(date(2025, 5, 5)) == "こどもの日"


@given(dates, st.integers(min_value=0, max_value=60))
def test_add_business_days_lands_on_a_business_day_n_days_on(d: date, n: int) -> None:
    result = CAL.add_business_days(d, n)
    assert CAL.is_business_day(result)
    assert result >= d
    start = CAL.next_business_day(d, inclusive=True)
    assert CAL.business_days_between(start, result) == n


@given(dates, dates)
def test_business_days_between_is_antisymmetric(a: date, b: date) -> None:
    assert CAL.business_days_between(a, b) == -CAL.business_days_between(b, a)


@given(dates)
def test_fiscal_year_contains_its_dates(d: date) -> None:
    fy = CAL.fiscal_year(d)
    lo, hi = CAL.fiscal_year_bounds(fy)
    assert lo <= d <= hi
    assert lo.month == 4 and lo.day == 1
    half_lo, half_hi = CAL.fiscal_half_bounds(fy, CAL.fiscal_half(d))
    assert half_lo <= d <= half_hi
    assert 1 <= CAL.fiscal_quarter(d) <= 4


def test_fiscal_periods() -> None:
    assert CAL.fiscal_year(date(2026, 3, 31)) == 2025
    assert CAL.fiscal_year(date(2025, 4, 1)) == 2025
    assert CAL.fiscal_half(date(2025, 9, 30)) == 1
    assert CAL.fiscal_half(date(2025, 10, 1)) == 2
    assert CAL.fiscal_half_bounds(2025, 2) == (date(2025, 10, 1), date(2026, 3, 31))


@given(dates, st.integers(min_value=-36, max_value=36))
def test_add_months_clamps_to_month_end(d: date, n: int) -> None:
    out = add_months(d, n)
    assert (out.year * 12 + out.month) - (d.year * 12 + d.month) == n
    assert out.day <= d.day


def test_business_hours_carry_over_to_the_next_business_day() -> None:
    start = datetime(2025, 5, 2, 16, 0, tzinfo=TOKYO)  # Friday before the 3-6 May holidays
    # 1h15 on Friday (to 17:15), the other 2h45 from 08:30 on Wednesday 7 May
    assert CAL.add_business_hours(start, 4) == datetime(2025, 5, 7, 11, 15, tzinfo=TOKYO)


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1)), st.floats(0, 40))
def test_business_hours_end_inside_business_hours(start: datetime, hours: float) -> None:
    end = CAL.add_business_hours(start.replace(tzinfo=TOKYO), hours)
    assert CAL.is_business_day(end.date())
    assert time(8, 30) <= end.timetz().replace(tzinfo=None) <= time(17, 15)
    assert end >= start.replace(tzinfo=TOKYO) - timedelta(seconds=1)
