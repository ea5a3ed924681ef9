"""Issue #9 item 10: two reviewers acting at once both succeed, or one gets a clean refusal.

Each reviewer is a thread with its own ReviewService, as two people at two terminals would be.
Before the fix, on SQLite, an action read the flag and then wrote it: when the other reviewer
committed in between, SQLite refused the upgrade of the read into a write at once ("database is
locked", no waiting), and the action ended in a traceback.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, select

from riskmon.review.service import Outcome, ReviewService
from riskmon.store.tables import CaseEvent, table_of

ROUNDS = 15


def _reviewer(engine: Engine, user: str, flag_ids: list[int], start: threading.Barrier,
              outcomes: list[Outcome], failures: list[BaseException]) -> None:  # fmt: skip
    svc = ReviewService(engine)
    start.wait()
    try:
        for i in range(ROUNDS):
            for flag_id in flag_ids:
                outcomes.append(svc.comment(user, flag_id, f"{user} {i}"))
        for flag_id in flag_ids:
            outcomes.append(svc.acknowledge(user, flag_id))  # both try: one acknowledges, the other is refused
    except BaseException as exc:  # a traceback in a real terminal
        failures.append(exc)


def test_two_reviewers_at_once_both_succeed_or_are_cleanly_refused(engine: Engine, flags: dict[str, int]) -> None:
    ids = sorted(flags.values())
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []
    failures: list[BaseException] = []
    threads = [threading.Thread(target=_reviewer, args=(engine, user, ids, start, outcomes, failures)) for user in ("po1", "rd1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert len(outcomes) == 2 * (ROUNDS + 1) * len(ids)
    comments = [o for o in outcomes if o.message_en == "recorded"]
    assert len(comments) == 2 * ROUNDS * len(ids) and all(o.ok for o in comments)
    acks = [o for o in outcomes if o not in comments]
    assert sorted(o.ok for o in acks) == [False] * len(ids) + [True] * len(ids)  # each flag acknowledged once
    t = table_of(CaseEvent)
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(t.c.action).where(t.c.actor != "riskmon"))]
    assert sorted(actions) == sorted(["comment"] * 2 * ROUNDS * len(ids) + ["acknowledge"] * len(ids))
