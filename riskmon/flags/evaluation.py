"""One evaluation run: rules × stored events as of a moment → flags, recorded as a run.

Split of work (docs/architecture.md): SQL views and the kind builders do the set-oriented part
(folding lifecycles, ages, business-day deadlines, window aggregates, candidate selection); the
durable_rules engine makes every decision (does this fact meet the rule, at which severity); this
module turns decisions into flags and records the run. A rule that fails is reported in the run
and does not stop the others. Given the whole rule book, a run also retires the open flags of
rules that are no longer in it or are disabled (riskmon.flags.store.retire).

A dry run (``dry_run=True``) decides exactly as a real run and returns the flags it would raise,
but writes nothing — no run record, no flags, no audit entry — so a rule author, a report for a
past date or an embedding script can ask "what would the rules find" without changing the store.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text, update

from riskmon import audit
from riskmon.business_calendar import BusinessCalendar
from riskmon.engine import durable_adapter, facts
from riskmon.flags import render
from riskmon.flags.store import NewFlag, retire, save
from riskmon.rules.spec import Rule
from riskmon.store.asof import AsOf
from riskmon.store.consistency import read_snapshot
from riskmon.store.tables import AuditEntry, EvaluationRun, Unit, table_of


@dataclass
class RunResult:
    run_id: int
    as_of: datetime
    counts: dict[str, int] = field(default_factory=dict)
    per_rule: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0
    dry_run: bool = False
    #: the flags the run decided on (a real run saves them; a dry run only returns them)
    flags: list[NewFlag] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {"run_id": self.run_id, "as_of": self.as_of.isoformat(), "counts": self.counts,
               "flags_by_rule": self.per_rule, "errors": self.errors, "duration_s": round(self.duration_s, 3)}  # fmt: skip
        if self.dry_run:
            out |= {"dry_run": True, "flags": [_jsonable(f.values) for f in self.flags]}
        return out


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def evaluate(engine: Engine, rules: list[Rule], as_of: datetime, cal: BusinessCalendar,
             default_escalation: tuple[str, ...] = (), *, rule_book: Sequence[Rule] | None = None,
             dry_run: bool = False) -> RunResult:  # fmt: skip
    """Evaluate ``rules`` as of ``as_of``; a rule without its own escalation path gets ``default_escalation``.

    ``rule_book``: every rule of the book, disabled ones included. When given, ``rules`` is taken
    to be the book's whole enabled set, and the open flags of any other rule are retired. Without
    it (rule tests, a single rule file) nothing is retired. ``dry_run``: decide, return the flags
    (``RunResult.flags``, ``run_id`` 0) and write nothing."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    started = _time.perf_counter()
    runs = table_of(EvaluationRun)
    if dry_run:
        result = RunResult(0, as_of, dry_run=True)
        with read_snapshot(engine) as conn:  # committed data of finished ingest runs (riskmon.store.consistency)
            result.flags = _decide(conn, rules, AsOf.of(as_of), cal, default_escalation, result)
        result.counts = {"would_raise": len(result.flags)}
        result.duration_s = _time.perf_counter() - started
        return result
    with engine.begin() as conn:
        run_id = conn.execute(
            runs.insert().values(as_of=as_of, started_at=datetime.now(UTC), status="running",
                                 rule_versions={r.id: r.version for r in rules}, counts={}, errors={})
            .returning(runs.c.id)
        ).scalar_one()  # fmt: skip
    result = RunResult(run_id, as_of)
    with read_snapshot(engine) as conn:
        found = result.flags = _decide(conn, rules, AsOf.of(as_of), cal, default_escalation, result)
    evaluated = {r.id for r in rules if r.id in result.per_rule and r.id not in result.errors}
    with engine.begin() as conn:
        _serialise_saves(conn, run_id)
        result.counts = save(conn, run_id, as_of, found, evaluated)
        if rule_book is not None:
            result.counts["retired"] = retire(conn, run_id, as_of, {r.id for r in rules}, {r.id for r in rule_book})
        _audit_run(conn, run_id, as_of, rules, result)
        result.duration_s = _time.perf_counter() - started
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            finished_at=datetime.now(UTC), duration_s=result.duration_s, counts=result.counts, errors=result.errors,
            status="completed" if not result.errors else "completed_with_errors",
        ))  # fmt: skip
    return result


def _decide(conn: Connection, rules: Sequence[Rule], window: AsOf, cal: BusinessCalendar, default_escalation: tuple[str, ...],
            result: RunResult) -> list[NewFlag]:  # fmt: skip
    """Facts over the data ``window`` admits, decisions by the engine, flags as they would be saved:
    the one step a real run, a dry run and a report's look-back share. Reads only; a rule that fails
    lands in ``result.errors`` and its flags are left out."""
    unit_types = {r.unit_id: r.unit_type for r in conn.execute(select(table_of(Unit).c.unit_id, table_of(Unit).c.unit_type))}
    views = facts.Views(conn, window)
    built: dict[str, list[facts.Fact]] = {}
    for rule in rules:
        try:
            built[rule.id] = facts.build(rule, views, cal)
        except Exception as exc:  # one broken rule must not stop the night
            result.errors[rule.id] = f"{exc.__class__.__name__}: {exc}"
    ok_rules = [r for r in rules if r.id in built]
    compiled = [facts.compile_rule(r) for r in ok_rules]
    decided, engine_errors = durable_adapter.decide(compiled, {rid: [f.data for f in fs] for rid, fs in built.items()})
    result.errors.update(engine_errors)
    found: list[NewFlag] = []
    by_type = _first_unit_by_type(unit_types)
    for rule in ok_rules:
        if rule.id in result.errors:
            continue
        hits = decided.get(rule.id, {})
        result.per_rule[rule.id] = len(hits)
        for idx, severity in sorted(hits.items()):
            try:
                found.append(_flag(rule, built[rule.id][idx], severity, window.at, cal, by_type, default_escalation))
            except Exception as exc:
                result.errors[rule.id] = f"{exc.__class__.__name__}: {exc}"
                break
    evaluated = {r.id for r in ok_rules if r.id not in result.errors}
    return [f for f in found if f.values["rule_id"] in evaluated]


