"""Dates as people read them: 和暦 in Japanese documents, plain dates in English.

The 機構's documents write 「令和7年4月1日」, 「令和7年度（上期）」 and 「4月」; ISO dates belong in
data files (CSV, JSON, the xlsx's date cells) only. One module turns a date into those words so a
pack, a publication, a flag message and a web page never disagree on the era.

Eras change on a day, not on a year: 平成 began on 1989-01-08 and 令和 on 2019-05-01, so
2019-04-30 is 平成31年4月30日 and the next day 令和元年5月1日. The first year of an era is written
元年. A fiscal year (April to March) takes the era year of the calendar year it starts in, by the
newest era of that calendar year: FY2019 is 令和元年度 although it began in 平成31年 (the usage the
government adopted), FY2018 is 平成30年度 (the helper this replaces printed 令和0年度), and FY1988
is 昭和63年度 (平成元年度 being FY1989). Dates before 明治6年 (the solar calendar) are refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

#: (first day, era name, era name in English), newest first
ERAS: tuple[tuple[date, str, str], ...] = (
    (date(2019, 5, 1), "令和", "Reiwa"),
    (date(1989, 1, 8), "平成", "Heisei"),
    (date(1926, 12, 25), "昭和", "Showa"),
    (date(1912, 7, 30), "大正", "Taisho"),
    (date(1873, 1, 1), "明治", "Meiji"),
)
_MEIJI_FIRST_YEAR = 1868
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def era_of(day: date) -> tuple[str, int]:
    """The era and its year on ``day`` (``("令和", 7)`` for 2025-04-01)."""
    for first, name, _ in ERAS:
        if day >= first:
            start_year = _MEIJI_FIRST_YEAR if name == "明治" else first.year
            return name, day.year - start_year + 1
    raise ValueError(f"{day.isoformat()}: 和暦 is written only from 明治6年 (1873), the solar calendar")


def _year(n: int) -> str:
    return "元" if n == 1 else str(n)


def ja_date(day: date) -> str:
    """令和7年4月1日."""
    name, n = era_of(day)
    return f"{name}{_year(n)}年{day.month}月{day.day}日"


def ja_month(year: int, month: int) -> str:
    """令和7年5月 (the era of the month's first day)."""
    name, n = era_of(date(year, month, 1))
    return f"{name}{_year(n)}年{month}月"


def fiscal_year_ja(fy: int) -> str:
    """令和7年度 for FY2025, 令和元年度 for FY2019, 平成30年度 for FY2018, 昭和63年度 for FY1988:
    the era year of the calendar year the fiscal year starts in, by that year's newest era."""
    name, n = era_of(date(fy, 12, 31))
    return f"{name}{_year(n)}年度"


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in ``tz``; a naive time is refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()}: a time without its time zone cannot be shown to people")
    return moment.astimezone(tz)


def day_text(day: date, lang: str = "ja") -> str:
    """令和7年4月1日 / 1 Apr 2025."""
    return ja_date(day) if lang == "ja" else f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def moment_text(moment: datetime, tz: ZoneInfo, lang: str = "ja") -> str:
    """令和7年4月2日13時02分 / 2 Apr 2025 13:02 (in ``tz``, minutes only: people read minutes)."""
    at = local(moment, tz)
    if lang == "ja":
        return f"{ja_date(at.date())}{at.hour}時{at.minute:02d}分"
    return f"{day_text(at.date(), 'en')} {at.hour:02d}:{at.minute:02d}"


def month_text(year: int, month: int, lang: str = "ja") -> str:
    """令和7年5月 / May 2025."""
    return ja_month(year, month) if lang == "ja" else f"{_MONTHS_EN[month - 1]} {year}"


def short_month(month: int, lang: str = "ja") -> str:
    """4月 / Apr — a month inside a year the reader already knows (chart axes, month tables)."""
    return f"{month}月" if lang == "ja" else _MONTHS_EN[month - 1]


def fiscal_year_text(fy: int, lang: str = "ja") -> str:
    """令和7年度 / FY2025."""
    return fiscal_year_ja(fy) if lang == "ja" else f"FY{fy}"


def range_text(first: date, last: date, lang: str = "ja") -> str:
    """令和7年4月1日～令和7年9月30日 / 1 Apr 2025 – 30 Sep 2025."""
    sep = "～" if lang == "ja" else " – "
    return f"{day_text(first, lang)}{sep}{day_text(last, lang)}"


def _parse(value: date | datetime | str) -> date | datetime | None:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        return None


def _day_of(text: str) -> date | None:
    d = _parse(text)
    return d.date() if isinstance(d, datetime) else d


def _period_text(text: str) -> str:
    """The other date words a message receives as text: a threshold window ``2026-03-02..2026-03-31``
    (→ 令和8年3月2日～令和8年3月31日), a month ``2026-03`` (→ 令和8年3月), a fiscal year ``FY2025``
    (→ 令和7年度, ``FY2025H1`` → 令和7年度（上期）, ``FY2025Q3`` → 令和7年度（第3四半期）) and a list of days
    ``2026-03-27, 2026-03-30`` (→ 令和8年3月27日、令和8年3月30日), as riskmon/engine/kinds builds them;
    anything else unchanged."""
    if ".." in text:
        first, _, last = text.partition("..")
        a, b = _day_of(first), _day_of(last)
        if a is not None and b is not None:
            return range_text(a, b)
    if ", " in text:
        days = [_day_of(part) for part in text.split(", ")]
        if all(d is not None for d in days):
            return "、".join(ja_date(d) for d in days if d is not None)
    if month := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        return ja_month(int(month[1]), int(month[2]))
    if fy := re.fullmatch(r"FY(\d{4})(?:H([12])|Q([1-4]))?", text):
        part = f"（{'上' if fy[2] == '1' else '下'}期）" if fy[2] else (f"（第{fy[3]}四半期）" if fy[3] else "")
        return fiscal_year_ja(int(fy[1])) + part
    return text


def wareki_date(value: date | datetime | str) -> str:
    """A rule message's ``{{ x | wareki_date }}``: 令和7年4月2日 for a date, a datetime's own date, or
    text as message values arrive (``2025-04-02[ 13:02]``, riskmon/flags/render.py, already local
    time); a window, month, fiscal year or list of days in 和暦 too (:func:`_period_text`); text that
    is no date is returned unchanged rather than refused in a message."""
    d = _parse(value)
    if d is None:
        return _period_text(str(value).strip())
    return ja_date(d.date() if isinstance(d, datetime) else d)


def wareki_datetime(value: date | datetime | str) -> str:
    """``{{ x | wareki }}``: 令和7年4月2日13時02分 (a bare date gets no time)."""
    d = _parse(value)
    if not isinstance(d, datetime):
        return wareki_date(value)
    return f"{ja_date(d.date())}{d.hour}時{d.minute:02d}分"
