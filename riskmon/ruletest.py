"""Rule tests, in the spirit of ``promtool test rules``: given events and a moment, these flags.

The harness runs the real ingest and the real engine, so it sits above the engine (it used to be
riskmon/rules/testing.py, which made rules and engine import each other).

A test file (YAML, under ``rules/tests/``) lists cases; each gives events, an ``as_of`` time and
the flags expected (``[]`` asserts that nothing fires). Every case runs on its own fresh SQLite
database with the real ingest, the real rules and the real engine.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from riskmon.business_calendar import BusinessCalendar
from riskmon.flags.evaluation import evaluate
from riskmon.ingest.pipeline import ingest
from riskmon.rules.spec import Rule
from riskmon.rules.words import did_you_mean, hint
from riskmon.rules.yamlpos import Problem, load
from riskmon.store.db import make_engine
from riskmon.store.tables import Flag, metadata, table_of


@dataclass
class CaseResult:
    file: str
    name: str
    passed: bool
    missing: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def test_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    folder = path / "tests" if (path / "tests").is_dir() else path
    return sorted(p for p in folder.glob("*.y*ml"))


def run_tests(path: Path, rules: list[Rule], cal: BusinessCalendar, broken: Iterable[str] = ()) -> tuple[list[CaseResult], list[Problem]]:
    """Run every case of every test file under ``path``.

    A test file naming a rule that does not exist is a failed result (so the summary counts it),
    with a "did you mean"; one naming a rule that exists but was refused by ``rules check``
    (``broken``) is skipped: its problems were reported there, and are not repeated here."""
    results: list[CaseResult] = []
    problems: list[Problem] = []
    by_id = {r.id: r for r in rules}
    refused = set(broken)
    for file in test_files(path):
        doc, errs = load(file, allow_aliases=True)
        problems.extend(errs)
        if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("tests"), list):
            if doc is not None:
                problems.append(doc.at((), "tests: [...] がありません / a rule test file needs 'tests: [...]'"))
            continue
        chosen = [str(r) for r in doc.data.get("rules") or list(by_id)]
        unknown = [r for r in chosen if r not in by_id and r not in refused]
        for rid in unknown:
            ja, en = hint(did_you_mean(rid, by_id))
            where = doc.at(("rules", chosen.index(rid)), "")
            results.append(CaseResult(str(file), f"rules: {rid}", False, error=(
                f"{where.line}:{where.column}: 不明なルール '{rid}'{ja} / unknown rule '{rid}'{en}"
            )))  # fmt: skip
        if unknown or any(r in refused for r in chosen):
            continue
        units = file.parent / str(doc.data.get("units", "units.csv"))
        for i, case in enumerate(doc.data["tests"]):
            results.append(_run_case(file, i, case, [by_id[r] for r in chosen], units, cal))
    return results, problems


def _run_case(file: Path, i: int, case: dict[str, Any], rules: list[Rule], units: Path, cal: BusinessCalendar) -> CaseResult:
    name = str(case.get("name", f"case {i + 1}"))
    try:
        as_of = datetime.fromisoformat(str(case["as_of"]))
        as_of = cal.localize(as_of)
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 't.db'}")
            metadata.create_all(engine)
            events = Path(tmp) / "events.jsonl"
            events.write_text("".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in case.get("events", [])),
                              encoding="utf-8")  # fmt: skip
            report = ingest(engine, [units, events], tz=cal.tz)
            if report.total_rejected:
                reasons = "; ".join(f"line {r.line}: {r.reasons[0].en}" for r in report.rejections)
                return CaseResult(str(file), name, False, error=f"events rejected: {reasons}")
            run = evaluate(engine, rules, as_of, cal)
            if run.errors:
                return CaseResult(str(file), name, False, error=f"rule errors: {run.errors}")
            t = table_of(Flag)
            with engine.connect() as conn:
                got = [dict(r) for r in conn.execute(
                    select(t.c.rule_id, t.c.subject, t.c.severity, t.c.message_ja).where(t.c.status == "open")
                ).mappings()]  # fmt: skip
            engine.dispose()
    except Exception as exc:
        return CaseResult(str(file), name, False, error=f"{exc.__class__.__name__}: {exc}")
    expected = case.get("expect") or []
    missing = [e for e in expected if not any(_matches(e, g) for g in got)]
    unexpected = [g for g in got if not any(_matches(e, g) for e in expected)]
    return CaseResult(str(file), name, not missing and not unexpected, missing, unexpected)


def _matches(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    return all(str(got.get(k)) == str(v) for k, v in expected.items())
