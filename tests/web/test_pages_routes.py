"""The pages over HTTP (TestClient), on SQLite and PostgreSQL: who sees which page and which flags,
which actions each role is offered and may take, refusals (403 + audit; 404 + audit for another
unit's flag or event), four eyes, validation,
exports, bulk actions, events, import errors and user administration; event text always escaped."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, event, select, update

from riskmon.accounts.sessions import hash_id
from riskmon.accounts.tokens import TokenRefused, Tokens
from riskmon.store.tables import AuditEntry, CaseEvent, Flag, Reject, User, WebCredential, table_of
from riskmon.web import routes_flags
from tests.web.pages_support import audit_actions, copies_of, flag_row, ids, post
from tests.web.support import EVIL, login

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PO1 = ("R01:C1", "R01:C2", "R02:C2")
PO2 = ("R01:C3", "R03:C3", "R01:C9", "R02:C9")


# -- visibility: every page × every role ------------------------------------------------------

PAGES = ["/", "/flags", "/flags/{own}", "/flags/{other}", "/events?by=case&q=C1", "/events?by=case&q=C9", "/quarantine", "/admin/users"]
# role → expected status per page; "own" is a PO-001 flag, "other" a PO-002 one (C1 is PO-001's case, C9 PO-002's)
MATRIX = {
    "po1": [200, 200, 200, 404, 200, 404, 403, 403],  # first line, office PO-001: another unit's flag/case looks missing
    "rd1": [200, 200, 200, 200, 200, 200, 403, 403],  # first line, 地域部 over both offices
    "risk1": [200, 200, 200, 200, 200, 200, 200, 403],  # second line
    "auditor": [200, 200, 200, 200, 200, 200, 403, 403],  # third line
    "exec1": [200, 200, 200, 200, 200, 200, 403, 403],  # governance
    "admin1": [200, 200, 200, 200, 200, 200, 200, 200],  # second line, user_admin
}


@pytest.mark.parametrize("user", sorted(MATRIX))
def test_every_page_for_every_role(as_: Callable[[str], TestClient], flags: dict[str, int], engine: Engine, user: str) -> None:
    client = as_(user)
    got = [client.get(p.format(own=flags["R01:C1"], other=flags["R01:C3"])).status_code for p in PAGES]
    assert got == MATRIX[user]
    refused = [a for a, _ in audit_actions(engine, user) if a.startswith("refused:")]
    others = ["refused:quarantine_read", "refused:users_read"]
    expected = {
        "po1": ["refused:history", "refused:event_read", *others],
        "risk1": ["refused:users_read"],
        "admin1": [],
    }.get(user, others)
    assert refused == expected


@pytest.mark.parametrize(("user", "visible"), [("po1", PO1), ("po2", PO2), ("rd1", PO1 + PO2), ("risk1", PO1 + PO2),
                                               ("auditor", PO1 + PO2), ("exec1", PO1 + PO2)])  # fmt: skip
def test_the_list_shows_each_role_its_flags_with_the_total(as_: Callable[[str], TestClient], flags: dict[str, int], user: str,
                                                            visible: tuple[str, ...]) -> None:  # fmt: skip
    page = as_(user).get("/flags?status=all")
    assert page.status_code == 200
    assert ids(page.text) == sorted(flags[k] for k in visible)
    assert f'<span class="n" id="total">{len(visible)}</span>' in page.text


# -- actions offered and taken ----------------------------------------------------------------


def offered(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', html)


def test_only_the_actions_this_user_may_take_are_offered(as_: Callable[[str], TestClient], flags: dict[str, int]) -> None:
    own = flags["R01:C1"]
    assert offered(as_("po1").get(f"/flags/{own}").text) == ["acknowledge", "take_on", "response", "comment", "propose"]
    assert offered(as_("risk1").get(f"/flags/{own}").text) == ["acknowledge", "take_on", "comment", "propose", "resolve", "dismiss"]
    page = as_("auditor").get(f"/flags/{own}").text
    assert offered(page) == [] and '<form method="post" action="/flags/' not in page
    assert "閲覧のみ（第三線・ガバナンス）" in page
    page = as_("exec1").get(f"/flags/{own}").text  # governance works no case, but records beside it (issue #12)
    assert offered(page) == ["receipt", "committee_decision"] and "閲覧のみ（第三線・ガバナンス）" not in page
    assert "ガバナンスは報告の受理・委員会の決定を記録できます" in page
    for reader in ("auditor", "exec1"):
        listing = as_(reader).get("/flags").text
        assert 'id="bulk"' not in listing and 'type="checkbox"' not in listing


@pytest.mark.parametrize("reader", ["auditor", "exec1"])
def test_a_forged_post_from_a_read_only_user_is_refused_and_audited(as_: Callable[[str], TestClient], engine: Engine,
                                                                    flags: dict[str, int], reader: str) -> None:  # fmt: skip
    client, own = as_(reader), flags["R01:C1"]
    before = flag_row(engine, own)
    r = post(client, f"/flags/{own}/act", {"action": "acknowledge", "note": "forged"})
    assert r.status_code == 403 and "第三線（監査部）・ガバナンスは閲覧のみで、変更はできません" in r.text
    bulk = post(client, "/flags/bulk", {"ids": [str(own)], "bulk_action": "acknowledge"})
    assert bulk.status_code == 403
    assert flag_row(engine, own)["review_status"] == before["review_status"] == "open"
    assert [a for a in audit_actions(engine, reader) if a[0].startswith("refused:")] == [
        ("refused:acknowledge", f"flag:{own}"), ("refused:acknowledge", f"flag:{own}")]  # fmt: skip


def test_the_first_line_cannot_act_on_another_office_s_flag(
    as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]
) -> None:
    other = flags["R01:C3"]
    r = post(as_("po1"), f"/flags/{other}/act", {"action": "acknowledge"})
    assert r.status_code == 404 and "ページが見つかりません" in r.text and "担当ではありません" not in r.text
    assert flag_row(engine, other)["review_status"] == "open"
    assert ("refused:acknowledge", f"flag:{other}") in audit_actions(engine, "po1")


def test_an_office_head_acknowledges_and_responds(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    client, own = as_("po1"), flags["R01:C1"]
    r = post(client, f"/flags/{own}/act", {"action": "acknowledge", "note": "見ました"})
    assert (r.status_code, r.headers["location"]) == (303, f"/flags/{own}?done=acknowledge")
    r = post(client, f"/flags/{own}/act", {"action": "response", "note": EVIL}, htmx=True)
    assert (r.status_code, r.headers["HX-Redirect"]) == (204, f"/flags/{own}?done=response")
    page = client.get(f"/flags/{own}?done=response").text
    assert [a for a in re.findall(r'<tr data-action="([a-z_]+)">', page)] == ["acknowledge", "response"]
    assert EVIL not in page and ESCAPED in page
    assert flag_row(engine, own)["review_status"] == "acknowledged"


def test_a_web_action_names_its_channel_and_session_in_the_audit_log_and_the_history(
    as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]
) -> None:
    client, own = as_("po1"), flags["R01:C1"]
    ref = hash_id(client.cookies["riskmon_session"])[:12]
    assert post(client, f"/flags/{own}/act", {"action": "acknowledge", "note": "見ました"}).status_code == 303
    a, c = table_of(AuditEntry), table_of(CaseEvent)
    with engine.connect() as conn:
        entry = conn.execute(select(a.c.payload).where(a.c.actor == "po1", a.c.action == "acknowledge", a.c.subject == f"flag:{own}")).one()
        step = conn.execute(select(c.c.detail).where(c.c.flag_id == own, c.c.action == "acknowledge")).one()
    assert (entry.payload["channel"], entry.payload["session"]) == ("web", ref)
    assert (step.detail["channel"], step.detail["session"], step.detail["note"]) == ("web", ref, "見ました")


def test_four_eyes_in_the_browser_pages(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    a, b, high = as_("risk1"), as_("risk2"), flags["R01:C1"]
    assert flag_row(engine, high)["severity"] in ("high", "critical")
    r = post(a, f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"})
    assert r.status_code == 303
    assert flag_row(engine, high)["review_status"] == "open" and flag_row(engine, high)["proposal"]["by"] == "risk1"
    mine = a.get("/").text
    assert '<span class="n" id="count-awaiting_me">0</span>' in mine
    assert "confirm" not in offered(a.get(f"/flags/{high}").text)
    assert 'id="pending"' in a.get(f"/flags/{high}").text
    refused = post(a, f"/flags/{high}/act", {"action": "confirm"})
    assert refused.status_code == 403 and "提案者本人は承認できません" in refused.text
    queue = b.get("/").text
    assert '<span class="n" id="count-awaiting_me">1</span>' in queue
    awaiting = queue.split('id="bucket-awaiting_me"')[1].split("</section>")[0]
    assert ids(awaiting) == [high]
    detail = b.get(f"/flags/{high}").text
    assert offered(detail)[0] == "confirm"
    digest = re.findall(r'<input type="hidden" name="proposal" value="([0-9a-f]+)">', detail)
    assert len(digest) == 1  # the confirm form names the proposal its reader saw
    stale = post(b, f"/flags/{high}/act", {"action": "confirm", "proposal": "0" * len(digest[0])})
    assert stale.status_code == 400 and "承認待ちの提案" in stale.text and flag_row(engine, high)["review_status"] == "open"
    assert post(b, f"/flags/{high}/act", {"action": "confirm", "proposal": digest[0]}).status_code == 303
    row = flag_row(engine, high)
    assert (row["review_status"], row["closed_by"]) == ("resolved", ["risk1", "risk2"])
    assert ("refused:confirm", f"flag:{high}") in audit_actions(engine, "risk1")
    assert "count-awaiting_me" not in as_("auditor").get("/").text  # read-only users get the overview


def test_a_form_problem_comes_back_inline(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    client, flag = as_("risk1"), flags["R01:C2"]
    partial = post(client, f"/flags/{flag}/act", {"action": "resolve", "resolution": "remediated", "note": ""}, htmx=True)
    assert partial.status_code == 200 and partial.text.startswith('<section class="card actions" id="actions"')
    assert '<p class="error" role="alert" id="err-resolve">完了の説明（--note）が必要です</p>' in partial.text
    bad_date = post(client, f"/flags/{flag}/act", {"action": "propose", "resolution": "risk_accepted", "note": "x", "until": "31/12"})
    assert bad_date.status_code == 400 and "期限は日付（YYYY-MM-DD）で入力してください" in bad_date.text
    assert 'value="31/12"' in bad_date.text  # what the user typed is kept
    assert flag_row(engine, flag)["proposal"] is None


# -- the list: filters, sorting, paging, export, bulk ----------------------------------------


@pytest.mark.parametrize(("query", "field"), [("severity=urgent", "重大度"), ("unit=PO-999", "担当部署"), ("rule=R99", "ルール"),
                                              ("since=2025-13-01", "検知日（から）"), ("status=closed-ish", "対応状況"),
                                              ("region=PO-001", "地域部"), ("per=7", "表示件数"), ("page=0", "page")])  # fmt: skip
def test_an_unknown_filter_value_is_a_visible_error(as_: Callable[[str], TestClient], query: str, field: str) -> None:
    page = as_("risk1").get(f"/flags?{query}")
    assert page.status_code == 400
    problems = page.text.split('id="filter-problems"')[1].split("</div>")[0]
    assert f"<li>{field}: " in problems
    assert "data-flag" not in page.text and 'id="total"' not in page.text


@pytest.mark.parametrize(("user", "suggested"), [("po1", ["PO-001"]), ("rd1", ["PO-001", "PO-002", "RD01"]), ("risk1", [])])
def test_the_unit_filter_is_a_text_field_suggesting_only_the_viewers_units(as_: Callable[[str], TestClient], user: str,
                                                                           suggested: list[str]) -> None:  # fmt: skip
    page = as_(user).get("/flags").text
    field = re.search(r'<input id="f-unit" name="unit" type="text"[^>]*>', page)
    assert field is not None and '<label for="f-unit">担当部署</label>' in page and '<select id="f-unit"' not in page
    datalist = re.search(r'<datalist id="f-unit-list">(.*?)</datalist>', page, re.S)
    assert (re.findall(r'<option value="([^"]+)">', datalist.group(1)) if datalist else []) == suggested
    assert ('list="f-unit-list"' in field.group(0)) == bool(suggested)
    region = page.split('<select id="f-region"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]+)"', region) == ["RD01"]  # 地域部 stays a select


def test_more_units_than_the_limit_are_not_suggested(as_: Callable[[str], TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes_flags, "UNIT_SUGGESTIONS", 2)  # rd1 oversees three units
    page = as_("rd1").get("/flags").text
    assert '<datalist id="f-unit-list">' not in page and 'list="f-unit-list"' not in page


def test_an_unknown_unit_is_named_with_the_nearest_one(as_: Callable[[str], TestClient]) -> None:
    client = as_("risk1")
    page = client.get("/flags?unit=PO-01")
    problems = page.text.split('id="filter-problems"')[1].split("</div>")[0]
    assert page.status_code == 400
    assert (
        "<li>担当部署: 「PO-01」は使えない値です（もしかして &#39;PO-001&#39;？）（使える値：AUD, EXE, PO-001, PO-002, RD01, RMD）</li>"
        in problems
    )
    en = client.get("/flags?unit=PO-01&lang=en").text.split('id="filter-problems"')[1].split("</div>")[0]
    assert "&#39;PO-01&#39; is not a known value (did you mean &#39;PO-001&#39;?) (known: AUD, EXE, PO-001, PO-002, RD01, RMD)" in en


def test_filters_and_sorting_work_in_sql(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    client = as_("risk1")
    po2 = sorted(flags[k] for k in PO2)
    assert ids(client.get("/flags?unit=PO-002&status=all").text) == po2
    assert ids(client.get("/flags?region=RD01&status=all").text) == sorted(flags.values())
    assert ids(client.get("/flags?rule=R03&status=all").text) == [flags["R03:C3"]]
    assert ids(client.get("/flags?q=c9&status=all").text) == sorted([flags["R01:C9"], flags["R02:C9"]])
    assert ids(client.get("/flags?since=2025-04-11&status=all").text) == []
    assert ids(client.get("/flags?category=system&status=all").text) == []
    by_id = client.get("/flags?sort=id&dir=desc&status=all").text
    assert [int(n) for n in re.findall(r'data-flag="(\d+)"', by_id)] == sorted(flags.values(), reverse=True)
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        client.get("/flags?per=25&page=1&status=all")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    on_flags = [s for s in statements if re.search(r"\bFROM flags\b", s)]
    assert any("count(" in s.lower() for s in on_flags)
    assert any("LIMIT" in s and "OFFSET" in s for s in on_flags)
    # every other read of the flags table is a DISTINCT of rule ids, never the rows themselves
    assert all("count(" in s.lower() or "LIMIT" in s or "DISTINCT flags.rule_id" in s for s in on_flags)


def test_pagination_always_shows_the_total(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    copies_of(engine, flags["R01:C1"], 60)
    client = as_("po1")
    first = client.get("/flags?per=25&status=all&sort=id&dir=asc")
    assert '<span class="n" id="total">63</span>' in first.text and "（表示中 1–25）" in first.text
    assert len(ids(first.text)) == 25 and "ページ 1 / 3" in first.text
    last = client.get("/flags?per=25&status=all&sort=id&dir=asc&page=3")
    assert len(ids(last.text)) == 13 and "（表示中 51–63）" in last.text and 'rel="prev"' in last.text
    assert ids(first.text)[-1] < ids(client.get("/flags?per=25&status=all&sort=id&dir=asc&page=2").text)[0]


def test_exports_are_the_filtered_visible_set_and_formula_safe(as_: Callable[[str], TestClient], engine: Engine,
                                                              flags: dict[str, int]) -> None:  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(table_of(Flag)).where(table_of(Flag).c.id == flags["R01:C1"]).values(title_ja='=HYPERLINK("http://x")'))
    client = as_("po1")
    r = client.get("/flags/export.csv?status=all")
    assert r.headers["content-type"] == "text/csv; charset=utf-8" and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["番号", "重大度", "状態", "件名"]
    assert sorted(int(x[0]) for x in rows[1:]) == sorted(flags[k] for k in PO1)  # only po1's, every one
    assert [x[3] for x in rows[1:] if int(x[0]) == flags["R01:C1"]] == ['\'=HYPERLINK("http://x")']
    assert len(list(csv.reader(io.StringIO(client.get("/flags/export.csv?rule=R02&status=all").content.decode("utf-8-sig"))))) == 2
    x = client.get("/flags/export.xlsx?status=all&lang=en")
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws is not None
    assert [c.value for c in ws[1]][:4] == ["No.", "Severity", "Status", "Title"]
    assert ws.max_row == 4
    evil = next(row[0].row for row in ws.iter_rows(min_row=2) if row[0].value == flags["R01:C1"])
    assert ws.cell(evil, 4).data_type == "s"
    assert client.get("/flags/export.csv?severity=nope").status_code == 400


def test_bulk_actions_report_each_item(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    client = as_("po1")
    own, own2, other = flags["R01:C1"], flags["R01:C2"], flags["R01:C3"]
    post(client, f"/flags/{own2}/act", {"action": "acknowledge"})
    r = post(client, "/flags/bulk?status=all", {"ids": [str(own), str(own2), str(other)], "bulk_action": "acknowledge"})
    assert r.status_code == 200
    summary = r.text.split('id="bulk-summary"')[1].split("</div>")[0]
    assert '<span id="bulk-done">1</span>' in summary and '<span id="bulk-failed">2</span>' in summary
    assert f'<li data-failed="{own2}">#{own2}: 状態が「受領」のため実行できません（可能な状態：未対応）' in summary
    # another office's flag answers exactly as a missing one: the list must not confirm it exists
    assert f'<li data-failed="{other}">#{other}: フラグ{other}はありません</li>' in summary
    assert [flag_row(engine, i)["review_status"] for i in (own, own2, other)] == ["acknowledged", "acknowledged", "open"]
    empty = post(client, "/flags/bulk", {"bulk_action": "comment"})
    assert empty.status_code == 400 and "フラグを1件以上選んでください" in empty.text
    missing = post(client, "/flags/bulk?status=all&lang=en", {"ids": [str(other), "987654"], "bulk_action": "acknowledge"})
    failed = re.findall(r'<li data-failed="(\d+)">(.*?)</li>', missing.text)
    assert failed == [(str(other), f"#{other}: flag {other} does not exist"), ("987654", "#987654: flag 987654 does not exist")]


# -- events, import errors, users ---------------------------------------------------------------


def test_events_lookup(as_: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_("po1")
    case = client.get("/events?by=case&q=C1").text
    assert re.findall(r'<li data-step="([a-z_]+)">', case) == ["reported", "customer_response_done", "cause_analyzed"]
    event_page = client.get("/events?by=event&q=E1").text
    assert 'id="h-case"' in event_page and "事務処理誤り報告 E1" in event_page  # a report shows its case's lifecycle
    assert client.get("/events?by=event&q=NOPE").status_code == 404
    assert client.get("/events?by=unit&q=PO-002").status_code == 404
    assert ("refused:event_read", "unit:PO-002") in audit_actions(engine, "po1")
    assert client.get("/events?by=guess&q=E1").status_code == 400
    inspection = as_("po2").get("/events?by=event&q=I1").text
    assert '<tr data-nc="NC-1">' in inspection and "個人情報保護" in inspection


def test_import_errors_for_the_second_line(as_: Callable[[str], TestClient], engine: Engine) -> None:
    client = as_("risk1")
    page = client.get("/quarantine")
    lines = re.findall(r"<li><code>([^<]*)</code></li>", page.text)
    assert lines and all(re.match(r".*bad\.jsonl:1: [a-z_]+: .+", x) for x in lines)
    rj = table_of(Reject)
    with engine.connect() as conn:
        reject = conn.execute(select(rj.c.id, rj.c.source_path, rj.c.ingest_run_id)).one()
    assert ids_of(client.get(f"/quarantine?file={reject.source_path}&run={reject.ingest_run_id}").text) == [reject.id]
    assert client.get("/quarantine?file=/no/such.jsonl").status_code == 400
    assert client.get("/quarantine?run=abc").status_code == 400
    r = post(client, f"/quarantine/{reject.id}/handled", {"note": "差し戻し済み", "back": "/quarantine"}, page="/quarantine")
    assert (r.status_code, r.headers["location"]) == (303, f"/quarantine?done={reject.id}")
    assert ids_of(client.get("/quarantine").text) == []
    assert "対応済み：risk1" in client.get("/quarantine?show=all").text
    assert ("reject_handled", f"reject:{reject.id}") in audit_actions(engine, "risk1")
    assert post(as_("auditor"), f"/quarantine/{reject.id}/handled", {"note": "x"}).status_code == 403
    assert ("refused:reject_handled", f"reject:{reject.id}") in audit_actions(engine, "auditor")


def ids_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-reject="(\d+)"', html)]


def test_user_administration(as_: Callable[[str], TestClient], make_client: Callable[..., TestClient], engine: Engine) -> None:
    admin, victim = as_("admin1"), as_("po1")
    page = admin.get("/admin/users").text
    assert re.findall(r'data-user="([^"]+)"', page) == ["auditor", "exec1", "po1", "po2", "rd1", "admin1", "risk1", "risk2"]
    assert 'action="/admin/users/admin1"' not in page  # no control over one's own account
    own = post(admin, "/admin/users/admin1", {"op": "role", "role": "member"}, page="/admin/users")
    assert own.status_code == 400 and "自分自身の役割は変更できません" in own.text
    r = post(admin, "/admin/users/po2", {"op": "role", "role": "member"}, page="/admin/users")
    assert r.status_code == 200 and "po2の役割をmemberにしました" in r.text
    r = post(admin, "/admin/users/po1", {"op": "deactivate"}, page="/admin/users")
    assert r.status_code == 200 and "po1を無効にし、セッション1件とトークン0件を終了しました" in r.text
    assert victim.get("/").headers["location"] == "/login"
    post(admin, "/admin/users/po1", {"op": "activate"}, page="/admin/users")
    reset = post(admin, "/admin/users/po1", {"op": "reset_password"}, page="/admin/users")
    secret = re.findall(r'<code id="one-time">([^<]+)</code>', reset.text)
    assert len(secret) == 1 and len(secret[0]) == 16
    with engine.connect() as conn:
        assert conn.execute(select(table_of(WebCredential).c.must_change).where(table_of(WebCredential).c.user_id == "po1")).scalar_one()
        assert conn.execute(select(table_of(User).c.role).where(table_of(User).c.user_id == "po2")).scalar_one() == "member"
    fresh = make_client()
    assert login(fresh, "po1", secret[0]).headers["location"] == "/password"  # type: ignore[attr-defined]
    r = post(admin, "/admin/users/po1", {"op": "revoke_sessions"}, page="/admin/users")
    assert "po1のセッション1件を終了しました" in r.text
    secret_token, _ = Tokens(engine, lambda: datetime.now(UTC)).issue("po2")
    r = post(admin, "/admin/users/po2", {"op": "revoke_tokens"}, page="/admin/users")
    assert r.status_code == 200 and "po2のトークン1件を失効させました" in r.text
    with pytest.raises(TokenRefused):
        Tokens(engine, lambda: datetime.now(UTC)).authenticate(secret_token)
    actions = [a for a, _ in audit_actions(engine, "admin1")]
    assert actions[-7:] == ["refused:role_change", "role_change", "user_deactivated", "user_activated", "password_set",
                            "sessions_revoked", "tokens_revoked"]  # fmt: skip
    outsider = as_("risk1")
    assert post(outsider, "/admin/users/po2", {"op": "deactivate"}).status_code == 403
    assert ("refused:user_deactivated", "user:po2") in audit_actions(engine, "risk1")


# -- escaping --------------------------------------------------------------------------------


def test_script_in_event_text_renders_as_text_on_every_page(as_: Callable[[str], TestClient], flags: dict[str, int]) -> None:
    client = as_("risk1")
    pages = ["/", "/flags?status=all", f"/flags/{flags['R01:C9']}", "/events?by=event&q=E9", "/events?by=case&q=C9",
             "/events?by=unit&q=PO-002", "/events?by=event&q=I1", "/events?by=case&q=C1",
             "/quarantine", "/flags?q=%3Cscript%3E"]  # fmt: skip
    for path in pages:
        html = client.get(path).text
        assert EVIL not in html, path
    for path in pages[2:8]:
        assert ESCAPED in client.get(path).text, path
    detail = client.get(f"/flags/{flags['R01:C9']}").text
    linked = detail.split('<ul class="events">')[1].split("</ul>")[0]
    assert f'<span class="summary">★誤送付 C9: {ESCAPED}</span>' in linked


def test_the_rule_is_shown_at_the_version_that_raised_the_flag(engine: Engine, flags: dict[str, int], clock: Any, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Same hash: the file is that version. Changed since: the current file, with a note that says so."""
    import shutil

    from riskmon.config import load_settings
    from riskmon.web.app import create_app
    from tests.helpers import ROOT

    work = tmp_path / "cwd"
    shutil.copytree(ROOT / "rules", work / "rules")
    shutil.copy(ROOT / "config.toml", work / "config.toml")  # [paths] rules is resolved against the config's folder
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(load_settings(work / "config.toml"), engine=engine, clock=clock), follow_redirects=False)
    login(client, "risk1")
    page = client.get(f"/flags/{flags['R03:C3']}").text
    assert "このフラグを検知した版と同じです" in page and "id: R03" in page
    rule = work / "rules" / "r03_customer_response_overdue.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace('sources: ["S1:2166", "S1:2083"]', 'sources: ["S1:2166"]  # changed', 1), encoding="utf-8"
    )
    changed = client.get(f"/flags/{flags['R03:C3']}").text
    assert "この版の YAML は保存されていないため、現在のファイルを表示しています" in changed and "# changed" in changed
    rule.unlink()
    assert "このルールは現在のルールブックにありません" in client.get(f"/flags/{flags['R03:C3']}").text
    client.close()
