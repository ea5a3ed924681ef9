"""The vocabulary of flags and cases, typed once, with every label in one catalogue.

Status strings used to be spelled out wherever they were needed (``("open", "acknowledged",
"in_progress")`` five times); a typo there was a silent bug. Here each concept is a ``StrEnum``
whose values are the public contract (database columns, JSON output, rule files), and the groups
that code asks about (open states, four-eyes severities) are defined beside them.

Labels: :data:`LABELS` maps every member to its (Japanese, English) pair. One word per concept,
in the 機構's usage: a flag that is acknowledged is 「受領」, the four-eyes second signature is
「承認」 (never 確認 for both); a closed case is 「完了」; a dismissed flag 「却下」, while a refused
input record is a 「取込エラー」. ``tests/test_domain.py`` fails when a member lacks a label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import StrEnum

__all__ = [
    "ACTING_LINES",
    "CLOSED_STATES",
    "CLOSURES",
    "FOUR_EYES",
    "LABELS",
    "OPEN_STATES",
    "PROPOSABLE",
    "Bucket",
    "CaseAction",
    "EnumLabels",
    "FlagStatus",
    "Line",
    "LineOfDefence",
    "Resolution",
    "ReviewStatus",
    "RiskCategory",
    "RuleKind",
    "Severity",
]


class LineOfDefence(StrEnum):
    """三線防御 (S4:41). Governance bodies and contractors sit outside the three lines."""

    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    GOVERNANCE = "governance"
    EXTERNAL = "external"


#: Short name, so code reads ``Line.SECOND``.
Line = LineOfDefence


class Severity(StrEnum):
    """How much a flag matters; ordered, lowest first (``Severity.rank``)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = tuple(Severity)


class FlagStatus(StrEnum):
    """The engine's view of a flag: is its condition still true?"""

    OPEN = "open"  # the condition holds
    CLEARED = "cleared"  # the condition no longer holds
    RETIRED = "retired"  # the rule that raised it was removed or disabled


class ReviewStatus(StrEnum):
    """The case, as people work it (riskmon.review)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


OPEN_STATES: tuple[ReviewStatus, ...] = (ReviewStatus.OPEN, ReviewStatus.ACKNOWLEDGED, ReviewStatus.IN_PROGRESS)
CLOSED_STATES: tuple[ReviewStatus, ...] = (ReviewStatus.RESOLVED, ReviewStatus.DISMISSED)
#: Closing a flag of these severities needs a second second-line person (four eyes).
FOUR_EYES: tuple[Severity, ...] = (Severity.HIGH, Severity.CRITICAL)


#: The lines whose people work cases; the third line and governance only read.
ACTING_LINES: tuple[LineOfDefence, ...] = (LineOfDefence.FIRST, LineOfDefence.SECOND)


class Resolution(StrEnum):
    REMEDIATED = "remediated"
    EXPLAINED = "explained"
    RISK_ACCEPTED = "risk_accepted"
    DUPLICATE = "duplicate"
    FALSE_POSITIVE = "false_positive"  # what a dismissal records


#: What a person may choose when resolving (a dismissal records ``false_positive`` by itself).
PROPOSABLE: tuple[Resolution, ...] = tuple(r for r in Resolution if r is not Resolution.FALSE_POSITIVE)


class CaseAction(StrEnum):
    """A step in a case's history (``case_events.action``)."""

    RAISED = "raised"
    ACKNOWLEDGE = "acknowledge"
    TAKE_ON = "take_on"
    COMMENT = "comment"
    RESPONSE = "response"
    PROPOSE = "propose"
    WITHDRAW = "withdraw"  # a pending proposal taken back, with a reason
    RESOLVE = "resolve"
    DISMISS = "dismiss"
    CONFIRM = "confirm"
    REOPEN = "reopen"
    AUTO_REOPEN = "auto_reopen"
    # issue #12 (S4:41, S1:2108): an executive's approval of a pending risk acceptance of a 重点三事案
    # or 事件・事故, and governance's own records, which never change the case's state
    EXEC_APPROVE = "exec_approve"
    RECEIPT = "receipt"  # a governance body received a report about the case
    COMMITTEE_DECISION = "committee_decision"  # a committee's decision on the case
    # the engine's own steps, spelt as they have always been stored in case_events and the audit log
    ESCALATED = "escalated"
    RETIRED = "retired"
    RESTORED = "restored"


#: The closing actions; a proposal's ``kind`` is one of them, or ``resolve`` from the first line.
CLOSURES: tuple[CaseAction, ...] = (CaseAction.RESOLVE, CaseAction.DISMISS)


class Bucket(StrEnum):
    """Where a flag sits in the morning queue, in the order the queue shows them."""

    AWAITING_ME = "awaiting_me"  # a second-line closure proposed by someone else: mine to confirm
    NEW = "new"
    ESCALATED = "escalated"
    OVERDUE = "overdue"
    OTHER = "other"


class RuleKind(StrEnum):
    MATCH = "match"
    DEADLINE = "deadline"
    THRESHOLD = "threshold"
    ABSENCE = "absence"


class RiskCategory(StrEnum):
    ADMINISTRATIVE = "administrative"
    SYSTEM = "system"
    INFORMATION_SECURITY = "information_security"
    DISASTER_OTHER = "disaster_other"
    REPUTATIONAL = "reputational"


