"""What one person may do with one flag, asked of :mod:`riskmon.review.policy` — never decided here.

Why a separate module: the web pages must show *only* the actions a user may take (no button that
ends in a refusal), and must filter lists in SQL rather than load every flag to ask ``can_see``.
Both are questions to the policy, so they live beside it in the review layer, not in a route or
a template. Every answer is computed by running the policy's own checks (``require_*``) and
noting which ones refuse, so a rule changed in the policy changes the pages with it.

The service (:class:`riskmon.review.service.ReviewService`) still checks every action again when
it is carried out: this module only decides what to *offer*.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, Connection

from riskmon.config import PowersConfig
from riskmon.domain import CLOSED_STATES, OPEN_STATES, Line, Resolution, ReviewStatus
from riskmon.flags.repository import FlagRecord, Proposal
from riskmon.review import domains, policy
from riskmon.review.users import USER_ADMIN as USER_ADMIN  # the role that manages accounts (利用者管理)
from riskmon.review.users import Actor, UnknownUser
from riskmon.review.users import actor as load_actor

#: every case action a person can take from the web, in the order the detail page offers them
ACTIONS = ("acknowledge", "take_on", "comment", "response", "propose", "resolve", "dismiss", "confirm", "reopen",
           "exec_approve", "receipt", "committee_decision")  # fmt: skip
#: the defaults of ``[powers]``, for callers that do not pass the deployment's
DEFAULT_POWERS = PowersConfig()


def _passes(check: Callable[[], object]) -> bool:
    try:
        check()
    except policy.Refused:
        return False
    return True


def proposer_of(conn: Connection, flag: FlagRecord) -> Actor | None:
    """The person behind the pending closure, as the service reads them before a confirmation
    (deactivated accounts included): ``None`` when there is no pending closure or the proposer is
    not in the users master — which the policy refuses to confirm, so neither is it offered."""
    pending = awaiting_confirmation(flag)
    if pending is None:
        return None
    try:
        return load_actor(conn, pending.by, active_only=False)
    except UnknownUser:
        return None


def allowed_actions(actor: Actor, flag: FlagRecord, *, proposer: Actor | None, powers: PowersConfig = DEFAULT_POWERS,
                    approved: bool = False) -> set[str]:  # fmt: skip
    """The case actions ``actor`` may take on ``flag`` now (an empty set for the third line).

    ``proposer`` is :func:`proposer_of` the flag: whether ``confirm`` is offered is the policy's
    four-eyes check itself (:func:`policy.check_confirmation`), so a second account of the
    proposer's person is not shown a button the service would then refuse. ``powers`` scopes
    resolve, dismiss and confirm to the flag's domain (:mod:`riskmon.review.domains`);
    ``approved``: an executive's approval of the pending proposal is on record."""
    if actor.line == Line.GOVERNANCE and policy.can_see(actor, flag):
        return _governance_actions(actor, flag, powers, approved)
    if not _passes(lambda: policy.require_can_change(actor, flag)):
        return set()
    second = _passes(lambda: policy.require_second_line(actor, "", ""))
    owner = domains.owns(powers, actor, flag)
    allowed = {"comment"}
    if _passes(lambda: policy.require_state(flag, (ReviewStatus.OPEN,), "acknowledge")):
        allowed.add("acknowledge")
    if _passes(lambda: policy.require_state(flag, (ReviewStatus.OPEN, ReviewStatus.ACKNOWLEDGED), "take on")):
        allowed.add("take_on")
    if actor.line == "first":
        allowed.add("response")
    is_open = _passes(lambda: policy.require_state(flag, OPEN_STATES, "propose"))
    pending = awaiting_confirmation(flag)
    if is_open and _passes(lambda: policy.require_no_pending_closure(flag)):
        allowed.add("propose")
        if second and owner:  # another second-line unit proposes; only the domain's owner closes (S4:41)
            allowed.update({"resolve", "dismiss"})
    if second and pending is not None and _confirmable(actor, flag, proposer, pending, powers, approved):
        allowed.add("confirm")  # the service's own four-eyes check: the proposer, or another account of their person, is refused
    if second and _passes(lambda: policy.require_state(flag, CLOSED_STATES, "reopen")):
        allowed.add("reopen")
    return allowed


def _confirmable(actor: Actor, flag: FlagRecord, proposer: Actor | None, pending: Proposal, powers: PowersConfig,
                 approved: bool) -> bool:  # fmt: skip
    """The service's checks of a confirmation (ReviewService.confirm), asked of the policy."""
    return (_passes(lambda: policy.check_confirmation(actor, proposer, pending, pending.digest))
            and _passes(lambda: domains.check_pair(powers, proposer, actor, flag))
            and (approved or not domains.needs_executive_approval(powers, flag, pending.resolution)))  # fmt: skip


