"""The permission matrix over HTTP (issue #11, Authorization), on SQLite and PostgreSQL.

Every role — an office head (1st line), a 地域部 (1st line, over its offices), an HQ business
department (1st line), risk officers A and B (2nd line), 監査部 (3rd line), an executive
(governance) and a user administrator (2nd line, role ``user_admin``) — tries every
state-changing thing the web offers on a flag of its own unit and one of another unit: the case
actions, the bulk actions, marking a rejected record as dealt with and the user administration.
Each cell expects 303/200 and the change made, or 403 (404 for a flag outside the user's units,
which must look like a missing one), nothing changed, and the refusal in the audit log. Then what
each role may read (list, queue, detail, events, export), and four eyes.

The expectations are written from the issue's text, not read back from riskmon.review.policy:
the first line acts on its own unit's flags only (a 地域部 also its offices'), and may propose but
not close; the second line sees and closes everything; the third line and governance change
nothing. Each cell starts from a flag put into the state the action needs (open, a pending
closure by someone else, closed), so a refusal always means "not allowed", never "wrong state".
"""

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
from sqlalchemy import Engine, select, update

from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.flags.repository import Proposal
from riskmon.flags.store import REOPENED_CASE
from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from riskmon.store.tables import AuditEntry, CaseEvent, Flag, Reject, User, table_of
from tests.helpers import error_report, run, write_jsonl
from tests.web.pages_support import MORE_UNITS, flag_row, give_passwords, ids, rules_r01_r03, seed_pages
from tests.web.support import NOW, csrf_of, login

# -- the people and the flags --------------------------------------------------------------------

HQ_UNITS = MORE_UNITS + "HQ01,年金給付事業部,Benefits Dept.,hq_business_department,,,,true\n"
HQ_USERS = """user_id,name,unit_id,role,person_id
hq1,本部事業部長,HQ01,site_manager,
risk1b,リスク担当,RMD,risk_officer,
riskp1,高橋一郎,RMD,risk_officer,P-77
riskp2,高橋（兼務）,RMD,risk_officer,P-77
"""
FIRST = ("po1", "rd1", "hq1")  # office head, 地域部, HQ business department
SECOND = ("risk1", "risk2", "admin1")  # risk officers A and B, the user administrator
READ_ONLY = ("auditor", "exec1")  # 監査部, governance
ROLES = FIRST + SECOND + READ_ONLY
#: the units whose flags and events a first-line user may see (written from the units file above)
UNITS_OF = {"po1": {"PO-001"}, "rd1": {"RD01", "PO-001", "PO-002"}, "hq1": {"HQ01"}}
#: (own, other) flag for each role: for the first line a flag of its unit and one outside it
SIDES = {"po1": ("R01:C1", "R01:C3"), "rd1": ("R01:C3", "R01:C10"), "hq1": ("R01:C10", "R01:C1")}
ACTIONS = ("acknowledge", "take_on", "comment", "response", "propose", "resolve", "dismiss", "confirm", "reopen")
FIRST_LINE_MAY = {"acknowledge", "take_on", "comment", "response", "propose"}
SECOND_LINE_MAY = {"acknowledge", "take_on", "comment", "propose", "resolve", "dismiss", "confirm", "reopen"}
ADMIN_OPS = {"deactivate": "user_deactivated", "activate": "user_activated", "role": "role_change",
             "reset_password": "password_set", "revoke_sessions": "sessions_revoked"}  # fmt: skip


def expected(role: str, action: str, side: str) -> int:
    """What the issue says: 303 (done) or 403 (refused); another unit's flag, which the first line
    may not even see, is answered as a missing one (404)."""
    if role in READ_ONLY:
        return 403
    if role in FIRST:
        if side == "other":
            return 404
        return 303 if action in FIRST_LINE_MAY else 403
    return 303 if action in SECOND_LINE_MAY else 403  # a response comes from the first-line owner


