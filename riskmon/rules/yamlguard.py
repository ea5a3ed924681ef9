"""Limits on the shape of a rule file, checked before anything is built from it.

A rule file is edited by people and read by the nightly job, so a file must never be able to
hang or exhaust the machine. PyYAML expands anchors and aliases into shared nodes that every walk
over the data multiplies (a 9-level "billion laughs" file was killed after minutes), its composer
recurses once per nesting level, and the safe constructor happily builds 10^400 or a megabyte of
text. So the event stream is scanned first — cheap, linear and not recursive — and refused at the
first anchor, alias, explicit tag, over-deep nesting or over-long scalar; after construction,
numbers outside the range any consumer can take are refused too. Every refusal names
``file:line:column`` and says what to do, in Japanese and English.

Rule *test* files (``rules/tests``) keep anchors and merge keys, which they use to share event
defaults; for them the expanded size is capped instead (:func:`expanded_size`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import yaml

from riskmon.rules.words import msg

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_SCALAR_CHARS = 10_000
MAX_EXPANDED_NODES = 200_000
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

#: the only tags a rule file may spell out (``!!str "10"`` is how one writes a number as text)
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}


ALIAS_REFUSED = msg(
    "ルールファイルではアンカー（&）とエイリアス（*）は使えません。同じ内容はそれぞれの場所に書いてください",
    "anchors (&) and aliases (*) are not allowed in rule files: write the value out where it is used",
)


def scan(text: str, *, allow_aliases: bool) -> tuple[int, int, str] | None:
    """The first limit the text breaks, as ``(line, column, message)``; ``None`` if it keeps them all.

    Syntax errors are not reported here (the composer reports them with their position)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if not allow_aliases and (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
                return (*where, ALIAS_REFUSED)
            tag = getattr(event, "tag", None)
            if tag and tag != "!" and tag not in _PLAIN_TAGS:
                tag = tag.replace("tag:yaml.org,2002:", "!!")
                return (*where, msg(
                    f"タグ「{tag}」は使えません（ルールファイルに書けるのは文字・数・真偽値・リスト・対応表だけです）",
                    f"the tag {tag} is not allowed (a rule file holds only text, numbers, booleans, lists and mappings)",
                ))  # fmt: skip
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return (*where, msg(
                        f"入れ子が深すぎます（{MAX_DEPTH}段まで）",
                        f"nested too deeply (at most {MAX_DEPTH} levels)",
                    ))  # fmt: skip
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
                return (*where, msg(
                    f"値が長すぎます（{len(event.value):,}文字。{MAX_SCALAR_CHARS:,}文字まで）",
                    f"value too long ({len(event.value):,} characters; at most {MAX_SCALAR_CHARS:,})",
                ))  # fmt: skip
    except yaml.MarkedYAMLError:
        return None  # a syntax error: compose() reports it with its position
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return (line, column, msg(
            f"YAML に書けない文字があります（U+{exc.character:04X}）",
            f"a character YAML does not allow (U+{exc.character:04X})",
        ))  # fmt: skip
    return None


def expanded_size(node: yaml.Node) -> int:
    """How many nodes the data has once every alias is expanded, computed without expanding."""
    memo: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        if id(n) in memo:
            return memo[id(n)]
        memo[id(n)] = MAX_EXPANDED_NODES + 1  # a node reached again while being sized: a cycle
        total = 1
        if isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total += sum(size(item) for item in n.value)
        memo[id(n)] = min(total, MAX_EXPANDED_NODES + 1)
        return memo[id(n)]

    return size(node)


def bad_numbers(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Each number no consumer can take: integers beyond 64 bits (the database and the rule engine
    store 64-bit integers), infinities and NaN (``.inf``, ``1e400``), as ``(path, message)``."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from bad_numbers(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from bad_numbers(value, (*path, i))
    elif isinstance(data, int) and not isinstance(data, bool) and not INT_MIN <= data <= INT_MAX:
        yield path, msg("整数が大きすぎます（64ビットの範囲まで）", "integer out of range (at most 64 bits)")
    elif isinstance(data, float) and not math.isfinite(data):
        yield path, msg(f"数として使えない値です：{data}", f"not a usable number: {data}")
