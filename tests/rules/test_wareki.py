"""和暦 in messages: the helpers and the ``wareki`` / ``wareki_date`` template filters (a late report's
message gives its time as 令和7年4月2日13時02分, issue #12)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from riskmon.business_calendar import TOKYO
from riskmon.i18n.dates import wareki_date, wareki_datetime
from riskmon.rules import templates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-04-02 13:02", "令和7年4月2日13時02分"),
        (datetime(2026, 1, 5, 9, 5, tzinfo=TOKYO), "令和8年1月5日9時05分"),
        ("2019-05-01 00:00", "令和元年5月1日0時00分"),
        ("2025-04-02", "令和7年4月2日"),
        ("2019-04-30 10:00", "平成31年4月30日10時00分"),  # the day before 令和: 平成, never a wrong era
        ("", ""),
        ("not a date", "not a date"),
    ],
)
def test_wareki_datetime(value: object, expected: str) -> None:
    assert wareki_datetime(value) == expected  # type: ignore[arg-type]


def test_wareki_date_drops_the_time() -> None:
    assert wareki_date("2025-12-26 16:00") == "令和7年12月26日"
    assert wareki_date(date(2020, 1, 1)) == "令和2年1月1日"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02..2026-03-31", "令和8年3月2日～令和8年3月31日"),  # a threshold window (R05, R06, R21, R31)
        ("2019-04-01..2019-05-31", "平成31年4月1日～令和元年5月31日"),  # each end in its own era
        ("2026-03", "令和8年3月"),  # a calendar month (R14)
        ("FY2025", "令和7年度"),  # a fiscal year to date (R07)
        ("FY2019", "令和元年度"),
        ("FY2025H1", "令和7年度（上期）"),
        ("FY2025Q3", "令和7年度（第3四半期）"),
        ("2026-03-27, 2026-03-30", "令和8年3月27日、令和8年3月30日"),  # missing daily reports (R13)
        ("2026-03-27, soon", "2026-03-27, soon"),  # not all dates: unchanged
        ("2026-13", "2026-13"),
        ("a..b", "a..b"),
        ("FY20255", "FY20255"),
    ],
)
def test_wareki_date_writes_windows_months_fiscal_years_and_lists(value: str, expected: str) -> None:
    assert wareki_date(value) == expected


def test_the_filters_run_in_the_sandbox() -> None:
    tpl = templates.compile_template("報告：{{ at | wareki }}、期限（{{ due | wareki_date }}）")
    rendered = templates.render(tpl, {"at": "2025-04-02 13:02", "due": "2025-04-01 23:59"})
    assert rendered == "報告：令和7年4月2日13時02分、期限（令和7年4月1日）"


def test_a_refused_filter_names_the_wareki_filters_among_the_allowed() -> None:
    with pytest.raises(templates.TemplateRefused) as err:
        templates.parse("{{ x | center(3) }}")
    assert err.value.en.endswith("trim, truncate, unique, upper, wareki, wareki_date)")