@pytest.fixture
def flags(engine: Engine, tmp_path: Path, seeded: dict[str, int]) -> dict[str, int]:
    """The page tests' seed plus an HQ business department with its own flag, a second account of
    risk1 (same name, same unit) and two accounts linked by ``person_id``."""
    seed_pages(engine, tmp_path)
    units, users = tmp_path / "units3.csv", tmp_path / "users3.csv"
    units.write_text(HQ_UNITS, encoding="utf-8")
    users.write_text(HQ_USERS, encoding="utf-8")
    report = run(engine, units, write_jsonl(tmp_path / "hq.jsonl", [error_report("E10", "C10", unit_id="HQ01")]))
    assert report.total_rejected == 0
    with engine.begin() as conn:
        assert load_users(conn, users) == (4, [])
    evaluate(engine, rules_r01_r03(), NOW, BusinessCalendar())
    give_passwords(engine, ["hq1", "risk1b", "riskp1", "riskp2"])
    t = table_of(Flag)
    with engine.connect() as conn:
        rows = {f"{r.rule_id}:{r.subject}": r for r in conn.execute(select(t.c.id, t.c.rule_id, t.c.subject, t.c.owner_unit, t.c.severity))}
    assert {k: rows[k].owner_unit for k in ("R01:C1", "R01:C3", "R01:C10")} == {"R01:C1": "PO-001", "R01:C3": "PO-002",
                                                                                 "R01:C10": "HQ01"}  # fmt: skip
    assert {rows[k].severity for k in ("R01:C1", "R01:C3", "R01:C10")} <= {"high", "critical"}  # four eyes applies
    return {k: r.id for k, r in rows.items()}


class User_:
    """One logged-in browser session: posts forms with its CSRF token, as the pages do."""

    def __init__(self, client: TestClient, user_id: str) -> None:
        self.client, self.user_id = client, user_id
        self.token = csrf_of(client.get("/").text)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token})


@pytest.fixture
def as_(make_client: Callable[..., TestClient], flags: dict[str, int]) -> Callable[[str], User_]:
    def make(user: str) -> User_:
        client = make_client()
        assert login(client, user).status_code == 303  # type: ignore[attr-defined]
        return User_(client, user)

    return make


def refusals(engine: Engine, actor: str, subject: str) -> list[str]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.action).where(t.c.actor == actor, t.c.subject == subject, t.c.action.like("refused:%")).order_by(t.c.seq)
        )
        return [r[0] for r in rows]


def case_actions(engine: Engine, flag_id: int) -> list[tuple[str, str]]:
    t = table_of(CaseEvent)
    with engine.connect() as conn:
        return [(r.actor, r.action) for r in conn.execute(select(t.c.actor, t.c.action).where(t.c.flag_id == flag_id).order_by(t.c.id))]


def prepare(engine: Engine, flag_id: int, action: str, role: str) -> dict[str, str]:
    """Put the flag in the state ``action`` needs and return the form that asks for it."""
    t = table_of(Flag)
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == flag_id).values(**REOPENED_CASE, assignee=None, acknowledged_at=None))
    if action == "confirm":  # a pending closure proposed by another second-line person
        proposer = "risk2" if role == "risk1" else "risk1"
        assert ReviewService(engine, lambda: NOW.astimezone(UTC)).resolve(proposer, flag_id, "remediated", "是正済み").ok
        proposal = Proposal.from_json(flag_row(engine, flag_id)["proposal"])
        return {"action": "confirm", "proposal": proposal.digest}
    if action == "reopen":
        with engine.begin() as conn:
            conn.execute(update(t).where(t.c.id == flag_id).values(review_status="resolved", resolution="remediated",
                                                                   resolution_note="済", closed_by=["risk1", "risk2"],
                                                                   closed_at=datetime(2025, 4, 9, tzinfo=UTC)))  # fmt: skip
    return {"action": action, "note": "確認しました", "resolution": "remediated"}


# -- every role × every case action × own/other unit ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_case_action_of_every_role_on_own_and_other_units(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int],
                                                                role: str) -> None:  # fmt: skip
    user = as_(role)
    own, other = SIDES.get(role, ("R01:C1", "R01:C3"))
    got: dict[tuple[str, str], int] = {}
    for side, key in (("own", own), ("other", other)):
        flag_id = flags[key]
        for action in ACTIONS:
            form = prepare(engine, flag_id, action, role)
            before, events = flag_row(engine, flag_id), case_actions(engine, flag_id)
            refused_before = refusals(engine, role, f"flag:{flag_id}")
            r = user.post(f"/flags/{flag_id}/act", form)
            got[(side, action)] = r.status_code
            if r.status_code == 303:
                assert r.headers["location"] == f"/flags/{flag_id}?done={action}"
                assert case_actions(engine, flag_id) == [*events, (role, action)], (side, action)
                assert refusals(engine, role, f"flag:{flag_id}") == refused_before
            else:
                assert flag_row(engine, flag_id) == before, (side, action)  # nothing changed
                assert case_actions(engine, flag_id) == events
                assert refusals(engine, role, f"flag:{flag_id}") == [*refused_before, f"refused:{action}"], (side, action)
    assert got == {(side, a): expected(role, a, side) for side in ("own", "other") for a in ACTIONS}


