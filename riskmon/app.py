"""``Riskmon``: the one composition root, the API the CLI, the scheduler, the web application and
embedding scripts all use.

Before this class, the glue — which database, which calendar, which rule folder, which steps make
"the night's escalation" — lived in the CLI, and the scheduler and the demo each copied it. Here
it is written once: built from a config file (:meth:`Riskmon.from_config`) or a
:class:`~riskmon.config.Settings`, a ``Riskmon`` owns the database engine, the business calendar,
the rule book (loaded lazily from ``[paths] rules``) and the services, and every caller is a thin
shell: parse → one ``Riskmon`` call → render. Failures are :class:`~riskmon.errors.RiskmonError`
subclasses carrying Japanese and English text; nothing here prints.

    with Riskmon.from_config("config.toml") as rm:
        for flag in rm.evaluate(as_of, dry_run=True).flags:
            print(flag.values["rule_id"], flag.values["message_en"])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from riskmon import audit
from riskmon.app_changes import Changes
from riskmon.app_ingest import Uploads
from riskmon.app_pages import Pages
from riskmon.app_reports import Reports
from riskmon.business_calendar import BusinessCalendar
from riskmon.config import Settings, load_settings
from riskmon.engine.rulebook import RuleBook, load_rules
from riskmon.errors import Lang, RuleError, RuleProblem, SchemaOutdated, StoreError
from riskmon.flags import repository
from riskmon.flags.evaluation import RunResult, evaluate
from riskmon.flags.repository import CaseEventRecord, FlagRecord
from riskmon.flags.store import FlagFilter, get_flag, list_flags
from riskmon.ingest.pipeline import IngestReport, Progress, ingest
from riskmon.jobs.service import Jobs
from riskmon.review import policy
from riskmon.review.delivery import Delivery, deliver
from riskmon.review.escalation import Ladder, escalate, write_digests
from riskmon.review.queue import Queue, morning_queue
from riskmon.review.service import ReviewService
from riskmon.review.users import Actor, load_users
from riskmon.store import migrate, queries
from riskmon.store.db import make_engine, normalize_url, redact
from riskmon.store.queries import Page, RejectRecord, UnitRecord, list_units, reject_page, unit_records

__all__ = ["Escalation", "Reports", "Riskmon"]

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Escalation:
    """What one escalate-and-digest pass did (``riskmon escalate`` and the nightly job)."""

    notified: int
    escalated: dict[int, int]  # flag id → its new level on the ladder
    reopened: list[int]  # risk acceptances that expired
    digests: list[Path]  # one Markdown digest per recipient unit, in the outbox
    delivery: Delivery = field(default_factory=Delivery)  # e-mails sent (none without [notify] smtp_host)


class Riskmon:
    """The composition root (see the module docstring). Use as a context manager, or call
    :meth:`close`, to dispose of the database engine it created."""

    def __init__(self, settings: Settings | None = None, *, engine: Engine | None = None, clock: Clock | None = None,
                 lang: Lang = "ja") -> None:  # fmt: skip
        self.settings = settings if settings is not None else Settings()
        self.lang: Lang = lang
        self._clock = clock
        self._engine = engine
        self._owns_engine = engine is None
        self._schema_checked = False
        self._books: dict[Path, RuleBook] = {}
        # audit entries are appended deep inside every service: they use this riskmon's key and anchors
        audit.configure(self.settings, lang)

    @classmethod
    def from_config(cls, path: str | Path | None = None, *, lang: Lang | None = None) -> Riskmon:
        """From ``path``, else ``RISKMON_CONFIG``, else ``./config.toml``, else the defaults."""
        settings = load_settings(path)
        return cls(settings, lang=lang or settings.display.lang)

    # -- what it owns -------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The database. A SQLite file that does not exist is not created here (:meth:`upgrade` does)."""
        if self._engine is None:
            missing = self.missing_database()
            if missing is not None:
                raise StoreError(f"データベースがありません：{missing}（riskmon db upgrade で作成します）",
                                 f"no database at {missing} (riskmon db upgrade creates one)")  # fmt: skip
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def missing_database(self) -> Path | None:
        """The SQLite file named by the settings when it does not exist (PostgreSQL: never None)."""
        if self._engine is not None:
            return None
        url = make_url(normalize_url(self.settings.database_url))
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        path = Path(url.database)
        return None if path.exists() else path

    def upgrade(self) -> audit.KeySetup | None:
        """Create or migrate the schema (the one call that creates a database)."""
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        migrate.upgrade(self._engine)
        self._schema_checked = True
        return audit.ensure_key(self._engine, self.settings)  # appends need the key (riskmon.audit.keys)

    def ready(self) -> Engine:
        """The engine, once the schema is known to be current (a clear message beats a SQL error)."""
        engine = self.engine
        if not self._schema_checked:
            if not migrate.is_up_to_date(engine):
                url = redact(self.settings.database_url)
                raise SchemaOutdated(f"データベースのスキーマが最新ではありません：{url}\n  riskmon db upgrade を実行してください",
                                     f"the database schema is not up to date: {url}\n  run: riskmon db upgrade")  # fmt: skip
            self._schema_checked = True
        return engine

    @cached_property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar.from_settings(self.settings)

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(self.settings.tz)

    def path(self, name: str) -> Path:
        """A ``[paths]`` folder (rules, reports, outbox, inbox), resolved against the config's folder."""
        return self.settings.path(name)  # type: ignore[arg-type]

    @cached_property
    def cases(self) -> ReviewService:
        """The review service: every case action, with its policy checks and audit entries."""
        return ReviewService(self.ready(), clock=self._clock, powers=self.settings.powers)

    @cached_property
    def pages(self) -> Pages:
        """The reads the web pages make (riskmon.app_pages): the routes hold no SQL of their own."""
        return Pages(self)

    @cached_property
    def changes(self) -> Changes:
        """The change records of the rule book and config values: record, read, approve (riskmon.app_changes)."""
        return Changes(self)

    @cached_property
    def uploads(self) -> Uploads:
        """The web's 取込 page and 日次業務報告 form: ingests a person sends (riskmon.app_ingest)."""
        return Uploads(self)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self)

    @cached_property
    def jobs(self) -> Jobs:
        """The scheduled jobs: ``run`` one by hand, ``fire`` (the scheduler), ``catch_up``,
        ``recover`` dead runs, ``overview`` and ``list_runs`` (riskmon.jobs)."""
        return Jobs(self)

    # -- rules ----------------------------------------------------------------------------------

    def rules_path(self, path: str | Path | None = None) -> Path:
        """``path`` (default ``[paths] rules``); a relative one that does not exist here is looked
        up beside config.toml, so a deployment works from any folder."""
        if path is None:
            return self.path("rules")
        chosen = Path(path)
        if not chosen.is_absolute() and not chosen.exists():
            return self.settings.base_dir / chosen
        return chosen

    def check_rules(self, path: str | Path | None = None) -> RuleBook:
        """Load and check the rules under ``path``; every problem is in ``RuleBook.problems``.
        Unit ids are checked against the units master when the database has one."""
        where = self.rules_path(path)
        if where not in self._books:
            self._books[where] = load_rules(where, self.settings.rule_values, self._known_units())
        return self._books[where]

    def rule_book(self, path: str | Path | None = None) -> RuleBook:
        """The checked rules; :class:`~riskmon.errors.RuleError` (each problem at file:line:column) if any."""
        book = self.check_rules(path)
        if book.problems:
            raise RuleError([RuleProblem(p.file, p.line, p.column, p.message) for p in book.problems])
        return book

    def _known_units(self) -> list[str] | None:
        try:
            if self.missing_database() is None and migrate.is_up_to_date(self.engine):
                with self.engine.connect() as conn:
                    return [u["unit_id"] for u in list_units(conn)] or None
        except Exception:  # no usable database: unit ids are not checked, unit types and templates still are
            return None
        return None

    # -- the pipeline ---------------------------------------------------------------------------

    def ingest(self, paths: Sequence[str | Path], *, workers: int | None = None, progress: Progress | None = None) -> IngestReport:
        """Load event (and units) files or folders; bad records are quarantined, never fatal."""
        return ingest(self.ready(), [Path(p) for p in paths], tz=self.settings.tz, batch_size=self.settings.ingest.batch_size,
                      workers=workers or self.settings.ingest.workers, progress=progress)  # fmt: skip

    def evaluate(self, as_of: datetime | None = None, *, dry_run: bool = False, rules: str | Path | None = None,
                 changed_by: str = "riskmon") -> RunResult:  # fmt: skip
        """Evaluate the enabled rules as of ``as_of`` (default: now). A rule folder is the whole
        book, so flags of removed or disabled rules are retired; a single file retires nothing.
        ``dry_run``: return the flags it would raise (``RunResult.flags``) and write nothing.
        Changes of the rule book in force (``[paths] rules``) and the config values are recorded
        first, as ``changed_by`` (riskmon.review.changes); unapproved ones never stop the run."""
        book = self.rule_book(rules)
        if not dry_run and self.rules_path(rules).resolve() == self.rules_path().resolve():
            self.changes.record(changed_by, book.rules)
        when = as_of or self.now()
        whole = self.rules_path(rules).is_dir()
        return evaluate(self.ready(), book.enabled, when, self.calendar, self.settings.default_escalation,
                        rule_book=book.rules if whole else None, dry_run=dry_run)  # fmt: skip

    def units(self, *, unit_type: str | None = None, line: str | None = None) -> list[UnitRecord]:
        """The units master (optionally one unit type or one line of defence), by unit id."""
        with self.ready().connect() as conn:
            return unit_records(conn, unit_type=unit_type, line=line)

    def unit_names(self, lang: str | None = None, only: Iterable[str] | None = None) -> dict[str, str]:
        """Units' names by id in ``lang`` (default: this riskmon's), to show ids to people; ``only``:
        just these units (a page showing a few of 4,000 reads those few)."""
        with self.ready().connect() as conn:
            return queries.unit_names(conn, "en" if (lang or self.lang) == "en" else "ja", only)

    def flagged_rule_ids(self) -> list[str]:
        """The rules that ever raised a flag, sorted: a removed rule's flags stay, so its id still filters."""
        with self.ready().connect() as conn:
            return repository.rule_ids(conn)

    def rejects(self, *, include_resolved: bool = False, limit: int | None = None) -> Page[RejectRecord]:
        """Quarantined records (unresolved ones unless ``include_resolved``), in file and line
        order: at most ``limit`` of them (None: all) and how many there are in all."""
        with self.ready().connect() as conn:
            return reject_page(conn, include_resolved=include_resolved, limit=limit)

    def flags(self, flt: FlagFilter | None = None) -> list[dict[str, Any]]:
        """Stored flags (default: the open ones), most severe first."""
        with self.ready().connect() as conn:
            return list_flags(conn, flt or FlagFilter())

    def flag(self, flag_id: int) -> dict[str, Any] | None:
        with self.ready().connect() as conn:
            return get_flag(conn, flag_id)

    # -- reads as a viewer may see them (issue #11) --------------------------------------------
    # ``viewer`` is the person a token proved; ``None`` is the operator's shell on the server,
    # which reads everything (docs/security.md). The policy's filter is applied in SQL.

    def flag_page(self, flt: FlagFilter, *, limit: int | None = 200, offset: int = 0, viewer: Actor | None = None) -> Page[FlagRecord]:
        """One page of the flags matching ``flt`` that ``viewer`` may see, and how many there are."""
        with self.ready().connect() as conn:
            if viewer is None:
                return repository.list_page(conn, flt, limit, offset)
            return policy.visible_flags(conn, viewer, flt, limit, offset)

    def visible_flag(self, flag_id: int, viewer: Actor | None = None) -> FlagRecord | None:
        """One flag, or None when it does not exist or ``viewer`` may not see it (the same answer)."""
        with self.ready().connect() as conn:
            return repository.get(conn, flag_id) if viewer is None else policy.visible_flag(conn, viewer, flag_id)

    def flag_history(self, flag_id: int, viewer: Actor | None = None, via: dict[str, str] | None = None) -> list[CaseEventRecord]:
        """A case's events; a viewer's refused look is audited with ``via`` (channel, token id:
        riskmon.review.service.ReviewService.history)."""
        if viewer is not None:
            return ReviewService(self.ready(), clock=self._clock, via=via, powers=self.settings.powers).history(viewer.user_id, flag_id)
        with self.ready().connect() as conn:
            if repository.get(conn, flag_id) is None:
                raise policy.Refused(f"フラグ{flag_id}はありません", f"flag {flag_id} does not exist")
            return repository.history(conn, flag_id)

    def event_page(self, flt: queries.EventFilter, viewer: Actor | None = None) -> tuple[list[dict[str, Any]], int]:
        """Up to ``flt.limit`` events matching ``flt`` among the units ``viewer`` may see (newest
        first), and how many match in all."""
        units = None if viewer is None else policy.visible_units(viewer)
        scoped = flt if units is None else replace(flt, units=units if flt.units is None else flt.units & units)
        with self.ready().connect() as conn:
            total = queries.count_events(conn, scoped)
            return queries.list_events(conn, replace(scoped, limit=min(scoped.limit, total)), self.lang), total

    def event(self, event_id: str, viewer: Actor | None = None) -> dict[str, Any] | None:
        """One stored event, or None when it does not exist or is outside ``viewer``'s units."""
        with self.ready().connect() as conn:
            found = queries.get_event(conn, event_id)
        units = None if viewer is None else policy.visible_units(viewer)
        return found if found is not None and (units is None or found["unit_id"] in units) else None

    def load_users(self, path: str | Path) -> tuple[int, list[tuple[int, list[Any]]]]:
        """Load or update users; returns how many were stored and the refused lines with reasons."""
        with self.ready().begin() as conn:
            return load_users(conn, Path(path))

    def queue(self, user_id: str, as_of: datetime | None = None, *, per_bucket: int | None = None) -> Queue:
        """The morning queue for a user: new, escalated and overdue first, by owner unit
        (``per_bucket``: at most this many items of each bucket; the counts stay exact)."""
        return morning_queue(self.ready(), user_id, as_of or self.now(), self.calendar, per_bucket=per_bucket, powers=self.settings.powers)

    def verify_audit(self) -> audit.Verification:
        """Check the audit trail: the keyed chain, the anchors outside the database, the cross-checks."""
        with self.ready().connect() as conn:
            return audit.check(conn, self.settings)

    def escalate(self, as_of: datetime | None = None, *, digests: str | Path | None = None) -> Escalation:
        """The escalate-and-digest sequence, written once (``riskmon escalate``, the nightly job):
        expired risk acceptances reopen, the ladder moves, each recipient unit gets the day's
        digest in the outbox, and the outbox is delivered by mail when SMTP is configured."""
        when = as_of or self.now()
        engine = self.ready()
        reopened = ReviewService(engine, clock=lambda: when).automatic_reopen(when)
        result = escalate(engine, when, self.calendar, Ladder.from_config(self.settings.escalation.model_dump()))
        files = write_digests(engine, when, Path(digests) if digests is not None else self.path("outbox"))
        return Escalation(result.notified, result.escalated, reopened, files, deliver(engine, self.settings.notify))

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        if self._engine is not None and self._owns_engine:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Riskmon:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
