"""Second-line powers as S4:41 gives them (issue #12): closing scoped by risk domain, the
executive's approval of a 重点三事案's risk acceptance, and governance's records — on SQLite and
PostgreSQL, through the review service every interface uses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.config import PowersConfig
from riskmon.domain import Bucket
from riskmon.review.queue import morning_queue
from riskmon.review.service import ReviewService
from riskmon.store.tables import AuditEntry, Flag, table_of
from tests.helpers import NOW, UNITS_CSV, error_report, raise_flags

UNITS = (
    UNITS_CSV
    + """PPD,調達企画部,Procurement Planning Dept.,procurement_planning_department,,,,true
IMO,情報管理対策室,Information Management Office,information_management_office,,,,true
EXEC,役員,Executives,executive,,,,true
RMC,リスク管理委員会,Risk Management Committee,risk_management_committee,,,,true
"""
)
USERS = """user_id,name,unit_id,role
po1,事務所長,PO-001,site_manager
risk1,リスク1,RMD,risk_officer
risk2,リスク2,RMD,risk_officer
ppd1,調達1,PPD,risk_officer
ppd2,調達2,PPD,risk_officer
imo1,情報1,IMO,risk_officer
exec1,役員1,EXEC,executive
rmc1,委員会事務局,RMC,member
auditor,監査,AUD,auditor
rmdexec,役割だけ役員,RMD,executive
"""
UNTIL = date(2025, 9, 30)


@pytest.fixture
def cases(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """R02 (a 重点三事案, high: administrative, owned by リスク統括部), R01 high (late alone is never critical) and R03 medium."""
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    events = [error_report("E1", "C1", category="misissuance", personal_info_involved=False, my_number_involved=False),
              error_report("E3", "C3", category="record_error")]  # fmt: skip
    rows = raise_flags(engine, units, tmp_path, events, ["R01", "R02", "R03"], users=USERS)
    assert rows["R02:C1"][1] == "high" and rows["R03:C3"][1] == "medium" and rows["R01:C3"][1] == "high"
    return {"priority": rows["R02:C1"][0], "medium": rows["R03:C3"][0], "high": rows["R01:C3"][0]}


def flag_row(engine: Engine, flag_id: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(table_of(Flag)).where(table_of(Flag).c.id == flag_id)).mappings().one())


def last_audit(engine: Engine) -> tuple[str, str, dict[str, object]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        row = conn.execute(select(t.c.actor, t.c.action, t.c.payload).order_by(t.c.seq.desc()).limit(1)).one()
    return row.actor, row.action, dict(row.payload)


def test_procurement_cannot_accept_the_risk_of_a_priority_incident(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    out = svc.resolve("ppd1", f, "risk_accepted", "委託先で再発防止済み", until=UNTIL)
    assert not out.ok
    assert out.message_ja == (f"フラグ{f}のリスク領域は「事務リスク」で、所管はリスク統括部です。"
                              "調達企画部はリスク受容を単独では行えません（閲覧・コメント・完了の提案はできます）")  # fmt: skip
    assert out.message_en == (f"flag {f} is in the administrative risk domain, owned by Risk Management Dept.; "
                              "Procurement Planning Dept. cannot accept its risk alone "
                              "(it may read, comment and propose a resolution)")  # fmt: skip
    assert flag_row(engine, f)["proposal"] is None and flag_row(engine, f)["review_status"] == "open"
    assert last_audit(engine)[:2] == ("ppd1", "refused:resolve")
    assert not svc.dismiss("ppd1", f, "誤検知").ok
    assert svc.comment("ppd1", f, "委託先の状況を確認しました").ok  # reading and commenting stay open


def test_a_non_owner_proposes_and_an_owner_confirms(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["high"]
    assert svc.propose("ppd1", f, "remediated", "再送付済み").ok
    digest = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    refused = svc.confirm("ppd2", f, digest)
    assert not refused.ok
    assert refused.message_en == (f"flag {f} is in the administrative risk domain, owned by Risk Management Dept.; "
                                  "neither the proposer ppd1 nor the confirmer ppd2 belongs to it — one of the two must")  # fmt: skip
    assert svc.confirm("risk1", f, digest).ok
    row = flag_row(engine, f)
    assert row["review_status"] == "resolved" and list(row["closed_by"]) == ["ppd1", "risk1"]  # type: ignore[call-overload]


def test_an_owner_closes_and_another_unit_may_be_the_second_pair_of_eyes(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["high"]
    assert svc.resolve("risk1", f, "remediated", "是正を確認").ok
    digest = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    assert svc.confirm("ppd1", f, digest).ok  # one of the two owns the domain


def test_the_domain_comes_from_config(engine: Engine, cases: dict[str, int]) -> None:
    """[powers.rule_domains] moves a rule into another domain: R03 as outsourcing is 調達企画部's."""
    powers = PowersConfig(rule_domains={"outsourcing": ["R03"]})
    svc = ReviewService(engine, powers=powers)
    f = cases["medium"]
    out = svc.resolve("risk1", f, "remediated", "確認")
    assert not out.ok and "owned by Procurement Planning Dept." in out.message_en and "所管は調達企画部" in out.message_ja
    assert svc.resolve("ppd1", f, "remediated", "確認").status == "resolved"  # medium: no four eyes


