"""A first-line user asking for another unit's flag through the web: they are told what a missing
id tells them, and the audit log records the same reason the CLI records
(riskmon.review.policy.Hidden's audit text), so the third line reads one story whatever the channel."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from riskmon.store.tables import AuditEntry, table_of
from tests.web.pages_support import post


def refusals(engine: Engine, actor: str) -> list[tuple[str, str, str]]:
    a = table_of(AuditEntry)
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.action, a.c.subject, a.c.payload).where(a.c.actor == actor).order_by(a.c.seq))
        return [(r.action, r.subject, r.payload["reason"]) for r in rows if r.action.startswith("refused:")]


def test_the_bulk_action_records_the_cli_s_reason(as_: Callable[[str], TestClient], engine: Engine, flags: dict[str, int]) -> None:
    other = flags["R01:C3"]
    r = post(as_("po1"), "/flags/bulk", {"ids": [str(other)], "bulk_action": "acknowledge"})
    assert f"フラグ{other}はありません" in r.text and "担当ではありません" not in r.text
    hidden = f"flag {other} is outside the units of PO-001; answered as missing"  # what `riskmon flags ack` records
    assert refusals(engine, "po1") == [("refused:acknowledge", f"flag:{other}", hidden)]


def test_the_detail_page_s_action_records_the_cli_s_reason(as_: Callable[[str], TestClient], engine: Engine,
                                                           flags: dict[str, int]) -> None:  # fmt: skip
    other = flags["R01:C3"]
    assert post(as_("po1"), f"/flags/{other}/act", {"action": "acknowledge"}).status_code == 404
    hidden = f"flag {other} is outside the units of PO-001; answered as missing"
    assert refusals(engine, "po1") == [("refused:acknowledge", f"flag:{other}", hidden)]
