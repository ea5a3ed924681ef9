"""ルール・設定の変更記録 (/changes): read only, for the second line, the third line and governance;
a first-line look is 403 and audited; the filters; the nav link only for those who may read."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon import Riskmon
from riskmon.config import Settings
from riskmon.review.users import actor
from tests.web.pages_support import audit_actions
from tests.web.support import NOW

MATRIX = {"po1": 403, "rd1": 403, "risk1": 200, "risk2": 200, "admin1": 200, "auditor": 200, "exec1": 200}


@pytest.fixture
def recorded(engine: Engine, flags: dict[str, int]) -> list[int]:
    """A baseline by the nightly job (config values only) and thresholds.many_customers 30 → 25 by
    risk1, approved by risk2."""
    with Riskmon(Settings(thresholds={"many_customers": 30}), engine=engine, clock=lambda: NOW) as rm:
        base = rm.changes.record("job:nightly", [])
    with Riskmon(Settings(thresholds={"many_customers": 25}), engine=engine, clock=lambda: NOW) as rm:
        change = rm.changes.record("risk1", [])[0]
    return [r.id for r in base] + [change.id]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-change="(\d+)"', html)]


@pytest.mark.parametrize("user", sorted(MATRIX))
def test_who_may_see_the_change_records(as_: Callable[[str], TestClient], engine: Engine, recorded: list[int], user: str) -> None:
    client = as_(user)
    page = client.get("/changes")
    assert page.status_code == MATRIX[user]
    start = client.get("/flags").text
    if MATRIX[user] == 200:
        assert _ids(page.text) == recorded
        assert 'href="/changes"' in start
        assert [a for a, _ in audit_actions(engine, user) if a == "refused:changes_read"] == []
    else:
        assert "第二線（リスク統括部等）と第三線（監査部）だけが閲覧できます" in page.text and "data-change" not in page.text
        assert 'href="/changes"' not in start
        assert [a for a, _ in audit_actions(engine, user) if a == "refused:changes_read"] == ["refused:changes_read"]


def test_the_list_shows_what_changed_and_filters(as_: Callable[[str], TestClient], recorded: list[int]) -> None:
    client = as_("auditor")
    page = client.get("/changes").text
    assert "thresholds.many_customers: 30 → 25" in page and "thresholds.many_customers: — → 30" in page
    assert "初回記録" in page and "job:nightly" in page and "未承認" in page
    assert _ids(client.get("/changes?unapproved=1").text) == recorded
    assert _ids(client.get(f"/changes?start={NOW.date().isoformat()}&end={NOW.date().isoformat()}").text) == recorded
    assert _ids(client.get("/changes?end=2000-01-01").text) == []
    bad = client.get("/changes?start=yesterday")
    assert bad.status_code == 400 and "start: 「yesterday」は日付（YYYY-MM-DD）ではありません" in bad.text
    english = client.get("/changes?lang=en").text
    assert "Rule and config change records" in english and "baseline" in english and "not approved" in english


def test_an_approved_change_shows_who_approved_it(as_: Callable[[str], TestClient], engine: Engine, recorded: list[int]) -> None:
    with engine.connect() as conn:
        risk2 = actor(conn, "risk2")
    with Riskmon(Settings(), engine=engine, clock=lambda: NOW) as rm:
        rm.changes.approve(recorded[-1], risk2, "委員会資料と照合")
    client = as_("risk1")
    assert recorded[-1] not in _ids(client.get("/changes?unapproved=1").text)
    assert (
        'risk2 <time datetime="2025-04-10T12:00:00+09:00">令和7年4月10日12時00分</time> — 委員会資料と照合' in client.get("/changes").text
    )
    english = 'risk2 <time datetime="2025-04-10T12:00:00+09:00">2025-04-10 12:00</time> — 委員会資料と照合'
    assert english in client.get("/changes?lang=en").text
