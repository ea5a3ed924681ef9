"""Events in through the ingest pipeline (a JSON array, JSON Lines, CSV), one event out, ingest
runs and their rejects: the CLI's quarantine and its ``file:line: field: reason``, the token id in
the source's name and the audit log; the second line ingests, the first line and the third do not."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.store.tables import AuditEntry, IngestRun, table_of
from riskmon.web.body_limit import MAX_BODY
from tests.helpers import error_report
from tests.web.api.api_support import Token, problem


def test_a_json_array_goes_through_the_pipeline(api: TestClient, token: Token, engine: Engine) -> None:
    records = [error_report("N1", "C21"), error_report("N2", "C22", unit_id="PO-002"), {"event_id": "N3", "type": "error_report"}]
    r = api.post("/api/v1/events", headers=token("risk1", "ingest"), json=records)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["totals"]) == ("completed", {"accepted": 2, "duplicates": 0, "conflicts": 0, "rejected": 1})
    (reject,) = body["rejects"]
    assert (reject["line"], reject["event_id"], reject["kind"]) == (3, "N3", "invalid")  # the array's third record
    assert reject["text"].startswith(f"{reject['source']}:3: unit_id: 必須項目がありません; case_id: 必須項目がありません")
    assert reject["source"].startswith("api-") and "/" not in reject["source"]  # the file as sent, kept under uploads/<run>/
    again = api.post("/api/v1/events", headers=token("risk1", "ingest"), json=records[:1]).json()
    assert again["totals"] == {"accepted": 0, "duplicates": 1, "conflicts": 0, "rejected": 0}
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = [(r.actor, r.subject, r.payload["channel"]) for r in conn.execute(select(t).where(t.c.action == "api_ingest"))]
    assert rows == [("risk1", f"ingest:{body['run_id']}", "api"), ("risk1", f"ingest:{again['run_id']}", "api")]
    run = api.get(f"/api/v1/ingest-runs/{body['run_id']}", headers=token("risk1", "read")).json()
    assert (run["accepted"], run["rejected"], run["status"]) == (2, 1, "completed")
    rejects = api.get(f"/api/v1/ingest-runs/{body['run_id']}/rejects", headers=token("risk1", "read")).json()
    assert (rejects["total"], rejects["items"][0]["line_no"], rejects["items"][0]["event_id"]) == (1, 3, "N3")
    assert api.get("/api/v1/events/N2", headers=token("risk1", "read")).json()["unit_id"] == "PO-002"


def test_json_lines_and_csv_bodies(api: TestClient, token: Token) -> None:
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in [error_report("L1", "C31"), error_report("L2", "C32")])
    r = api.post("/api/v1/events", headers={**token("risk1", "ingest"), "Content-Type": "application/x-ndjson"}, content=lines.encode())
    assert r.json()["totals"]["accepted"] == 2
    csv = ("event_id,type,unit_id,case_id,discovered_at,category,affected_customers,personal_info_involved,summary\n"
           "V1,error_report,PO-001,C41,2025-04-02T09:00:00,misdelivery,1,false,誤送付\n")  # fmt: skip
    r = api.post("/api/v1/events", headers={**token("risk1", "ingest"), "Content-Type": "text/csv; charset=utf-8"}, content=csv.encode())
    assert r.json()["totals"] == {"accepted": 1, "duplicates": 0, "conflicts": 0, "rejected": 0}


def test_bodies_the_api_refuses(api: TestClient, token: Token) -> None:
    h = token("risk1", "ingest")
    body = problem(api.post("/api/v1/events", headers={**h, "Content-Type": "application/json"}, content=b"{not json"), 422, "validation")
    assert body["detail"].startswith("本文をJSONとして読めません（")
    body = problem(api.post("/api/v1/events", headers=h, json={"event_id": "x"}), 422, "validation")
    assert body["detail"] == "本文はイベントの配列（[…]）で送ってください"
    body = problem(api.post("/api/v1/events", headers={**h, "Content-Type": "application/xml"}, content=b"<a/>"), 415, "media-type")
    assert body["detail"] == ("本文の形式「application/xml」は使えません。使える形式：application/json, application/x-ndjson, text/csv, "
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    units = b"unit_id,name_ja,name_en,unit_type,line,parent_unit_id,prefecture,active\nPO-9,x,x,pension_office,,,,true\n"
    body = problem(api.post("/api/v1/events", headers={**h, "Content-Type": "text/csv"}, content=units), 422, "validation")
    assert body["detail"] == "イベント以外（部署・利用者マスタ）はAPIでは取り込めません"


def test_a_body_over_the_limit_is_problem_details_not_a_page(api: TestClient, token: Token) -> None:
    """The request-body limit (riskmon.web.body_limit) answers the API in the API's shape."""
    big = b"[" + b" " * (MAX_BODY + 1) + b"]"
    r = api.post("/api/v1/events", headers={**token("risk1", "ingest"), "Content-Type": "application/json"}, content=big)
    body = problem(r, 413, "too-large")
    assert f"{MAX_BODY:,}" in body["detail"] and r.headers["connection"] == "close"
    en = problem(api.post("/api/v1/events?lang=en", headers={**token("risk1", "ingest"), "Content-Type": "application/json"},
                          content=big), 413, "too-large")  # fmt: skip
    assert en["title"] == "the body is too large"


