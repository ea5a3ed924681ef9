"""Units a rule names under ``inform`` are resolved when the flag is raised, kept in its evidence,
and told of the new flag once, the same night (R04 → リスク統括部 「共同所管」, R33 → 監査部
「第三線への報告」) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from riskmon.business_calendar import BusinessCalendar
from riskmon.review.escalation import Ladder, escalate, write_digests
from riskmon.store.tables import Flag, Notification, table_of
from tests.feeds_support import finding
from tests.helpers import NOW, error_report, raise_flags

CAL = BusinessCalendar()
EVENTS = [
    error_report("E1", "C1", category="data_entry_error", discovered_at="2025-02-03T10:00:00"),  # R04: 30 days passed
    finding("F1", reported_on="2024-12-02", level="minor"),  # R33: due 2025-03-02, no follow-up report
]


def outbox(engine: Engine) -> list[tuple[str, str, str, int]]:
    t, f = table_of(Notification), table_of(Flag)
    with engine.connect() as conn:
        rows = conn.execute(select(f.c.key, t.c.recipient_unit, t.c.kind, t.c.level).join(f, f.c.id == t.c.flag_id)
                            .order_by(f.c.key, t.c.kind, t.c.recipient_unit))  # fmt: skip
        return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_evaluation_stores_the_informed_units_in_the_evidence(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    rows = raise_flags(engine, units_file, tmp_path, EVENTS, ["R04", "R33"])
    assert sorted(rows) == ["R04:C1", "R33:F1"]
    t = table_of(Flag)
    with engine.connect() as conn:
        got = {
            r.key: (r.owner_unit, r.evidence["inform"], r.escalation)
            for r in conn.execute(select(t.c.key, t.c.owner_unit, t.c.evidence, t.c.escalation))
        }
    assert got == {
        "R04:C1": ("PO-001", {"units": ["RMD"], "reason": {"ja": "共同所管", "en": "joint ownership"}}, ["RMD", "executive"]),
        "R33:F1": ("PO-001", {"units": ["AUD"], "reason": {"ja": "第三線への報告", "en": "reported to the third line"}}, ["RD01", "RMD"]),
    }


def test_escalate_tells_each_informed_unit_once(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    raise_flags(engine, units_file, tmp_path, EVENTS, ["R04", "R33"])
    first = escalate(engine, NOW, CAL, Ladder())
    assert first.notified == 4 and first.escalated == {}
    told = [
        ("R04:C1", "RMD", "informed", 0),
        ("R04:C1", "PO-001", "new", 0),
        ("R33:F1", "AUD", "informed", 0),
        ("R33:F1", "PO-001", "new", 0),
    ]
    assert outbox(engine) == told
    again = escalate(engine, NOW, CAL, Ladder())  # a re-run of the same night
    assert again.notified == 0
    next_night = escalate(engine, NOW + timedelta(days=1), CAL, Ladder())  # still new to nobody, nothing due yet
    assert next_night.notified == 0 and next_night.escalated == {}
    assert outbox(engine) == told

    t = table_of(Notification)
    with engine.connect() as conn:
        notices = {r.recipient_unit: (r.subject, r.body) for r in conn.execute(select(t).where(t.c.kind == "informed"))}
    assert notices["RMD"][0] == "[riskmon medium] 共同所管: 再発防止策の策定遅延 (C1)"
    # R33 is high: 20 business days or more past the follow-up's due date
    assert notices["AUD"][0] == "[riskmon high] 第三線への報告: 監査指摘事項の3か月後フォローアップ報告の遅延 (F1)"
    assert notices["RMD"][1].startswith(
        "共同所管 / joint ownership — 担当 / owner: 札幌中央年金事務所（PO-001）"
        "（担当ではなく、通知のみ / for information: you do not own this flag）\n\n"
    )
    assert notices["AUD"][1].startswith("第三線への報告 / reported to the third line — 担当 / owner: 札幌中央年金事務所（PO-001）")

    digests = {p.name: p.read_text(encoding="utf-8") for p in write_digests(engine, NOW, tmp_path / "digests")}
    assert sorted(digests) == ["AUD.md", "PO-001.md", "RMD.md"]
    assert digests["RMD.md"].count("## ") == 1
    assert "## 通知（担当外）: [riskmon medium] 共同所管: 再発防止策の策定遅延 (C1)" in digests["RMD.md"]
    assert "## 通知（担当外）: [riskmon high] 第三線への報告: " in digests["AUD.md"]
    assert "共同所管" not in digests["PO-001.md"]  # the owner's notice is the ordinary one


def test_a_unit_on_the_ladder_too_is_told_again_when_the_flag_climbs_to_it(engine: Engine, units_file: Path, tmp_path: Path) -> None:
    """Being informed is no ladder step: R04 unacknowledged for 2 business days reaches リスク統括部
    as an escalation, after it was told as the joint owner the first night."""
    [(flag_id, _)] = raise_flags(engine, units_file, tmp_path, EVENTS[:1], ["R04"]).values()
    escalate(engine, NOW, CAL, Ladder())
    later = NOW + timedelta(days=4)  # Thu 10 April → Mon 14 April: 2 business days
    assert escalate(engine, later, CAL, Ladder()).escalated == {flag_id: 1}
    assert outbox(engine) == [("R04:C1", "RMD", "escalated", 1), ("R04:C1", "RMD", "informed", 0), ("R04:C1", "PO-001", "new", 0)]
