"""One cell as offices write it (riskmon.ingest.cells): every form docs/events.md lists is read,
the ambiguous ones are refused with their reason, and no text makes the function raise."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.events.registry import FAMILIES
from riskmon.ingest.cells import Refused, canonical, normalise_cell

FIELDS = sorted({(name, f) for name, family in FAMILIES.items() for f in family.field_names})
ORDER = "年を4桁で先に書いてください（例：2026/4/6）"
FULL_WIDTH = str.maketrans("0123456789-,:/", "０１２３４５６７８９－，：／")


@pytest.mark.parametrize(
    ("field", "text", "type_name", "value"),
    [
        ("forms_received", "12", "daily_report", 12),
        ("forms_received", "１２", "daily_report", 12),
        ("forms_received", " 1,234 ", "daily_report", 1234),
        ("forms_received", "１，２３４", "daily_report", 1234),
        ("forms_received", "－３", "daily_report", -3),
        ("forms_received", "\u22123", "daily_report", -3),
        ("forms_received", "1,23", "daily_report", "1,23"),  # not a thousands grouping: the model says why
        ("business_date", "2026/4/6", "daily_report", date(2026, 4, 6)),
        ("business_date", "２０２６／４／６", "daily_report", date(2026, 4, 6)),
        ("business_date", "2026-04-06", "daily_report", date(2026, 4, 6)),
        ("business_date", "2026年4月6日", "daily_report", date(2026, 4, 6)),
        ("business_date", "令和8年4月7日", "daily_report", date(2026, 4, 7)),
        ("business_date", "令和元年5月1日", "daily_report", date(2019, 5, 1)),
        ("business_date", "平成31年4月30日", "daily_report", date(2019, 4, 30)),
        ("business_date", "平成元年1月8日", "daily_report", date(1989, 1, 8)),
        ("business_date", "昭和64年1月7日", "daily_report", date(1989, 1, 7)),
        ("discovered_at", "2026/4/6 10:00", "error_report", datetime(2026, 4, 6, 10, 0)),
        ("discovered_at", "2026/4/6 10:00:30", "error_report", datetime(2026, 4, 6, 10, 0, 30)),
        ("discovered_at", "令和8年4月7日 9時30分", "error_report", datetime(2026, 4, 7, 9, 30)),
        ("discovered_at", "2026/4/6", "error_report", datetime(2026, 4, 6, 0, 0)),
        ("discovered_at", "2026-04-06T10:00:00+09:00", "error_report", "2026-04-06T10:00:00+09:00"),  # ISO: the model reads it
        ("type", "日次業務報告", None, "daily_report"),
        ("type", "daily_report", None, "daily_report"),
        ("category", "誤送付", "error_report", "misdelivery"),
        ("category", "その他", "error_report", "other"),
        ("category", "苦情", "customer_voice", "complaint"),
        ("personal_info_involved", "はい", "error_report", True),
        ("personal_info_involved", "いいえ", "error_report", False),
        ("personal_info_involved", "TRUE", "error_report", True),
        ("unit_id", "ＰＯ－００１", None, "PO-001"),
        ("note", "１２", "daily_report", "１２"),  # free text is never rewritten
        ("note", " 2026/4/6 ", "daily_report", "2026/4/6"),
    ],
)
def test_office_forms_are_read(field: str, text: str, type_name: str | None, value: object) -> None:
    assert normalise_cell(field, text, type_name) == value


@pytest.mark.parametrize(
    ("field", "text", "code", "ja"),
    [
        ("business_date", "4/6", "date_no_year", "年がありません（何年か決められません）：'4/6'（例：2026/4/6）"),
        ("business_date", "4月6日", "date_no_year", "年がありません（何年か決められません）：'4月6日'（例：2026/4/6）"),
        ("business_date", "26/4/6", "date_ambiguous", "年・月・日の順が決められません：'26/4/6'。" + ORDER),
        ("business_date", "6/4/2026", "date_ambiguous", "年・月・日の順が決められません：'6/4/2026'。" + ORDER),
        ("business_date", "令和8年2月30日", "date_not_real", "実在しない日付です：'令和8年2月30日'"),
        ("business_date", "2026/2/30", "date_not_real", "実在しない日付です：'2026/2/30'"),
        ("business_date", "令和元年4月1日", "date_not_in_era", "令和にない日付です：'令和元年4月1日'"),
        ("business_date", "平成31年5月1日", "date_not_in_era", "平成にない日付です：'平成31年5月1日'"),
        ("business_date", "2026/4/6 10:00", "date_with_time", "日付の欄に時刻があります：'2026/4/6 10:00'"),
        ("discovered_at", "10:00", "time_no_date", "日付がありません（時刻だけです）：'10:00'（例：2026/4/6 10:00）"),
        ("discovered_at", "2026/4/6 25:00", "time_not_real", "実在しない時刻です：'2026/4/6 25:00'"),
    ],
)
def test_ambiguous_or_impossible_values_are_refused_with_the_reason(field: str, text: str, code: str, ja: str) -> None:
    refused = normalise_cell(field, text, "error_report" if field == "discovered_at" else "daily_report")
    assert isinstance(refused, Refused)
    assert (refused.reason.code, refused.reason.ja) == (code, ja)


def test_a_label_two_codes_share_is_not_read_as_either(monkeypatch: pytest.MonkeyPatch) -> None:
    from riskmon.ingest import cells

    assert normalise_cell("category", "誤送付 ", "error_report") == "misdelivery"
    assert normalise_cell("category", "ご送付", "error_report") == "ご送付"  # not a label: the model names the choices
    words = {"misdelivery": "誤送付", "mistransmission": "誤送付", "other": "その他"}
    monkeypatch.setattr(cells, "label", lambda code, lang="ja": words.get(code, code))
    cells._labels.cache_clear()
    try:
        assert cells._labels(("misdelivery", "mistransmission", "other")) == {"その他": "other"}
    finally:
        cells._labels.cache_clear()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FIELDS), st.text(max_size=40))
def test_never_raises_for_any_text(pair: tuple[str, str], text: str) -> None:
    type_name, field = pair
    normalise_cell(field, text, type_name)
    normalise_cell(field, text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.booleans(), st.booleans())
def test_whole_numbers_round_trip_in_any_form(n: int, grouped: bool, wide: bool) -> None:
    text = f"{n:,}" if grouped else str(n)
    if wide:
        text = text.translate(FULL_WIDTH)
    assert normalise_cell("forms_received", text, "daily_report") == n
    assert normalise_cell("forms_received", canonical(n), "daily_report") == n


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.sampled_from(["/", "-", "."]), st.booleans())
def test_dates_round_trip(day: date, sep: str, wide: bool) -> None:
    text = f"{day.year}{sep}{day.month}{sep}{day.day}"
    if wide:
        text = text.translate(FULL_WIDTH)
    assert normalise_cell("business_date", text, "daily_report") == day
    assert normalise_cell("business_date", canonical(day), "daily_report") == day
    assert normalise_cell("business_date", f"{day.year}年{day.month}月{day.day}日", "daily_report") == day


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1926, 12, 25), max_value=date(2200, 12, 31)))
def test_era_dates_round_trip(day: date) -> None:
    era, first = next((e, f) for e, f in (("令和", date(2019, 5, 1)), ("平成", date(1989, 1, 8)), ("昭和", date(1926, 12, 25))) if day >= f)
    year = day.year - first.year + 1
    text = f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    assert normalise_cell("business_date", text, "daily_report") == day


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)).map(lambda d: d.replace(microsecond=0)))
def test_date_times_round_trip(when: datetime) -> None:
    text = f"{when.year}/{when.month}/{when.day} {when.hour}:{when.minute:02d}:{when.second:02d}"
    assert normalise_cell("discovered_at", text, "error_report") == when
    assert normalise_cell("discovered_at", canonical(when), "error_report") == when
    assert normalise_cell("discovered_at", f"{when.year}/{when.month}/{when.day}", "error_report") == datetime.combine(when.date(), time())
