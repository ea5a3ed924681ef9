"""Safe YAML loading that remembers where every value came from.

Rule files are edited by people; a message must say ``file:line:column``. PyYAML's composer gives
the position of every node; we build plain Python data with the safe constructor and keep a table
from each value's path (keys and list indexes) to its position. Nothing in a rule file can run
code: only the safe loader is used, and tags other than the standard ones are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int | bool, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class Located:
    """Parsed YAML plus the position of each path inside it."""

    def __init__(self, file: str, data: Any, positions: dict[Path_, Position]) -> None:
        self.file = file
        self.data = data
        self.positions = positions

    def at(self, path: Path_, message: str) -> Problem:
        """A problem at ``path``, or at the nearest enclosing value that has a position."""
        p = tuple(path)
        while p not in self.positions and p:
            p = p[:-1]
        pos = self.positions.get(p, Position(1, 1))
        return Problem(self.file, pos.line, pos.column, message)


def load(path: Path) -> tuple[Located | None, list[Problem]]:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(str(path), line, col, f"YAML として読めません / not valid YAML: {exc.problem}")]
    if node is None:
        return Located(str(path), None, {}), []
    positions: dict[Path_, Position] = {}
    _walk(node, (), positions)
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as exc:  # e.g. a tag the safe loader refuses
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Problem(str(path), line, col, f"使えない YAML 構文 / YAML not allowed here: {exc}")]
    return Located(str(path), data, positions), []


def _walk(node: yaml.Node, path: Path_, out: dict[Path_, Position]) -> None:
    out[path] = Position(node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k: str | bool = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            if key.tag == "tag:yaml.org,2002:bool":  # on/off/yes/no: the data holds True/False
                k = str(key.value).lower() in ("yes", "y", "true", "on")
            out[(*path, k, "__key__")] = Position(key.start_mark.line + 1, key.start_mark.column + 1)
            _walk(value, (*path, k), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), out)
