"""Four eyes that hold (issue #11): a pending closure is never overwritten, the confirmation names
the proposal it approves, and one person's two accounts are one pair of eyes — on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.domain import Bucket
from riskmon.review.queue import morning_queue
from riskmon.review.service import ReviewService
from riskmon.review.users import load_users
from riskmon.store.tables import AuditEntry, Flag, User, table_of
from tests.helpers import NOW

CAL_QUEUE = BusinessCalendar()


def proposal_id(svc: ReviewService, flag_id: int) -> str:
    p = svc.flag("risk2", flag_id).proposal
    assert p is not None
    return p.digest


def case(engine: Engine, flag_id: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(table_of(Flag)).where(table_of(Flag).c.id == flag_id)).mappings().one())


def refusals(engine: Engine, action: str) -> list[str]:
    a = table_of(AuditEntry)
    with engine.connect() as conn:
        return [r.payload["reason"] for r in conn.execute(select(a).where(a.c.action == f"refused:{action}").order_by(a.c.seq))]


def load(engine: Engine, tmp_path: Path, text: str) -> None:
    users = tmp_path / "more-users.csv"
    users.write_text(text, encoding="utf-8")
    with engine.begin() as conn:
        assert load_users(conn, users)[1] == []


def test_a_first_line_proposal_cannot_overwrite_a_pending_closure(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["high"]
    assert svc.resolve("risk1", f, "remediated", "是正を確認").ok
    before = case(engine, f)["proposal"]
    out = svc.propose("po1", f, "explained", "別の説明")
    assert (out.ok, out.message_ja.startswith("risk1による完了（是正済み）が承認待ちです")) == (False, True)
    assert case(engine, f)["proposal"] == before
    assert refusals(engine, "propose")[0].startswith("a closure by risk1 (remediated) is awaiting confirmation")


def test_a_second_line_resolve_cannot_overwrite_a_pending_closure(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["critical"]
    assert svc.resolve("risk1", f, "remediated", "是正を確認").ok
    pid = proposal_id(svc, f)
    assert not svc.dismiss("risk2", f, "誤検知だと思う").ok
    assert not svc.resolve("risk2", f, "explained", "別の説明").ok
    assert proposal_id(svc, f) == pid


def test_confirm_names_the_proposal_it_approves(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["high"]
    svc.resolve("risk1", f, "remediated", "是正を確認")
    unnamed = svc.confirm("risk2", f)
    pid = proposal_id(svc, f)
    assert (unnamed.ok, unnamed.message_en) == (False, f"name the proposal you confirm (--proposal {pid}); it is remediated by risk1: "
                                                       "'是正を確認'")  # fmt: skip
    wrong = svc.confirm("risk2", f, "0" * 16)
    assert (wrong.ok, wrong.message_en) == (False, f"proposal 0000000000000000 is not the one awaiting confirmation ({pid}); "
                                                   "it may have changed — read it again before confirming")  # fmt: skip
    done = svc.confirm("risk2", f, pid)
    assert (done.ok, done.status, case(engine, f)["closed_by"]) == (True, "resolved", ["risk1", "risk2"])


def test_a_swapped_proposal_is_not_confirmed(engine: Engine, flags: dict[str, int]) -> None:
    """risk2 reads the proposal; before they confirm, it is withdrawn and replaced by another:
    the confirmation names what risk2 read, so nothing is closed."""
    svc = ReviewService(engine)
    f = flags["high"]
    svc.resolve("risk1", f, "remediated", "是正を確認")
    read = proposal_id(svc, f)
    assert svc.withdraw("risk1", f, "書き直し").ok
    assert svc.resolve("risk1", f, "risk_accepted", "受容する", until=NOW.date()).ok
    out = svc.confirm("risk2", f, read)
    assert (out.ok, case(engine, f)["review_status"]) == (False, "open")
    assert proposal_id(svc, f) != read


def test_the_proposer_never_confirms_whatever_their_role(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    load(engine, tmp_path, "user_id,name,unit_id,role\nboss,部長,RMD,user_admin\n")  # the administrator: no exemption
    svc = ReviewService(engine)
    f = flags["critical"]
    svc.resolve("boss", f, "remediated", "是正を確認")
    out = svc.confirm("boss", f, proposal_id(svc, f))
    assert (out.ok, out.message_en) == (False, "the proposer cannot confirm their own closure (four eyes)")


@pytest.mark.parametrize(
    ("users", "second"),
    [
        ("user_id,name,unit_id,role\nrisk1adm,リスク1,RMD,user_admin\n", "risk1adm"),  # same name and unit
        ("user_id,name,unit_id,role,person_id\nrisk1,リスク1,RMD,risk_officer,P-7\nalias,鈴木（管理用）,RMD,risk_officer,P-7\n",
         "alias"),  # linked in the users master
    ],
    ids=["same-name-and-unit", "person-id"],
)  # fmt: skip
def test_two_accounts_of_one_person_are_one_pair_of_eyes(engine: Engine, flags: dict[str, int], tmp_path: Path, users: str,
                                                         second: str) -> None:  # fmt: skip
    load(engine, tmp_path, users)
    svc = ReviewService(engine)
    f = flags["high"]
    svc.resolve("risk1", f, "remediated", "是正を確認")
    out = svc.confirm(second, f, proposal_id(svc, f))
    assert (out.ok, out.message_en) == (False, f"{second} and the proposer risk1 are accounts of one person; another second-line "
                                               "user must confirm (four eyes)")  # fmt: skip
    assert case(engine, f)["review_status"] == "open"
    assert svc.confirm("risk2", f, proposal_id(svc, f)).ok


def test_person_id_is_stored_from_the_users_master(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    load(engine, tmp_path, "user_id,name,unit_id,role,person_id\nalias,別名,RMD,risk_officer,P-9\n")
    with engine.connect() as conn:
        assert conn.execute(select(table_of(User).c.person_id).where(table_of(User).c.user_id == "alias")).scalar_one() == "P-9"


def test_only_the_proposer_or_the_second_line_withdraws(engine: Engine, flags: dict[str, int]) -> None:
    svc = ReviewService(engine)
    f = flags["high"]
    svc.resolve("risk1", f, "remediated", "是正を確認")
    out = svc.withdraw("po1", f, "反対")
    assert (out.ok, out.message_en) == (False, "only the proposer or the second line may withdraw a proposal")
    assert not svc.withdraw("risk2", f, " ").ok
    assert svc.withdraw("risk2", f, "内容が古い").ok and case(engine, f)["proposal"] is None
    assert [e.action for e in svc.history("risk1", f)][-2:] == ["resolve", "withdraw"]


def test_the_queue_shows_closures_awaiting_my_confirmation(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    load(engine, tmp_path, "user_id,name,unit_id,role\nrisk1adm,リスク1,RMD,user_admin\n")
    svc = ReviewService(engine)
    svc.resolve("risk1", flags["high"], "remediated", "是正を確認")

    def awaiting(user: str) -> list[int]:
        return [i.flag.id for i in morning_queue(engine, user, NOW, CAL_QUEUE).in_bucket(Bucket.AWAITING_ME)]

    assert (awaiting("risk2"), awaiting("risk1"), awaiting("risk1adm"), awaiting("po1")) == ([flags["high"]], [], [], [])
    assert morning_queue(engine, "risk2", NOW, CAL_QUEUE).items[0].bucket is Bucket.AWAITING_ME
