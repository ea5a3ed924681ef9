"""Tampering with the audit trail the way someone with database access would, on both backends.

Each test first proves the trail verifies clean, then tampers (on PostgreSQL past the append-only
trigger, as a table owner or superuser can) and checks exactly what `verify` reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from riskmon import Riskmon, audit
from riskmon.audit.chain import GENESIS, plain_digest
from riskmon.business_calendar import TOKYO, BusinessCalendar
from riskmon.config import PathsConfig, load_settings
from riskmon.jobs.catalogue import nightly
from riskmon.reports import committee
from riskmon.review.service import ReviewService
from riskmon.store.migrate import upgrade
from riskmon.store.tables import AuditEntry, CaseEvent, Flag, table_of
from tests.helpers import ROOT

AUDIT = table_of(AuditEntry)


def _work(engine: Engine, flags: dict[str, int]) -> int:
    """Case steps on the medium flag, six refused attempts by the auditor, then an anchor (as the
    nightly job records one). Returns the head seq, after checking that all of it verifies."""
    svc = ReviewService(engine)
    assert svc.acknowledge("po1", flags["medium"]).ok
    assert svc.comment("risk1", flags["medium"], "確認").ok
    assert svc.resolve("risk1", flags["medium"], "remediated", "再送付済み").ok
    for _ in range(6):
        assert not svc.acknowledge("auditor", flags["high"]).ok  # refused, and audited
    audit.record_anchor(engine, "nightly")
    v = _check(engine)
    assert (v.breaks, v.anchors, v.legacy, v.keyed) == ([], 1, 0, v.entries)
    return v.head[0]


def _check(engine: Engine) -> audit.Verification:
    with engine.connect() as conn:
        return audit.check(conn)


def _found(engine: Engine) -> list[tuple[int, str]]:
    return [(b.seq, b.problem) for b in _check(engine).breaks]


@contextmanager
def tampering(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # past the trigger
        yield conn


def _recompute_plain(conn: Connection, start: int) -> None:
    """Recompute the chain from ``start`` on with plain SHA-256: all one can do without the key."""
    rows = [dict(r) for r in conn.execute(select(AUDIT).order_by(AUDIT.c.seq)).mappings()]
    prev = GENESIS
    for r in rows:
        if r["seq"] >= start:
            new = plain_digest(prev, r["seq"], r["at"], r["actor"], r["action"], r["subject"], r["payload"])
            conn.execute(update(AUDIT).where(AUDIT.c.seq == r["seq"]).values(prev_hash=prev, hash=new))
            r["hash"] = new
        prev = r["hash"]


@pytest.mark.parametrize("newest", [1, 5, "all"])
def test_deleting_the_newest_entries_is_detected(engine: Engine, flags: dict[str, int], newest: int | str) -> None:
    head = _work(engine, flags)
    cut = head if newest == "all" else int(newest)
    with tampering(engine) as conn:
        conn.execute(delete(AUDIT).where(AUDIT.c.seq > head - cut))
    found = _found(engine)
    assert found[0] == (head - cut + 1, "truncated")
    if newest == "all":  # the cases' and runs' audited story went with it
        assert {p for _, p in found} == {"truncated", "case_event", "flag_state", "engine_state"}
    else:  # refused attempts only: nothing else is out of step
        assert found == [(head - cut + 1, "truncated")]


def test_truncating_and_appending_again_is_detected_as_a_rewrite(engine: Engine, flags: dict[str, int]) -> None:
    head = _work(engine, flags)
    with tampering(engine) as conn:
        conn.execute(delete(AUDIT).where(AUDIT.c.seq > head - 2))
    svc = ReviewService(engine)
    for _ in range(3):  # riskmon carries on and the chain grows past the anchored seq again
        assert not svc.acknowledge("auditor", flags["high"]).ok
    assert _found(engine) == [(head, "rewritten")]


def test_editing_an_entry_and_recomputing_the_chain_is_detected(engine: Engine, flags: dict[str, int]) -> None:
    head = _work(engine, flags)
    with tampering(engine) as conn:
        conn.execute(update(AUDIT).where(AUDIT.c.seq == head - 3).values(actor="risk2"))
        _recompute_plain(conn, head - 3)
    assert _found(engine) == [(head - 3, "unsigned"), (head, "rewritten")]
    detail = _check(engine).breaks[0]
    assert detail.detail == f"entries {head - 3}..{head} are not signed with the audit key (a plain SHA-256 chain: " \
                            "recomputed by someone without the key)"  # fmt: skip


def test_recomputing_the_whole_chain_is_detected_even_without_an_anchor(engine: Engine, flags: dict[str, int]) -> None:
    ReviewService(engine).acknowledge("po1", flags["medium"])
    with engine.connect() as conn:
        n = audit.head(conn)[0]
    with tampering(engine) as conn:
        conn.execute(update(AUDIT).where(AUDIT.c.seq == 1).values(actor="someone"))
        _recompute_plain(conn, 1)
    assert _found(engine) == [(1, "unsigned")]
    assert _check(engine).breaks[0].detail.startswith(f"entries 1..{n} are not signed")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"review_status": "resolved", "resolution": "remediated"},
         "stored case state resolved/remediated, but its audited case events give open"),
        ({"review_status": "dismissed"}, "stored case state dismissed/None, but its audited case events give open"),
        ({"status": "cleared"}, "status cleared, but run 1 did not clear it"),
    ],
)  # fmt: skip
def test_changing_a_flag_directly_is_detected(engine: Engine, flags: dict[str, int], change: dict[str, str], expected: str) -> None:
    _work(engine, flags)
    with tampering(engine) as conn:
        conn.execute(update(table_of(Flag)).where(table_of(Flag).c.id == flags["high"]).values(**change))
    breaks = _check(engine).breaks
    assert [(b.seq, b.problem, b.detail) for b in breaks] == [
        (0, "engine_state" if "status" in change else "flag_state", f"flag {flags['high']}: {expected}")
    ]


def test_changing_the_resolution_of_a_closed_flag_is_detected(engine: Engine, flags: dict[str, int]) -> None:
    _work(engine, flags)
    with tampering(engine) as conn:
        conn.execute(update(table_of(Flag)).where(table_of(Flag).c.id == flags["medium"]).values(resolution="explained"))
    assert [b.detail for b in _check(engine).breaks] == [
        f"flag {flags['medium']}: stored case state resolved/explained, but its audited case events give resolved/remediated"
    ]


@pytest.mark.parametrize("how", ["edit", "delete", "insert"])
def test_changing_case_events_directly_is_detected(engine: Engine, flags: dict[str, int], how: str) -> None:
    _work(engine, flags)
    ce = table_of(CaseEvent)
    with tampering(engine) as conn:
        first = conn.execute(select(ce).where(ce.c.flag_id == flags["medium"]).order_by(ce.c.id)).mappings().first()
        assert first is not None and first["action"] == "acknowledge"
        if how == "edit":
            conn.execute(update(ce).where(ce.c.id == first["id"]).values(actor="po2"))
        elif how == "delete":
            conn.execute(delete(ce).where(ce.c.id == first["id"]))
        else:
            conn.execute(insert(ce).values(flag_id=flags["high"], at=datetime(2025, 4, 10, 9, tzinfo=TOKYO), actor="risk1",
                                           action="dismiss", from_status="open", to_status="open", detail={}))  # fmt: skip
    breaks = _check(engine).breaks
    assert [b.problem for b in breaks] == ["case_event"]
    flag = flags["high"] if how == "insert" else flags["medium"]
    assert breaks[0].detail.startswith(f"flag {flag}: case event")
    assert breaks[0].detail_ja.startswith(f"フラグ{flag}：対応履歴")


def test_postgresql_refuses_update_delete_and_truncate_of_the_audit_log(pg_engine: Engine) -> None:
    upgrade(pg_engine)
    with pg_engine.begin() as conn:
        audit.append(conn, "riskmon", "test", "x", {})
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match=r"audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused"), pg_engine.begin() as conn:
            conn.execute(text(sql))
    with pg_engine.connect() as conn:
        assert audit.verify(conn) == (1, [])


def test_an_unkeyed_chain_is_taken_over_as_legacy_and_stays_checked(engine: Engine) -> None:
    """A chain from before 0005 (plain SHA-256): keying marks where it ends; edits there still show."""
    with tampering(engine) as conn:  # as riskmon wrote it before the key existed
        prev = GENESIS
        for seq in (1, 2, 3):
            at = datetime(2025, 4, seq, 9, tzinfo=TOKYO)
            digest = plain_digest(prev, seq, at, "riskmon", "ingest_run", f"ingest:{seq}", {"n": seq})
            conn.execute(insert(AUDIT).values(seq=seq, at=at, actor="riskmon", action="ingest_run", subject=f"ingest:{seq}",
                                              payload={"n": seq}, prev_hash=prev, hash=digest))  # fmt: skip
            prev = digest
    assert _found(engine) == [(1, "unsigned")]  # before the key is set up, nothing vouches for them
    setup = audit.ensure_key(engine)
    assert setup == audit.KeySetup(created=False, legacy_marked=4)
    v = _check(engine)
    assert (v.entries, v.keyed, v.legacy, v.legacy_until, v.anchors, v.breaks) == (4, 1, 3, 3, 1, [])
    assert audit.ensure_key(engine) == audit.KeySetup(created=False, legacy_marked=None)  # once only
    with tampering(engine) as conn:
        conn.execute(update(AUDIT).where(AUDIT.c.seq == 2).values(payload={"n": 20}))
        _recompute_plain(conn, 2)  # the legacy part, and the marker's link, recomputed
    assert _found(engine) == [(1, "unsigned"), (4, "rewritten")]  # the marker could only be recomputed unkeyed


def test_each_committee_pack_and_nightly_run_records_an_anchor(engine: Engine, flags: dict[str, int], tmp_path: Path) -> None:
    anchors_file = Path(audit.keys.paths().anchors_file)
    cal = BusinessCalendar()
    as_of = datetime(2025, 4, 30, 23, tzinfo=TOKYO)
    written = committee.write(engine, committee.build(engine, date(2025, 4, 1), date(2025, 4, 30), as_of, cal, {}), tmp_path / "p", cal)
    with engine.connect() as conn:
        seq, digest = audit.head(conn)
        database = audit.anchors.database_id(conn)
    in_pack = json.loads((written.folder / "audit-anchor.json").read_text(encoding="utf-8"))
    assert (in_pack["database"], in_pack["seq"], in_pack["hash"], in_pack["reason"]) == (database, seq, digest, "committee")
    paths = PathsConfig(rules=ROOT / "rules", inbox=tmp_path / "inbox", reports=tmp_path / "r", outbox=tmp_path / "outbox")
    settings = load_settings(ROOT / "config.toml").model_copy(update={"paths": paths})
    nightly(Riskmon(settings, engine=engine), datetime(2025, 4, 11, 2, tzinfo=TOKYO))
    mine = [json.loads(line) for line in anchors_file.read_text(encoding="utf-8").splitlines() if json.loads(line)["database"] == database]
    assert [a["reason"] for a in mine] == ["committee", "nightly"]
    assert mine[1]["seq"] > mine[0]["seq"] == seq
    assert _found(engine) == []
