"""和暦 as the 機構's documents write it (riskmon.i18n.dates): era boundaries, 元年, fiscal years."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmon.i18n.dates import (
    ERAS,
    day_text,
    era_of,
    fiscal_year_ja,
    fiscal_year_text,
    ja_date,
    moment_text,
    month_text,
    range_text,
    short_month,
)

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1873, 1, 1), "明治6年1月1日"),
    ],
)
def test_dates_change_era_on_the_day(day: date, text: str) -> None:
    assert ja_date(day) == text


@pytest.mark.parametrize(
    ("fy", "text"),
    [(2025, "令和7年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度"), (1989, "平成元年度"), (1988, "昭和63年度")],
)
def test_fiscal_years_follow_the_governments_usage(fy: int, text: str) -> None:
    assert fiscal_year_ja(fy) == text


def test_before_the_solar_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="明治6年"):
        era_of(date(1872, 12, 31))


def test_english_is_a_plain_date() -> None:
    assert day_text(date(2025, 4, 1), "en") == "1 Apr 2025"
    assert range_text(date(2025, 4, 1), date(2025, 9, 30), "en") == "1 Apr 2025 – 30 Sep 2025"
    assert fiscal_year_text(2025, "en") == "FY2025"
    assert month_text(2025, 5, "en") == "May 2025"
    assert short_month(4, "en") == "Apr"


def test_ranges_months_and_times_in_japanese() -> None:
    assert range_text(date(2025, 4, 1), date(2025, 9, 30)) == "令和7年4月1日～令和7年9月30日"
    assert month_text(2025, 5) == "令和7年5月"
    assert month_text(2019, 5) == "令和元年5月"
    assert month_text(2019, 4) == "平成31年4月"
    assert short_month(4) == "4月"
    assert fiscal_year_text(2025) == "令和7年度"
    # a UTC time is shown in the agency's time zone: 04:02Z is 13:02 in Tokyo
    assert moment_text(datetime(2025, 4, 2, 4, 2, tzinfo=UTC), TOKYO) == "令和7年4月2日13時02分"
    assert moment_text(datetime(2025, 4, 2, 4, 2, tzinfo=UTC), TOKYO, "en") == "2 Apr 2025 13:02"


def test_a_naive_time_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="time zone"):
        moment_text(datetime(2025, 4, 2, 13, 2), TOKYO)


_JA = re.compile(r"^(令和|平成|昭和|大正|明治)(元|\d+)年(\d+)月(\d+)日$")


def _back_to_gregorian(text: str) -> date:
    m = _JA.match(text)
    assert m, text
    name, y, month, day = m.groups()
    first = next(f for f, n, _ in ERAS if n == name)
    start_year = 1868 if name == "明治" else first.year
    return date(start_year + (1 if y == "元" else int(y)) - 1, int(month), int(day))


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_reads_back_to_itself(day: date) -> None:
    text = ja_date(day)
    assert _back_to_gregorian(text) == day
    year = _JA.match(text).group(2)  # type: ignore[union-attr]
    assert year == "元" or (year[0] != "0" and int(year) >= 2)


@given(st.dates(min_value=date(1873, 1, 2), max_value=date(2200, 12, 31)))
def test_an_era_year_never_goes_backwards_within_an_era(day: date) -> None:
    before, now = era_of(day - timedelta(days=1)), era_of(day)
    assert now[1] >= 1
    if before[0] == now[0]:
        assert now[1] - before[1] in (0, 1)
    else:
        assert now[1] == 1 and any(first == day for first, name, _ in ERAS if name == now[0])
