"""イベント reads as words, not as the store's columns (issue #11, Pages 4): every field under its
catalogue label in Japanese and English, values in words (codes by label, units by name, times
in the configured zone, はい/いいえ), no empty rows; a 事務処理誤り case as a lifecycle timeline
with its state; an inspection with its 不適事項 (an open one says so)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.i18n import phrases
from riskmon.store.tables import EVENT_TABLES, table_of
from riskmon.web.event_view import SHOWN_ELSEWHERE, field_name
from tests.helpers import daily, run, write_jsonl


def rows(html: str) -> list[tuple[str, str, str]]:
    """The field table of an event page: (field, label, value) per row."""
    return re.findall(r'<tr data-field="([a-z_]+)"><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', html)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_stored_field_has_a_label_in_both_languages(lang: str) -> None:
    words = phrases("web", lang)
    for event_type, model in EVENT_TABLES.items():
        for column in table_of(model).columns:
            if column.name not in SHOWN_ELSEWHERE:
                assert field_name(event_type, column.name, words) != column.name, (event_type, column.name)


def test_an_error_report_in_words(as_: Callable[[str], TestClient]) -> None:
    client = as_("po1")
    ja = client.get("/events?by=event&q=E1").text
    assert rows(ja) == [
        ("unit_id", "発生部署", "札幌中央年金事務所 (PO-001)"),
        ("case_id", "事案番号", "C1"),
        ("discovered_at", "発見日時", "令和7年4月8日10時00分"),  # Tokyo time, as it was reported, in 和暦
        ("category", "誤りの種類", "入力誤り"),
        ("is_priority_incident", "重点三事案", "いいえ"),
        ("affected_customers", "影響を受けたお客様の数", "1"),
        ("personal_info_involved", "個人情報の関与", "はい"),
        ("summary", "概要", "通知書を別のお客様へ送付"),
        ("report_kind", "報告の種類", "事務処理誤り"),
        ("business_area", "業務分野", "その他"),
        ("discovery_channel", "発見の経緯", "その他"),
        ("my_number_involved", "マイナンバーの関与", "はい"),  # tests.helpers.error_report's default
    ]  # the optional fields the report left out (occurred_at, amount, contractor…) are not empty rows
    en = client.get("/events?by=event&q=E1&lang=en").text
    assert rows(en) == [
        ("unit_id", "Originating unit", "Sapporo (PO-001)"),
        ("case_id", "Case id", "C1"),
        ("discovered_at", "Discovered at", "2025-04-08 10:00"),
        ("category", "Category", "data-entry error"),
        ("is_priority_incident", "Priority incident", "no"),
        ("affected_customers", "Customers affected", "1"),
        ("personal_info_involved", "Personal information involved", "yes"),
        ("summary", "Summary", "通知書を別のお客様へ送付"),
        ("report_kind", "Report kind", "processing error"),
        ("business_area", "Business area", "other"),
        ("discovery_channel", "Found through", "other"),
        ("my_number_involved", "My Number involved", "yes"),
    ]


def test_a_daily_report_without_a_note_has_no_note_row(as_: Callable[[str], TestClient], engine: Engine, tmp_path: Path) -> None:
    client = as_("po1")
    reports = [daily("D1", forms_received=1234, visitors=30),
               daily("D2", day="2025-04-02", note="窓口混雑", submitted_at="2025-04-02T17:30:00")]  # fmt: skip
    run(engine, write_jsonl(tmp_path / "d.jsonl", reports))
    plain = rows(client.get("/events?by=event&q=D1").text)
    assert [f for f, _, _ in plain] == ["unit_id", "business_date", "forms_received", "forms_processed", "forms_pending",
                                        "oldest_pending_days", "complaints", "suspected_errors", "visitors"]  # fmt: skip
    assert ("forms_received", "届書の受付件数", "1,234") in plain and ("complaints", "苦情の件数", "0") in plain  # a zero is a value
    noted = rows(client.get("/events?by=event&q=D2&lang=en").text)
    assert ("note", "Note", "窓口混雑") in noted and ("submitted_at", "Submitted at", "2025-04-02 17:30") in noted


def test_a_case_as_a_lifecycle(as_: Callable[[str], TestClient], engine: Engine, tmp_path: Path) -> None:
    client = as_("po1")
    case = client.get("/events?by=case&q=C1").text
    step_re = r'<li data-step="([a-z_]+)"><span class="when"><time datetime="([^"]+)">([^<]*)</time></span> <strong>([^<]*)</strong>'
    steps = re.findall(step_re, case)
    assert steps == [("reported", "2025-04-08T10:00:00+09:00", "令和7年4月8日10時00分", "報告（発見）"),
                     ("customer_response_done", "2025-04-08T15:00:00+09:00", "令和7年4月8日15時00分", "お客様対応完了"),
                     ("cause_analyzed", "2025-04-09T11:00:00+09:00", "令和7年4月9日11時00分", "原因分析完了")]  # fmt: skip
    assert '<a href="/events?by=event&amp;q=E1">E1</a>' in case  # the report itself, one click away
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in case and "<script>alert" not in case  # a step's note is text
    state = re.search(r'<p class="case-state" id="case-state">(.*?)</p>', case, re.S)
    assert state and "対応中（完了の報告はまだありません）" in state.group(1) and "札幌中央年金事務所 (PO-001)" in state.group(1)
    step = client.get("/events?by=event&q=U1").text  # a step's own page shows the whole case too
    assert 'id="h-case"' in step and ("step", "段階", "お客様対応完了") in rows(step)
    closed = {"event_id": "U3", "type": "error_update", "unit_id": "PO-001", "case_id": "C1", "at": "2025-04-09T16:00:00", "step": "closed"}
    run(engine, write_jsonl(tmp_path / "u3.jsonl", [closed]))
    en = client.get("/events?by=case&q=C1&lang=en").text
    assert re.findall(r'<li data-step="([a-z_]+)">', en)[-1] == "closed"
    assert "<strong>State:</strong> Closed" in en


def test_an_inspection_with_its_nonconformities(as_: Callable[[str], TestClient]) -> None:
    page = as_("po2").get("/events?by=event&q=I1").text
    assert rows(page) == [
        ("unit_id", "事業担当部署（検査）", "&lt;script&gt;alert(1)&lt;/script&gt;事務所 (PO-002)"),
        ("inspection_id", "検査番号", "INS-1"),
        ("contract_id", "契約番号", "K-1"),
        ("inspection_type", "検査の種類", "履行中検査"),
        ("inspected_on", "検査日", "令和7年4月7日"),
        ("nonconformity_count", "不適事項の件数", "1"),
    ]
    nc = re.findall(r'<tr data-nc="NC-1">(.*?)</tr>', page)
    assert nc == ['<td>NC-1</td><td>個人情報保護</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
                  '<td class="when"><time datetime="2025-05-01">令和7年5月1日</time></td>'
                  '<td class="when">未改善</td>']  # fmt: skip


def test_a_cell_an_office_form_rewrote_is_shown_as_written(as_: Callable[[str], TestClient], engine: Engine, tmp_path: Path) -> None:
    """An office CSV with a 和暦 date and full-width digits (issue #14): the page shows the value read
    and, beside it, the cell as the file had it; an unchanged cell has nothing beside it."""
    client = as_("po1")
    csv = tmp_path / "office.csv"
    csv.write_text(
        "イベントID,種別,部署コード,業務日,届書の受付件数,届書の処理件数,未処理の届書,最も古い未処理の経過日数,苦情の件数,事務処理誤りの疑い,備考\n"
        "DW1,日次業務報告,PO-001,令和7年4月7日,１２,10,2,1,0,0,\n",
        encoding="utf-8",
    )
    run(engine, csv)
    page = client.get("/events?by=event&q=DW1").text
    assert '<tr data-field="business_date"><th scope="row">業務日</th><td>' in page
    written = '<td>12 <span class="as-written">（ファイルの記載：１２）</span>'
    assert re.search(r'<tr data-field="forms_received"><th scope="row">[^<]*</th>' + written, page)
    assert "（ファイルの記載：令和7年4月7日）" in page
    assert re.search(r'<tr data-field="forms_processed"><th scope="row">[^<]*</th><td>10</td>', page)
    assert "office.csv:2" in page
