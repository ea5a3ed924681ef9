"""Segregation of duties on the three lines of defence, as pure checks on typed records.

Every interface (the CLI, the web application, an embedding script) goes through
riskmon.review.service, which asks these functions before changing anything, and reads through
:func:`visible_flags` / :func:`visible_flag` / :func:`visible_units`, which put the same rule
into the SQL so nobody is shown what they may not act on. A refusal says why, in both languages.

- 1st line (offices, 事務センター, HQ business departments): sees and works only its own unit's
  flags (a 地域部 also its offices'); may acknowledge, take on, comment, respond and *propose*
  a resolution. It cannot resolve, dismiss or accept risk.
- 2nd line (リスク統括部 and peers): sees everything; reopens; resolves, dismisses and accepts
  risk only for the risk domains its unit owns (``[powers]``, :mod:`riskmon.review.domains`:
  リスク統括部 事務・信頼, 調達企画部 外部委託, 情報管理対策室 情報セキュリティ, …) — another
  second-line unit reads, comments and proposes. Closing a high or critical flag needs a second 2nd-line person to confirm (four eyes): the
  proposer can never confirm, there is no administrator exemption, and two accounts of one
  person (same name and unit, or one ``person_id`` in the users master) are one pair of eyes.
  The confirmation names the proposal it approves (:attr:`Proposal.digest`), and a pending
  second-line closure cannot be replaced by anyone's new proposal — it is confirmed, or
  withdrawn with a reason by a second-line user; never silently overwritten. Of the two people,
  at least one belongs to the flag's domain owner. Accepting the risk of a 重点三事案 or 事件・事故
  also needs an executive's approval of that proposal, recorded on the case (S1:2108, 「根絶」).
- 3rd line (監査部): reads everything, changes nothing.
- Governance (役員, 常勤役員会, リスク管理委員会): reads everything and works no case; records
  reports received and committee decisions beside it (no change of state), and executives approve
  the risk acceptances above (:mod:`riskmon.review.governance`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, true

from riskmon import errors
from riskmon.domain import ACTING_LINES, CLOSED_STATES, CLOSURES, FOUR_EYES, PROPOSABLE, Line, Resolution, ReviewStatus
from riskmon.flags import repository
from riskmon.flags.repository import FlagFilter, FlagRecord, Proposal
from riskmon.i18n import label
from riskmon.review.users import Actor
from riskmon.store.queries import Page
from riskmon.store.tables import Flag, table_of


class Refused(errors.Refused):
    """A refusal in both languages. ``audit`` is what the audit log records as the reason: the
    English words, unless the person must be told less than the third line may read
    (:class:`Hidden`)."""

    def __init__(self, ja: str, en: str, audit: str | None = None) -> None:
        super().__init__(ja, en)
        self.audit = audit or en


def missing(flag_id: int) -> Refused:
    """The one answer for a flag id that names no flag."""
    return Refused(f"フラグ{flag_id}はありません", f"flag {flag_id} does not exist")


class Hidden(Refused):
    """Another unit's flag, asked for by a first-line user: they are told exactly what a missing
    id tells them (:func:`missing`), so trying ids never confirms that a flag exists elsewhere;
    the audit log keeps the truth for the third line, which reads attempts as well as actions."""

    def __init__(self, flag_id: int, actor: Actor) -> None:
        told = missing(flag_id)
        super().__init__(told.ja, told.en, f"flag {flag_id} is outside the units of {actor.unit_id}; answered as missing")


def can_see(actor: Actor, flag: FlagRecord) -> bool:
    return actor.line != Line.FIRST or flag.owner_unit in actor.units_overseen


def visible_units(actor: Actor) -> frozenset[str] | None:
    """The units whose flags and events ``actor`` may read; ``None``: every unit."""
    return actor.units_overseen if actor.line == Line.FIRST else None


def visibility(actor: Actor) -> ColumnElement[bool]:
    """:func:`can_see` as a SQL condition on ``flags``, so lists are filtered by the database."""
    units = visible_units(actor)
    return true() if units is None else table_of(Flag).c.owner_unit.in_(sorted(units))


def visible_flags(conn: Connection, actor: Actor, flt: FlagFilter, limit: int | None = 200, offset: int = 0) -> Page[FlagRecord]:
    """The flags ``actor`` may see that match ``flt``: filtered, counted and paged in SQL."""
    return repository.list_page(conn, flt, limit, offset, scope=visibility(actor))


def visible_flag(conn: Connection, actor: Actor, flag_id: int) -> FlagRecord | None:
    """One flag if ``actor`` may see it; a flag outside their units is as absent as a missing one."""
    return repository.get(conn, flag_id, scope=visibility(actor))


def require_visible(actor: Actor, flag: FlagRecord) -> None:
    """Another unit's flag is refused as :class:`Hidden` — answered like a missing one."""
    if not can_see(actor, flag):
        raise Hidden(flag.id, actor)