def test_accepting_a_priority_incident_needs_an_executive(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    proposed = svc.resolve("risk1", f, "risk_accepted", "再発防止策の完了まで受容", until=UNTIL)
    assert proposed.ok and proposed.message_en.endswith("accepting this risk also needs an executive's approval")
    digest = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    early = svc.confirm("risk2", f, digest)
    assert not early.ok
    assert early.message_en == ("accepting the risk of a priority incident or an incident/accident needs an executive's approval "
                                f"(the goal is eradication, S1:2108); none is recorded for proposal {digest} yet")  # fmt: skip
    assert not svc.exec_approve("rmdexec", f, digest).ok  # the role alone is no executive
    assert svc.exec_approve("exec1", f, None).message_en.startswith(f"name the proposal you approve (--proposal {digest})")
    assert not svc.exec_approve("exec1", f, "0" * 16).ok
    approved = svc.exec_approve("exec1", f, digest, "期限付きで承認")
    assert approved.ok and approved.status == "open"  # high: the four-eyes confirmation still closes it
    assert svc.exec_approve("exec1", f, digest).message_en == f"proposal {digest} is already approved by an executive"
    assert last_audit(engine)[1] == "refused:exec_approve"
    assert svc.confirm("risk2", f, digest).ok
    row = flag_row(engine, f)
    assert (row["review_status"], row["resolution"], row["accepted_until"]) == ("resolved", "risk_accepted", UNTIL)
    story = [(e.actor, e.action.value, e.detail.get("proposal_id")) for e in svc.history("auditor", f)]
    assert story[-3:] == [("risk1", "resolve", digest), ("exec1", "exec_approve", digest), ("risk2", "confirm", digest)]


def test_an_approval_does_not_carry_over_to_a_new_proposal(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    svc.resolve("risk1", f, "risk_accepted", "受容", until=UNTIL)
    first = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    assert svc.exec_approve("exec1", f, first).ok
    assert svc.withdraw("risk1", f, "期限を見直す").ok
    assert svc.resolve("risk1", f, "risk_accepted", "受容（期限短縮）", until=date(2025, 6, 30)).ok
    second = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    assert not svc.confirm("risk2", f, second).ok


def test_other_closures_of_a_priority_incident_need_no_executive(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    assert svc.resolve("risk1", f, "remediated", "再送付とお詫び済み").ok
    digest = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    assert not svc.exec_approve("exec1", f, digest).ok  # nothing to approve
    assert svc.confirm("risk2", f, digest).ok


def test_below_four_eyes_the_executive_approval_completes_the_acceptance(engine: Engine, cases: dict[str, int]) -> None:
    """R03 listed as an executive-approval rule: a medium flag has no four eyes, so the owner's
    acceptance waits for the executive, whose approval closes it."""
    svc = ReviewService(engine, powers=PowersConfig(executive_approval_rules=["R03"]))
    f = cases["medium"]
    waiting = svc.resolve("risk1", f, "risk_accepted", "受容", until=UNTIL)
    digest = svc.flag("risk1", f).proposal.digest  # type: ignore[union-attr]
    assert waiting.ok and waiting.status == "open"
    assert waiting.message_en == f"recorded; accepting this risk needs an executive's approval: proposal {digest}"
    done = svc.exec_approve("exec1", f, digest)
    assert done.ok and done.status == "resolved"
    assert list(flag_row(engine, f)["closed_by"]) == ["risk1", "exec1"]  # type: ignore[call-overload]


def test_governance_records_receipts_and_decisions_without_changing_state(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    before = flag_row(engine, f)
    assert svc.receipt("exec1", f, "常勤役員会（5月12日）で報告を受けた").ok
    assert svc.committee_decision("rmc1", f, "再発防止策の全国展開を決定").ok
    after = flag_row(engine, f)
    assert {k: after[k] for k in ("review_status", "proposal", "resolution")} == {
        k: before[k] for k in ("review_status", "proposal", "resolution")
    }
    events = [(e.actor, e.action.value, e.from_status, e.to_status, e.detail.get("text")) for e in svc.history("auditor", f)][-2:]
    assert [(a, act, str(fr), str(to), t) for a, act, fr, to, t in events] == [
        ("exec1", "receipt", "open", "open", "常勤役員会（5月12日）で報告を受けた"),
        ("rmc1", "committee_decision", "open", "open", "再発防止策の全国展開を決定"),
    ]
    assert last_audit(engine)[:2] == ("rmc1", "committee_decision")
    assert svc.receipt("risk1", f, "x").message_en.startswith("only governance users")
    assert svc.committee_decision("auditor", f, "x").message_en.startswith("only governance users")
    assert svc.receipt("exec1", f, "  ").message_en == "the text of the receipt is empty"
    assert not svc.acknowledge("exec1", f).ok  # governance still works no case


def test_standing_offers_only_what_the_policy_allows(engine: Engine, cases: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = cases["priority"]
    assert svc.standing("ppd1", f).allowed == {"comment", "acknowledge", "take_on", "propose"}
    owner = svc.standing("risk1", f)
    assert (owner.domain, owner.owners, owner.owner, owner.grave) == ("administrative", ("risk_management_department",), True, True)
    assert owner.allowed == {"comment", "acknowledge", "take_on", "propose", "resolve", "dismiss"}
    assert svc.standing("exec1", f).allowed == {"receipt", "committee_decision"}
    svc.resolve("risk1", f, "risk_accepted", "受容", until=UNTIL)
    assert svc.standing("exec1", f).allowed == {"receipt", "committee_decision", "exec_approve"}
    assert svc.standing("rmc1", f).allowed == {"receipt", "committee_decision"}
    assert "confirm" not in svc.standing("risk2", f).allowed  # not before the executive
    assert svc.standing("risk2", f).awaiting_executive
    svc.exec_approve("exec1", f, svc.flag("risk1", f).proposal.digest)  # type: ignore[union-attr]
    assert "confirm" in svc.standing("risk2", f).allowed and "exec_approve" not in svc.standing("exec1", f).allowed
    assert svc.standing("auditor", f).allowed == set()


def test_the_morning_queue_awaits_only_what_may_be_confirmed(engine: Engine, cases: dict[str, int]) -> None:
    """承認待ち (awaiting me) lists a closure only for someone the service would let confirm it."""
    svc = ReviewService(engine)

    def awaiting(user: str) -> list[int]:
        return [i.flag.id for i in morning_queue(engine, user, NOW, BusinessCalendar()).in_bucket(Bucket.AWAITING_ME)]

    f = cases["priority"]
    svc.resolve("risk1", f, "risk_accepted", "受容", until=UNTIL)
    assert awaiting("risk2") == []  # the executive first
    svc.exec_approve("exec1", f, svc.flag("risk1", f).proposal.digest)  # type: ignore[union-attr]
    assert awaiting("risk2") == [f] and awaiting("ppd1") == [f]  # the proposer owns the domain
    h = cases["high"]
    svc.propose("ppd1", h, "remediated", "再送付済み")
    assert awaiting("ppd2") == [f] and sorted(awaiting("risk2")) == sorted([f, h])
