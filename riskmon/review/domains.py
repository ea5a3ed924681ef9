"""Second-line powers as S4:41 gives them: scoped by risk domain, with executives and governance.

S4:41 names several second-line units (リスク統括部, 調達企画部, 情報管理対策室, …), each 「リスクへの
対応を行う」 for its own risks. Until issue #12 any of them could close any flag: 調達企画部 could
accept the risk of a 重点三事案, which is リスク統括部's domain (S1:2245). Here, as pure checks on
typed records (the review service asks them; :mod:`riskmon.review.permissions` offers only what
they allow):

- a flag's *domain* is its rule's ``[powers.rule_domains]`` entry, else its ``risk_category``;
  the second-line unit types in ``[powers.domains]`` own it (:func:`domain_of`, :func:`owners`);
- only an owner resolves, dismisses or accepts risk alone (:func:`require_owner`); another
  second-line user reads, comments and *proposes*; of a four-eyes pair — proposer and confirmer —
  at least one is an owner (:func:`check_pair`);
- accepting the risk of a 重点三事案 or a 事件・事故 needs an executive's approval recorded on the
  case, naming the proposal it approves (goal 「根絶」, S1:2108; :func:`needs_executive_approval`,
  :func:`check_executive_approval`);
- governance (役員, 常勤役員会, リスク管理委員会) records reports received and committee decisions,
  which never change a case's state (:func:`require_governance`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from riskmon.config import PowersConfig
from riskmon.domain import CaseAction, Line, Resolution
from riskmon.flags.repository import CaseEventRecord, FlagRecord, Proposal
from riskmon.i18n import label, phrase
from riskmon.review.policy import Refused
from riskmon.review.users import Actor

#: the unit type whose users are executives (役員): the only ones who approve a risk acceptance
EXECUTIVE_UNIT_TYPE = "executive"
#: evidence that makes a flag a 事件・事故 (report_kind) or a 重点三事案, whatever its rule
_GRAVE_KINDS = ("incident", "accident")


def domain_of(powers: PowersConfig, flag: FlagRecord) -> str:
    return powers.domain_of(flag.rule_id, flag.risk_category)


def owners(powers: PowersConfig, flag: FlagRecord) -> tuple[str, ...]:
    """The second-line unit types that own ``flag``'s domain."""
    return powers.owners(domain_of(powers, flag))


def owns(powers: PowersConfig, who: Actor | None, flag: FlagRecord) -> bool:
    """``who`` is a second-line user of a unit that owns ``flag``'s domain."""
    return who is not None and who.line == Line.SECOND and who.unit_type in owners(powers, flag)


def domain_words(domain: str, lang: str) -> str:
    """A domain's name (事務リスク, 外部委託, …); an unknown one as it is spelt."""
    try:
        return phrase("powers", f"domain_{domain}", lang)
    except KeyError:
        return domain


def units_words(unit_types: Iterable[str], lang: str) -> str:
    """Unit types as the departments' names, joined (リスク統括部・調達企画部)."""
    return ("・" if lang == "ja" else ", ").join(label(u, lang) for u in unit_types) or "-"


def _unit_of(who: Actor, lang: str) -> str:
    return label(who.unit_type, lang) if who.unit_type else who.unit_id


def require_owner(powers: PowersConfig, who: Actor, flag: FlagRecord, resolution: Resolution | None) -> None:
    """Only an owner of the flag's domain resolves, dismisses or accepts risk alone; the refusal
    names the domain, its owning department(s) and what ``who`` may still do."""
    if owns(powers, who, flag):
        return
    domain, units = domain_of(powers, flag), owners(powers, flag)
    what_ja, what_en = ("完了", "resolve it")
    if resolution is Resolution.RISK_ACCEPTED:
        what_ja, what_en = ("リスク受容", "accept its risk")
    elif resolution is Resolution.FALSE_POSITIVE:
        what_ja, what_en = ("却下", "dismiss it")
    raise Refused(
        f"フラグ{flag.id}のリスク領域は「{domain_words(domain, 'ja')}」で、所管は{units_words(units, 'ja')}です。"
        f"{_unit_of(who, 'ja')}は{what_ja}を単独では行えません（閲覧・コメント・完了の提案はできます）",
        f"flag {flag.id} is in the {domain_words(domain, 'en')} domain, owned by {units_words(units, 'en')}; "
        f"{_unit_of(who, 'en')} cannot {what_en} alone (it may read, comment and propose a resolution)",
    )


