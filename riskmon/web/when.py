"""Times and dates on the web pages: 和暦 in Japanese, ISO-ish in English, ISO for machines.

The documents write 「令和8年3月31日」 and 「令和8年3月31日23時59分」 (riskmon.i18n.dates); the pages
showed ``2026-03-31 23:59`` beside them, so a deadline read on the queue and in the pack looked
like two different things. Every page now says a moment as the documents do, through the same
helpers (``day_text``/``moment_text``: one era table, one place that knows 元年), in the
configured zone (Asia/Tokyo). English pages keep ``2026-03-31 23:59``: an English reader of a
Japanese agency's data compares it with the CSV and JSON exports, which stay ISO 8601.

A shown time is wrapped in ``<time datetime="2026-03-31T23:59:00+09:00">``, so a script or a
test reading the page still finds the exact moment whatever the language.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from riskmon.i18n.dates import day_text, moment_text

#: a date or a time written as ISO text, and nothing else (a number or an id is never read as one)
_ISO = re.compile(r"\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)?")


def _aware(value: datetime) -> datetime:
    """The store's convention: a naive time (SQLite gives some back so) is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def when_text(value: datetime | date | None, tz: ZoneInfo, lang: str, *, day: bool = False) -> str:
    """``value`` as a page says it: 令和8年3月31日23時59分 / 2026-03-31 23:59, or only the day
    (``day``, or a bare date); "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        at = _aware(value).astimezone(tz)
        if not day:
            return moment_text(at, tz, "ja") if lang == "ja" else at.strftime("%Y-%m-%d %H:%M")
        value = at.date()
    return day_text(value, "ja") if lang == "ja" else value.isoformat()


def machine(value: datetime | date, tz: ZoneInfo, *, day: bool = False) -> str:
    """The ``datetime`` attribute: ISO 8601 in ``tz`` with its offset (a day: the date)."""
    if isinstance(value, datetime):
        at = _aware(value).astimezone(tz)
        return at.date().isoformat() if day else at.isoformat()
    return value.isoformat()


def when_tag(value: datetime | date | str | None, tz: ZoneInfo, lang: str, *, day: bool = False) -> Markup:
    """``<time datetime="ISO">words</time>``; an empty string for None (so ``local(x) or '—'`` works).
    Text (a date an event's JSON holds, ``2025-10-03``) is read as ISO; text that is no date is
    shown as it is."""
    if value is None or value == "":
        return Markup("")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return escape(value)
    return Markup('<time datetime="{}">{}</time>').format(machine(value, tz, day=day), escape(when_text(value, tz, lang, day=day)))


def span_tag(first: date, last: date, tz: ZoneInfo, lang: str) -> Markup:
    """A period: 令和7年4月1日～令和7年9月30日 / 2025-04-01 – 2025-09-30, each end a ``<time>``."""
    sep = "～" if lang == "ja" else " – "
    return when_tag(first, tz, lang) + Markup(sep) + when_tag(last, tz, lang)


def text_when(value: str, tz: ZoneInfo, lang: str) -> str:
    """A date or time that arrives as text — a flag's evidence, written in local time by the
    engine (riskmon/flags/render.py) — in 和暦 for a Japanese reader; any other text, and every
    text in English, as it is."""
    text = value.strip()
    if lang != "ja" or not _ISO.fullmatch(text):
        return value
    try:
        parsed = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
    except ValueError:
        return value
    if isinstance(parsed, datetime):
        return when_text(parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz), tz, lang)
    return when_text(parsed, tz, lang)
