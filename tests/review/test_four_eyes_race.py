"""Two second-line users confirm the same pending closure at the same moment (issue #11, four
eyes), as two threads and as two processes, on SQLite and PostgreSQL.

Exactly one confirmation may win: the case gets one ``confirm``, the other person is told plainly
that the flag is already closed and by whom, and the audit chain still verifies. What makes it so
is the service's row lock (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite):
the second confirmation reads the flag only after the first committed. Each confirmation's clock
is slow (it is called inside the locked transaction), so the second really does arrive while the
first holds the flag — without the lock both would read the same pending proposal and both close.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from riskmon import audit
from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from riskmon.store.db import make_engine
from riskmon.store.tables import AuditEntry, CaseEvent, Flag, table_of
from tests.helpers import NOW

CONFIRMERS = ("risk2", "risk3")
PAUSE = 0.3  # seconds each confirmation's clock takes, inside its transaction


def slow_clock() -> datetime:
    time.sleep(PAUSE)
    return NOW


@pytest.fixture
def pending(engine: Engine, flags: dict[str, int], tmp_path: Path) -> tuple[int, str]:
    """risk1's closure of the high flag awaiting confirmation, a third second-line user (risk3)
    to race risk2 for it; returns the flag and the proposal's id."""
    users = tmp_path / "risk3.csv"
    users.write_text("user_id,name,unit_id,role\nrisk3,リスク3,RMD,risk_officer\n", encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users) == (1, [])
    svc = ReviewService(engine, clock=lambda: NOW)
    f = flags["high"]
    assert svc.resolve("risk1", f, "remediated", "是正を確認").ok
    proposal = svc.flag("risk1", f).proposal
    assert proposal is not None
    return f, proposal.digest


def confirm_in_a_process(url: str, user: str, flag_id: int, proposal: str, start: Any, results: Any) -> None:
    """One confirmation in its own process, with its own engine (spawned: nothing shared)."""
    engine = make_engine(url)
    try:
        start.wait(timeout=60)
        out = ReviewService(engine, clock=slow_clock).confirm(user, flag_id, proposal)
        results.put((user, out.ok, out.status, out.message_ja, out.message_en))
    finally:
        engine.dispose()


def confirm_in_threads(engine: Engine, flag_id: int, proposal: str) -> list[tuple[str, bool, str, str, str]]:
    start = threading.Barrier(len(CONFIRMERS))
    results: list[tuple[str, bool, str, str, str]] = []
    failures: list[BaseException] = []

    def one(user: str) -> None:
        try:
            start.wait(timeout=60)
            out = ReviewService(engine, clock=slow_clock).confirm(user, flag_id, proposal)
            results.append((user, out.ok, out.status, out.message_ja, out.message_en))
        except BaseException as exc:  # a traceback where a clear refusal is due
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(user,)) for user in CONFIRMERS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    return results


def confirm_in_processes(engine: Engine, flag_id: int, proposal: str) -> list[tuple[str, bool, str, str, str]]:
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(len(CONFIRMERS)), spawn.Queue()
    url = engine.url.render_as_string(hide_password=False)
    procs = [spawn.Process(target=confirm_in_a_process, args=(url, user, flag_id, proposal, start, results)) for user in CONFIRMERS]
    for p in procs:
        p.start()
    found = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    return found


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_exactly_one_of_two_simultaneous_confirmations_wins(engine: Engine, pending: tuple[int, str], how: str) -> None:
    f, proposal = pending
    results = (confirm_in_threads if how == "threads" else confirm_in_processes)(engine, f, proposal)

    won = [r for r in results if r[1]]
    lost = [r for r in results if not r[1]]
    assert len(won) == 1 and len(lost) == 1, results
    winner, loser = won[0][0], lost[0][0]
    assert won[0][2:] == ("resolved", "完了を承認しました", "closure confirmed")
    assert lost[0][2:] == (
        "",
        f"フラグ{f}は既に「完了」になっています（risk1、{winner}）。承認する提案はありません",
        f"flag {f} is already resolved (by risk1, {winner}); there is nothing to confirm",
    )
    e, a, t = table_of(CaseEvent), table_of(AuditEntry), table_of(Flag)
    with engine.connect() as conn:
        steps = [(r.actor, r.action) for r in conn.execute(select(e.c.actor, e.c.action).where(e.c.flag_id == f).order_by(e.c.id))]
        confirms = conn.execute(select(a.c.actor, a.c.action).where(a.c.subject == f"flag:{f}", a.c.action.like("%confirm"))).all()
        closed = conn.execute(select(t.c.review_status, t.c.closed_by, t.c.proposal).where(t.c.id == f)).one()
        entries, breaks = audit.verify(conn)
    assert steps[-2:] == [("risk1", "resolve"), (winner, "confirm")]
    assert [s for s in steps if s[1] == "confirm"] == [(winner, "confirm")]
    assert sorted(tuple(r) for r in confirms) == sorted([(winner, "confirm"), (loser, "refused:confirm")])
    assert (closed.review_status, list(closed.closed_by), closed.proposal) == ("resolved", ["risk1", winner], None)
    assert breaks == [] and entries > 0