def require_flag(conn: Connection, actor: Actor, flag_id: int, *, lock: bool = False) -> FlagRecord:
    """The flag an action, a bulk item or a history look is about, or the refusal every one of
    them gives: :func:`missing` for an id that names no flag, :class:`Hidden` (the same words)
    for one outside ``actor``'s units. One check for every path, so none of them can leak.
    ``lock`` holds the row for the transaction (:func:`riskmon.flags.repository.get`)."""
    flag = repository.get(conn, flag_id, lock=lock)
    if flag is None:
        raise missing(flag_id)
    require_visible(actor, flag)
    return flag


def require_can_change(actor: Actor, flag: FlagRecord) -> None:
    require_visible(actor, flag)
    if actor.line not in ACTING_LINES:
        raise Refused("第三線（監査部）・ガバナンスは閲覧のみで、変更はできません",
                      "the third line and governance read everything and change nothing")  # fmt: skip


def require_second_line(actor: Actor, what_ja: str, what_en: str) -> None:
    if actor.line != Line.SECOND:
        raise Refused(f"{what_ja}は第二線（リスク統括部等）だけが行えます。第一線は完了の提案ができます",
                      f"only the second line may {what_en}; the first line can propose a resolution")  # fmt: skip


def require_state(flag: FlagRecord, allowed: tuple[ReviewStatus, ...], action_en: str) -> None:
    if flag.review_status not in allowed:
        now, ok_ja = label(flag.review_status), "、".join(label(s) for s in allowed)
        ok_en = ", ".join(s.value for s in allowed)
        raise Refused(f"状態が「{now}」のため実行できません（可能な状態：{ok_ja}）",
                      f"cannot {action_en} a flag that is {flag.review_status.value} (allowed: {ok_en})")  # fmt: skip


def check_resolution(resolution: str, note: str | None, until: object, duplicate_of: int | None, flag_id: int) -> Resolution:
    """The resolution as the domain's value, or a refusal saying what is missing."""
    if resolution not in PROPOSABLE:
        names = ", ".join(r.value for r in PROPOSABLE)
        raise Refused(f"解決区分は次のいずれかです：{names}", f"resolution must be one of {names}")
    chosen = Resolution(resolution)
    if chosen is Resolution.RISK_ACCEPTED and until is None:
        raise Refused("リスク受容には期限（--until）が必要です", "accepting a risk needs an end date (--until)")
    if chosen is Resolution.DUPLICATE and (duplicate_of is None or duplicate_of == flag_id):
        raise Refused("重複の場合は元のフラグ番号（--duplicate-of）が必要です", "a duplicate needs the original flag (--duplicate-of)")
    if not (note or "").strip():
        raise Refused("完了の説明（--note）が必要です", "a resolution needs a note (--note)")
    return chosen


def needs_four_eyes(flag: FlagRecord) -> bool:
    return flag.severity in FOUR_EYES


