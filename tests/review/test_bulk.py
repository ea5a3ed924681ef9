"""One bulk action for every interface (ReviewService.bulk, used by the web's フラグ一覧 and the
CLI's filtered actions): each flag's own outcome, another unit's flag answered exactly as a
missing one, the 500 cap, form problems before anything is tried, a read-only user refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from riskmon.review.service import BULK_LIMIT, ReviewService
from riskmon.store.tables import AuditEntry, Flag, table_of

MISSING = 987_654


def _status(engine: Engine, flag_id: int) -> str:
    t = table_of(Flag)
    with engine.connect() as conn:
        return str(conn.execute(select(t.c.review_status).where(t.c.id == flag_id)).scalar_one())


def _refusals(engine: Engine, user: str) -> list[tuple[str, str]]:
    t = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.action, t.c.subject).where(t.c.actor == user, t.c.action.like("refused:%")).order_by(t.c.seq))
        return [(r.action, r.subject) for r in rows]


def test_each_flag_has_its_own_outcome(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine, via={"channel": "test"})
    high, medium = flags["high"], flags["medium"]
    assert svc.acknowledge("po1", medium).ok
    done = svc.bulk("po1", "acknowledge", [high, medium, high], "見ました")
    assert [(o.flag_id, o.ok) for o in done.outcomes] == [(high, True), (medium, False)]  # the repeated id is done once
    assert done.outcomes[1].message_ja == "状態が「受領」のため実行できません（可能な状態：未対応）"
    assert (done.done, done.beyond, done.problems, done.forbidden) == (1, [], [], False)
    assert _status(engine, high) == "acknowledged"


def test_another_units_flag_answers_as_a_missing_one(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    high = flags["high"]
    done = svc.bulk("po2", "acknowledge", [high, MISSING])
    assert [(o.ok, o.message_ja, o.message_en) for o in done.outcomes] == [
        (False, f"フラグ{high}はありません", f"flag {high} does not exist"),
        (False, f"フラグ{MISSING}はありません", f"flag {MISSING} does not exist"),
    ]
    assert _status(engine, high) == "open"
    assert _refusals(engine, "po2") == [("refused:acknowledge", f"flag:{high}"), ("refused:acknowledge", f"flag:{MISSING}")]


def test_at_most_500_flags_are_tried_and_the_rest_are_reported(engine: Engine, flags: dict[str, int]) -> None:
    ids = [flags["high"], *range(MISSING, MISSING + BULK_LIMIT)]
    done = ReviewService(engine).bulk("po1", "acknowledge", ids)
    assert (BULK_LIMIT, len(done.outcomes), done.done, done.beyond) == (500, 500, 1, [MISSING + BULK_LIMIT - 1])
    assert done.beyond_text("en") == "at most 500 flags are done at a time; the other 1 were left untouched (run it again)"
    assert done.beyond_text("ja").startswith("一度に処理できるのは500件までです。残りの1件")


@pytest.mark.parametrize(
    ("action", "ids", "note", "problems"),
    [
        ("", [1], "", [("一括操作を選んでください", "choose a bulk action")]),
        ("acknowledge", [], "", [("フラグを1件以上選んでください", "select at least one flag")]),
        ("comment", [1], " ", [("コメントを入力してください", "write the comment")]),
    ],
)
def test_a_bad_request_tries_nothing(engine: Engine, flags: dict[str, int], action: str, ids: list[int], note: str,
                                     problems: list[tuple[str, str]]) -> None:  # fmt: skip
    done = ReviewService(engine).bulk("po1", action, ids, note)
    assert (done.outcomes, done.problems, done.forbidden) == ([], problems, False)
    assert _refusals(engine, "po1") == []


def test_a_read_only_user_is_refused_on_every_item_and_audited(engine: Engine, flags: dict[str, int]) -> None:
    high = flags["high"]
    done = ReviewService(engine).bulk("auditor", "acknowledge", [high])
    assert done.forbidden and [o.ok for o in done.outcomes] == [False]
    forged = ReviewService(engine).bulk("auditor", "drop_table", [high])
    assert [o.message_en for o in forged.outcomes] == ["not a bulk action"]
    assert _refusals(engine, "auditor") == [("refused:acknowledge", f"flag:{high}"), ("refused:drop_table", f"flag:{high}")]
    assert _status(engine, high) == "open"
