"""Second-line powers on the flag detail page (issue #12), on SQLite and PostgreSQL: who is offered
which button, and who is refused (403, audited) when a forged form asks anyway.

R02:C2 is a 重点三事案 (misissuance with My Number; administrative, so リスク統括部's domain):
調達企画部 may comment and propose but is offered no resolve or dismiss; accepting its risk waits
for an executive's approval before the four-eyes confirmation is offered; governance (役員 and
the リスク管理委員会) records a receipt and a committee decision, which leave the case as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from tests.helpers import run
from tests.web.pages_support import MORE_UNITS, audit_actions, flag_row, give_passwords, post

EXTRA_UNITS = (
    MORE_UNITS
    + """PPD,調達企画部,Procurement Planning Dept.,procurement_planning_department,,,,true
RMC,リスク管理委員会,Risk Management Committee,risk_management_committee,,,,true
"""
)
EXTRA_USERS = """user_id,name,unit_id,role
ppd1,調達担当,PPD,risk_officer
rmc1,委員会事務局,RMC,member
"""


@pytest.fixture
def priority(engine: Engine, tmp_path: Path, flags: dict[str, int]) -> int:
    units = tmp_path / "units3.csv"
    units.write_text(EXTRA_UNITS, encoding="utf-8")
    run(engine, units)
    users = tmp_path / "users3.csv"
    users.write_text(EXTRA_USERS, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (2, [])
    give_passwords(engine, ["ppd1", "rmc1"])
    return flags["R02:C2"]


def buttons(client: TestClient, flag_id: int) -> set[str]:
    """The action buttons the detail page offers."""
    return set(re.findall(r'id="btn-([a-z_]+)"', client.get(f"/flags/{flag_id}").text))


def test_only_the_owning_domain_is_offered_closing(as_: Callable[[str], TestClient], priority: int, engine: Engine) -> None:
    ppd = as_("ppd1")
    assert buttons(ppd, priority) == {"acknowledge", "take_on", "comment", "propose"}
    page = ppd.get(f"/flags/{priority}").text
    assert '<dd id="domain">事務リスク — 所管 リスク統括部' in page
    assert buttons(as_("risk1"), priority) == {"acknowledge", "take_on", "comment", "propose", "resolve", "dismiss"}
    refused = post(ppd, f"/flags/{priority}/act", {"action": "resolve", "resolution": "risk_accepted", "note": "受容",
                                                   "until": "2025-09-30"}, page=f"/flags/{priority}")  # fmt: skip
    assert refused.status_code == 403
    said = f"フラグ{priority}のリスク領域は「事務リスク」で、所管はリスク統括部です。調達企画部はリスク受容を単独では行えません"
    assert said in refused.text
    assert audit_actions(engine, "ppd1")[-1] == ("refused:resolve", f"flag:{priority}")
    assert flag_row(engine, priority)["proposal"] is None


def test_accepting_the_risk_waits_for_the_executive(as_: Callable[[str], TestClient], priority: int, engine: Engine) -> None:
    svc = ReviewService(engine)
    assert svc.resolve("risk1", priority, "risk_accepted", "期限付きで受容", until=date(2025, 9, 30)).ok
    digest = svc.flag("risk1", priority).proposal.digest  # type: ignore[union-attr]
    risk2, executive, committee = as_("risk2"), as_("exec1"), as_("rmc1")
    assert "confirm" not in buttons(risk2, priority)
    assert buttons(executive, priority) == {"exec_approve", "receipt", "committee_decision"}
    assert "役員承認待ち" in executive.get(f"/flags/{priority}").text
    assert buttons(committee, priority) == {"receipt", "committee_decision"}
    forged = post(committee, f"/flags/{priority}/act", {"action": "exec_approve", "proposal": digest}, page=f"/flags/{priority}")
    assert forged.status_code == 403 and "リスク受容の承認は役員" in forged.text
    assert audit_actions(engine, "rmc1")[-1] == ("refused:exec_approve", f"flag:{priority}")
    early = post(risk2, f"/flags/{priority}/act", {"action": "confirm", "proposal": digest}, page=f"/flags/{priority}")
    assert early.status_code == 403 and f"提案{digest}の役員承認がまだ記録されていません" in early.text
    done = post(executive, f"/flags/{priority}/act", {"action": "exec_approve", "proposal": digest, "note": "承認する"},
                page=f"/flags/{priority}")  # fmt: skip
    assert done.status_code == 303
    assert "exec_approve" not in buttons(executive, priority)
    assert "confirm" in buttons(risk2, priority)
    assert "役員承認済み：exec1（<time datetime=" in risk2.get(f"/flags/{priority}").text
    assert post(risk2, f"/flags/{priority}/act", {"action": "confirm", "proposal": digest}, page=f"/flags/{priority}").status_code == 303
    assert flag_row(engine, priority)["review_status"] == "resolved"


def test_governance_records_beside_the_case(as_: Callable[[str], TestClient], priority: int, engine: Engine) -> None:
    committee = as_("rmc1")
    before = flag_row(engine, priority)["review_status"]
    sent = post(committee, f"/flags/{priority}/act", {"action": "committee_decision", "note": "全国の事務所へ注意喚起を指示"},
                page=f"/flags/{priority}")  # fmt: skip
    assert sent.status_code == 303
    page = committee.get(f"/flags/{priority}").text
    assert flag_row(engine, priority)["review_status"] == before
    assert '<tr data-action="committee_decision">' in page and "全国の事務所へ注意喚起を指示" in page and "委員会の決定" in page
    assert 'id="governance-note"' in page
    auditor = as_("auditor")
    assert buttons(auditor, priority) == set()
    refused = post(auditor, f"/flags/{priority}/act", {"action": "receipt", "note": "受理"}, page=f"/flags/{priority}")
    assert refused.status_code == 403
    assert audit_actions(engine, "auditor")[-1] == ("refused:receipt", f"flag:{priority}")
