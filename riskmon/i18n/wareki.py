"""和暦 (令和) dates and times, the way a Japanese message or document writes them.

A flag message such as 「…発見当日中に報告されませんでした（報告：令和7年4月2日13時02分、1営業日遅延）」
is read by people who date things in 令和; an ISO timestamp there reads as machine output. Message
values reach the templates as text (``2025-04-02 13:02``, riskmon/flags/render.py), so the helpers
take that text as well as date and datetime values. Only 令和 is written: every record riskmon
holds is from 2019 on; an earlier date is returned in the Western calendar rather than misnamed.
"""

from __future__ import annotations

from datetime import date, datetime

#: 令和元年5月1日
REIWA_START = date(2019, 5, 1)


def _year(d: date) -> str | None:
    if d < REIWA_START:
        return None
    n = d.year - 2018
    return f"令和{'元' if n == 1 else n}年"


def wareki_date(value: date | datetime | str) -> str:
    """``令和7年4月2日`` for 2025-04-02 (a datetime's own date; text as ``YYYY-MM-DD[ HH:MM]``)."""
    d = _parse(value)
    if d is None:
        return str(value)
    day = d.date() if isinstance(d, datetime) else d
    era = _year(day)
    return f"{era}{day.month}月{day.day}日" if era else f"{day.year}年{day.month}月{day.day}日"


def wareki_datetime(value: date | datetime | str) -> str:
    """``令和7年4月2日13時02分`` for 2025-04-02 13:02; a bare date gets no time."""
    d = _parse(value)
    if not isinstance(d, datetime):
        return wareki_date(value)
    return f"{wareki_date(d)}{d.hour}時{d.minute:02d}分"


def _parse(value: date | datetime | str) -> date | datetime | None:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        return None
