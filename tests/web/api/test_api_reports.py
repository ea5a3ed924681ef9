"""Reports on the API: the list and files for the second and third line, a committee pack generated
by the second line only (the call the レポート page and ``riskmon report committee`` make, audited
with the token id), and the first line refused as on the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.store.tables import AuditEntry, table_of
from tests.web.api.api_support import Token, problem


def test_the_second_line_generates_and_everyone_but_the_first_downloads(api: TestClient, token: Token, engine: Engine) -> None:
    r = api.post("/api/v1/reports", headers=token("risk1", "review"), json={"first": "2025-04-01", "last": "2025-04-10"})
    assert r.status_code == 200, r.text
    made = r.json()
    assert (made["version"], made["unchanged"]) == (1, False)
    assert {"md", "xlsx", "html"} <= {name.rsplit(".", 1)[1] for name in made["files"]}
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        (payload,) = [e.payload for e in conn.execute(select(t).where(t.c.action == "report_generated", t.c.actor == "risk1"))]
    assert (payload["channel"], len(payload["token"])) == ("api", 12)
    listed = api.get("/api/v1/reports", headers=token("auditor", "read")).json()["items"]
    assert [(k["kind"], k["period_from"], k["period_to"]) for k in listed] == [("committee", "2025-04-01", "2025-04-10")]
    md = api.get(f"/api/v1/reports/{listed[0]['id']}/file.md", headers=token("auditor", "read"))
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"].startswith("attachment; filename=")
    assert "リスク管理委員会" in md.text
    absent = problem(api.get(f"/api/v1/reports/{listed[0]['id'] + 1}/file.md", headers=token("risk1", "read")), 404, "not-found")
    assert absent["detail"] == f"レポート{listed[0]['id'] + 1}のmdはありません"


def test_who_may_not(api: TestClient, token: Token) -> None:
    period = {"first": "2025-04-01", "last": "2025-04-10"}
    for user in ("po1", "auditor"):
        body = problem(api.post("/api/v1/reports", headers=token(user, "review"), json=period), 403, "forbidden")
        assert body["detail"] == "委員会資料を作成できるのは第二線だけです"
    body = problem(api.get("/api/v1/reports", headers=token("po1", "read")), 403, "forbidden")
    assert body["detail"] == "第一線は委員会資料を閲覧できません"
    body = problem(api.post("/api/v1/reports", headers=token("risk1", "review"), json={"first": "2025-04-10", "last": "2025-04-01"}),
                   422, "validation")  # fmt: skip
    assert body["errors"] == [{"loc": ["body", "last"], "field": "last", "reason": "開始日より前です"}]
