"""``contains`` values the decision engine can really take, found by asking the engine itself.

``contains`` compiles to a durable_rules regular expression ``.*VALUE.*``, and the engine builds
a state machine for it whose limits are not a plain length (measured with durable_rules 2.0.28,
see docs/rules.md): ordinary text is refused from about 2,000 characters (``error code: 503``,
too many states); values that repeat themselves silently match wrongly from about 50 characters;
and some short values — three equal characters and then another, such as ``000123`` — are
refused outright. A static rule cannot describe that, so ``rules check`` caps the length at
:data:`MAX_CONTAINS_CHARS` (riskmon/rules/validators.py) and then compiles every value in a real engine (one short-lived child
process, as at evaluation) and checks it against sample text. A value that fails is refused at
its ``file:line:column`` instead of failing, or silently matching wrongly, every night.

It lives in the engine layer because it runs the engine; riskmon/engine/rulebook.py hands it to
the rule checker, which never imports the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from riskmon.engine.durable_adapter import CompiledRule, CompiledTier, EngineError, decide
from riskmon.rules.conditions import Leaf, to_durable
from riskmon.rules.validators import MAX_CONTAINS_CHARS
from riskmon.rules.words import msg

__all__ = ["MAX_CONTAINS_CHARS", "refused"]


def refused(values: Iterable[str]) -> dict[str, str]:
    """For each value the engine refuses or matches wrongly, why; values that work are absent.

    Each value becomes its own one-rule ruleset; text that contains it (alone, and between other
    characters) must match, and the value cut short at either end must not."""
    unique = sorted(set(values))
    if not unique:
        return {}
    rules = [CompiledRule(f"probe{i}", "probe", (CompiledTier("info", to_durable(Leaf("s", "contains", v))),), ("s",))
             for i, v in enumerate(unique)]  # fmt: skip
    facts = {f"probe{i}": [{"s": f"前{v}後"}, {"s": v}, {"s": v[:-1]}, {"s": v[1:]}] for i, v in enumerate(unique)}
    try:
        decided, errors = decide(rules, facts)
    except EngineError as exc:
        why = msg(f"判定エンジンで確かめられませんでした（{exc}）", f"could not be checked with the decision engine ({exc})")
        return dict.fromkeys(unique, why)
    out: dict[str, str] = {}
    for i, value in enumerate(unique):
        error = errors.get(f"probe{i}")
        if error:
            code = re.search(r"error code: \d+", error)
            error = code.group(0) if code else error
            out[value] = msg(
                f"この値は判定エンジン（durable_rules）が受け付けません（{error}）。"
                "同じ文字が3つ続く値や長い値で起きます。短くするか言い換えてください",
                f"the decision engine (durable_rules) refuses this value ({error}); this happens with"
                " three equal characters in a row or long values: shorten or reword it",
            )  # fmt: skip
        elif set(decided.get(f"probe{i}", {})) != {0, 1}:
            out[value] = msg(
                "この値では判定エンジン（durable_rules）の照合が正しく動きません（見本の文で確認）。短くするか言い換えてください",
                "the decision engine (durable_rules) matches this value wrongly (checked with sample text): shorten or reword it",
            )  # fmt: skip
    return out
