"""Segregation of duties on the three lines of defence, as pure checks.

Every interface (the CLI now, a web UI or API later) goes through riskmon.review.service, which
asks these functions before changing anything. A refusal says why, in both languages.

- 1st line (offices, 事務センター, HQ business departments): sees and works only its own unit's
  flags (a 地域部 also its offices'); may acknowledge, take on, comment, respond and *propose*
  a resolution. It cannot resolve, dismiss or accept risk.
- 2nd line (リスク統括部 and peers): sees everything; resolves, dismisses, accepts risk, reopens.
  Closing a high or critical flag needs a second 2nd-line person to confirm (four eyes); the
  proposer can never confirm, and there is no administrator exemption.
- 3rd line (監査部) and governance: read everything, change nothing.
"""

from __future__ import annotations

from typing import Any

from riskmon import errors
from riskmon.review.users import Actor

OPEN_STATES = ("open", "acknowledged", "in_progress")
CLOSED_STATES = ("resolved", "dismissed")
RESOLUTIONS = ("remediated", "explained", "risk_accepted", "duplicate")
FOUR_EYES = ("high", "critical")


class Refused(errors.Refused):
    def __init__(self, ja: str, en: str) -> None:
        super().__init__(ja, en)


def can_see(actor: Actor, flag: dict[str, Any]) -> bool:
    return actor.line != "first" or flag["owner_unit"] in actor.units_overseen


def require_visible(actor: Actor, flag: dict[str, Any]) -> None:
    if not can_see(actor, flag):
        raise Refused(f"フラグ {flag['id']} は {actor.unit_id} の担当ではありません",
                      f"flag {flag['id']} does not belong to {actor.unit_id}")  # fmt: skip


def require_can_change(actor: Actor, flag: dict[str, Any]) -> None:
    require_visible(actor, flag)
    if actor.line not in ("first", "second"):
        raise Refused("第三線（監査部）・ガバナンスは閲覧のみで、変更はできません",
                      "the third line and governance read everything and change nothing")  # fmt: skip


def require_second_line(actor: Actor, what_ja: str, what_en: str) -> None:
    if actor.line != "second":
        raise Refused(f"{what_ja}は第二線（リスク統括部等）だけが行えます。第一線は解決の提案ができます",
                      f"only the second line may {what_en}; the first line can propose a resolution")  # fmt: skip


def require_state(flag: dict[str, Any], allowed: tuple[str, ...], action_en: str) -> None:
    if flag["review_status"] not in allowed:
        raise Refused(f"状態が {flag['review_status']} のため実行できません（可能な状態: {', '.join(allowed)}）",
                      f"cannot {action_en} a flag that is {flag['review_status']} (allowed: {', '.join(allowed)})")  # fmt: skip


def check_resolution(resolution: str, note: str | None, until: object, duplicate_of: int | None, flag_id: int) -> None:
    if resolution not in RESOLUTIONS:
        raise Refused(f"解決区分は {', '.join(RESOLUTIONS)} のいずれかです", f"resolution must be one of {', '.join(RESOLUTIONS)}")
    if resolution == "risk_accepted" and until is None:
        raise Refused("リスク受容には期限（--until）が必要です", "accepting a risk needs an end date (--until)")
    if resolution == "duplicate" and (duplicate_of is None or duplicate_of == flag_id):
        raise Refused("重複の場合は元のフラグ番号（--duplicate-of）が必要です", "a duplicate needs the original flag (--duplicate-of)")
    if not (note or "").strip():
        raise Refused("解決の説明（--note）が必要です", "a resolution needs a note (--note)")


def needs_four_eyes(flag: dict[str, Any]) -> bool:
    return flag["severity"] in FOUR_EYES
