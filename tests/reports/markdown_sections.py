"""Reading a generated Markdown report back by its sections (the 月次・年次公表 tests)."""

from __future__ import annotations


def section(md: str, heading: str) -> list[str]:
    """The lines of a Markdown section, from its heading to the next (blank lines dropped)."""
    lines = md.split("\n")
    start = lines.index(f"## {heading}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start + 1 : end] if line]
