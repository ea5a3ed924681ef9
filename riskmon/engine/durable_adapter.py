"""The one place riskmon talks to durable_rules, hiding its sharp edges (../shared/durable_rules.md).

- A **fresh engine per evaluation**: rulesets can never be deleted and each costs memory for the
  life of the process, so decisions are made in a forked child process that exits afterwards.
- **One ruleset per rule and severity tier**, each with a single rule, so posting an event can
  never be "consumed" by a sibling rule (#400).
- Facts are **posted as events** (consumed on match, so nothing accumulates), carry only the
  fields the conditions use (< 255 properties, #302), and are **partitioned into sids** of at most
  ``SID_SIZE`` messages, far from the 1,024-sid and ~46k-message limits (#376).
- Actions are **drained synchronously** from the C engine (no background dispatch thread).
- Engine errors come back as exceptions naming the rule; a match reported twice (``$or``) counts once.
"""

from __future__ import annotations

import json
import multiprocessing
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from riskmon import errors

SID_SIZE = 1000
MAX_SIDS = 1000
#: set on every posted fact and required by every rule, so a rule with no condition of its own
#: still matches only facts (never the engine's per-sid state object)
FACT_MARK = "riskmon_fact"


@dataclass(frozen=True)
class CompiledTier:
    severity: str
    expression: dict[str, Any]  # durable expression over one message


@dataclass(frozen=True)
class CompiledRule:
    rule_id: str
    version: str
    tiers: tuple[CompiledTier, ...]
    fields: tuple[str, ...]  # fact fields the expressions read


class EngineError(errors.EngineError):
    """durable_rules refused a ruleset or failed while deciding (English only: it names engine internals)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _messages(rule: CompiledRule, facts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(facts) > SID_SIZE * MAX_SIDS:
        raise EngineError(f"{rule.rule_id}: {len(facts)} facts exceed the engine's partition limit")
    out = []
    for i, fact in enumerate(facts):
        msg = {f: _jsonable(fact[f]) for f in rule.fields if fact.get(f) is not None}
        msg["id"] = i
        msg["sid"] = str(i // SID_SIZE)
        msg[FACT_MARK] = 1
        out.append(msg)
    return out


def _decide_here(rules: Sequence[CompiledRule], facts: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    import durable_rules_engine as engine  # imported in the child only

    decided: dict[str, dict[int, int]] = {}
    errors: dict[str, str] = {}
    for rule in rules:
        try:
            messages = _messages(rule, facts.get(rule.rule_id, ()))
            matched: dict[int, int] = {}
            for t, tier in enumerate(rule.tiers):
                name = f"{rule.rule_id}__{rule.version}__{t}"
                expression = {"$and": [{FACT_MARK: 1}, tier.expression]} if tier.expression else {FACT_MARK: 1}
                definition = {"r": {"all": [{"m": expression}]}}
                try:
                    handle = engine.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
                except BaseException as exc:  # the C engine gives bare codes such as "error code: 202"
                    raise EngineError(f"ruleset for severity {tier.severity} was refused: {exc}") from exc
                for start in range(0, len(messages), 5000):
                    engine.assert_events(handle, json.dumps(messages[start : start + 5000], ensure_ascii=False))
                    for idx in _drain(engine, handle):
                        matched[idx] = max(matched.get(idx, -1), t)
            decided[rule.rule_id] = matched
        except Exception as exc:
            errors[rule.rule_id] = f"{exc.__class__.__name__}: {exc}"
    return {"decided": decided, "errors": errors}


def _drain(engine: Any, handle: int) -> list[int]:
    """Run every queued action now; each action reports which message matched."""
    ids: list[int] = []
    while True:
        started = engine.start_action(handle)
        if not started:
            return ids
        state, message, state_handle = started
        payload: str | None = message
        while payload:
            for matched in json.loads(payload).values():
                items = matched if isinstance(matched, list) else [matched]
                ids.extend(int(m["m"]["id"] if "m" in m else m["id"]) for m in items)
            engine.update_state(handle, state)
            payload = engine.complete_and_start_action(handle, state_handle)


def _child(conn: Any, rules: Sequence[CompiledRule], facts: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    try:
        conn.send(_decide_here(rules, facts))
    except BaseException:  # report, never hang the parent
        conn.send({"decided": {}, "errors": {"*": traceback.format_exc()}})
    finally:
        conn.close()


def decide(
    rules: Sequence[CompiledRule], facts: Mapping[str, Sequence[Mapping[str, Any]]]
) -> tuple[dict[str, dict[int, str]], dict[str, str]]:
    """For each rule: fact index → severity of the highest tier whose condition holds.

    Runs in a forked child so the engine's memory is returned when it exits. Returns the
    decisions and, per rule, any error (a failing rule does not stop the others).
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, rules, facts), daemon=True)
    proc.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError as exc:
        raise EngineError(f"the rule engine process died (exit code {proc.exitcode})") from exc
    finally:
        proc.join()
    tiers = {r.rule_id: r.tiers for r in rules}
    decided = {rule_id: {idx: tiers[rule_id][t].severity for idx, t in matches.items()} for rule_id, matches in result["decided"].items()}
    return decided, result["errors"]