def check_pair(powers: PowersConfig, proposer: Actor | None, confirmer: Actor, flag: FlagRecord) -> None:
    """Of the two people of a four-eyes closure, at least one owns the flag's domain."""
    if owns(powers, confirmer, flag) or owns(powers, proposer, flag):
        return
    domain, units = domain_of(powers, flag), owners(powers, flag)
    by = proposer.user_id if proposer else "-"
    raise Refused(
        f"フラグ{flag.id}のリスク領域は「{domain_words(domain, 'ja')}」で、所管は{units_words(units, 'ja')}です。"
        f"提案者{by}も承認者{confirmer.user_id}も所管部署ではありません。二人のうち一人は{units_words(units, 'ja')}の担当者が必要です",
        f"flag {flag.id} is in the {domain_words(domain, 'en')} domain, owned by {units_words(units, 'en')}; neither the "
        f"proposer {by} nor the confirmer {confirmer.user_id} belongs to it — one of the two must",
    )


def is_grave(powers: PowersConfig, flag: FlagRecord) -> bool:
    """A 重点三事案 or a 事件・事故: by its rule (``executive_approval_rules``) or by its evidence."""
    if flag.rule_id in powers.executive_approval_rules:
        return True
    values = flag.evidence.get("values") or {}
    return values.get("is_priority_incident") is True or values.get("is_incident") is True or values.get("report_kind") in _GRAVE_KINDS


def needs_executive_approval(powers: PowersConfig, flag: FlagRecord, resolution: Resolution) -> bool:
    """Accepting the risk of a 重点三事案 or 事件・事故 — whose goal is 根絶 (S1:2108), not tolerance —
    is an executive's decision; every other closure is the second line's."""
    return resolution is Resolution.RISK_ACCEPTED and is_grave(powers, flag)


def is_executive(who: Actor) -> bool:
    """An executive (役員): a governance user of the executives' unit; the ``executive`` role on
    any other unit's account opens nothing (as ``user_admin`` does not outside the second line)."""
    return who.line == Line.GOVERNANCE and who.unit_type == EXECUTIVE_UNIT_TYPE


def approval_of(history: Sequence[CaseEventRecord], p: Proposal) -> CaseEventRecord | None:
    """The executive's approval of exactly this proposal, if recorded (a withdrawn and renewed
    proposal has another digest, so an earlier approval does not carry over)."""
    return next((e for e in history if e.action is CaseAction.EXEC_APPROVE and e.detail.get("proposal_id") == p.digest), None)


def require_approval(powers: PowersConfig, flag: FlagRecord, p: Proposal, history: Sequence[CaseEventRecord]) -> None:
    """A risk acceptance that needs an executive's approval is not completed without it."""
    if needs_executive_approval(powers, flag, p.resolution) and approval_of(history, p) is None:
        raise Refused(
            f"重点三事案・事件・事故のリスク受容には役員の承認が必要です（目標は「根絶」、S1:2108）。"
            f"提案{p.digest}の役員承認がまだ記録されていません",
            f"accepting the risk of a priority incident or an incident/accident needs an executive's approval (the goal is "
            f"eradication, S1:2108); none is recorded for proposal {p.digest} yet",
        )


def check_executive_approval(powers: PowersConfig, who: Actor, flag: FlagRecord, p: Proposal | None, named: str | None,
                             history: Sequence[CaseEventRecord]) -> Proposal:  # fmt: skip
    """An executive approves the pending risk acceptance they name (its digest, as a confirmation
    does), once; anything else is refused with the reason."""
    if not is_executive(who):
        raise Refused(
            "リスク受容の承認は役員（役員の部署の利用者）だけが行えます",
            "only an executive (a user of the executives' unit) approves a risk acceptance",
        )
    if p is None or not needs_executive_approval(powers, flag, p.resolution):
        raise Refused("役員の承認を待つリスク受容の提案がありません", "there is no risk acceptance awaiting an executive's approval")
    if named is None:
        raise Refused(f"承認する提案を指定してください（--proposal {p.digest}）。提案：{p.by}による"
                      f"リスク受容「{p.note}」（期限{p.until}）",
                      f"name the proposal you approve (--proposal {p.digest}); it is a risk acceptance by {p.by} "
                      f"until {p.until}: {p.note!r}")  # fmt: skip
    if named != p.digest:
        raise Refused(f"指定された提案{named}は承認待ちの提案{p.digest}と一致しません。提案を読み直してから承認してください",
                      f"proposal {named} is not the one awaiting approval ({p.digest}); read it again before approving")  # fmt: skip
    if approval_of(history, p) is not None:
        raise Refused(f"提案{p.digest}は既に役員が承認しています", f"proposal {p.digest} is already approved by an executive")
    return p


def require_governance(who: Actor, what_ja: str, what_en: str) -> None:
    """Governance (役員, 常勤役員会, リスク管理委員会) records what it received and decided."""
    if who.line != Line.GOVERNANCE:
        raise Refused(f"{what_ja}はガバナンス（役員・常勤役員会・リスク管理委員会）の利用者が記録します",
                      "only governance users (executives, the standing executive committee, the risk management "
                      f"committee) record {what_en}")  # fmt: skip
