"""Another unit's flag is answered exactly like a missing one (issue #11), on SQLite and PostgreSQL.

A first-line user who names a flag outside their units — in any single action, a bulk action or a
history look — gets the words a flag id that exists nowhere gets, so trying ids never confirms
that a flag exists in another office. The refusal is still audited, with the truth for the third
line. The second line sees every flag; the third line sees every flag and is refused changes with
its own reason (a 403, never "missing").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from riskmon.review import policy
from riskmon.review.service import Outcome, ReviewService
from riskmon.store.tables import AuditEntry, CaseEvent, Flag, table_of
from tests.helpers import NOW

#: every single case action, as (the audit log's action, how to call it)
ACTIONS: dict[str, Callable[[ReviewService, str, int], Outcome]] = {
    "acknowledge": lambda svc, user, f: svc.acknowledge(user, f),
    "take_on": lambda svc, user, f: svc.take_on(user, f),
    "comment": lambda svc, user, f: svc.comment(user, f, "確認中"),
    "response": lambda svc, user, f: svc.comment(user, f, "連絡済み", kind="response"),
    "propose": lambda svc, user, f: svc.propose(user, f, "remediated", "再送付済み"),
    "withdraw": lambda svc, user, f: svc.withdraw(user, f, "書き直し"),
    "resolve": lambda svc, user, f: svc.resolve(user, f, "remediated", "確認済み"),
    "dismiss": lambda svc, user, f: svc.dismiss(user, f, "誤検知"),
    "confirm": lambda svc, user, f: svc.confirm(user, f, "0" * 16),
    "reopen": lambda svc, user, f: svc.reopen(user, f, "再発"),
}
MISSING = 9_000_000  # a flag id that exists nowhere
UNIT = {"po2": "PO-002", "hq1": "HQ-NP"}  # the first-line users who try, and their units


def last_audit(engine: Engine) -> tuple[str, str, str, str]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        row = conn.execute(select(t).order_by(t.c.seq.desc()).limit(1)).mappings().one()
    return row["actor"], row["action"], row["subject"], row["payload"]["reason"]


def case_state(engine: Engine, flag_id: int) -> tuple[dict[str, Any], int]:
    """The flag's row and how many case events it has: what a refusal must leave as it was."""
    f, e = table_of(Flag), table_of(CaseEvent)
    with engine.connect() as conn:
        row = dict(conn.execute(select(f).where(f.c.id == flag_id)).mappings().one())
        return row, int(conn.execute(select(func.count()).select_from(e).where(e.c.flag_id == flag_id)).scalar_one())


def said(outcome: Outcome, flag_id: int) -> tuple[bool, str, str, str]:
    """What the person is told, with the flag id written as ``<id>`` so two ids compare."""
    return outcome.ok, outcome.status, outcome.message_ja.replace(str(flag_id), "<id>"), outcome.message_en.replace(str(flag_id), "<id>")


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("user", ["po2", "hq1"])
def test_another_units_flag_is_answered_as_a_missing_one_and_audited(engine: Engine, flags: dict[str, int], action: str,
                                                                    user: str) -> None:  # fmt: skip
    svc = ReviewService(engine, clock=lambda: NOW)
    f = flags["medium"]  # PO-001's
    before = case_state(engine, f)

    hidden = ACTIONS[action](svc, user, f)
    hidden_audit = last_audit(engine)
    missing = ACTIONS[action](svc, user, MISSING)
    missing_audit = last_audit(engine)

    assert said(hidden, f) == said(missing, MISSING) == (False, "", "フラグ<id>はありません", "flag <id> does not exist")
    assert case_state(engine, f) == before
    assert hidden_audit == (user, f"refused:{action}", f"flag:{f}", f"flag {f} is outside the units of {UNIT[user]}; answered as missing")
    assert missing_audit == (user, f"refused:{action}", f"flag:{MISSING}", f"flag {MISSING} does not exist")


def test_a_history_look_at_another_units_flag_is_refused_as_missing(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine, clock=lambda: NOW)
    f = flags["high"]
    with pytest.raises(policy.Refused) as hidden:
        svc.history("po2", f)
    assert last_audit(engine) == ("po2", "refused:history", f"flag:{f}", f"flag {f} is outside the units of PO-002; answered as missing")
    with pytest.raises(policy.Refused) as missing:
        svc.history("po2", MISSING)
    assert last_audit(engine) == ("po2", "refused:history", f"flag:{MISSING}", f"flag {MISSING} does not exist")
    assert (hidden.value.ja, hidden.value.en) == (f"フラグ{f}はありません", f"flag {f} does not exist")
    assert (missing.value.ja.replace(str(MISSING), str(f)), missing.value.en.replace(str(MISSING), str(f))) == (
        hidden.value.ja, hidden.value.en)  # fmt: skip


def test_the_own_unit_and_the_regional_division_still_act(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine, clock=lambda: NOW)
    assert svc.acknowledge("po1", flags["medium"]).ok
    assert svc.comment("rd1", flags["medium"], "地域部として確認").ok  # a 地域部 works its offices' flags
    assert [e.action for e in svc.history("rd1", flags["medium"])][-2:] == ["acknowledge", "comment"]


def test_the_second_line_sees_all_and_the_third_line_is_refused_changes_not_told_missing(engine: Engine,
                                                                                        flags: dict[str, int]) -> None:  # fmt: skip
    svc = ReviewService(engine, clock=lambda: NOW)
    assert svc.acknowledge("risk1", flags["medium"]).ok
    refused = svc.acknowledge("auditor", flags["high"])
    assert (refused.ok, refused.message_en) == (False, "the third line and governance read everything and change nothing")
    assert last_audit(engine)[1:] == ("refused:acknowledge", f"flag:{flags['high']}",
                                      "the third line and governance read everything and change nothing")  # fmt: skip
    assert svc.history("auditor", flags["high"]) == []  # the third line reads the (still empty) case history


def test_bulk_answers_another_units_flag_as_missing_in_one_transaction_per_flag(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine, clock=lambda: NOW)
    begun: list[object] = []
    listener = lambda conn: begun.append(conn)  # noqa: E731 - the engine's "begin" event: one per transaction
    event.listen(engine, "begin", listener)
    try:
        done = svc.bulk("po2", "acknowledge", [flags["high"], MISSING, flags["medium"]])
    finally:
        event.remove(engine, "begin", listener)
    assert [said(o, o.flag_id) for o in done.outcomes] == [(False, "", "フラグ<id>はありません", "flag <id> does not exist")] * 3
    assert len(begun) == 1 + 3  # reading who acts, then one per flag (its check, its refusal's audit entry)
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.subject, t.c.payload).where(t.c.action == "refused:acknowledge").order_by(t.c.seq)).all()
    assert [(s, p["reason"]) for s, p in rows] == [
        (f"flag:{flags['high']}", f"flag {flags['high']} is outside the units of PO-002; answered as missing"),
        (f"flag:{MISSING}", f"flag {MISSING} does not exist"),
        (f"flag:{flags['medium']}", f"flag {flags['medium']} is outside the units of PO-002; answered as missing"),
    ]
