"""Cases on the three lines of defence: every transition, every refusal, four eyes, escalation,
automatic reopening and the tamper-evident audit trail — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update

from riskmon import audit
from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.review.escalation import Ladder, escalate
from riskmon.review.queue import morning_queue
from riskmon.review.service import ReviewService
from riskmon.store.tables import AuditEntry, Flag, Notification, table_of
from tests.helpers import NOW, count, shipped

CAL = BusinessCalendar()


def proposal_id(svc: ReviewService, flag_id: int) -> str | None:
    """The id of the proposal on file, which a confirmation names (None when there is none)."""
    p = svc.flag("risk2", flag_id).proposal
    return p.digest if p else None


def status(engine: Engine, flag_id: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(table_of(Flag)).where(table_of(Flag).c.id == flag_id)).mappings().one())


def test_first_line_works_its_own_flag_and_proposes(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["medium"]
    assert svc.acknowledge("po1", f).status == "acknowledged"
    assert svc.take_on("po1", f).status == "in_progress"
    assert svc.comment("po1", f, "お客様に連絡済み", kind="response").ok
    assert svc.propose("po1", f, "remediated", "再送付済み").ok
    case = status(engine, f)
    assert case["review_status"] == "in_progress" and case["assignee"] == "po1"
    assert case["proposal"]["by"] == "po1" and case["proposal"]["line"] == "first"
    assert [e.action for e in svc.history("po1", f)] == ["acknowledge", "take_on", "response", "propose"]


@pytest.mark.parametrize(
    ("user", "action", "why"),
    [
        ("po2", "acknowledge", "does not exist"),  # another unit's flag: answered as a missing one
        ("po1", "resolve", "only the second line may resolve"),
        ("po1", "dismiss", "only the second line may resolve"),
        ("auditor", "acknowledge", "the third line and governance read everything and change nothing"),
        ("auditor", "comment", "change nothing"),
        ("risk1", "reopen", "cannot reopen a flag that is open"),
        ("risk1", "dismiss_no_reason", "dismissing needs a reason"),
        ("risk1", "resolve_no_note", "a resolution needs a note"),
        ("risk1", "accept_no_until", "accepting a risk needs an end date"),
        ("risk1", "respond", "a response comes from the first-line owner"),
    ],
)
def test_refusals_change_nothing_and_are_audited(engine: Engine, flags: dict[str, int], user: str, action: str, why: str) -> None:
    svc = ReviewService(engine)
    f = flags["medium"]
    before = status(engine, f)
    outcome = {
        "acknowledge": lambda: svc.acknowledge(user, f),
        "resolve": lambda: svc.resolve(user, f, "remediated", "note"),
        "dismiss": lambda: svc.dismiss(user, f, "誤検知"),
        "comment": lambda: svc.comment(user, f, "x"),
        "reopen": lambda: svc.reopen(user, f, "again"),
        "dismiss_no_reason": lambda: svc.dismiss(user, f, "  "),
        "resolve_no_note": lambda: svc.resolve(user, f, "remediated", ""),
        "accept_no_until": lambda: svc.resolve(user, f, "risk_accepted", "accepted"),
        "respond": lambda: svc.comment(user, f, "x", kind="response"),
    }[action]()
    assert not outcome.ok and why in outcome.message_en
    assert status(engine, f) == before
    with engine.connect() as conn:
        last = conn.execute(select(table_of(AuditEntry)).order_by(table_of(AuditEntry).c.seq.desc()).limit(1)).mappings().one()
    assert last["action"].startswith("refused:") and last["actor"] == user


def test_regional_division_sees_its_offices_flags(engine: Engine, flags: dict[str, int]) -> None:
    assert ReviewService(engine).acknowledge("rd1", flags["medium"]).ok
    assert not ReviewService(engine).acknowledge("hq1", flags["high"]).ok


def test_low_and_medium_close_with_one_second_line_person(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    assert svc.resolve("risk1", flags["medium"], "explained", "業務上の理由あり").status == "resolved"
    case = status(engine, flags["medium"])
    assert case["closed_by"] == ["risk1"] and case["resolution"] == "explained"


def test_four_eyes_for_high_and_critical(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["high"]
    first = svc.resolve("risk1", f, "remediated", "報告済みを確認")
    assert first.ok and "needs confirmation" in first.message_en
    assert status(engine, f)["review_status"] == "open"
    own = svc.confirm("risk1", f, proposal_id(svc, f))
    assert not own.ok and "the proposer cannot confirm" in own.message_en
    assert not svc.confirm("po1", f, proposal_id(svc, f)).ok  # first line cannot be the second pair of eyes
    assert not svc.confirm("auditor", f, proposal_id(svc, f)).ok
    done = svc.confirm("risk2", f, proposal_id(svc, f))
    assert done.ok and done.status == "resolved"
    assert status(engine, f)["closed_by"] == ["risk1", "risk2"]
    assert not svc.confirm("risk2", f, proposal_id(svc, f)).ok  # nothing left to confirm


def test_first_line_proposal_is_not_an_eye(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["critical"]
    svc.propose("po1", f, "remediated", "対応済み")
    assert not svc.confirm("risk1", f, proposal_id(svc, f)).ok  # the proposal on file is the first line's
    svc.dismiss("risk1", f, "重複登録")
    assert svc.confirm("risk2", f, proposal_id(svc, f)).status == "dismissed"


def test_risk_acceptance_and_duplicates_and_reopen(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    until = date(2025, 4, 30)
    assert svc.resolve("risk1", flags["medium"], "risk_accepted", "一時的に受容", until=until).status == "resolved"
    assert status(engine, flags["medium"])["accepted_until"] == until
    assert not svc.resolve("risk1", flags["high"], "duplicate", "同じ", duplicate_of=flags["high"]).ok
    assert not svc.resolve("risk1", flags["high"], "duplicate", "同じ", duplicate_of=99999).ok
    assert svc.reopen("risk1", flags["medium"], "再確認が必要").status == "open"
    assert status(engine, flags["medium"])["accepted_until"] is None


def test_expired_acceptance_and_recurrence_reopen_themselves(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    svc.resolve("risk1", flags["medium"], "risk_accepted", "受容", until=date(2025, 4, 15))
    assert svc.automatic_reopen(NOW) == []
    assert svc.automatic_reopen(NOW + timedelta(days=10)) == [flags["medium"]]
    # a late notification stays a finding: re-evaluating while the condition persists keeps it resolved
    svc.resolve("risk1", flags["high"], "remediated", "是正")
    svc.confirm("risk2", flags["high"], proposal_id(svc, flags["high"]))
    evaluate(engine, shipped("R01", "R02", "R03"), NOW + timedelta(days=1), CAL)
    assert status(engine, flags["high"])["review_status"] == "resolved"
    # a condition that clears and then comes back reopens the case
    svc.reopen("risk1", flags["medium"], "確認")
    svc.resolve("risk1", flags["medium"], "remediated", "対応済み")
    evaluate(engine, shipped("R01", "R02", "R03"), datetime(2025, 4, 4, 12, 0, tzinfo=TOKYO), CAL)  # not yet due: clears
    assert status(engine, flags["medium"])["status"] == "cleared"
    evaluate(engine, shipped("R01", "R02", "R03"), NOW + timedelta(days=1), CAL)  # overdue again: recurs
    assert status(engine, flags["medium"])["review_status"] == "open"
    assert [e.action for e in svc.history("risk1", flags["medium"])][-1] == "auto_reopen"


def test_escalation_follows_the_ladder_and_never_twice(engine: Engine, flags: dict[str, int]) -> None:
    ladder = Ladder()
    first = escalate(engine, NOW, CAL, ladder)
    assert flags["critical"] in first.escalated and first.escalated[flags["critical"]] == 2  # critical: straight up
    assert flags["high"] not in first.escalated  # seen today: nothing due yet
    again = escalate(engine, NOW, CAL, ladder)
    assert again.notified == 0 and again.escalated == {}
    later = NOW + timedelta(days=7)  # 2025-04-17: 5 business days on
    ReviewService(engine).acknowledge("po1", flags["medium"])
    result = escalate(engine, later, CAL, ladder)
    assert result.escalated[flags["high"]] == 2  # unacknowledged 2 bd → 地域部, unresolved 5 bd → リスク統括部
    assert flags["medium"] not in result.escalated or result.escalated[flags["medium"]] >= 2
    with engine.connect() as conn:
        sent = conn.execute(select(table_of(Notification).c.recipient_unit).where(
            table_of(Notification).c.flag_id == flags["high"], table_of(Notification).c.kind == "escalated")).scalars().all()  # fmt: skip
    assert sorted(sent) == ["RD01", "RMD"]
    before = count(engine, Notification)
    escalate(engine, later, CAL, ladder)
    assert count(engine, Notification) == before


def test_morning_queue_is_scoped_to_the_user(engine: Engine, flags: dict[str, int]) -> None:
    risk = morning_queue(engine, "risk1", NOW + timedelta(hours=1), CAL)
    assert set(flags.values()) <= {i.flag.id for i in risk.items}
    assert {i.flag.owner_unit for i in risk.items} == {"PO-001", "RMD"}  # R02 is the second line's own
    assert risk.items[0].bucket == "new"
    assert morning_queue(engine, "po2", NOW, CAL).items == []


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_audit_verify_detects_tampering(engine: Engine, flags: dict[str, int], tamper: str) -> None:
    svc = ReviewService(engine)
    svc.acknowledge("po1", flags["medium"])
    svc.comment("risk1", flags["medium"], "確認")
    with engine.connect() as conn:
        n, breaks = audit.verify(conn)
    assert n >= 4 and breaks == []
    t = table_of(AuditEntry)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # an owner or superuser gets past the append-only trigger
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        if tamper == "edit":
            conn.execute(update(t).where(t.c.seq == 2).values(actor="someone-else"))
        elif tamper == "delete":
            conn.execute(t.delete().where(t.c.seq == 2))
        else:
            a, b = (conn.execute(select(t).where(t.c.seq == s)).mappings().one() for s in (2, 3))
            conn.execute(t.delete().where(t.c.seq.in_((2, 3))))
            conn.execute(t.insert(), [{**dict(b), "seq": 2}, {**dict(a), "seq": 3}])
    with engine.connect() as conn:
        _, breaks = audit.verify(conn)
    assert breaks and breaks[0].seq == 2
    assert {"edit": "edited", "delete": "deleted", "reorder": "edited"}[tamper] in {b.problem for b in breaks}


def test_every_run_and_rule_version_is_in_the_audit_log(engine: Engine, flags: dict[str, int]) -> None:
    with engine.connect() as conn:
        actions = conn.execute(text("SELECT action, subject FROM audit_log ORDER BY seq")).all()
    assert ("evaluation_run", "run:1") in actions
    assert sum(1 for a, _ in actions if a == "rule_version_seen") == 3
