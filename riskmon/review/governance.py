"""The executive's approval of a risk acceptance, and governance's own records on a case (issue #12).

Why apart from :mod:`riskmon.review.service`: these are the actions of people outside the two
acting lines — 役員 approve what the second line proposes to tolerate (S1:2108: the goal for
重点三事案 is 「根絶」, so tolerating one is an executive's decision), and governance bodies
(役員, 常勤役員会, リスク管理委員会) record that a report reached them and what a committee
decided. None of them works the case: a receipt or a decision never changes its state. They run
through the service's one transaction (``_run``: lock, checks, case event and audit entry, or the
audited refusal), which :class:`ReviewService` provides.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from riskmon.config import PowersConfig
from riskmon.domain import CaseAction, ReviewStatus
from riskmon.flags import repository
from riskmon.flags.repository import FlagRecord, Proposal
from riskmon.review import domains, policy
from riskmon.review.policy import Refused
from riskmon.review.users import Actor, UnknownUser, actor

if TYPE_CHECKING:
    from riskmon.review.service import Outcome

#: what an action changes on the flag, and what its case event records
Change = tuple[dict[str, Any], dict[str, Any]]
#: the longest receipt or decision text kept (as a comment: the web form's maxlength)
MAX_TEXT = 4000


def closed_case(p: Proposal, by: list[str], at: datetime) -> dict[str, Any]:
    """The flag's columns once ``p`` is completed by ``by``."""
    return {
        "review_status": ReviewStatus.DISMISSED if p.kind is CaseAction.DISMISS else ReviewStatus.RESOLVED,
        "resolution": p.resolution, "resolution_note": p.note, "accepted_until": p.until, "duplicate_of": p.duplicate_of,
        "closed_by": by, "closed_at": at, "proposal": None,
    }  # fmt: skip


class GovernanceActions(ABC):
    """Mixed into :class:`riskmon.review.service.ReviewService`."""

    powers: PowersConfig
    clock: Callable[[], datetime]

    @abstractmethod
    def _run(self, action: CaseAction, user_id: str, flag_id: int, act: Callable[[Connection, Actor, FlagRecord], Change],
             done: tuple[str, str]) -> Outcome: ...  # fmt: skip

    def exec_approve(self, user_id: str, flag_id: int, proposal: str | None, note: str = "") -> Outcome:
        """An executive approves the pending risk acceptance of a 重点三事案 or 事件・事故, naming it
        (its digest, as a confirmation does). When the closure needs no second second-line person
        (below high) and its proposer owns the flag's domain, the approval completes it; otherwise
        it stays pending for the four-eyes confirmation, which now may go ahead."""

        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_visible(who, flag)
            history = repository.history(conn, flag.id)
            p = domains.check_executive_approval(self.powers, who, flag, policy.pending_closure(flag), proposal, history)
            detail = {"proposal_id": p.digest, "proposed_by": p.by, "resolution": p.resolution.value,
                      "until": p.until, "note": note.strip()[:MAX_TEXT]}  # fmt: skip
            try:
                proposer: Actor | None = actor(conn, p.by, active_only=False)
            except UnknownUser:
                proposer = None
            if not policy.needs_four_eyes(flag) and domains.owns(self.powers, proposer, flag):
                return closed_case(p, [p.by, who.user_id], self.clock()), {**detail, "completes": True}
            return {}, {**detail, "awaiting": "confirmation by another second-line user"}

        return self._run(CaseAction.EXEC_APPROVE, user_id, flag_id, act, ("役員承認を記録しました", "executive approval recorded"))

    def receipt(self, user_id: str, flag_id: int, text: str) -> Outcome:
        """A governance body records that a report about the case reached it (S1:2083, S1:2168:
        errors are reported to 役員等); the case's state is unchanged."""
        return self._record(CaseAction.RECEIPT, user_id, flag_id, text, ("報告の受理", "reports received"))

    def committee_decision(self, user_id: str, flag_id: int, text: str) -> Outcome:
        """A committee's decision on the case, recorded by governance; the case's state is unchanged
        (the second line acts on the decision through its own actions)."""
        return self._record(CaseAction.COMMITTEE_DECISION, user_id, flag_id, text, ("委員会の決定", "committee decisions"))

    def _record(self, action: CaseAction, user_id: str, flag_id: int, text: str, what: tuple[str, str]) -> Outcome:
        def act(conn: Connection, who: Actor, flag: FlagRecord) -> Change:
            policy.require_visible(who, flag)
            domains.require_governance(who, *what)
            if not (text or "").strip():
                raise Refused(f"{what[0]}の内容が空です", f"the text of the {action.value.replace('_', ' ')} is empty")
            if len(text) > MAX_TEXT:
                raise Refused(f"{what[0]}の内容は{MAX_TEXT}文字までです", f"at most {MAX_TEXT} characters")
            return {}, {"text": text.strip(), "unit_id": who.unit_id}

        return self._run(
            action, user_id, flag_id, act, ("記録しました（フラグの状態は変わりません）", "recorded (the flag's state is unchanged)")
        )
