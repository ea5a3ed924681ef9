"""Flags on the API: the list is the web's and the CLI's (the same filters, problems and pages,
the first line only its units), a flag's detail, and case actions through the review service — so
the policy, four eyes, the powers and their audit entries are the CLI's, named with the token id."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.store.tables import AuditEntry, CaseEvent, table_of
from tests.web.api.api_support import Token, problem

PO_001 = ("R01:C1", "R01:C2", "R02:C2")


def ids(api: TestClient, headers: dict[str, str], query: str = "") -> list[int]:
    r = api.get(f"/api/v1/flags?per=100{query}", headers=headers)
    assert r.status_code == 200, r.text
    return sorted(row["id"] for row in r.json()["items"])


def test_the_first_line_lists_only_its_units_others_all(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    assert ids(api, token("po1", "read")) == sorted(flags[k] for k in PO_001)
    assert ids(api, token("po2", "read")) == sorted(v for k, v in flags.items() if k not in PO_001)
    for user in ("risk1", "auditor", "exec1"):
        assert ids(api, token(user, "read")) == sorted(flags.values())


def test_filters_and_pages_are_the_lists(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    h = token("risk1", "read")
    assert ids(api, h, "&rule=R02") == sorted([flags["R02:C2"], flags["R02:C9"]])
    assert ids(api, h, "&unit=PO-001") == sorted(flags[k] for k in PO_001)
    page = api.get("/api/v1/flags?per=25&sort=id&dir=asc", headers=h).json()
    assert (page["total"], page["page"], page["pages"], [r["id"] for r in page["items"]]) == (7, 1, 1, sorted(flags.values()))


def test_bad_filters_are_422_naming_each_field(api: TestClient, token: Token) -> None:
    body = problem(api.get("/api/v1/flags?per=7&since=x&lang=en", headers=token("risk1", "read")), 422, "validation")
    assert body["detail"] == "the filters have problems; see errors"
    assert [(e["field"], e["loc"]) for e in body["errors"]] == [("since", ["query", "since"]), ("per", ["query", "per"])]
    ja = problem(api.get("/api/v1/flags?per=7", headers=token("risk1", "read")), 422, "validation")
    assert ja["errors"] == [{"loc": ["query", "per"], "field": "per", "reason": "表示件数は次のいずれかです：25, 50, 100"}]


def test_another_units_flag_is_missing_to_the_first_line(api: TestClient, token: Token, flags: dict[str, int], engine: Engine) -> None:
    other = flags["R01:C3"]
    body = problem(api.get(f"/api/v1/flags/{other}", headers=token("po1", "read")), 404, "not-found")
    assert body["detail"] == f"フラグ{other}はありません"  # the policy's answer for a missing flag
    assert problem(api.get("/api/v1/flags/999", headers=token("po1", "read")), 404, "not-found")["detail"] == "フラグ999はありません"
    problem(api.post(f"/api/v1/flags/{other}/acknowledge", headers=token("po1", "review"), json={}), 404, "not-found")
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        refused = [r.action for r in conn.execute(select(t).where(t.c.subject == f"flag:{other}", t.c.actor == "po1"))]
    assert refused == ["refused:history", "refused:acknowledge"]


def test_detail_has_history_and_the_actions_allowed(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    f = flags["R01:C1"]
    body = api.get(f"/api/v1/flags/{f}", headers=token("po1")).json()
    assert (body["flag"]["id"], body["flag"]["owner_unit"], body["proposal_id"]) == (f, "PO-001", None)
    assert body["allowed_actions"] == ["acknowledge", "comment", "propose", "response", "take_on"]
    assert api.get(f"/api/v1/flags/{f}", headers=token("po1", "read")).json()["allowed_actions"] == []  # no review scope
    assert api.get(f"/api/v1/flags/{f}", headers=token("auditor")).json()["allowed_actions"] == []


def case_events(engine: Engine, flag_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    t = table_of(CaseEvent)
    with engine.connect() as conn:
        return [(r.actor, r.action, r.detail) for r in conn.execute(select(t).where(t.c.flag_id == flag_id).order_by(t.c.id))]


def test_an_action_is_the_services_with_the_token_id(api: TestClient, token: Token, flags: dict[str, int], engine: Engine) -> None:
    f = flags["R01:C1"]
    r = api.post(f"/api/v1/flags/{f}/acknowledge", headers=token("po1", "review"), json={"note": "確認しました"})
    assert (r.status_code, r.json()) == (200, {"flag_id": f, "status": "acknowledged", "message": "受領しました"})
    (who, action, detail) = case_events(engine, f)[-1]
    assert (who, action, detail["note"], detail["channel"], len(detail["token"])) == ("po1", "acknowledge", "確認しました", "api", 12)
    r = api.post(f"/api/v1/flags/{f}/take_on?lang=en", headers=token("po1", "review"))
    assert r.json() == {"flag_id": f, "status": "in_progress", "message": "in progress"}


def test_the_third_line_is_read_only(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    body = problem(api.post(f"/api/v1/flags/{flags['R01:C1']}/comment", headers=token("auditor"), json={"note": "x"}), 403, "forbidden")
    assert body["detail"] == "第三線（監査部）・ガバナンスは閲覧のみで、変更はできません"


def test_four_eyes_across_two_tokens(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    f = flags["R01:C3"]
    r = api.post(f"/api/v1/flags/{f}/resolve", headers=token("risk1"), json={"note": "対応済み", "resolution": "remediated"})
    assert r.json()["message"].startswith("別の第二線担当者の承認待ちです（四つの目）。提案")
    proposal = api.get(f"/api/v1/flags/{f}", headers=token("risk1")).json()["proposal_id"]
    assert r.json()["message"].endswith(proposal)
    problem(api.post(f"/api/v1/flags/{f}/confirm", headers=token("risk1"), json={"proposal": proposal}), 403, "forbidden")
    r = api.post(f"/api/v1/flags/{f}/confirm", headers=token("risk2"), json={"proposal": proposal})
    assert r.json() == {"flag_id": f, "status": "resolved", "message": "完了を承認しました"}


def test_accept_risk_is_a_risk_accepted_resolution(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    f = flags["R01:C1"]
    body = problem(api.post(f"/api/v1/flags/{f}/accept_risk", headers=token("risk1"), json={"note": "受容"}), 403, "forbidden")
    assert body["detail"] == "リスク受容には期限（--until）が必要です"
    r = api.post(f"/api/v1/flags/{f}/accept_risk", headers=token("risk1"), json={"note": "受容", "until": "2025-09-30"})
    assert r.status_code == 200
    flag = api.get(f"/api/v1/flags/{f}", headers=token("risk1")).json()["flag"]
    assert (flag["proposal"]["resolution"], flag["proposal"]["until"]) == ("risk_accepted", "2025-09-30")


def test_a_bad_action_or_body_is_422(api: TestClient, token: Token, flags: dict[str, int]) -> None:
    f = flags["R01:C1"]
    body = problem(api.post(f"/api/v1/flags/{f}/bogus", headers=token("po1"), json={}), 422, "validation")
    assert body["errors"] == [{"loc": ["path", "action"], "field": "action", "reason": "使える値ではありません"}]
    body = problem(api.post(f"/api/v1/flags/{f}/comment", headers=token("po1"), json={"nope": 1}), 422, "validation")
    assert body["errors"] == [{"loc": ["body", "nope"], "field": "nope", "reason": "この項目は使えません"}]