def pending_closure(flag: FlagRecord) -> Proposal | None:
    """The second-line closure waiting for its second pair of eyes, if any."""
    p = flag.proposal
    return p if p is not None and p.line == Line.SECOND and p.kind in CLOSURES else None


def require_pending_closure(flag: FlagRecord) -> Proposal:
    """The closure a confirmation is about, or a refusal saying why there is none. When two
    second-line users confirm at once, the second reads the flag after the first committed
    (the service locks the row), so they are told who already closed it, not something vague."""
    p = pending_closure(flag)
    if p is not None:
        return p
    if flag.review_status in CLOSED_STATES:
        by = "、".join(flag.closed_by) or "-"
        raise Refused(f"フラグ{flag.id}は既に「{label(flag.review_status)}」になっています（{by}）。承認する提案はありません",
                      f"flag {flag.id} is already {flag.review_status.value} (by {', '.join(flag.closed_by) or '-'}); "
                      "there is nothing to confirm")  # fmt: skip
    raise Refused("承認待ちの完了の提案がありません", "there is no closure waiting for confirmation")


def require_no_pending_closure(flag: FlagRecord) -> None:
    """A second-line closure awaiting confirmation is never replaced by a new proposal: the
    second person must be able to trust that what they read is what they confirm."""
    p = pending_closure(flag)
    if p is not None:
        raise Refused(f"{p.by}による完了（{label(p.resolution)}）が承認待ちです（提案{p.digest}）。"
                      "新しい提案で置き換えることはできません。承認するか、別の第二線担当者と相談してください",
                      f"a closure by {p.by} ({p.resolution.value}) is awaiting confirmation (proposal {p.digest}); "
                      "a new proposal cannot replace it — confirm it, or discuss it with another second-line user")  # fmt: skip


def same_person(a: Actor, b: Actor) -> bool:
    """Two accounts of one person: linked by ``person_id`` in the users master, or with the
    same name in the same unit (an administrator's second account, a typo'd duplicate)."""
    if a.user_id == b.user_id:
        return True
    if a.person_id and a.person_id == b.person_id:
        return True
    return a.name.strip() == b.name.strip() and a.unit_id == b.unit_id


def check_confirmation(confirmer: Actor, proposer: Actor | None, p: Proposal, named: str | None) -> None:
    """Four eyes: the named proposal is the one on file, and a different person confirms it.
    Nobody is exempt — no role, no administrator — from any of these."""
    if named is None:
        raise Refused(f"承認する提案を指定してください（--proposal {p.digest}）。提案：{p.by}による{label(p.resolution)}「{p.note}」",
                      f"name the proposal you confirm (--proposal {p.digest}); it is {p.resolution.value} by {p.by}: "
                      f"{p.note!r}")  # fmt: skip
    if named != p.digest:
        raise Refused(f"指定された提案{named}は承認待ちの提案{p.digest}と一致しません（内容が変わった可能性があります）。"
                      "提案を読み直してから承認してください",
                      f"proposal {named} is not the one awaiting confirmation ({p.digest}); it may have changed — "
                      "read it again before confirming")  # fmt: skip
    if p.by == confirmer.user_id:
        raise Refused("提案者本人は承認できません（四つの目の原則）", "the proposer cannot confirm their own closure (four eyes)")
    if proposer is None:
        raise Refused(f"提案者{p.by}が利用者マスタにないため、同一人物でないことを確かめられません。提案を取り下げて出し直してください",
                      f"the proposer {p.by} is not in the users master, so four eyes cannot be checked; withdraw the "
                      "proposal and propose again")  # fmt: skip
    if same_person(confirmer, proposer):
        raise Refused(f"{confirmer.user_id}と提案者{p.by}は同一人物のアカウントです。"
                      "別の第二線担当者が承認してください（四つの目の原則）",
                      f"{confirmer.user_id} and the proposer {p.by} are accounts of one person; another second-line user "
                      "must confirm (four eyes)")  # fmt: skip
