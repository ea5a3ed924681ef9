"""``rm.changes``: the change records of the rule book and config values (issue #12), as the CLI,
the web page and the nightly evaluation call them.

The rules of it — what counts as a change, who may read, who may approve, four eyes — are in
riskmon.review.changes; here is only the composition: which rule book and settings are in force,
which transaction, and the audit entry of a refusal (written in a transaction of its own, since
the refused one is rolled back).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from riskmon.review import changes
from riskmon.review.change_snapshot import in_force
from riskmon.review.changes import ChangeRecord
from riskmon.review.policy import Refused
from riskmon.review.users import Actor
from riskmon.rules.spec import Rule

if TYPE_CHECKING:
    from riskmon.app import Riskmon


class Changes:
    """Record, read and approve change records through one ``Riskmon``. ``viewer`` None is the
    operator's shell on the server, which reads everything (docs/security.md)."""

    def __init__(self, rm: Riskmon) -> None:
        self._rm = rm

    def record(self, changed_by: str, rules: list[Rule] | None = None, *, at: datetime | None = None) -> list[ChangeRecord]:
        """Compare the rule book in force (``[paths] rules``; ``rules`` when the caller already
        loaded it) and the config values with the last recorded state and record each difference."""
        book = rules if rules is not None else self._rm.rule_book().rules
        items = in_force(book, self._rm.settings)
        with self._rm.ready().begin() as conn:
            return changes.record_changes(conn, items, changed_by, at or self._rm.now())

    def record_as(self, who: Actor, *, via: dict[str, str] | None = None) -> list[ChangeRecord]:
        """:meth:`record` by a person: the second line keeps the rule book (others are refused, audited)."""
        self._guard(who, "changes_record", "rulebook", lambda: changes.require_recorder(who), via)
        return self.record(who.user_id)

    def find(self, viewer: Actor | None = None, start: datetime | None = None, end: datetime | None = None, *,
             only_unapproved: bool = False, via: dict[str, str] | None = None) -> list[ChangeRecord]:  # fmt: skip
        """The change records from ``start`` to ``end`` (either open), oldest first."""
        if viewer is not None:
            self._guard(viewer, "changes_read", "change_records", lambda: changes.require_reader(viewer), via)
        with self._rm.ready().connect() as conn:
            return changes.list_changes(conn, start, end, only_unapproved=only_unapproved)

    def between(self, start: datetime, end: datetime) -> list[ChangeRecord]:
        """What the third line's report shows: riskmon.review.changes.changes_between."""
        with self._rm.ready().connect() as conn:
            return changes.changes_between(conn, start, end)

    def get(self, change_id: int, viewer: Actor | None = None, *, via: dict[str, str] | None = None) -> ChangeRecord | None:
        if viewer is not None:
            self._guard(viewer, "changes_read", f"change:{change_id}", lambda: changes.require_reader(viewer), via)
        with self._rm.ready().connect() as conn:
            return changes.get_change(conn, change_id)

    def unapproved_count(self) -> int:
        with self._rm.ready().connect() as conn:
            return len(changes.unapproved(conn))

    def approve(self, change_id: int, who: Actor, note: str, *, via: dict[str, str] | None = None) -> ChangeRecord:
        """Approve one change (four eyes); a refusal is audited and raised."""
        at = self._rm.now()
        try:
            with self._rm.ready().begin() as conn:
                return changes.approve(conn, change_id, who, note, at=at, via=via)
        except Refused as refusal:
            with self._rm.ready().begin() as conn:
                changes.refused(conn, who.user_id, "change_approve", f"change:{change_id}", refusal.audit, at, via)
            raise

    def _guard(self, who: Actor, action: str, subject: str, check: Callable[[], None], via: dict[str, str] | None) -> None:
        try:
            check()
        except Refused as refusal:
            with self._rm.ready().begin() as conn:
                changes.refused(conn, who.user_id, action, subject, refusal.audit, self._rm.now(), via)
            raise