@pytest.mark.parametrize("role", ROLES)
def test_bulk_actions_check_each_item_for_every_role(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int],
                                                     role: str) -> None:  # fmt: skip
    user = as_(role)
    own, other = SIDES.get(role, ("R01:C1", "R01:C3"))
    for side, key in (("own", own), ("other", other)):
        flag_id = flags[key]
        for action in ("acknowledge", "take_on", "comment"):
            prepare(engine, flag_id, action, role)
            before = flag_row(engine, flag_id)
            r = user.post("/flags/bulk?status=all", {"ids": [str(flag_id)], "bulk_action": action, "note": "一括"})
            allowed = expected(role, action, side) == 303
            if role in READ_ONLY:  # a forged bulk form: refused as a whole, each item audited as the action chosen
                assert r.status_code == 403
                assert refusals(engine, role, f"flag:{flag_id}")[-1] == f"refused:{action}"
                assert flag_row(engine, flag_id) == before
                continue
            assert r.status_code == 200, (side, action)
            summary = r.text.split('id="bulk-summary"')[1].split("</div>")[0]
            assert f'<span id="bulk-done">{int(allowed)}</span>' in summary, (side, action)
            if allowed:
                assert "bulk-failed" not in summary, (side, action)
                assert case_actions(engine, flag_id)[-1] == (role, action)
            else:
                assert '<span id="bulk-failed">1</span>' in summary, (side, action)
                assert f'<li data-failed="{flag_id}">' in summary
                assert refusals(engine, role, f"flag:{flag_id}")[-1] == f"refused:{action}"
                assert flag_row(engine, flag_id) == before


@pytest.mark.parametrize("role", ROLES)
def test_marking_a_rejected_record_dealt_with_is_the_second_line_s(as_: Callable[[str], User_], engine: Engine, role: str) -> None:
    user = as_(role)
    rj = table_of(Reject)
    with engine.connect() as conn:
        reject_id = conn.execute(select(rj.c.id)).scalar_one()
    r = user.post(f"/quarantine/{reject_id}/handled", {"note": "差し戻し済み"})
    with engine.connect() as conn:
        handled_by = conn.execute(select(rj.c.handled_by).where(rj.c.id == reject_id)).scalar_one()
    if role in SECOND:
        assert (r.status_code, r.headers["location"], handled_by) == (303, f"/quarantine?done={reject_id}", role)
    else:
        assert (r.status_code, handled_by) == (403, None)
        assert refusals(engine, role, f"reject:{reject_id}") == ["refused:reject_handled"]


@pytest.mark.parametrize("role", ROLES)
def test_user_administration_is_the_user_admin_s(as_: Callable[[str], User_], engine: Engine, role: str) -> None:
    user = as_(role)
    u = table_of(User)
    got = []
    for op, audited in ADMIN_OPS.items():
        r = user.post("/admin/users/po2", {"op": op, "role": "member"})
        got.append(r.status_code)
        if r.status_code != 200:
            assert refusals(engine, role, "user:po2")[-1] == f"refused:{audited}"
    with engine.connect() as conn:
        state = conn.execute(select(u.c.active, u.c.role).where(u.c.user_id == "po2")).one()
    if role == "admin1":
        assert got == [200] * len(ADMIN_OPS)
        assert tuple(state) == (True, "member")
        assert refusals(engine, role, "user:po2") == []
    else:
        assert got == [403] * len(ADMIN_OPS)
        assert tuple(state) == (True, "site_manager")
        assert refusals(engine, role, "user:po2") == [f"refused:{a}" for a in ADMIN_OPS.values()]


