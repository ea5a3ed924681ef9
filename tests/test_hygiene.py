"""Test modules share helpers through support modules (tests/helpers.py, tests/procs.py,
tests/web/support.py, tests/scheduler/job_process.py), never by importing a test module or a
conftest: a helper hidden in another test file is found by accident and breaks when that file moves."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return [n for n in names if n.startswith("tests.")]


def test_no_test_module_imports_another_test_module_or_a_conftest() -> None:
    bad = []
    for path in sorted(TESTS.rglob("*.py")):
        for name in _imports(path):
            last = name.rsplit(".", 1)[-1]
            if last.startswith("test_") or last == "conftest":
                bad.append(f"{path.relative_to(TESTS.parent)} imports {name}")
    assert bad == []
