"""Where one flag stands in the second line's scoped powers, for one person (issue #12).

What the flag detail page and ``riskmon flags powers`` show: the flag's risk domain and the
units that own it, whether its risk acceptance needs an executive's approval and whether that
approval is on record for the pending proposal, and the actions the person may take now — all
asked of :mod:`riskmon.review.domains` and :mod:`riskmon.review.permissions`, so the page offers
exactly what the service would then allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from riskmon.config import PowersConfig
from riskmon.flags import repository
from riskmon.flags.repository import CaseEventRecord, FlagRecord
from riskmon.review import domains, permissions
from riskmon.review.users import Actor


@dataclass(frozen=True)
class Standing:
    flag_id: int
    domain: str
    owners: tuple[str, ...]  # unit types
    owner: bool  # the person belongs to an owning unit
    grave: bool  # a 重点三事案 or 事件・事故: accepting its risk needs an executive's approval
    awaiting_executive: bool  # a pending risk acceptance that needs the approval
    approval: CaseEventRecord | None  # the executive's approval of the pending proposal
    allowed: frozenset[str]

    @property
    def approved(self) -> bool:
        return self.approval is not None

    def as_json(self) -> dict[str, Any]:
        return {"flag_id": self.flag_id, "domain": self.domain, "owners": list(self.owners), "owner": self.owner,
                "needs_executive_approval_to_accept_risk": self.grave, "awaiting_executive_approval": self.awaiting_executive,
                "executive_approval": ({"by": self.approval.actor, "at": self.approval.at.isoformat(),
                                        "proposal_id": self.approval.detail.get("proposal_id")} if self.approval else None),
                "allowed_actions": sorted(self.allowed)}  # fmt: skip


def standing(conn: Connection, powers: PowersConfig, who: Actor, flag: FlagRecord) -> Standing:
    """``flag`` as ``who`` stands before it (the flag already checked visible to them)."""
    pending = permissions.awaiting_confirmation(flag)
    approval = domains.approval_of(repository.history(conn, flag.id), pending) if pending else None
    proposer = permissions.proposer_of(conn, flag)
    allowed = permissions.allowed_actions(who, flag, proposer=proposer, powers=powers, approved=approval is not None)
    return Standing(flag.id, domains.domain_of(powers, flag), domains.owners(powers, flag), domains.owns(powers, who, flag),
                    domains.is_grave(powers, flag), permissions.awaiting_executive(flag, powers) and approval is None, approval,
                    frozenset(allowed))  # fmt: skip
