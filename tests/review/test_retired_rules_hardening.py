"""Issue 9 item 11: flags of a rule that was removed from the rule book or disabled are retired —
with a bilingual case event saying why — and leave the escalation ladder and the review queue.
If the rule comes back and its condition still holds, the flag is open again. Both backends."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import Engine, select

from riskmon import audit
from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.review.escalation import Ladder, escalate
from riskmon.review.queue import morning_queue
from riskmon.store.tables import CaseEvent, Flag, Notification, table_of
from tests.helpers import NOW, shipped

CAL = BusinessCalendar()


def engine_status(engine: Engine) -> dict[str, set[str]]:
    """The engine statuses of each rule's flags (R01 has three: C1, C2 and C3 were all not notified)."""
    t = table_of(Flag)
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(select(t.c.rule_id, t.c.status)):
            out.setdefault(r.rule_id, set()).add(r.status)
    return out


def ids_of(engine: Engine, rule_id: str) -> set[int]:
    t = table_of(Flag)
    with engine.connect() as conn:
        return {r.id for r in conn.execute(select(t.c.id).where(t.c.rule_id == rule_id))}


def events_of(engine: Engine, flag_id: int) -> list[tuple[str, str | None, str | None, dict[str, object]]]:
    t = table_of(CaseEvent)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, t.c.from_status, t.c.to_status, t.c.detail).where(t.c.flag_id == flag_id).order_by(t.c.id))
        return [(r.action, r.from_status, r.to_status, r.detail) for r in rows]


def test_flags_of_removed_and_disabled_rules_are_retired_and_leave_ladder_and_queue(engine: Engine, flags: dict[str, int]) -> None:
    r01, r03 = shipped("R01"), shipped("R03")
    disabled_r03 = dataclasses.replace(r03[0], enabled=False)
    # the next night's rule book: R02 deleted from the folder, R03 switched off, R01 unchanged
    result = evaluate(engine, r01, NOW + timedelta(days=1), CAL, rule_book=[*r01, disabled_r03])
    assert result.errors == {}
    assert result.counts == {"raised": 0, "updated": 3, "reopened": 0, "cleared": 0, "retired": 2}
    assert engine_status(engine) == {"R01": {"open"}, "R02": {"retired"}, "R03": {"retired"}}

    [r02_flag] = ids_of(engine, "R02")  # the second line's flag on C2 (the fixture's three are the office's)
    why_removed = events_of(engine, r02_flag)[-1]
    assert why_removed == ("retired", "open", "open", {
        "why": "rule_removed", "rule_id": "R02",
        "ja": "ルールR02がルールブックから削除されたため、このフラグを廃止しました（エスカレーション・レビュー対象から外れます）",
        "en": "rule R02 was removed from the rule book: this flag is retired (it leaves escalation and the review queues)"})  # fmt: skip
    why_disabled = events_of(engine, flags["medium"])[-1]
    assert why_disabled[0] == "retired" and why_disabled[3]["why"] == "rule_disabled"
    assert why_disabled[3]["en"] == ("rule R03 was disabled (enabled: false): this flag is retired"
                                     " (it leaves escalation and the review queues)")  # fmt: skip

    # weeks later: only R01's flag climbs the ladder and is notified; only it is in the queue
    later = NOW + timedelta(days=30)
    climbed = escalate(engine, later, CAL, Ladder())
    r01_ids = ids_of(engine, "R01")
    assert len(r01_ids) == 3 and set(climbed.escalated) == r01_ids
    n = table_of(Notification)
    with engine.connect() as conn:
        notified = {r.flag_id for r in conn.execute(select(n.c.flag_id))}
    assert notified == r01_ids
    assert {i.flag.id for i in morning_queue(engine, "risk1", later, CAL).items} == r01_ids

    # a second evaluation with the same book retires nothing twice
    again = evaluate(engine, r01, NOW + timedelta(days=2), CAL, rule_book=[*r01, disabled_r03])
    assert again.counts["retired"] == 0
    assert [e[0] for e in events_of(engine, r02_flag)].count("retired") == 1

    # retirement is an audited step: the audit cross-check accepts the retired flags as they are
    with engine.connect() as conn:
        _, breaks = audit.verify(conn)
    assert [b for b in breaks if b.problem in ("flag_state", "engine_state")] == []


def test_a_restored_rule_opens_its_retired_flag_again(engine: Engine, flags: dict[str, int]) -> None:
    r01, r02 = shipped("R01"), shipped("R02")
    evaluate(engine, r01, NOW + timedelta(days=1), CAL, rule_book=r01)
    assert engine_status(engine)["R02"] == {"retired"}
    back = evaluate(engine, [*r01, *r02], NOW + timedelta(days=2), CAL, rule_book=[*r01, *r02])
    assert back.counts["reopened"] == 1 and back.counts["retired"] == 0  # R03 was retired the night before and stays so
    assert engine_status(engine) == {"R01": {"open"}, "R02": {"open"}, "R03": {"retired"}}
    [r02_flag] = ids_of(engine, "R02")
    action, before, after, detail = events_of(engine, r02_flag)[-1]
    assert (action, before, after, detail["why"]) == ("restored", "open", "open", "rule_restored")
    queue = morning_queue(engine, "risk1", NOW + timedelta(days=2), CAL)
    assert {i.flag.id for i in queue.items} == {r02_flag} | ids_of(engine, "R01")


def test_without_the_rule_book_a_partial_evaluation_retires_nothing(engine: Engine, flags: dict[str, int]) -> None:
    result = evaluate(engine, shipped("R01"), NOW + timedelta(days=1), CAL)
    assert "retired" not in result.counts
    assert engine_status(engine) == {"R01": {"open"}, "R02": {"open"}, "R03": {"open"}}
