"""The faults found by looking at the pages (issue #11, round 4), each pinned over HTTP on SQLite
and PostgreSQL: what the detail page offers a second account of a proposer, what a forged bulk
form is audited as, that another unit's flag or event looks exactly like a missing one, and the
words the pages show (roles, evidence, proposal, note labels, the language switch, the queue)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.domain import Bucket
from riskmon.flags import repository
from riskmon.i18n import label
from riskmon.review.users import load_users
from tests.web.pages_support import audit_actions, flag_row, give_passwords, post
from tests.web.support import login


def pending_digest(engine: Engine, flag_id: int) -> str:
    with engine.connect() as conn:
        flag = repository.get(conn, flag_id)
    assert flag is not None and flag.proposal is not None
    return flag.proposal.digest


def without_token(html: str) -> str:
    """The page without its CSRF token (random per session: it could contain the id compared)."""
    return re.sub(r'(name="csrf-token" content=|name="csrf_token" value=)"[^"]*"', r"\1", html)


def offered(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', html)


def test_a_second_account_of_the_proposer_is_not_offered_confirm(as_: Callable[[str], TestClient], engine: Engine,
                                                                  flags: dict[str, int], tmp_path: Path) -> None:  # fmt: skip
    """risk1b has risk1's name and unit: one person, so one pair of eyes — no button, and a forged
    confirm is refused (403, audited) with the policy's reason."""
    second = tmp_path / "second.csv"
    second.write_text("user_id,name,unit_id,role\nrisk1b,リスク担当,RMD,risk_officer\n", encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, second) == (1, [])
    give_passwords(engine, ["risk1b"])
    high = flags["R01:C1"]
    assert (
        post(as_("risk1"), f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"}).status_code == 303
    )
    twin, other = as_("risk1b"), as_("risk2")
    assert "confirm" not in offered(twin.get(f"/flags/{high}").text)
    assert "confirm" in offered(other.get(f"/flags/{high}").text)
    digest = pending_digest(engine, high)
    forged = post(twin, f"/flags/{high}/act", {"action": "confirm", "proposal": digest}, page=f"/flags/{high}")
    assert forged.status_code == 403 and "risk1bと提案者risk1は同一人物のアカウントです" in forged.text
    assert audit_actions(engine, "risk1b")[-1] == ("refused:confirm", f"flag:{high}")
    assert flag_row(engine, high)["review_status"] == "open"


@pytest.mark.parametrize(("action", "audited"), [("acknowledge", "refused:acknowledge"), ("take_on", "refused:take_on"),
                                                 ("comment", "refused:comment"), ("resolve", "refused:resolve")])  # fmt: skip
def test_a_forged_bulk_post_is_audited_as_the_action_chosen(as_: Callable[[str], TestClient], engine: Engine,
                                                            flags: dict[str, int], action: str, audited: str) -> None:  # fmt: skip
    own = flags["R01:C1"]
    r = post(as_("exec1"), "/flags/bulk", {"ids": [str(own)], "bulk_action": action, "note": "x"})
    assert r.status_code == 403
    assert [a for a in audit_actions(engine, "exec1") if a[0].startswith("refused:")] == [(audited, f"flag:{own}")]


def test_another_unit_s_flag_looks_exactly_like_a_missing_one(as_: Callable[[str], TestClient], engine: Engine,
                                                              flags: dict[str, int]) -> None:  # fmt: skip
    client, other = as_("po1"), flags["R01:C3"]
    missing = 999_999
    seen, absent = client.get(f"/flags/{other}"), client.get(f"/flags/{missing}")
    assert (seen.status_code, absent.status_code) == (404, 404)
    assert without_token(seen.text).replace(str(other), "N") == without_token(absent.text).replace(str(missing), "N")
    assert "担当ではありません" not in seen.text
    acted = post(client, f"/flags/{other}/act", {"action": "acknowledge"})
    acted_missing = post(client, f"/flags/{missing}/act", {"action": "acknowledge"})
    assert (acted.status_code, acted_missing.status_code) == (404, 404)
    assert without_token(acted.text).replace(str(other), "N") == without_token(acted_missing.text).replace(str(missing), "N")
    assert [a for a in audit_actions(engine, "po1") if a[0].startswith("refused:")] == [
        ("refused:history", f"flag:{other}"), ("refused:acknowledge", f"flag:{other}")]  # fmt: skip
    assert flag_row(engine, other)["review_status"] == "open"


@pytest.mark.parametrize(("by", "other", "missing"), [("case", "C9", "C404"), ("event", "I1", "NO-SUCH"), ("unit", "PO-002", "PO-404")])
def test_another_unit_s_event_looks_exactly_like_a_missing_one(as_: Callable[[str], TestClient], engine: Engine, by: str,
                                                               other: str, missing: str) -> None:  # fmt: skip
    client = as_("po1")
    seen, absent = client.get(f"/events?by={by}&q={other}"), client.get(f"/events?by={by}&q={missing}")
    assert (seen.status_code, absent.status_code) == (404, 404)
    assert without_token(seen.text).replace(other, "Q") == without_token(absent.text).replace(missing, "Q")
    assert audit_actions(engine, "po1")[-1] == ("refused:event_read", f"{by}:{other}")


def test_user_administration_shows_role_labels(as_: Callable[[str], TestClient]) -> None:
    client = as_("admin1")
    ja, en = client.get("/admin/users").text, client.get("/admin/users?lang=en").text
    assert '<option value="risk_officer" selected>リスク管理担当者</option>' in ja
    assert '<option value="site_manager" >所属長</option>' in ja
    assert '<option value="auditor" selected>auditor</option>' in en
    assert '<option value="user_admin" >user administrator</option>' in en
    for code in ("site_manager", "risk_officer", "user_admin", "regional_manager"):
        assert f">{code}<" not in ja
    row = ja.split('data-user="admin1"')[1].split("</tr>")[0]  # one's own role: shown, not a select
    assert "利用者管理者" in row and "user_admin" not in row


def test_the_evidence_is_labelled_without_empty_rows(as_: Callable[[str], TestClient], flags: dict[str, int]) -> None:
    page = as_("risk1").get(f"/flags/{flags['R01:C1']}").text
    observed = page.split('id="ev-observed"')[1].split("</table>")[0]
    heads = re.findall(r'<th scope="row">([^<]*)</th>', observed)
    assert "期限" in heads and "判定時刻" in heads
    assert not {"start", "due_at", "as_of", "done_at", "previous_window"} & set(heads)
    assert "<td></td>" not in observed and "<td>None</td>" not in observed
    english = as_("risk1").get(f"/flags/{flags['R01:C1']}?lang=en").text
    assert '<th scope="row">due</th>' in english.split('id="ev-observed"')[1].split("</table>")[0]


def test_no_late_row_without_a_due_date(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    dated = [f for f in flags.values() if flag_row(engine, f)["due_at"] is not None]
    undated = [f for f in flags.values() if flag_row(engine, f)["due_at"] is None]
    assert dated and undated
    client = as_("risk1")
    assert 'id="late"' in client.get(f"/flags/{dated[0]}").text

    # no space between a number and Japanese (issue #13); English keeps its space
    def late(lang: str) -> str:
        return client.get(f"/flags/{flags['R01:C2']}?lang={lang}").text.split('id="late">', 1)[1].split("</dd>", 1)[0]

    assert (late("ja"), late("en")) == ("8日（営業日7日）超過", "8 days late (7 business days)")  # due 2025-04-01, seen 04-10
    page = client.get(f"/flags/{undated[0]}").text
    assert 'id="late"' not in page and "期限内" not in page
    assert "<strong>条件:</strong> </p>" not in page


def test_the_language_switch_keeps_the_other_parameters(as_: Callable[[str], TestClient]) -> None:
    client = as_("risk1")
    ja = client.get("/flags?severity=high&status=all&lang=ja").text
    assert '<a href="?severity=high&amp;status=all&amp;lang=en" hreflang="en"' in ja
    en = client.get("/events?by=case&q=C1&lang=en").text
    assert '<a href="?by=case&amp;q=C1&amp;lang=ja" hreflang="ja"' in en


def test_the_forced_password_page_has_no_navigation_but_a_logout(make_client: Callable[..., TestClient], engine: Engine,
                                                                 flags: dict[str, int]) -> None:  # fmt: skip
    from sqlalchemy import update

    from riskmon.store.tables import WebCredential, table_of

    with engine.begin() as conn:
        conn.execute(update(table_of(WebCredential)).where(table_of(WebCredential).c.user_id == "risk2").values(must_change=True))
    client = make_client()
    login(client, "risk2")
    page = client.get("/password")
    assert page.status_code == 200 and "初回ログインのため" in page.text
    assert "<nav" not in page.text and 'href="/flags"' not in page.text
    assert '<form method="post" action="/logout"' in page.text
    assert "<nav" in as_user(make_client, "risk1").get("/password").text  # a chosen change keeps the navigation


def as_user(make_client: Callable[..., TestClient], user: str) -> TestClient:
    client = make_client()
    assert login(client, user).status_code == 303  # type: ignore[attr-defined]
    return client


def test_the_pending_box_names_the_proposal_and_each_note_has_its_own_label(as_: Callable[[str], TestClient], engine: Engine,
                                                                            flags: dict[str, int]) -> None:  # fmt: skip
    high = flags["R01:C1"]
    assert (
        post(as_("risk1"), f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"}).status_code == 303
    )
    digest = pending_digest(engine, high)
    page = as_("risk2").get(f"/flags/{high}").text
    assert f'承認する提案: <code id="pending-digest">{digest}</code>' in page
    labels = [
        unescape(x) for x in re.findall(r'<label for="note-[a-z_]+">([^<]*)</label>', as_("po1").get(f"/flags/{flags['R01:C2']}").text)
    ]
    assert labels == ["受領のメモ", "回答の内容", "コメント本文", "提案の説明"]
    assert len(set(labels)) == len(labels)


def test_the_queue_and_events_use_the_catalogue_s_words(as_: Callable[[str], TestClient]) -> None:
    client = as_("risk1")
    queue = client.get("/").text
    for bucket in Bucket:
        assert f'<a href="#bucket-{bucket.value}">{label(bucket)}</a>' in queue
    assert '<a href="#bucket-overdue">Overdue</a>' in client.get("/?lang=en").text
    ja = client.get("/events?by=event&q=I1&lang=ja").text
    assert "(run " not in ja and '<th scope="col">ID</th>' not in ja
    assert re.search(r"\(取込実行 \d+\)", ja) and '<th scope="col">番号</th>' in ja
    assert '<th scope="col">観点</th>' in ja and '<th scope="col">改善日</th>' in ja  # not 項目 / 再取込で解消
    en = client.get("/events?by=event&q=I1&lang=en").text
    assert re.search(r"\(Ingest run \d+\)", en) and '<th scope="col">No.</th>' in en