def test_a_refusal_says_why(as_: Callable[[str], User_], flags: dict[str, int]) -> None:
    """The 403 page names the rule that refused, not a generic "not possible"."""
    own, other = flags["R01:C1"], flags["R01:C3"]
    cases = [("risk1", own, {"action": "response", "note": "x"}, "回答（response）は第一線の担当部署が行います"),
             ("po1", own, {"action": "resolve", "resolution": "remediated", "note": "x"}, "完了・却下・承認・再開は第二線"),
             ("exec1", own, {"action": "comment", "note": "x"}, "第三線（監査部）・ガバナンスは閲覧のみで、変更はできません")]  # fmt: skip
    for user, flag_id, form, why in cases:
        r = as_(user).post(f"/flags/{flag_id}/act", form)
        assert r.status_code == 403 and why in r.text, (user, form["action"])
    hidden = as_("po1").post(f"/flags/{other}/act", {"action": "comment", "note": "x"})  # not a refusal that names the flag
    assert hidden.status_code == 404 and "担当ではありません" not in hidden.text


def test_a_user_admin_outside_the_second_line_administers_nobody(as_: Callable[[str], User_], engine: Engine) -> None:
    """The issue makes user administration a *second-line* ``user_admin`` action: the role given to
    an office head in the users file must not open it."""
    with engine.begin() as conn:
        conn.execute(update(table_of(User)).where(table_of(User).c.user_id == "po1").values(role="user_admin"))
    user = as_("po1")
    assert user.client.get("/admin/users").status_code == 403
    assert user.post("/admin/users/po2", {"op": "deactivate"}).status_code == 403
    assert refusals(engine, "po1", "user:po2") == ["refused:user_deactivated"]
    assert "/admin/users" not in user.client.get("/").text  # and the navigation does not offer it


# -- what each role may read --------------------------------------------------------------------


def visible(engine: Engine, role: str) -> list[int]:
    t = table_of(Flag)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.owner_unit)).all()
    return sorted(r.id for r in rows if role not in UNITS_OF or r.owner_unit in UNITS_OF[role])


EVENTS = {"E1": ("C1", "PO-001"), "E3": ("C3", "PO-002"), "E10": ("C10", "HQ01")}


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_may_read(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int], role: str) -> None:
    client = as_(role).client
    mine = visible(engine, role)
    everything = sorted(flags.values())
    if role == "po1":
        assert mine == sorted(flags[k] for k in ("R01:C1", "R01:C2", "R02:C2"))
    if role in READ_ONLY + SECOND:
        assert mine == everything
    listing = client.get("/flags?status=all&per=100").text
    assert ids(listing) == mine and f'<span class="n" id="total">{len(mine)}</span>' in listing
    assert set(ids(client.get("/").text)) <= set(mine) and ids(client.get("/").text)
    export = list(csv.reader(io.StringIO(client.get("/flags/export.csv?status=all").content.decode("utf-8-sig"))))[1:]
    assert sorted(int(row[0]) for row in export) == mine
    for flag_id in everything:
        r = client.get(f"/flags/{flag_id}")
        assert r.status_code == (200 if flag_id in mine else 404), flag_id
        if r.status_code == 404:
            assert refusals(engine, role, f"flag:{flag_id}")[-1] == "refused:history"
            assert re.search(r"data-action=", r.text) is None
    assert client.get("/flags/999999").status_code == 404
    for event_id, (case_id, unit) in EVENTS.items():
        may = role not in UNITS_OF or unit in UNITS_OF[role]
        for by, q in (("event", event_id), ("case", case_id), ("unit", unit)):
            r = client.get(f"/events?by={by}&q={q}")
            assert r.status_code == (200 if may else 404), (by, q)
            if not may:
                assert refusals(engine, role, f"{by}:{q}")[-1] == "refused:event_read"
                assert not re.search(r'data-step=|id="h-event"|id="h-case"|id="h-unit"', r.text)  # nothing of it shown
            else:
                assert re.search(r'id="h-event"|id="h-case"|id="h-unit"', r.text)


# -- four eyes ---------------------------------------------------------------------------------------


def digest_of(engine: Engine, flag_id: int) -> str:
    return Proposal.from_json(flag_row(engine, flag_id)["proposal"]).digest


