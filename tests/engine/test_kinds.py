"""The kind registry: each kind is one class behind one interface, found by name, and the layers
stay one-way (rules never import the engine, so the rule checker cannot reach it)."""

from __future__ import annotations

import ast
from pathlib import Path

from riskmon.engine.kinds import KINDS, Kind, kind_of
from riskmon.engine.kinds.deadline import Deadline
from riskmon.rules.conditions import Leaf
from riskmon.rules.schema import SPECS

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_is_registered_with_its_spec() -> None:
    assert list(KINDS) == list(SPECS)
    for name, cls in KINDS.items():
        assert issubclass(cls, Kind) and cls.name == name and cls.spec is SPECS[name]
        assert kind_of(name).adds() == SPECS[name].adds
    assert Deadline().adds()["overdue_business_days"] == "int"
    assert kind_of("absence").adds() == {"missing_days": "int", "gap_days": "int", "missing_dates": "text"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_rules_import_neither_the_engine_nor_anything_above_it() -> None:
    above = ("riskmon.engine", "riskmon.flags", "riskmon.review", "riskmon.reports", "riskmon.cli", "riskmon.ruletest",
             "riskmon.scheduler", "riskmon.ingest")  # fmt: skip
    found = {
        f"{p.relative_to(ROOT)}: {m}" for p in sorted((ROOT / "riskmon" / "rules").glob("*.py")) for m in _imports(p) if m.startswith(above)
    }
    assert found == set()
    store_views = _imports(ROOT / "riskmon" / "store" / "views.py")
    assert {m for m in store_views if m.startswith("riskmon.")} == {"riskmon.events.enums"}


def test_no_string_switch_on_kind_in_the_engine() -> None:
    for path in [*(ROOT / "riskmon" / "engine").glob("*.py"), *(ROOT / "riskmon" / "engine" / "kinds").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for kind in SPECS:
            assert f'== "{kind}"' not in text and ".kind == " not in text, path


def test_each_kind_states_its_condition() -> None:
    from riskmon.rules.spec import Rule

    rule = Rule("X", {"ja": "", "en": ""}, "", "deadline", "error_report", None, (), "administrative", "first", "u", (),
                {"ja": "", "en": ""}, ("S",), True, ("case_id",), "f")  # fmt: skip
    assert kind_of("deadline").condition(rule) == Leaf("overdue", "is", True)
    assert kind_of("match").condition(rule) is None
