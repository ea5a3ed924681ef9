"""The one service layer every interface uses to work flags as cases.

Each action loads the flag, asks riskmon.review.policy, changes the case, and records the step
in ``case_events`` and the hash-chained audit log — all in one transaction. A refusal changes
nothing but is itself audited, so the third line can see attempts as well as actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from riskmon import audit
from riskmon.flags.store import REOPENED_CASE, record_case_event
from riskmon.i18n import pick
from riskmon.review import policy
from riskmon.review.policy import Refused
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.tables import CaseEvent, Flag, table_of


@dataclass(frozen=True)
class Outcome:
    flag_id: int
    ok: bool
    status: str
    message_ja: str
    message_en: str

    def text(self, lang: str) -> str:
        return pick((self.message_ja, self.message_en), lang)


class ReviewService:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- reading -------------------------------------------------------------------------------
    def history(self, user_id: str, flag_id: int) -> list[dict[str, Any]]:
        """The case's events; a refused look (unknown or someone else's flag) is audited like a refused action."""
        try:
            with self.engine.connect() as conn:
                who = actor(conn, user_id)
                policy.require_visible(who, _flag(conn, flag_id))
                t = table_of(CaseEvent)
                return [dict(r) for r in conn.execute(select(t).where(t.c.flag_id == flag_id).order_by(t.c.id)).mappings()]
        except Refused as refusal:
            with self.engine.begin() as conn:
                audit.append(conn, user_id, "refused:history", f"flag:{flag_id}", {"reason": refusal.en}, self.clock())
            raise

    # -- actions -------------------------------------------------------------------------------
    def acknowledge(self, user_id: str, flag_id: int, note: str | None = None) -> Outcome:
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_state(flag, ("open",), "acknowledge")
            return {"review_status": "acknowledged", "acknowledged_at": self.clock()}, {"note": note}

        return self._run("acknowledge", user_id, flag_id, act, ("確認しました", "acknowledged"))

    def take_on(self, user_id: str, flag_id: int, assignee: str | None = None) -> Outcome:
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_state(flag, ("open", "acknowledged"), "take on")
            person = assignee or who.user_id
            try:
                target = actor(conn, person)
            except UnknownUser:
                raise Refused(f"利用者 '{person}' は登録されていないか無効です", f"unknown or inactive user '{person}'") from None
            if not policy.can_see(target, flag) or target.line not in ("first", "second"):
                raise Refused(f"{person} にはこのフラグを担当させられません", f"{person} cannot be assigned this flag")
            changes: dict[str, Any] = {"review_status": "in_progress", "assignee": person}
            if flag["acknowledged_at"] is None:
                changes["acknowledged_at"] = self.clock()
            return changes, {"assignee": person}

        return self._run("take_on", user_id, flag_id, act, ("対応を開始しました", "in progress"))

    def comment(self, user_id: str, flag_id: int, text: str, kind: str = "comment") -> Outcome:
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            if not text.strip():
                raise Refused("コメントが空です", "the comment is empty")
            if kind == "response" and who.line != "first":
                raise Refused("回答（response）は第一線の担当部署が行います", "a response comes from the first-line owner")
            return {}, {"text": text, "kind": kind}

        return self._run(kind, user_id, flag_id, act, ("記録しました", "recorded"))

    def propose(self, user_id: str, flag_id: int, resolution: str, note: str, until: date | None = None,
                duplicate_of: int | None = None) -> Outcome:  # fmt: skip
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_state(flag, policy.OPEN_STATES, "propose a resolution for")
            policy.check_resolution(resolution, note, until, duplicate_of, flag_id)
            proposal = _proposal(who, "resolve", resolution, note, until, duplicate_of, self.clock())
            return {"proposal": proposal}, proposal

        return self._run("propose", user_id, flag_id, act, ("解決を提案しました", "resolution proposed"))

    def resolve(self, user_id: str, flag_id: int, resolution: str, note: str, until: date | None = None,
                duplicate_of: int | None = None) -> Outcome:  # fmt: skip
        return self._close(user_id, flag_id, "resolve", resolution, note, until, duplicate_of)

    def dismiss(self, user_id: str, flag_id: int, reason: str) -> Outcome:
        if not (reason or "").strip():
            with self.engine.begin() as conn:
                audit.append(conn, user_id, "refused:dismiss", f"flag:{flag_id}", {"reason": "missing reason"}, self.clock())
            return Outcome(flag_id, False, "", "却下には理由（--reason）が必要です", "dismissing needs a reason (--reason)")
        return self._close(user_id, flag_id, "dismiss", "false_positive", reason, None, None)

    def confirm(self, user_id: str, flag_id: int) -> Outcome:
        """The second pair of eyes on a high or critical closure."""

        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "確認（四つの目）", "confirm a closure")
            p = flag["proposal"]
            if not p or p.get("line") != "second" or p.get("kind") not in ("resolve", "dismiss"):
                raise Refused("確認待ちのクローズ提案がありません", "there is no closure waiting for confirmation")
            if p["by"] == who.user_id:
                raise Refused("提案者本人は確認できません（四つの目の原則）", "the proposer cannot confirm their own closure (four eyes)")
            return _closed(p, [p["by"], who.user_id], self.clock()), {"proposed_by": p["by"], "resolution": p["resolution"]}

        return self._run("confirm", user_id, flag_id, act, ("クローズを確認しました", "closure confirmed"))

    def reopen(self, user_id: str, flag_id: int, reason: str) -> Outcome:
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "再オープン", "reopen a flag")
            policy.require_state(flag, policy.CLOSED_STATES, "reopen")
            if not reason.strip():
                raise Refused("再オープンの理由が必要です", "reopening needs a reason")
            return dict(REOPENED_CASE), {"reason": reason}

        return self._run("reopen", user_id, flag_id, act, ("再オープンしました", "reopened"))

    # -- the engine's own steps ------------------------------------------------------------------
    def automatic_reopen(self, as_of: datetime) -> list[int]:
        """Reopen risk acceptances that have expired (a recurring condition is reopened by the
        evaluation itself, when the engine sees it come back: riskmon.flags.store.save)."""
        t = table_of(Flag)
        reopened: list[int] = []
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(t.c.id, t.c.review_status).where(
                    t.c.review_status == "resolved", t.c.resolution == "risk_accepted", t.c.accepted_until < as_of.date()
                )
            ).all()
            for flag_id, was in rows:
                conn.execute(update(t).where(t.c.id == flag_id).values(**REOPENED_CASE))
                record_case_event(conn, "riskmon", flag_id, "auto_reopen", was, "open", {"why": "risk acceptance expired"}, as_of)
                reopened.append(flag_id)
        return reopened

    # -- machinery -----------------------------------------------------------------------------
    def _close(self, user_id: str, flag_id: int, kind: str, resolution: str, note: str, until: date | None,
               duplicate_of: int | None) -> Outcome:  # fmt: skip
        def act(conn: Connection, who: Actor, flag: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "解決・却下・リスク受容", "resolve, dismiss or accept risk")
            policy.require_state(flag, policy.OPEN_STATES, kind)
            if kind == "resolve":
                policy.check_resolution(resolution, note, until, duplicate_of, flag_id)
                if (
                    duplicate_of is not None
                    and conn.execute(select(table_of(Flag).c.id).where(table_of(Flag).c.id == duplicate_of)).first() is None
                ):
                    raise Refused(f"フラグ {duplicate_of} はありません", f"flag {duplicate_of} does not exist")
            proposal = _proposal(who, kind, resolution, note, until, duplicate_of, self.clock())
            if policy.needs_four_eyes(flag):
                return {"proposal": proposal}, {**proposal, "awaiting": "confirmation by another second-line user"}
            return _closed(proposal, [who.user_id], self.clock()), proposal

        return self._run(kind, user_id, flag_id, act, ("処理しました", "done"))

    def _run(self, action: str, user_id: str, flag_id: int,
             act: Callable[[Connection, Actor, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]],
             done: tuple[str, str]) -> Outcome:  # fmt: skip
        try:
            with self.engine.begin() as conn:
                who = actor(conn, user_id)
                flag = _flag(conn, flag_id)
                changes, detail = act(conn, who, flag)
                if changes:
                    conn.execute(update(table_of(Flag)).where(table_of(Flag).c.id == flag_id).values(**changes))
                to_status = changes.get("review_status", flag["review_status"])
                record_case_event(conn, who.user_id, flag_id, action, flag["review_status"], to_status, detail, self.clock())
            ja, en = done
            if "proposal" in changes and "review_status" not in changes and action in ("resolve", "dismiss"):
                ja, en = (
                    "別の第二線担当者の確認待ちです（四つの目）",
                    "recorded; needs confirmation by another second-line user (four eyes)",
                )
            return Outcome(flag_id, True, to_status, ja, en)
        except Refused as refusal:
            with self.engine.begin() as conn:
                audit.append(conn, user_id, f"refused:{action}", f"flag:{flag_id}", {"reason": refusal.en}, self.clock())
            return Outcome(flag_id, False, "", refusal.ja, refusal.en)


def _flag(conn: Connection, flag_id: int) -> dict[str, Any]:
    """The case, locked for this transaction on PostgreSQL (SQLite has one writer at a time), so two
    people acting on one flag at once are applied one after the other."""
    row = conn.execute(select(table_of(Flag)).where(table_of(Flag).c.id == flag_id).with_for_update()).mappings().first()
    if row is None:
        raise Refused(f"フラグ {flag_id} はありません", f"flag {flag_id} does not exist")
    return dict(row)


def _proposal(who: Actor, kind: str, resolution: str, note: str, until: date | None, duplicate_of: int | None,
              at: datetime) -> dict[str, Any]:  # fmt: skip
    return {"kind": kind, "resolution": resolution, "note": note, "until": until.isoformat() if until else None,
            "duplicate_of": duplicate_of, "by": who.user_id, "line": who.line, "at": at.isoformat()}  # fmt: skip


def _closed(p: dict[str, Any], by: list[str], at: datetime) -> dict[str, Any]:
    return {
        "review_status": "dismissed" if p["kind"] == "dismiss" else "resolved", "resolution": p["resolution"],
        "resolution_note": p["note"], "accepted_until": date.fromisoformat(p["until"]) if p.get("until") else None,
        "duplicate_of": p.get("duplicate_of"), "closed_by": by, "closed_at": at, "proposal": None,
    }  # fmt: skip