def _governance_actions(actor: Actor, flag: FlagRecord, powers: PowersConfig, approved: bool) -> set[str]:
    """Governance records receipts and decisions; an executive also approves a pending risk
    acceptance of a 重点三事案 or 事件・事故 not yet approved."""
    allowed = {"receipt", "committee_decision"}
    pending = awaiting_confirmation(flag)
    if (
        domains.is_executive(actor)
        and pending is not None
        and not approved
        and domains.needs_executive_approval(powers, flag, pending.resolution)
    ):
        allowed.add("exec_approve")
    return allowed


def awaiting_executive(flag: FlagRecord, powers: PowersConfig = DEFAULT_POWERS) -> bool:
    """A pending risk acceptance that needs an executive's approval (the detail page says so)."""
    pending = awaiting_confirmation(flag)
    return pending is not None and domains.needs_executive_approval(powers, flag, pending.resolution)


def awaiting_confirmation(flag: FlagRecord) -> Proposal | None:
    """The second-line closure proposal waiting for a second person (four eyes), if any."""
    return policy.pending_closure(flag)


def read_only(actor: Actor) -> bool:
    """Third line and governance: they see everything and change no case's state (governance
    records receipts and decisions beside it, :func:`allowed_actions`)."""
    return actor.line not in ("first", "second")


def can_see_unit(actor: Actor, unit_id: str | None) -> bool:
    """Events and their units follow the flags' rule: the first line sees its own units only."""
    units = policy.visible_units(actor)
    return units is None or unit_id in units


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """``policy.can_see`` as a WHERE clause on the flags table, so lists are filtered in SQL."""
    return policy.visibility(actor)


def can_read_quarantine(actor: Actor) -> bool:
    """取込エラー are the second line's work (data quality of what the first line sends)."""
    return _passes(lambda: policy.require_second_line(actor, "", ""))


def can_administer_users(actor: Actor) -> bool:
    """利用者管理 is a second-line duty held by the ``user_admin`` role (issue #11): the role alone,
    given to a first-line or audit account in the users file, opens nothing."""
    return actor.role == USER_ADMIN and _passes(lambda: policy.require_second_line(actor, "", ""))


def why_not(actor: Actor, flag: FlagRecord, action: str, *, proposer: Actor | None, powers: PowersConfig = DEFAULT_POWERS,
            approved: bool = False, resolution: str = "") -> tuple[str, str]:  # fmt: skip
    """The policy's reason ``action`` is not open to ``actor`` on ``flag`` (Japanese, English);
    ``resolution`` (the form's) lets a refused risk acceptance say so."""
    special = _why_not_powers(actor, flag, action, powers, approved)
    if special is not None:
        return special
    checks: list[Callable[[], object]] = [lambda: policy.require_can_change(actor, flag)]
    if action in ("resolve", "dismiss", "confirm", "reopen"):
        checks.append(lambda: policy.require_second_line(actor, "完了・却下・承認・再開", "resolve, dismiss, confirm or reopen"))
    if action in ("propose", "resolve", "dismiss"):
        checks.append(lambda: policy.require_no_pending_closure(flag))
    if action in ("resolve", "dismiss"):
        chosen = Resolution.FALSE_POSITIVE if action == "dismiss" else next((r for r in Resolution if r.value == resolution), None)
        checks.append(lambda: domains.require_owner(powers, actor, flag, chosen))
    pending = awaiting_confirmation(flag)
    if action == "confirm" and pending is not None:  # in the service's order (ReviewService.confirm)
        checks.append(lambda: policy.check_confirmation(actor, proposer, pending, pending.digest))
        checks.append(lambda: domains.check_pair(powers, proposer, actor, flag))
        if not approved:
            checks.append(lambda: domains.require_approval(powers, flag, pending, ()))
    for check in checks:
        try:
            check()
        except policy.Refused as refusal:
            return refusal.ja, refusal.en
    if action == "response" and actor.line != Line.FIRST:  # the service's own rule (ReviewService.comment)
        return "回答（response）は第一線の担当部署が行います", "a response comes from the first-line owner"
    if action not in ACTIONS:
        return f"不明な操作です：{action}", f"unknown action: {action}"
    return "このフラグの現在の状態では実行できません", "not possible in the flag's current state"


def _why_not_powers(actor: Actor, flag: FlagRecord, action: str, powers: PowersConfig, approved: bool) -> tuple[str, str] | None:
    """The reason for the executive's and governance's actions (None: another action)."""
    if action not in ("exec_approve", "receipt", "committee_decision"):
        return None
    try:
        if action == "exec_approve":
            pending = awaiting_confirmation(flag)
            domains.check_executive_approval(powers, actor, flag, pending, pending.digest if pending else None, ())
            if approved:
                return "この提案は既に役員が承認しています", "this proposal is already approved by an executive"
        else:
            domains.require_governance(actor, "報告の受理・委員会の決定", "reports received and committee decisions")
    except policy.Refused as refusal:
        return refusal.ja, refusal.en
    return "このフラグの現在の状態では実行できません", "not possible in the flag's current state"
