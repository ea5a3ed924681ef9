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

from riskmon.errors import RuleProblem
from riskmon.rules import yamlguard, yamlsyntax
from riskmon.rules.words import msg

Path_ = tuple[str | int | bool, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


#: One problem at a place in a rule file: the same type the RuleError carries.
Problem = RuleProblem


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


def load(path: Path, *, allow_aliases: bool = False) -> tuple[Located | None, list[Problem]]:
    """Read one YAML file within the limits of :mod:`riskmon.rules.yamlguard`.

    Rule files may not use anchors and aliases at all; rule test files (``allow_aliases``) may,
    within a cap on the expanded size. No expected mistake in a file raises: each becomes a
    :class:`Problem` at its position."""
    file = str(path)

    def refuse(line: int, column: int, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(file, line, column, message)]

    try:
        size = path.stat().st_size
        if size > yamlguard.MAX_FILE_BYTES:
            return refuse(1, 1, msg(
                f"ファイルが大きすぎます（{size:,}バイト。{yamlguard.MAX_FILE_BYTES:,}バイトまで）",
                f"file too large ({size:,} bytes; at most {yamlguard.MAX_FILE_BYTES:,})",
            ))  # fmt: skip
        raw = path.read_bytes()
    except OSError as exc:
        return refuse(1, 1, msg(f"読めません：{exc.strerror}", f"cannot read: {exc.strerror}"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return refuse(line, exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1, msg(
            "UTF-8ではありません。UTF-8で保存し直してください", "not UTF-8: save the file as UTF-8",
        ))  # fmt: skip
    breach = yamlguard.scan(text, allow_aliases=allow_aliases)
    if breach:
        return refuse(*breach)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return refuse(*yamlsyntax.explain(text, exc))
    if node is None:
        return Located(file, None, {}), []
    if allow_aliases and yamlguard.expanded_size(node) > yamlguard.MAX_EXPANDED_NODES:
        return refuse(1, 1, msg(
            f"エイリアスを展開すると大きすぎます（{yamlguard.MAX_EXPANDED_NODES:,}要素まで）",
            f"too large once its aliases are expanded (at most {yamlguard.MAX_EXPANDED_NODES:,} values)",
        ))  # fmt: skip
    positions: dict[Path_, Position] = {}
    duplicates: list[tuple[int, int, str]] = []
    _walk(node, (), positions, None if allow_aliases else duplicates)
    if duplicates:
        return None, [Problem(file, *d) for d in duplicates]
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as exc:  # e.g. a tag the safe loader refuses
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return refuse(line, col, f"使えない YAML 構文 / YAML not allowed here: {exc}")
    except ValueError:  # int() refuses more than 4,300 digits
        return refuse(1, 1, msg("整数が大きすぎます（64ビットの範囲まで）", "integer out of range (at most 64 bits)"))
    doc = Located(file, data, positions)
    numbers = [doc.at(where, message) for where, message in yamlguard.bad_numbers(data)]
    return (None, numbers) if numbers else (doc, [])


def _walk(node: yaml.Node, path: Path_, out: dict[Path_, Position], duplicates: list[tuple[int, int, str]] | None) -> None:
    """Record every value's position; with ``duplicates``, a key written twice in one mapping is
    a problem (YAML would silently keep the last one)."""
    out[path] = Position(node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str | bool] = set()
        for key, value in node.value:
            k: str | bool = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            if key.tag == "tag:yaml.org,2002:bool":  # on/off/yes/no: the data holds True/False
                k = str(key.value).lower() in ("yes", "y", "true", "on")
            if duplicates is not None and k in seen:
                duplicates.append((key.start_mark.line + 1, key.start_mark.column + 1, msg(
                    f"'{k}' が同じ場所に2回書かれています（後の値だけが使われてしまいます）",
                    f"'{k}' is written twice here (only the last would be used)",
                )))  # fmt: skip
            seen.add(k)
            out[(*path, k, "__key__")] = Position(key.start_mark.line + 1, key.start_mark.column + 1)
            _walk(value, (*path, k), out, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), out, duplicates)
