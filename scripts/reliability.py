"""Run the tests that docs/reliability.md cites and write its figures from what they did.

The figures are not typed by hand: each section's scenarios are counted as proven only when every
test case behind them passed in this run, and the script refuses to write anything when a cited
test fails or no longer exists.

    python scripts/reliability.py            # runs the tests, rewrites the Figures section
    python scripts/reliability.py --check    # runs them and only says whether the doc is current
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
NODE = re.compile(r"`(tests/[\w/]+\.py::\w+)(?:\[[^\]]*\])?`")


def cited(text: str) -> dict[str, list[list[str]]]:
    """Section title → one list of node ids per table row."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif current and line.startswith("|") and (ids := NODE.findall(line)):
            sections.setdefault(current, []).append(ids)
    return sections


def run(node_ids: list[str]) -> dict[str, list[str]]:
    """Node id (without parameters) → the outcome of each of its cases."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *node_ids]
        subprocess.run(cmd, cwd=ROOT, check=False)
        outcomes: dict[str, list[str]] = defaultdict(list)
        for case in ET.parse(report).getroot().iter("testcase"):
            file = case.get("classname", "").replace(".", "/") + ".py"
            name = case.get("name", "").split("[")[0]
            failed = any(child.tag in ("failure", "error", "skipped") for child in case)
            outcomes[f"{file}::{name}"].append("failed" if failed else "passed")
        return outcomes


def figures(sections: dict[str, list[list[str]]], outcomes: dict[str, list[str]]) -> tuple[str, list[str]]:
    lines = ["| Section | Scenarios proven | Test cases run (both backends counted separately) |", "|---|---|---|"]
    problems: list[str] = []
    for title, rows in sections.items():
        proven, cases = 0, 0
        for ids in rows:
            row_ok = True
            for node in ids:
                results = outcomes.get(node, [])
                cases += len(results)
                if not results:
                    problems.append(f"{node}: not found or not run")
                    row_ok = False
                elif "failed" in results:
                    problems.append(f"{node}: {results.count('failed')} case(s) failed")
                    row_ok = False
            proven += row_ok
        lines.append(f"| {title} | {proven} of {len(rows)} | {cases} |")
    return "\n".join(lines), problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the doc's figures differ")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    sections = cited(text)
    nodes = sorted({n for rows in sections.values() for ids in rows for n in ids})
    table, problems = figures(sections, run(nodes))
    if problems:
        print("docs/reliability.md cites tests that did not pass:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    new = f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}"
    if args.check:
        print("figures are current" if new == text else "figures differ: run python scripts/reliability.py")
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