class EnumLabels(Mapping[StrEnum, tuple[str, str]]):
    """Labels keyed by enum *member*, not by value: a ``StrEnum`` member equals its string, so in a
    plain dict ``FlagStatus.OPEN`` and ``ReviewStatus.OPEN`` (both ``"open"``) would be one key and
    one of their labels would silently be lost. A plain string is never a key here."""

    def __init__(self, pairs: list[tuple[StrEnum, tuple[str, str]]]) -> None:
        self._by_member: dict[tuple[type, str], tuple[str, str]] = {}
        self._members: list[StrEnum] = []
        for member, pair in pairs:
            key = (type(member), member.value)
            if key in self._by_member:
                raise ValueError(f"{member!r} is labelled twice")
            self._by_member[key] = pair
            self._members.append(member)

    def __getitem__(self, member: StrEnum) -> tuple[str, str]:
        if not isinstance(member, StrEnum):
            raise KeyError(member)
        return self._by_member[(type(member), member.value)]

    def __iter__(self) -> Iterator[StrEnum]:
        return iter(self._members)

    def __len__(self) -> int:
        return len(self._members)


LABELS = EnumLabels([
    (Line.FIRST, ("第一線", "first line")),
    (Line.SECOND, ("第二線", "second line")),
    (Line.THIRD, ("第三線", "third line")),
    (Line.GOVERNANCE, ("ガバナンス", "governance")),
    (Line.EXTERNAL, ("外部", "external")),
    (Severity.INFO, ("情報", "info")),
    (Severity.LOW, ("低", "low")),
    (Severity.MEDIUM, ("中", "medium")),
    (Severity.HIGH, ("高", "high")),
    (Severity.CRITICAL, ("重大", "critical")),
    (FlagStatus.OPEN, ("発生中", "open")),
    (FlagStatus.CLEARED, ("解消", "cleared")),
    (FlagStatus.RETIRED, ("ルール廃止", "rule retired")),
    (ReviewStatus.OPEN, ("未対応", "open")),
    (ReviewStatus.ACKNOWLEDGED, ("受領", "acknowledged")),
    (ReviewStatus.IN_PROGRESS, ("対応中", "in progress")),
    (ReviewStatus.RESOLVED, ("完了", "resolved")),
    (ReviewStatus.DISMISSED, ("却下", "dismissed")),
    (Resolution.REMEDIATED, ("是正済み", "remediated")),
    (Resolution.EXPLAINED, ("説明により完了", "explained")),
    (Resolution.RISK_ACCEPTED, ("リスク受容", "risk accepted")),
    (Resolution.DUPLICATE, ("重複", "duplicate")),
    (Resolution.FALSE_POSITIVE, ("誤検知", "false positive")),
    (CaseAction.RAISED, ("発生", "raised")),
    (CaseAction.ACKNOWLEDGE, ("受領", "acknowledge")),
    (CaseAction.TAKE_ON, ("担当", "take on")),
    (CaseAction.COMMENT, ("コメント", "comment")),
    (CaseAction.RESPONSE, ("回答", "response")),
    (CaseAction.PROPOSE, ("完了の提案", "propose")),
    (CaseAction.WITHDRAW, ("提案の取下げ", "withdraw a proposal")),
    (CaseAction.RESOLVE, ("完了", "resolve")),
    (CaseAction.DISMISS, ("却下", "dismiss")),
    (CaseAction.CONFIRM, ("承認", "confirm")),
    (CaseAction.REOPEN, ("再開", "reopen")),
    (CaseAction.AUTO_REOPEN, ("自動再開", "automatic reopen")),
    (CaseAction.EXEC_APPROVE, ("役員承認", "executive approval")),
    (CaseAction.RECEIPT, ("報告受理", "report received")),
    (CaseAction.COMMITTEE_DECISION, ("委員会の決定", "committee decision")),
    (CaseAction.ESCALATED, ("エスカレーション", "escalated")),
    (CaseAction.RETIRED, ("ルール廃止による終了", "retired with its rule")),
    (CaseAction.RESTORED, ("ルール再開による再開", "restored with its rule")),
    (Bucket.AWAITING_ME, ("承認待ち（あなたの承認）", "awaiting my confirmation")),
    (Bucket.NEW, ("新規（前営業日以降）", "new since the last business day")),
    (Bucket.ESCALATED, ("エスカレーション中", "escalated")),
    (Bucket.OVERDUE, ("期限超過", "overdue")),
    (Bucket.OTHER, ("その他の未完了", "other open flags")),
    (RuleKind.MATCH, ("該当", "match")),
    (RuleKind.DEADLINE, ("期限", "deadline")),
    (RuleKind.THRESHOLD, ("しきい値", "threshold")),
    (RuleKind.ABSENCE, ("未提出・途絶", "absence")),
    (RiskCategory.ADMINISTRATIVE, ("事務", "administrative")),
    (RiskCategory.SYSTEM, ("システム", "system")),
    (RiskCategory.INFORMATION_SECURITY, ("情報セキュリティ", "information security")),
    (RiskCategory.DISASTER_OTHER, ("災害その他", "disaster and other")),
    (RiskCategory.REPUTATIONAL, ("信頼", "reputational")),
])  # fmt: skip
