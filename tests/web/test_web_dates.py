"""Dates and times on the pages (docs/web.md, "Dates and times"): 和暦 in Asia/Tokyo in Japanese,
ISO-like in English, the exact moment in ``<time datetime>`` either way — first the helper
(riskmon/web/when.py), then the flag list, the flag page and the queue as a person reads them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.business_calendar import TOKYO
from riskmon.web.when import span_tag, when_tag, when_text
from tests.web.pages_support import flag_row

LAST_MINUTE = datetime(2026, 3, 31, 14, 59, tzinfo=UTC)  # 23:59 in Tokyo: stored in UTC, said in Tokyo time


def test_a_moment_in_wareki_in_tokyo_and_iso_like_in_english() -> None:
    assert when_text(LAST_MINUTE, TOKYO, "ja") == "令和8年3月31日23時59分"
    assert when_text(LAST_MINUTE, TOKYO, "en") == "2026-03-31 23:59"
    assert when_text(LAST_MINUTE, TOKYO, "ja", day=True) == "令和8年3月31日"
    assert when_text(LAST_MINUTE, TOKYO, "en", day=True) == "2026-03-31"
    assert when_text(datetime(2026, 3, 31, 14, 59), TOKYO, "ja") == "令和8年3月31日23時59分"  # naive: the store's UTC
    assert when_text(date(2025, 4, 7), TOKYO, "ja") == "令和7年4月7日" and when_text(None, TOKYO, "ja") == ""


def test_the_era_changes_on_its_day_in_tokyo_time() -> None:
    assert when_text(datetime(2019, 4, 30, 14, 59, tzinfo=UTC), TOKYO, "ja") == "平成31年4月30日23時59分"
    assert when_text(datetime(2019, 4, 30, 15, 0, tzinfo=UTC), TOKYO, "ja") == "令和元年5月1日0時00分"


def test_the_tag_keeps_the_exact_moment_and_escapes_what_is_no_date() -> None:
    assert str(when_tag(LAST_MINUTE, TOKYO, "ja")) == '<time datetime="2026-03-31T23:59:00+09:00">令和8年3月31日23時59分</time>'
    assert str(when_tag(LAST_MINUTE, TOKYO, "en", day=True)) == '<time datetime="2026-03-31">2026-03-31</time>'
    assert str(when_tag("2025-05-01", TOKYO, "ja")) == '<time datetime="2025-05-01">令和7年5月1日</time>'  # a date in an event's JSON
    assert str(when_tag("<script>", TOKYO, "ja")) == "&lt;script&gt;" and str(when_tag(None, TOKYO, "ja")) == ""
    assert str(span_tag(date(2025, 4, 1), date(2025, 9, 30), TOKYO, "ja")) == (
        '<time datetime="2025-04-01">令和7年4月1日</time>～<time datetime="2025-09-30">令和7年9月30日</time>'
    )


def _wareki(at: datetime) -> str:
    """The expected words, built by hand (令和 from 2019): not through the code under test."""
    t = at.astimezone(TOKYO)
    return f"令和{t.year - 2018}年{t.month}月{t.day}日{t.hour}時{t.minute:02d}分"


def test_the_flag_pages_and_the_queue_say_times_in_wareki(as_: Callable[[str], TestClient], engine: Engine,
                                                          flags: dict[str, int]) -> None:  # fmt: skip
    flag = flag_row(engine, flags["R01:C2"])
    seen, due = (
        flag["first_seen"].replace(tzinfo=flag["first_seen"].tzinfo or UTC),
        flag["due_at"].replace(tzinfo=flag["due_at"].tzinfo or UTC),
    )
    client = as_("risk1")
    detail = client.get(f"/flags/{flags['R01:C2']}").text
    for moment in (seen, due):
        iso = moment.astimezone(TOKYO).isoformat()
        assert f'<time datetime="{iso}">{_wareki(moment)}</time>' in detail
    listed = client.get("/flags").text.split(f'data-flag="{flags["R01:C2"]}"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="when"><time datetime="[^"]+">([^<]+)</time></td>', listed) == [_wareki(seen), _wareki(due)]
    english = client.get("/flags?lang=en").text.split(f'data-flag="{flags["R01:C2"]}"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<time [^>]+>([^<]+)</time>", english) == [f"{m.astimezone(TOKYO):%Y-%m-%d %H:%M}" for m in (seen, due)]
    assert '基準時刻：<time datetime="2025-04-10T12:00:00+09:00">令和7年4月10日12時00分</time>' in client.get("/?lang=ja").text
    assert not re.search(r">\d{4}-\d\d-\d\d \d\d:\d\d<", detail + client.get("/?lang=ja").text)  # no ISO time left for a Japanese reader


def test_a_time_written_as_text_in_the_evidence_is_wareki_for_a_japanese_reader() -> None:
    from riskmon.web.when import text_when

    assert text_when("2025-04-01 10:00", TOKYO, "ja") == "令和7年4月1日10時00分"  # the engine's local time
    assert text_when("2025-04-01T01:00:00+00:00", TOKYO, "ja") == "令和7年4月1日10時00分"  # an offset is honoured
    assert text_when("2025-04-01", TOKYO, "ja") == "令和7年4月1日"
    assert text_when("2025-04-01 10:00", TOKYO, "en") == "2025-04-01 10:00"
    assert [text_when(v, TOKYO, "ja") for v in ("20250401", "2025-13-01", "C-2025-04-01", "12")] == [
        "20250401",
        "2025-13-01",
        "C-2025-04-01",
        "12",
    ]
