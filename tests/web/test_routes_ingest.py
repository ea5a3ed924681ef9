"""取込 and 日次業務報告 (issue #14), on SQLite and PostgreSQL: every page and every permission.

po1 heads PO-001 (first line), po2 PO-002, rd1 the 地域部 RD01 above both; risk1 is the second
line, auditor the third (監査部), exec1 governance. Uploads are kept under ``tmp/uploads/<run id>/``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from riskmon.config import PathsConfig, Settings
from riskmon.store import queries
from riskmon.store.tables import AuditEntry, DailyReportRow, Event, IngestRun, table_of
from riskmon.web import routes_ingest
from riskmon.web.app import create_app
from tests.web.support import Clock, csrf_of, login

HEAD = "event_id,type,unit_id,case_id,discovered_at,category,affected_customers,personal_info_involved,summary\n"
GOOD = "UP1,error_report,PO-001,CU1,2025-04-09T10:00:00,misissuance,1,false,誤送付\n"
OTHER = "UP2,error_report,PO-002,CU2,2025-04-09T10:00:00,misissuance,1,false,他部署の記録\n"
BAD = "UP3,error_report,PO-001,CU3,2025-04-09T10:00:00,misisuance,1,false,分類の誤り\n"
OTHER_JA = "e.csv:3: unit_id: 'PO-002'は自部署（PO-001）ではありません。第一線が送れるのは自部署の記録だけです"
BAD_JA = ("e.csv:4: category: 'misisuance' は使えません（もしかして 'misissuance'？）。次のいずれか: "
          "processing_delay, document_loss, misdelivery, mistransmission, misissuance, benefit_error, collection_error, enrolment_error, "
          "record_error, data_entry_error, processing_omission, other")  # fmt: skip
DAILY = {"forms_received": "12", "forms_processed": "10", "forms_pending": "2", "oldest_pending_days": "1", "complaints": "0",
         "suspected_errors": "0", "note": "通常どおり"}  # fmt: skip


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def as_user(engine: Engine, clock: Clock, flags: dict[str, int], uploads: Path) -> Iterator[Callable[[str], TestClient]]:
    """A logged-in client per user, on an app whose uploads go to ``uploads``."""
    clients: list[TestClient] = []

    def make(user: str | None = None) -> TestClient:
        settings = Settings(paths=PathsConfig(uploads=uploads))
        client = TestClient(create_app(settings, engine=engine, clock=clock), follow_redirects=False)
        clients.append(client)
        if user is not None:
            assert login(client, user).status_code == 303  # type: ignore[attr-defined]
        return client

    yield make
    for c in clients:
        c.close()


def send(client: TestClient, files: list[tuple[str, bytes]], token: str | None = None) -> Any:
    token = token if token is not None else csrf_of(client.get("/upload").text)
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post("/upload", data={"csrf_token": token}, files=parts)


def runs(engine: Engine) -> list[tuple[int, str | None, list[str]]]:
    t = table_of(IngestRun)
    with engine.connect() as conn:
        return [(r.id, r.uploaded_by, r.sources) for r in conn.execute(select(t.c.id, t.c.uploaded_by, t.c.sources).order_by(t.c.id))]


def audited(engine: Engine, actor: str) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, t.c.subject, t.c.payload).where(t.c.actor == actor).order_by(t.c.seq))
        return [(r.action, r.subject, r.payload) for r in rows]


def events(engine: Engine, prefix: str) -> list[tuple[str, str]]:
    """(event id, unit) of the stored events whose id starts with ``prefix``."""
    t = table_of(Event)
    with engine.connect() as conn:
        found = conn.execute(select(t.c.event_id).where(t.c.event_id.like(f"{prefix}%")).order_by(t.c.event_id)).scalars().all()
        return [(eid, (queries.get_event(conn, eid) or {})["unit_id"]) for eid in found]


def text_of(html: str, element_id: str) -> list[str]:
    """The ``<code>`` lines inside the element with ``element_id``, unescaped."""
    import html as h
    import re

    block = html.split(f'id="{element_id}"', 1)[1].split("</ul>", 1)[0]
    return [h.unescape(x) for x in re.findall(r"<code>(.*?)</code>", block, re.S)]


# -- 取込 ---------------------------------------------------------------------------------------


def test_a_first_line_upload_takes_its_own_units_records_and_rejects_others_with_the_unit(
    as_user: Callable[[str], TestClient], engine: Engine, uploads: Path
) -> None:
    client = as_user("po1")
    page = client.get("/upload")
    assert page.status_code == 200
    assert "取り込めるのは自部署（PO-001）の記録だけです" in page.text
    before = len(runs(engine))
    data = (HEAD + GOOD + OTHER + BAD).encode("utf-8")
    r = send(client, [("e.csv", data)])
    assert r.status_code == 200
    run_id, by, sources = runs(engine)[-1]
    assert len(runs(engine)) == before + 1 and by == "po1"
    kept = uploads / str(run_id) / "e.csv"
    assert sources == [str(kept)] and kept.read_bytes() == data  # what was sent is kept, byte for byte
    assert text_of(r.text, "reject-lines") == [OTHER_JA, BAD_JA]
    assert f'href="/upload/{run_id}/rejects.csv"' in r.text
    assert '<tr data-type="error_report"><td>事務処理誤り報告</td><td class="num">1</td>' in r.text
    assert events(engine, "UP") == [("UP1", "PO-001")]
    assert audited(engine, "po1")[-1][:2] == ("upload", f"ingest:{run_id}")
    payload = audited(engine, "po1")[-1][2]
    assert (payload["files"][0]["name"], payload["files"][0]["bytes"], payload["accepted"], payload["rejected"]) == (
        "e.csv",
        len(data),
        1,
        2,
    )
    assert payload["channel"] == "web"


def test_the_rejects_download_is_a_bom_csv_of_every_reason(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_user("po1")
    send(client, [("e.csv", (HEAD + GOOD + OTHER + BAD).encode("utf-8"))])
    run_id = runs(engine)[-1][0]
    r = client.get(f"/upload/{run_id}/rejects.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="rejects_run{run_id}.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["ファイル", "行", "種類", "イベントID", "項目", "理由", "元の記録"]
    assert [row[:5] for row in rows[1:]] == [
        ["e.csv", "3", "error_report", "UP2", "unit_id"],
        ["e.csv", "4", "error_report", "UP3", "category"],
    ]
    assert rows[1][5] == OTHER_JA.split(": ", 2)[2] and rows[2][5] == BAD_JA.split(": ", 2)[2]
    assert "他部署の記録" in rows[1][6]
    english = client.get(f"/upload/{run_id}/rejects.csv?lang=en")
    assert english.content.decode("utf-8-sig").splitlines()[0] == "file,line,type,event id,field,reason,record as read"


def test_the_rejects_of_someone_elses_upload_are_refused_and_a_missing_run_is_404(
    as_user: Callable[[str], TestClient], engine: Engine
) -> None:
    send(as_user("po1"), [("e.csv", (HEAD + BAD).encode("utf-8"))])
    run_id = runs(engine)[-1][0]
    refused = as_user("po2").get(f"/upload/{run_id}/rejects.csv")
    assert refused.status_code == 403 and f"取込実行{run_id}はあなたの取込ではありません" in refused.text
    assert as_user("risk1").get(f"/upload/{run_id}/rejects.csv").status_code == 200  # the second line reads every run's
    missing = as_user("po1").get("/upload/99999/rejects.csv")
    assert missing.status_code == 404 and "取込実行99999はありません" in missing.text


def test_the_second_line_uploads_any_units_records_as_jsonl(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_user("risk1")
    assert "自部署" not in client.get("/upload").text
    line = b'{"event_id":"UP9","type":"error_report","unit_id":"PO-002","case_id":"CU9","discovered_at":"2025-04-09T10:00:00",' \
           b'"category":"misissuance","affected_customers":1,"personal_info_involved":false,"summary":"x"}\n'  # fmt: skip
    r = send(client, [("r.jsonl", line)])
    assert r.status_code == 200 and 'id="upload-ok"' in r.text and "すべての記録を取り込みました" in r.text
    assert events(engine, "UP9") == [("UP9", "PO-002")]
    assert runs(engine)[-1][1] == "risk1"


def test_a_regional_division_uploads_its_offices_records(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    r = send(as_user("rd1"), [("e.csv", (HEAD + GOOD + OTHER).encode("utf-8"))])
    assert r.status_code == 200 and "reject-lines" not in r.text
    assert sorted(events(engine, "UP")) == [("UP1", "PO-001"), ("UP2", "PO-002")]


def test_the_units_master_is_not_taken_from_the_page(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    r = send(as_user("risk1"), [("units.csv", b"unit_id,name_ja,unit_type\nX1,x,pension_office\n")])
    assert text_of(r.text, "reject-lines") == [
        "units.csv: 組織マスタ（units）は取込画面からは読み込みません。運用担当が riskmon ingest で読み込みます"
    ]


def test_two_files_of_one_name_are_both_kept(as_user: Callable[[str], TestClient], engine: Engine, uploads: Path) -> None:
    r = send(as_user("po1"), [("../a/e.csv", (HEAD + GOOD).encode()), ("e.csv", (HEAD + BAD).encode())])
    run_id = runs(engine)[-1][0]
    assert sorted(p.name for p in (uploads / str(run_id)).iterdir()) == ["2_e.csv", "e.csv"]
    assert text_of(r.text, "reject-lines") == [BAD_JA.replace("e.csv:4", "2_e.csv:2")]


@pytest.mark.parametrize("user", ["auditor", "exec1"])
def test_the_third_line_and_governance_cannot_upload(as_user: Callable[[str], TestClient], engine: Engine, user: str) -> None:
    client = as_user(user)
    page = client.get("/upload")
    assert page.status_code == 403
    assert "取込は第一線と第二線の利用者だけが行えます（第三線・役員は閲覧のみ）" in page.text
    assert 'href="/upload"' not in page.text  # not offered in the navigation either
    before = len(runs(engine))
    token = csrf_of(client.get("/").text)
    assert send(client, [("e.csv", (HEAD + GOOD).encode())], token).status_code == 403
    assert len(runs(engine)) == before
    assert [(a, s) for a, s, _ in audited(engine, user)][-2:] == [("refused:upload", "uploads"), ("refused:upload", "uploads")]


def test_anonymous_is_sent_to_the_login_page_and_a_post_without_the_token_is_refused(
    as_user: Callable[..., TestClient], engine: Engine
) -> None:
    anonymous = as_user()
    for path in ("/upload", "/daily", "/upload/1/rejects.csv"):
        r = anonymous.get(path)
        assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")
    before = len(runs(engine))
    assert anonymous.post("/upload", files=[("files", ("e.csv", b"x"))]).status_code == 403
    client = as_user("po1")
    assert send(client, [("e.csv", (HEAD + GOOD).encode())], token="forged").status_code == 403
    assert client.post("/daily", data={**DAILY, "business_date": "2025-04-10"}).status_code == 403
    assert len(runs(engine)) == before


def test_no_file_is_a_clear_error(as_user: Callable[[str], TestClient]) -> None:
    client = as_user("po1")
    r = client.post("/upload", data={"csrf_token": csrf_of(client.get("/upload").text)}, files=[("files", ("", b""))])
    assert r.status_code == 400 and "ファイルを選んでください" in r.text


def test_the_page_takes_files_larger_than_the_users_file_and_refuses_beyond_its_own_limit(
    as_user: Callable[[str], TestClient], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = b"x" * (1536 * 1024)  # over the 1 MiB of every other form, under the 取込 page's limit
    r = send(as_user("po1"), [("notes.txt", big)])
    assert r.status_code == 200
    assert text_of(r.text, "reject-lines") == [
        "notes.txt: 取り込めない種類のファイルです。.jsonl / .csv（.gz 圧縮も可）/ .xlsx で送ってください"
    ]
    monkeypatch.setitem(routes_ingest.BODY_LIMITS, "/upload", 4000)
    client = as_user("po1")
    before = len(runs(engine))
    refused = send(client, [("e.csv", b"y" * 5000)])
    assert refused.status_code == 413
    assert "一度に送信できるのは4,000バイトまでです。何も受け付けていません" in refused.text
    assert len(runs(engine)) == before


# -- 日次業務報告 -------------------------------------------------------------------------------


def daily(client: TestClient, **values: str) -> Any:
    token = csrf_of(client.get("/daily").text)
    return client.post("/daily", data={**DAILY, "business_date": "2025-04-10", **values, "csrf_token": token})


def test_the_daily_form_starts_on_todays_business_day_with_the_users_unit(as_user: Callable[[str], TestClient]) -> None:
    page = as_user("po1").get("/daily")
    assert page.status_code == 200
    assert 'name="business_date" value="2025-04-10"' in page.text  # the clock's Thursday 10 April 2025
    assert '<span id="daily-unit">札幌中央年金事務所 (PO-001)</span>' in page.text
    assert 'name="unit_id"' not in page.text


def test_the_daily_form_shows_the_models_messages_beside_the_fields(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    before = len(runs(engine))
    client = as_user("po1")
    r = daily(client, forms_received="十", complaints="")
    assert r.status_code == 400
    assert "入力内容を確認してください（2件）。何も提出していません" in r.text
    assert '<p class="field-error" id="e-forms_received">整数ではありません: &#39;十&#39;</p>' in r.text
    assert '<p class="field-error" id="e-complaints">必須項目がありません</p>' in r.text
    assert 'value="十"' in r.text  # what was typed comes back to be corrected
    crossed = daily(client, forms_pending="0", oldest_pending_days="3")  # the model's cross-field check, on the field to correct
    assert crossed.status_code == 400
    assert ('<p class="field-error" id="e-oldest_pending_days">未処理件数 (forms_pending) が 0 なのに最古の未処理日数が 0 より大きい</p>'
            in crossed.text)  # fmt: skip
    assert len(runs(engine)) == before


def test_submitting_twice_is_a_duplicate_and_a_changed_report_a_conflict(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_user("po1")
    first = daily(client, unit_id="PO-002")  # a unit in the form is ignored: the report is the user's unit's
    assert first.status_code == 200
    run1 = runs(engine)[-1]
    assert run1[1] == "po1"
    assert f"2025-04-10の日次業務報告を受け付けました（取込実行{run1[0]}）" in first.text
    assert events(engine, "DR-20250410") == [("DR-20250410-PO-001", "PO-001")]
    again = daily(client)
    assert again.status_code == 200
    assert f"2025-04-10の日次業務報告は同じ内容で提出済みです。変更はありません（重複、取込実行{run1[0] + 1}）" in again.text
    changed = daily(client, complaints="1")
    assert changed.status_code == 409
    assert "2025-04-10の日次業務報告は既に別の内容で提出されています。提出済みの報告は上書きしません（競合" in changed.text
    assert "event_id" not in changed.text  # the pipeline's advice (a new event_id) is not the form user's to follow
    t = table_of(DailyReportRow)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t)).scalar_one() >= 1
        assert conn.execute(select(t.c.complaints).where(t.c.event_id == "DR-20250410-PO-001")).scalar_one() == 0  # not overwritten
    assert [a for a, _, _ in audited(engine, "po1")][-3:] == ["daily_report"] * 3


def test_the_optional_counts_are_checked_in_pairs(as_user: Callable[[str], TestClient]) -> None:
    r = daily(as_user("po1"), acquisition_paper_processed="3")
    assert r.status_code == 400
    assert ('id="e-acquisition_paper_days">acquisition_paper_processed と acquisition_paper_days は両方書くか両方省いてください</p>'
            in r.text)  # fmt: skip
    assert "<details open>" in r.text


@pytest.mark.parametrize("user", ["risk1", "auditor", "exec1"])
def test_only_a_first_line_office_head_submits_the_daily_report(as_user: Callable[[str], TestClient], engine: Engine, user: str) -> None:
    client = as_user(user)
    page = client.get("/daily")
    assert page.status_code == 403 and "日次業務報告を提出できるのは第一線の所属長だけです" in page.text
    token = csrf_of(client.get("/").text)
    r = client.post("/daily", data={**DAILY, "business_date": "2025-04-10", "csrf_token": token})
    assert r.status_code == 403
    assert audited(engine, user)[-1][:2] == (
        "refused:daily_report",
        f"unit:{'RMD' if user == 'risk1' else 'AUD' if user == 'auditor' else 'EXE'}",
    )


def test_the_navigation_offers_each_user_their_pages(as_user: Callable[[str], TestClient]) -> None:
    offered = {u: ('href="/upload"' in (p := as_user(u).get("/").text), 'href="/daily"' in p) for u in ("po1", "risk1", "auditor")}
    assert offered == {"po1": (True, True), "risk1": (True, False), "auditor": (False, False)}


def test_a_corrected_record_sent_again_resolves_its_reject(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_user("po1")
    send(client, [("e.csv", (HEAD + BAD).encode("utf-8"))])
    first = runs(engine)[-1][0]
    with engine.connect() as conn:
        assert [r["event_id"] for r in queries.reject_rows(conn, run=first)[0]] == ["UP3"]
    again = send(client, [("e.csv", (HEAD + BAD.replace("misisuance", "misissuance")).encode("utf-8"))])
    assert 'id="upload-ok"' in again.text and events(engine, "UP3") == [("UP3", "PO-001")]
    with engine.connect() as conn:
        assert queries.reject_rows(conn, run=first)[0] == []  # open ones only: it was resolved by the later upload


def test_a_relative_uploads_folder_still_shows_the_files_own_name(
    engine: Engine, clock: Clock, flags: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default config's folder is "." and [paths] uploads "var/uploads"
    with TestClient(create_app(Settings(), engine=engine, clock=clock), follow_redirects=False) as client:
        assert login(client, "po1").status_code == 303  # type: ignore[attr-defined]
        r = send(client, [("e.csv", (HEAD + BAD).encode("utf-8"))])
    assert text_of(r.text, "reject-lines") == [BAD_JA.replace("e.csv:4", "e.csv:2")]
    assert (tmp_path / "var" / "uploads" / str(runs(engine)[-1][0]) / "e.csv").exists()


def test_a_changed_record_is_a_conflict_naming_the_earlier_upload_by_run(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_user("po1")
    send(client, [("e.csv", (HEAD + GOOD).encode("utf-8"))])
    first = runs(engine)[-1][0]
    r = send(client, [("e.csv", (HEAD + GOOD.replace("誤送付", "誤送付（訂正）")).encode("utf-8"))])
    assert text_of(r.text, "reject-lines") == [
        f"e.csv:2: event_id: 'UP1' は既に別の内容で登録済みです（{first}/e.csv:2）。"
        "上書きはしません。訂正は新しい event_id で送ってください"
    ]


def test_a_workbook_uploaded_from_the_page_is_read_by_sheet_and_row(as_user: Callable[[str], TestClient], engine: Engine) -> None:
    """An office's .xlsx goes through the page like a CSV: its rejects say file:sheet!row (issue #14)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "error_report"
    for line in (HEAD + GOOD.replace("UP1", "UX1").replace("CU1", "CX1") + BAD.replace("UP3", "UX3").replace("CU3", "CX3")).splitlines():
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    r = send(as_user("po1"), [("e.xlsx", data.getvalue())])
    assert r.status_code == 200
    assert events(engine, "UX") == [("UX1", "PO-001")]
    lines = text_of(r.text, "reject-lines")
    assert len(lines) == 1 and lines[0].startswith("e.xlsx:error_report!3: category: 'misisuance' は使えません"), lines