def _serialise_saves(conn: Connection, run_id: int) -> None:
    """Two evaluations saving at once (a manual run beside the nightly one) must not both see a
    flag as new: take the write lock before reading the existing flags. PostgreSQL: an advisory
    transaction lock; SQLite: a first write, which makes this transaction the only writer."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 7_452_114})
    runs = table_of(EvaluationRun)
    conn.execute(update(runs).where(runs.c.id == run_id).values(status="saving"))


def _audit_run(conn: Connection, run_id: int, as_of: datetime, rules: list[Rule], result: RunResult) -> None:
    """The run, and every rule version it is the first to use, go into the audit log."""
    t = table_of(AuditEntry)
    for rule in rules:
        subject = f"rule:{rule.id}@{rule.version}"
        if conn.execute(select(t.c.seq).where(t.c.subject == subject).limit(1)).first() is None:
            audit.append(conn, "riskmon", "rule_version_seen", subject, {"file": rule.file, "rule": rule.raw})
    audit.append(conn, "riskmon", "evaluation_run", f"run:{run_id}",
                 {"as_of": as_of.isoformat(), "counts": result.counts, "errors": result.errors,
                  "rule_versions": {r.id: r.version for r in rules}})  # fmt: skip


def _first_unit_by_type(unit_types: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for unit_id, kind in sorted(unit_types.items()):
        out.setdefault(kind, unit_id)
    return out


def _unit(ref: str, values: dict[str, Any], by_type: dict[str, str]) -> str:
    """An owner, escalation or inform entry: a template over the fact, a unit type, or a unit id."""
    text = render.render(ref, values) if "{" in ref else ref
    return by_type.get(text, text)


def _flag(rule: Rule, fact: facts.Fact, severity: str, as_of: datetime, cal: BusinessCalendar,
          by_type: dict[str, str], default_escalation: tuple[str, ...] = ()) -> NewFlag:  # fmt: skip
    values = render.context(rule, fact, severity, as_of, cal.tz)
    owner = _unit(rule.owner_unit, values, by_type)
    evidence = render.evidence(rule, fact, severity, cal.tz)
    if rule.inform:  # kept in the evidence (no column): riskmon.review.escalation tells them of the new flag
        told = [u for u in dict.fromkeys(_unit(e, values, by_type) for e in rule.inform) if u and u != owner]
        evidence["inform"] = {"units": told, "reason": dict(rule.inform_reason)}
    return NewFlag(
        key=f"{rule.id}:{fact.subject}",
        values={
            "rule_id": rule.id, "rule_version": rule.version, "subject": fact.subject, "severity": severity,
            "risk_category": rule.risk_category, "owner_line": rule.owner_line,
            "owner_unit": owner,
            "escalation": [u for u in (_unit(e, values, by_type) for e in rule.escalation or default_escalation) if u],
            "title_ja": rule.title["ja"], "title_en": rule.title["en"],
            "message_ja": render.render(rule.message["ja"], values),
            "message_en": render.render(rule.message["en"], values),
            "due_at": fact.due_at, "evidence": evidence,
        },
    )  # fmt: skip


@dataclass
class DryRun:
    """What an evaluation would raise, written nowhere: each flag as a plain record (its ``key``
    and the values a stored flag gets), with the rules that failed."""

    as_of: datetime
    flags: list[dict[str, Any]] = field(default_factory=list)
    per_rule: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def evaluate_dry(engine: Engine | Connection, rules: Sequence[Rule], as_of: datetime | AsOf, cal: BusinessCalendar,
                 default_escalation: tuple[str, ...] = ()) -> DryRun:  # fmt: skip
    """The flags the rules find over the data known ``as_of`` (a time, or an :class:`AsOf` that also
    bounds what had been ingested), as plain records, writing nothing: the same decision step as
    :func:`evaluate`. Reports use it so that what they show does not depend on when evaluations
    happened to run; on an open connection it reads inside the caller's snapshot."""
    window = AsOf.of(as_of)
    result = RunResult(0, window.at, dry_run=True)
    if isinstance(engine, Connection):
        found = _decide(engine, rules, window, cal, default_escalation, result)
    else:
        with read_snapshot(engine) as conn:  # as a real run: finished ingest runs only (riskmon.store.consistency)
            found = _decide(conn, rules, window, cal, default_escalation, result)
    flags = sorted(({"key": f.key, **f.values} for f in found), key=lambda f: str(f["key"]))
    return DryRun(window.at, flags, result.per_rule, result.errors)