@pytest.mark.parametrize("proposer", ["risk1", "admin1"])
def test_the_proposer_never_confirms_not_even_an_administrator(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int],
                                                               proposer: str) -> None:  # fmt: skip
    a, high = as_(proposer), flags["R01:C3"]
    assert a.post(f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"}).status_code == 303
    assert flag_row(engine, high)["review_status"] == "open"  # awaiting the second pair of eyes
    r = a.post(f"/flags/{high}/act", {"action": "confirm", "proposal": digest_of(engine, high)})
    assert r.status_code == 403 and "提案者本人は承認できません（四つの目の原則）" in r.text
    assert refusals(engine, proposer, f"flag:{high}") == ["refused:confirm"]
    assert flag_row(engine, high)["review_status"] == "open"


@pytest.mark.parametrize(("proposer", "twin"), [("risk1", "risk1b"), ("riskp1", "riskp2")])
def test_two_accounts_of_one_person_are_one_pair_of_eyes(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int],
                                                         proposer: str, twin: str) -> None:  # fmt: skip
    """risk1b has risk1's name in risk1's unit; riskp1 and riskp2 are linked by person_id."""
    high = flags["R01:C1"]
    proposed = as_(proposer).post(f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"})
    assert proposed.status_code == 303
    r = as_(twin).post(f"/flags/{high}/act", {"action": "confirm", "proposal": digest_of(engine, high)})
    assert r.status_code == 403 and "同一人物のアカウントです" in r.text  # the policy's refusal: confirm was never offered
    assert refusals(engine, twin, f"flag:{high}") == ["refused:confirm"]
    assert flag_row(engine, high)["review_status"] == "open"
    assert as_("risk2").post(f"/flags/{high}/act", {"action": "confirm", "proposal": digest_of(engine, high)}).status_code == 303
    assert flag_row(engine, high)["closed_by"] == [proposer, "risk2"]


@pytest.mark.parametrize(("who", "action"), [("po1", "propose"), ("risk2", "propose"), ("risk2", "resolve"), ("risk2", "dismiss"),
                                             ("admin1", "resolve")])  # fmt: skip
def test_a_pending_closure_cannot_be_overwritten(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int], who: str,
                                                 action: str) -> None:  # fmt: skip
    high = flags["R01:C1"]
    assert as_("risk1").post(f"/flags/{high}/act", {"action": "resolve", "resolution": "remediated", "note": "是正済み"}).status_code == 303
    pending = flag_row(engine, high)["proposal"]
    r = as_(who).post(f"/flags/{high}/act", {"action": action, "resolution": "explained", "note": "別の内容"})
    assert r.status_code == 403 and f"承認待ちです（提案{digest_of(engine, high)}）" in r.text
    assert flag_row(engine, high)["proposal"] == pending
    assert refusals(engine, who, f"flag:{high}") == [f"refused:{action}"]


def test_a_confirmation_naming_a_stale_proposal_is_refused(as_: Callable[[str], User_], engine: Engine, flags: dict[str, int]) -> None:
    """B read proposal 1; A withdrew it and proposed something else: B's confirmation names 1 and fails."""
    high = flags["R01:C1"]
    service = ReviewService(engine, lambda: NOW.astimezone(UTC))
    assert service.resolve("risk1", high, "remediated", "是正済み").ok
    b = as_("risk2")
    page = b.client.get(f"/flags/{high}").text
    read = re.findall(r'<input type="hidden" name="proposal" value="([0-9a-f]+)">', page)
    assert read == [digest_of(engine, high)]
    assert service.withdraw("risk1", high, "内容を修正").ok
    assert service.resolve("risk1", high, "risk_accepted", "受容", until=NOW.date().replace(year=2026)).ok
    r = b.post(f"/flags/{high}/act", {"action": "confirm", "proposal": read[0]})
    assert r.status_code == 400 and f"指定された提案{read[0]}は承認待ちの提案{digest_of(engine, high)}と一致しません" in r.text
    assert flag_row(engine, high)["review_status"] == "open"
    assert refusals(engine, "risk2", f"flag:{high}") == ["refused:confirm"]
    assert b.post(f"/flags/{high}/act", {"action": "confirm"}).status_code == 400  # naming no proposal is refused too
