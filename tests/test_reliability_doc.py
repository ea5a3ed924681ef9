"""docs/reliability.md cites a test for every claim: each one must exist, so the table cannot
outlive a renamed or deleted test. (scripts/reliability.py runs them and writes the figures.)"""

from __future__ import annotations

import ast
from pathlib import Path

from scripts.reliability import DOC, cited

ROOT = Path(__file__).resolve().parents[1]


def test_every_cited_test_exists() -> None:
    sections = cited(DOC.read_text(encoding="utf-8"))
    assert set(sections) >= {
        "Injection into what people open", "Bad input never stops good input", "Crashes and concurrency leave nothing stuck",
        "Rule files cannot hurt the machine", "The audit trail detects what it claims to", "Errors and defaults a user trips over",
    }  # fmt: skip
    missing = []
    for rows in sections.values():
        for ids in rows:
            for node in ids:
                file, name = node.split("::")
                path = ROOT / file
                tree = ast.parse(path.read_text(encoding="utf-8")) if path.exists() else None
                names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} if tree else set()
                if name not in names:
                    missing.append(node)
    assert missing == []


def test_every_row_cites_a_test() -> None:
    text = DOC.read_text(encoding="utf-8").split("## Figures")[0]  # the figures table counts, it cites nothing
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| Scenario", "| Tampering", "| Section"))]
    without = [r for r in rows if "tests/" not in r]
    assert without == []