def test_the_third_line_does_not_ingest(api: TestClient, token: Token) -> None:
    body = problem(api.post("/api/v1/events", headers=token("auditor", "ingest"), json=[error_report("Z1", "C51")]), 403, "forbidden")
    assert body["detail"] == "APIでの取込は第一線と第二線（サービス用アカウントを含む）だけができます"


def test_the_first_line_ingests_its_own_units_records_only(api: TestClient, token: Token, engine: Engine) -> None:
    """As on the 取込 page: another unit's record is rejected naming the unit, the run names its sender."""
    records = [error_report("F1", "C61"), error_report("F2", "C62", unit_id="PO-002")]
    body = api.post("/api/v1/events", headers=token("po1", "ingest"), json=records).json()
    assert body["totals"] == {"accepted": 1, "duplicates": 0, "conflicts": 0, "rejected": 1}
    (reject,) = body["rejects"]
    assert reject["text"].endswith(":2: unit_id: 'PO-002'は自部署（PO-001）ではありません。第一線が送れるのは自部署の記録だけです")
    t = table_of(IngestRun)
    with engine.connect() as conn:
        assert conn.execute(select(t.c.uploaded_by).where(t.c.id == body["run_id"])).scalar_one() == "po1"
    run = api.get(f"/api/v1/ingest-runs/{body['run_id']}", headers=token("risk1", "read")).json()
    assert (run["uploaded_by"], run["accepted"], run["rejected"]) == ("po1", 1, 1)


def test_a_workbook_body_is_read_by_sheet_and_row(api: TestClient, token: Token) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "error_report"
    sheet.append(["event_id", "unit_id", "case_id", "discovered_at", "category", "affected_customers", "personal_info_involved", "summary"])
    sheet.append(["W1", "PO-001", "C71", "2025-04-02T09:00:00", "misdelivery", 1, "false", "誤送付"])
    sheet.append(["W2", "PO-001", "C72", "2025-04-02T09:00:00", "misdelivry", 1, "false", "誤送付"])
    data = BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    body = api.post("/api/v1/events", headers={**token("risk1", "ingest"), "Content-Type": xlsx}, content=data.getvalue()).json()
    assert body["totals"] == {"accepted": 1, "duplicates": 0, "conflicts": 0, "rejected": 1}
    assert "!3: category: 'misdelivry'" in body["rejects"][0]["text"]


def test_events_of_another_unit_are_missing_to_the_first_line(api: TestClient, token: Token) -> None:
    assert api.get("/api/v1/events/E1", headers=token("po1", "read")).json()["event_id"] == "E1"
    body = problem(api.get("/api/v1/events/E3", headers=token("po1", "read")), 404, "not-found")
    assert body["detail"] == "イベントE3はありません"
    assert problem(api.get("/api/v1/events/NOPE?lang=en", headers=token("po1", "read")), 404, "not-found")["detail"] == (
        "event NOPE does not exist"
    )


def test_runs_and_rejects_are_the_second_lines(api: TestClient, token: Token) -> None:
    runs = api.get("/api/v1/ingest-runs?limit=1", headers=token("risk1", "read")).json()
    assert (runs["total"], [r["id"] for r in runs["items"]]) == (2, [2])  # the seed's two runs, newest first
    rejects = api.get("/api/v1/ingest-runs/2/rejects", headers=token("risk1", "read")).json()
    assert [(r["line_no"], r["event_id"]) for r in rejects["items"]] == [(1, "X1")]  # the seed's bad.jsonl
    assert problem(api.get("/api/v1/ingest-runs/99", headers=token("risk1", "read")), 404, "not-found")["detail"] == "取込99はありません"
    for user in ("po1", "auditor"):
        body = problem(api.get("/api/v1/ingest-runs", headers=token(user, "read")), 403, "forbidden")
        assert body["detail"] == "取込履歴と取込エラーは第二線が扱います"
