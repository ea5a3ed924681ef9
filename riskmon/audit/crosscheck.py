"""Cross-checks: the tables people read must agree with the audited story.

The chain proves the audit log is whole, but the morning queue and the committee pack read
``flags`` and ``case_events``, which anyone with database access can change directly. So:

- every case event must match, in order, the audit entry written in the same transaction
  (riskmon.flags.store.record_case_event, riskmon.review.escalation);
- each flag's case state (``review_status``, and ``resolution`` once closed) must be what
  replaying its audited case events gives (a new flag starts ``open``; each step sets ``to``);
- the engine's own status must fit the audited evaluation run that last touched the flag: an
  ``open`` flag was seen at that run's as-of time and is not cleared; a ``cleared`` one was
  cleared at it. (The engine status is recomputed by every evaluation rather than audited per
  flag, so this catches a flag closed or cleared by hand, not a fully consistent forgery of
  its times — re-evaluating shows that.)
"""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from riskmon.audit.chain import Break
from riskmon.store.tables import CaseEvent, Flag, table_of

CLOSED = ("resolved", "dismissed")


@dataclass
class AuditedCases:
    """What the cross-checks need from one pass over the audit log."""

    by_flag: dict[int, list[RowMapping]] = field(default_factory=lambda: defaultdict(list))
    runs: dict[int, datetime] = field(default_factory=dict)  # evaluation run id → as-of

    def visit(self, row: RowMapping) -> None:
        subject, action = row["subject"], row["action"]
        if subject.startswith("flag:") and not action.startswith("refused:"):
            with suppress(ValueError):
                self.by_flag[int(subject[5:])].append(row)
        elif action == "evaluation_run" and subject.startswith("run:"):
            with suppress(ValueError, KeyError, TypeError):
                self.runs[int(subject[4:])] = datetime.fromisoformat(row["payload"]["as_of"])


def _norm(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _expected_payload(ev: RowMapping) -> Any:
    detail = dict(ev["detail"] or {})
    if ev["action"] == "escalated":
        return detail
    return {"from": ev["from_status"], "to": ev["to_status"], **detail}


def case_events(conn: Connection, audited: AuditedCases) -> list[Break]:
    t = table_of(CaseEvent)
    stored: dict[int, list[RowMapping]] = defaultdict(list)
    for row in conn.execute(select(t).order_by(t.c.id)).mappings():
        stored[row["flag_id"]].append(row)
    breaks: list[Break] = []
    for flag_id in sorted(set(stored) | set(audited.by_flag)):
        events, entries = stored.get(flag_id, []), audited.by_flag.get(flag_id, [])
        for i in range(max(len(events), len(entries))):
            ev = events[i] if i < len(events) else None
            entry = entries[i] if i < len(entries) else None
            if ev is None and entry is not None:
                breaks.append(Break(entry["seq"], "case_event",
                                    f"flag {flag_id}: audit entry {entry['seq']} ({entry['action']}) has no case event",
                                    f"フラグ{flag_id}：監査記録{entry['seq']}番（{entry['action']}）に対応する"
                                    "対応履歴がありません"))  # fmt: skip
            elif entry is None and ev is not None:
                breaks.append(Break(0, "case_event", f"flag {flag_id}: case event {ev['id']} ({ev['action']}) is not in the audit log",
                                    f"フラグ{flag_id}：対応履歴{ev['id']}（{ev['action']}）が監査証跡にありません"))  # fmt: skip
            elif ev is not None and entry is not None and (
                ev["actor"] != entry["actor"] or ev["action"] != entry["action"] or ev["at"] != entry["at"]
                or _norm(_expected_payload(ev)) != _norm(entry["payload"])
            ):  # fmt: skip
                breaks.append(Break(entry["seq"], "case_event",
                                    f"flag {flag_id}: case event {ev['id']} ({ev['action']} by {ev['actor']}) differs from "
                                    f"audit entry {entry['seq']} ({entry['action']} by {entry['actor']})",
                                    f"フラグ{flag_id}：対応履歴{ev['id']}（{ev['actor']}の{ev['action']}）が監査記録"
                                    f"{entry['seq']}番（{entry['actor']}の{entry['action']}）と一致しません"))  # fmt: skip
            else:
                continue
            break  # one finding per flag: the rest of its story is out of step anyway
    return breaks


def replay(entries: list[RowMapping]) -> tuple[str, str | None]:
    """The case state (review_status, resolution) the audited steps lead to."""
    status, resolution = "open", None
    for e in entries:
        p = e["payload"]
        if e["action"] == "escalated" or not isinstance(p, dict) or "to" not in p:
            continue
        before, status = p.get("from"), str(p["to"])
        if status in CLOSED and before != status:
            resolution = p.get("resolution")
        elif status not in CLOSED:
            resolution = None
    return status, resolution


def flag_states(conn: Connection, audited: AuditedCases) -> list[Break]:
    t = table_of(Flag)
    cols = (t.c.id, t.c.review_status, t.c.resolution, t.c.status, t.c.last_run_id, t.c.last_seen, t.c.cleared_at)
    breaks: list[Break] = []
    seen: set[int] = set()
    for f in conn.execute(select(*cols).order_by(t.c.id)).mappings():
        seen.add(f["id"])
        status, resolution = replay(audited.by_flag.get(f["id"], []))
        if f["review_status"] != status or (status in CLOSED and f["resolution"] != resolution):
            stored = f"{f['review_status']}/{f['resolution']}" if f["review_status"] in CLOSED else f["review_status"]
            want = f"{status}/{resolution}" if status in CLOSED else status
            breaks.append(Break(0, "flag_state",
                                f"flag {f['id']}: stored case state {stored}, but its audited case events give {want}",
                                f"フラグ{f['id']}：保存されている状態は{stored}ですが、"
                                f"監査された対応履歴からは{want}です"))  # fmt: skip
        breaks += _engine_state(f, audited.runs)
    for flag_id in sorted(set(audited.by_flag) - seen):
        breaks.append(Break(audited.by_flag[flag_id][0]["seq"], "flag_state",
                            f"flag {flag_id} has audited case events but is missing from flags",
                            f"フラグ{flag_id}は監査された対応履歴がありますが、flags にありません"))  # fmt: skip
    return breaks


def _engine_state(f: RowMapping, runs: dict[int, datetime]) -> list[Break]:
    as_of = runs.get(f["last_run_id"])
    fid, st = f["id"], f["status"]
    if as_of is None:
        en, ja = (
            f"its last evaluation run {f['last_run_id']} is not in the audit log",
            f"最後の評価{f['last_run_id']}が監査証跡にありません",
        )
    elif st == "open" and (f["cleared_at"] is not None or f["last_seen"] != as_of):
        en, ja = (
            f"status open, but run {f['last_run_id']} did not see it then",
            f"状態は open ですが、評価{f['last_run_id']}の時点と合いません",
        )
    elif st in ("cleared", "retired") and (f["cleared_at"] != as_of or f["last_seen"] > as_of):
        done_en, done_ja = ("clear", "解消") if st == "cleared" else ("retire", "廃止")
        en, ja = (
            f"status {st}, but run {f['last_run_id']} did not {done_en} it",
            f"状態は{st}ですが、評価{f['last_run_id']}で{done_ja}されていません",
        )
    elif st not in ("open", "cleared", "retired"):
        en, ja = f"unknown engine status {st!r}", f"不明な状態「{st}」"
    else:
        return []
    return [Break(0, "engine_state", f"flag {fid}: {en}", f"フラグ{fid}：{ja}")]
