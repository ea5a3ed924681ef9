"""The one service layer every interface uses to work flags as cases.

Each action loads the flag, asks riskmon.review.policy, changes the case, and records the step
in ``case_events`` and the hash-chained audit log — all in one transaction. A refusal changes
nothing but is itself audited, so the third line can see attempts as well as actions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from riskmon import audit
from riskmon.config import PowersConfig
from riskmon.domain import ACTING_LINES, CLOSED_STATES, OPEN_STATES, CaseAction, Line, Resolution, ReviewStatus
from riskmon.flags import repository
from riskmon.flags.repository import CaseEventRecord, FlagRecord, Proposal
from riskmon.flags.store import REOPENED_CASE, record_case_event
from riskmon.i18n import pick
from riskmon.review import domains, permissions, policy
from riskmon.review.governance import Change, GovernanceActions, closed_case
from riskmon.review.policy import Refused
from riskmon.review.standing import Standing, standing
from riskmon.review.users import Actor, UnknownUser, actor
from riskmon.store.tables import Flag, table_of


@dataclass(frozen=True)
class Outcome:
    flag_id: int
    ok: bool
    status: str
    message_ja: str
    message_en: str

    def text(self, lang: str) -> str:
        return pick((self.message_ja, self.message_en), lang)


#: the actions one request may take on many flags at once, and how many flags at most
BULK_ACTIONS = ("acknowledge", "take_on", "comment", "resolve", "dismiss")
BULK_LIMIT = 500


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: each flag's own outcome (one refusal never hides the others'),
    the ids past :data:`BULK_LIMIT` left untouched, the request's problems (nothing was tried),
    and whether the user may not act at all (every item refused and audited)."""

    action: str
    outcomes: list[Outcome]
    beyond: list[int]
    problems: list[tuple[str, str]]
    forbidden: bool

    @property
    def done(self) -> int:
        return sum(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def beyond_text(self, lang: str) -> str:
        """What the user is told about the flags past the cap ('' when there are none)."""
        if not self.beyond:
            return ""
        n = len(self.beyond)
        return pick((f"一度に処理できるのは{BULK_LIMIT}件までです。残りの{n}件は処理していません（もう一度実行してください）",
                     f"at most {BULK_LIMIT} flags are done at a time; the other {n} were left untouched (run it again)"), lang)  # fmt: skip


class ReviewService(GovernanceActions):
    """``powers`` is ``[powers]`` of the configuration (who owns which risk domain; which flags'
    risk acceptance needs an executive): :class:`riskmon.app.Riskmon` passes the deployment's."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] | None = None, via: dict[str, str] | None = None,
                 powers: PowersConfig | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.via = dict(via or {})  # channel and token id, added to every case event and audit entry (issue #11)
        self.powers = powers or PowersConfig()

    # -- reading -------------------------------------------------------------------------------
    def flag(self, user_id: str, flag_id: int) -> FlagRecord:
        """One flag as ``user_id`` may see it, with its pending proposal (whose ``digest`` a
        confirmation names); a flag outside their units is refused like a missing one."""
        with self.engine.connect() as conn:
            found = policy.visible_flag(conn, actor(conn, user_id), flag_id)
        if found is None:
            raise Refused(f"フラグ{flag_id}はありません（または閲覧できません）", f"flag {flag_id} does not exist or is not yours to see")
        return found

    def history(self, user_id: str, flag_id: int) -> list[CaseEventRecord]:
        """The case's events, read without taking the write lock; a refused look (a missing
        flag, or another unit's — the same answer, :func:`policy.require_flag`) is audited like
        a refused action."""
        try:
            with self.engine.connect() as conn:
                policy.require_flag(conn, actor(conn, user_id), flag_id)
                return repository.history(conn, flag_id)
        except Refused as refusal:
            with self.engine.begin() as conn:
                self._refused(conn, user_id, "history", flag_id, refusal.audit)
            raise

    def standing(self, user_id: str, flag_id: int) -> Standing:
        """The flag's domain, owners, executive approval and the actions ``user_id`` may take
        (:mod:`riskmon.review.standing`); a flag they may not see is refused like a missing one."""
        with self.engine.connect() as conn:
            who = actor(conn, user_id)
            return standing(conn, self.powers, who, policy.require_flag(conn, who, flag_id))

    def record_refusal(self, user_id: str, action: str, flag_id: int, reason: str) -> None:
        """A refusal an interface decided before any action ran (a forged or stale form naming an
        action the user may not take): audited exactly like the service's own refusals."""
        with self.engine.begin() as conn:
            self._refused(conn, user_id, action[:32] or "-", flag_id, reason)

    # -- actions -------------------------------------------------------------------------------
    def acknowledge(self, user_id: str, flag_id: int, note: str | None = None) -> Outcome:
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_state(flag, (ReviewStatus.OPEN,), "acknowledge")
            return {"review_status": ReviewStatus.ACKNOWLEDGED, "acknowledged_at": self.clock()}, {"note": note}

        return self._run(CaseAction.ACKNOWLEDGE, user_id, flag_id, act, ("受領しました", "receipt acknowledged"))

    def take_on(self, user_id: str, flag_id: int, assignee: str | None = None) -> Outcome:
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_state(flag, (ReviewStatus.OPEN, ReviewStatus.ACKNOWLEDGED), "take on")
            person = assignee or who.user_id
            try:
                target = actor(conn, person)
            except UnknownUser:
                raise Refused(f"利用者 '{person}' は登録されていないか無効です", f"unknown or inactive user '{person}'") from None
            if not policy.can_see(target, flag) or target.line not in ACTING_LINES:
                raise Refused(f"{person}にはこのフラグを担当させられません", f"{person} cannot be assigned this flag")
            changes: dict[str, Any] = {"review_status": ReviewStatus.IN_PROGRESS, "assignee": person}
            if flag.acknowledged_at is None:
                changes["acknowledged_at"] = self.clock()
            return changes, {"assignee": person}

        return self._run(CaseAction.TAKE_ON, user_id, flag_id, act, ("対応を開始しました", "in progress"))

    def comment(self, user_id: str, flag_id: int, text: str, kind: str = "comment") -> Outcome:
        action = CaseAction.RESPONSE if kind == CaseAction.RESPONSE else CaseAction.COMMENT

        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            if not text.strip():
                raise Refused("コメントが空です", "the comment is empty")
            if action is CaseAction.RESPONSE and who.line != Line.FIRST:
                raise Refused("回答（response）は第一線の担当部署が行います", "a response comes from the first-line owner")
            return {}, {"text": text, "kind": action.value}

        return self._run(action, user_id, flag_id, act, ("記録しました", "recorded"))

    def propose(self, user_id: str, flag_id: int, resolution: str, note: str, until: date | None = None,
                duplicate_of: int | None = None) -> Outcome:  # fmt: skip
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_state(flag, OPEN_STATES, "propose a resolution for")
            policy.require_no_pending_closure(flag)
            chosen = policy.check_resolution(resolution, note, until, duplicate_of, flag_id)
            proposal = _proposal(who, CaseAction.RESOLVE, chosen, note, until, duplicate_of, self.clock())
            return {"proposal": proposal.to_json()}, {**proposal.to_json(), "proposal_id": proposal.digest}

        return self._run(CaseAction.PROPOSE, user_id, flag_id, act, ("完了を提案しました", "resolution proposed"))

    def withdraw(self, user_id: str, flag_id: int, reason: str) -> Outcome:
        """Take back a pending proposal (the proposer, or any second-line user for a second-line
        closure nobody will confirm); the only way a pending closure leaves without confirmation."""

        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            p = flag.proposal
            if p is None:
                raise Refused("取り下げる提案がありません", "there is no proposal to withdraw")
            if p.by != who.user_id and who.line != Line.SECOND:
                raise Refused(
                    "提案を取り下げられるのは提案者本人か第二線です", "only the proposer or the second line may withdraw a proposal"
                )
            if not (reason or "").strip():
                raise Refused("取下げの理由が必要です", "withdrawing needs a reason")
            return {"proposal": None}, {"proposal_id": p.digest, "proposed_by": p.by, "reason": reason}

        return self._run(CaseAction.WITHDRAW, user_id, flag_id, act, ("提案を取り下げました", "proposal withdrawn"))

    def resolve(self, user_id: str, flag_id: int, resolution: str, note: str, until: date | None = None,
                duplicate_of: int | None = None) -> Outcome:  # fmt: skip
        return self._close(user_id, flag_id, CaseAction.RESOLVE, resolution, note, until, duplicate_of)

    def dismiss(self, user_id: str, flag_id: int, reason: str) -> Outcome:
        if not (reason or "").strip():
            self.record_refusal(user_id, "dismiss", flag_id, "missing reason")
            return Outcome(flag_id, False, "", "却下には理由（--reason）が必要です", "dismissing needs a reason (--reason)")
        return self._close(user_id, flag_id, CaseAction.DISMISS, Resolution.FALSE_POSITIVE, reason, None, None)

    def confirm(self, user_id: str, flag_id: int, proposal: str | None = None) -> Outcome:
        """The second pair of eyes on a high or critical closure. ``proposal`` names what is
        approved (its :attr:`~riskmon.flags.repository.Proposal.digest`, shown with the pending
        proposal); without it, or with another one's, nothing is confirmed."""

        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "承認（四つの目）", "confirm a closure")
            p = policy.require_pending_closure(flag)
            try:
                proposer: Actor | None = actor(conn, p.by, active_only=False)
            except UnknownUser:
                proposer = None
            policy.check_confirmation(who, proposer, p, proposal)
            domains.check_pair(self.powers, proposer, who, flag)
            domains.require_approval(self.powers, flag, p, repository.history(conn, flag.id))
            detail = {"proposed_by": p.by, "resolution": p.resolution.value, "proposal_id": p.digest}
            return closed_case(p, [p.by, who.user_id], self.clock()), detail

        return self._run(CaseAction.CONFIRM, user_id, flag_id, act, ("完了を承認しました", "closure confirmed"))

    def reopen(self, user_id: str, flag_id: int, reason: str) -> Outcome:
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "再開", "reopen a flag")
            policy.require_state(flag, CLOSED_STATES, "reopen")
            if not reason.strip():
                raise Refused("再開の理由が必要です", "reopening needs a reason")
            return dict(REOPENED_CASE), {"reason": reason}

        return self._run(CaseAction.REOPEN, user_id, flag_id, act, ("再開しました", "reopened"))

    # -- many flags at once ------------------------------------------------------------------------
    def bulk(self, user_id: str, action: str, flag_ids: Sequence[int], note: str = "", *, resolution: str = "",
             until: date | None = None, duplicate_of: int | None = None) -> BulkResult:  # fmt: skip
        """One action on many flags — the web's フラグ一覧 and the CLI's ``--rule``/``--severity``
        selections both come here, so the checks are written once. Each flag goes through its
        action on its own, in one transaction with the action's own checks, so one the user may
        not see answers exactly as a missing one (:func:`policy.require_flag`: a bulk list must
        not confirm another unit's flag ids). At most :data:`BULK_LIMIT` flags are
        tried; the rest are reported back untouched. A read-only user's request (a forged form)
        has every item refused and audited."""
        ids = list(dict.fromkeys(flag_ids))
        tried, beyond = ids[:BULK_LIMIT], ids[BULK_LIMIT:]
        with self.engine.connect() as conn:
            who = actor(conn, user_id)
        if permissions.read_only(who):
            outcomes = [self._bulk_one(who, action, i, note or "-", resolution, until, duplicate_of) for i in tried or [0]]
            return BulkResult(action, outcomes, beyond, [], True)
        problems: list[tuple[str, str]] = []
        if action not in BULK_ACTIONS:
            problems.append(("一括操作を選んでください", "choose a bulk action"))
        if not ids:
            problems.append(("フラグを1件以上選んでください", "select at least one flag"))
        if action == "comment" and not note.strip():
            problems.append(("コメントを入力してください", "write the comment"))
        if problems:
            return BulkResult(action, [], [], problems, False)
        return BulkResult(action, [self._bulk_one(who, action, i, note, resolution, until, duplicate_of) for i in tried], beyond, [], False)

    def _bulk_one(self, who: Actor, action: str, flag_id: int, note: str, resolution: str, until: date | None,
                  duplicate_of: int | None) -> Outcome:  # fmt: skip
        user = who.user_id
        if action not in BULK_ACTIONS:  # nothing for an action to refuse: the refusal is audited here
            self.record_refusal(user, action, flag_id, "read-only user; not a bulk action")
            return Outcome(flag_id, False, "", "一括操作ではありません", "not a bulk action")
        if action == "acknowledge":
            return self.acknowledge(user, flag_id, note or None)
        if action == "take_on":
            return self.take_on(user, flag_id)
        if action == "comment":
            return self.comment(user, flag_id, note)
        if action == "resolve":
            return self.resolve(user, flag_id, resolution, note, until, duplicate_of)
        return self.dismiss(user, flag_id, note)

    # -- the engine's own steps ------------------------------------------------------------------
    def automatic_reopen(self, as_of: datetime) -> list[int]:
        """Reopen risk acceptances that have expired (a recurring condition is reopened by the
        evaluation itself, when the engine sees it come back: riskmon.flags.store.save)."""
        t = table_of(Flag)
        reopened: list[int] = []
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(t.c.id, t.c.review_status).where(
                    t.c.review_status == ReviewStatus.RESOLVED, t.c.resolution == Resolution.RISK_ACCEPTED,
                    t.c.accepted_until < as_of.date(),
                )
            ).all()  # fmt: skip
            for flag_id, was in rows:
                conn.execute(update(t).where(t.c.id == flag_id).values(**REOPENED_CASE))
                record_case_event(conn, "riskmon", flag_id, CaseAction.AUTO_REOPEN, ReviewStatus(was), ReviewStatus.OPEN,
                                  {"why": "risk acceptance expired"}, as_of)  # fmt: skip
                reopened.append(flag_id)
        return reopened

    # -- machinery -----------------------------------------------------------------------------
    def _close(self, user_id: str, flag_id: int, kind: CaseAction, resolution: str, note: str, until: date | None,
               duplicate_of: int | None) -> Outcome:  # fmt: skip
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_can_change(who, flag)
            policy.require_second_line(who, "完了・却下・リスク受容", "resolve, dismiss or accept risk")
            policy.require_state(flag, OPEN_STATES, kind.value)
            policy.require_no_pending_closure(flag)
            if kind is CaseAction.DISMISS:
                chosen = Resolution.FALSE_POSITIVE
            else:
                chosen = policy.check_resolution(resolution, note, until, duplicate_of, flag_id)
            domains.require_owner(self.powers, who, flag, chosen)  # only the domain's owner closes (S4:41)
            if kind is not CaseAction.DISMISS and duplicate_of is not None and repository.get(conn, duplicate_of) is None:
                raise Refused(f"フラグ{duplicate_of}はありません", f"flag {duplicate_of} does not exist")
            proposal = _proposal(who, kind, chosen, note, until, duplicate_of, self.clock())
            if policy.needs_four_eyes(flag) or domains.needs_executive_approval(self.powers, flag, chosen):
                awaiting = "confirmation by another second-line user" if policy.needs_four_eyes(flag) else "an executive's approval"
                return {"proposal": proposal.to_json()}, {**proposal.to_json(), "proposal_id": proposal.digest, "awaiting": awaiting}
            return closed_case(proposal, [who.user_id], self.clock()), proposal.to_json()

        return self._run(kind, user_id, flag_id, act, ("処理しました", "done"))

    def _run(self, action: CaseAction, user_id: str, flag_id: int, act: Callable[[Connection, Actor, FlagRecord], Change],
             done: tuple[str, str]) -> Outcome:  # fmt: skip
        """One action in one transaction: the flag locked and checked (:func:`policy.require_flag`,
        the same for every action), the action's own checks, the change and its case event — or
        the refusal's audit entry, written in the same transaction (the checks write nothing
        before they refuse, so committing it commits only the refusal)."""
        with self.engine.begin() as conn:
            try:
                who = actor(conn, user_id)
                flag = policy.require_flag(conn, who, flag_id, lock=True)
                changes, detail = act(conn, who, flag)
            except Refused as refusal:
                self._refused(conn, user_id, action.value, flag_id, refusal.audit)
                return Outcome(flag_id, False, "", refusal.ja, refusal.en)
            if changes:
                conn.execute(update(table_of(Flag)).where(table_of(Flag).c.id == flag_id).values(**changes))
            to_status = ReviewStatus(changes.get("review_status", flag.review_status))
            record_case_event(conn, who.user_id, flag_id, action, flag.review_status, to_status, {**detail, **self.via}, self.clock())
        ja, en = done
        if "proposal" in changes and "review_status" not in changes and action in (CaseAction.RESOLVE, CaseAction.DISMISS):
            p = Proposal.from_json(changes["proposal"])
            ja, en = (
                f"別の第二線担当者の承認待ちです（四つの目）。提案{p.digest}",
                f"recorded; needs confirmation by another second-line user (four eyes): proposal {p.digest}",
            )
            if domains.needs_executive_approval(self.powers, flag, p.resolution):
                ja, en = (f"{ja}。リスク受容には役員の承認も必要です", f"{en}; accepting this risk also needs an executive's approval")
                if detail.get("awaiting") == "an executive's approval":
                    ja, en = (f"役員の承認待ちです（重点三事案・事件・事故のリスク受容）。提案{p.digest}",
                              f"recorded; accepting this risk needs an executive's approval: proposal {p.digest}")  # fmt: skip
        return Outcome(flag_id, True, to_status.value, ja, en)

    def _refused(self, conn: Connection, user_id: str, action: str, flag_id: int, reason: str) -> None:
        """The audit entry of a refusal, with the channel and token id of the request."""
        audit.append(conn, user_id, f"refused:{action}", f"flag:{flag_id}", {"reason": reason, **self.via}, self.clock())


def _proposal(who: Actor, kind: CaseAction, resolution: Resolution, note: str, until: date | None, duplicate_of: int | None,
              at: datetime) -> Proposal:  # fmt: skip
    return Proposal(kind, resolution, note, until, duplicate_of, who.user_id, who.line, at)
