"""The reads (and the few writes) the web pages make, each one call on ``rm.pages``.

Issue #10: the web is a thin shell over :class:`~riskmon.app.Riskmon` — a route parses its form,
makes one call here or on the review service, and renders. The SQL stays in the layers below
(riskmon.store.queries, riskmon.flags.repository, riskmon.review.flag_list), so no route imports
``sqlalchemy`` or ``riskmon.store`` (an import-linter contract in pyproject.toml holds that).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from riskmon import audit
from riskmon.app_oversight import Oversight
from riskmon.flags import repository
from riskmon.flags.repository import FlagRecord
from riskmon.i18n import Lang
from riskmon.review import flag_list, permissions, policy
from riskmon.review.users import Actor
from riskmon.store import queries

if TYPE_CHECKING:
    from riskmon.app import Riskmon


class Pages:
    """What the pages read, through the one ``Riskmon`` (its engine, its settings)."""

    def __init__(self, rm: Riskmon) -> None:
        self._rm = rm
        #: レポート, ダッシュボード and 監査 (riskmon.app_oversight)
        self.oversight = Oversight(rm)

    # -- units and rules ------------------------------------------------------------------------
    def visible_units(self, viewer: Actor) -> frozenset[str] | None:
        """The units whose flags ``viewer`` may see (None: every unit), as the policy says."""
        return policy.visible_units(viewer)

    # -- フラグ一覧 -------------------------------------------------------------------------------
    def flag_query(self, args: Mapping[str, str]) -> flag_list.FlagQuery:
        """The list's filters, validated (a stored value, such as a unit, is looked up)."""
        with self._rm.engine.connect() as conn:
            return flag_list.parse(args, conn)

    def flags_page(self, viewer: Actor, fq: flag_list.FlagQuery) -> flag_list.Page:
        """One page of the flags ``viewer`` may see that match ``fq``, and the total."""
        with self._rm.engine.connect() as conn:
            return flag_list.page_of(conn, viewer, fq, self._rm.settings.tz)

    def flag_export(self, viewer: Actor, fq: flag_list.FlagQuery) -> Iterator[dict[str, Any]]:
        """Every flag of the list, streamed in chunks (the connection lives as long as the iteration)."""
        with self._rm.engine.connect() as conn:
            yield from flag_list.stream(conn, viewer, fq, self._rm.settings.tz)

    # -- フラグ詳細 -------------------------------------------------------------------------------
    def flag_and_proposer(self, flag_id: int) -> tuple[FlagRecord | None, Actor | None]:
        """A flag and the person behind its pending closure (what the actions offered depend on)."""
        with self._rm.engine.connect() as conn:
            flag = repository.get(conn, flag_id)
            return flag, permissions.proposer_of(conn, flag) if flag is not None else None

    def event_summaries(self, event_ids: list[str], lang: Lang) -> list[dict[str, Any]]:
        """The evidence's source events (the first 50), each with its one-line summary."""
        with self._rm.engine.connect() as conn:
            return queries.event_summaries(conn, event_ids[:50], lang)

    # -- イベント ---------------------------------------------------------------------------------
    def event(self, event_id: str) -> dict[str, Any] | None:
        with self._rm.engine.connect() as conn:
            return queries.get_event(conn, event_id)

    def error_case(self, case_id: str) -> dict[str, Any] | None:
        with self._rm.engine.connect() as conn:
            return queries.error_case(conn, case_id)

    def unit_events(self, unit_id: str, lang: Lang, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
        """A unit's newest events (at most ``limit``) and how many it has."""
        flt = queries.EventFilter(unit_id=unit_id, limit=limit)
        with self._rm.engine.connect() as conn:
            return queries.list_events(conn, flt, lang), queries.count_events(conn, flt)

    # -- 取込エラー --------------------------------------------------------------------------------
    def reject_sources(self) -> tuple[list[str], list[int]]:
        with self._rm.engine.connect() as conn:
            return queries.reject_sources(conn)

    def rejects(self, *, file: str, run: int | None, open_only: bool, per: int, page: int) -> tuple[list[dict[str, Any]], int, int]:
        with self._rm.engine.connect() as conn:
            return queries.reject_rows(conn, file=file, run=run, open_only=open_only, per=per, page=page)

    def mark_handled(self, reject_id: int, user_id: str, note: str, via: dict[str, str], at: datetime) -> bool:
        """Mark a reject as dealt with and audit it, in one transaction; False when there is no such reject."""
        with self._rm.engine.begin() as conn:
            done = queries.mark_reject_handled(conn, reject_id, user_id, note or None, at)
            if done is None:
                return False
            if not done["already"]:
                audit.append(conn, user_id, "reject_handled", f"reject:{reject_id}",
                             {"file": done["file"], "line": done["line"], "note": note, **via}, at)  # fmt: skip
            return True

    # -- refusals the pages decide ----------------------------------------------------------------
    def refused(self, user_id: str, action: str, subject: str, reason: str, via: dict[str, str], at: datetime) -> None:
        """Audit a look or a form a page refused (another unit's event, the quarantine for the
        first line), as the review service audits its own refusals."""
        with self._rm.engine.begin() as conn:
            audit.append(conn, user_id, f"refused:{action}", subject, {"reason": reason, **via}, at)
