"""YAML syntax errors in words a rule author understands, at the place to fix.

PyYAML's messages ("while scanning a simple key … could not find expected ':'") are written for
people who know the parser. The mistakes people make in a rule file are few: a tab used for
indentation, ``key:value`` without the space YAML needs after the colon, a ``[`` or ``{`` never
closed (PyYAML notices only where the file ends, so the message points at where it was opened).
Each gets its own Japanese and English sentence; anything else keeps PyYAML's words.
"""

from __future__ import annotations

import re

import yaml

from riskmon.rules.words import msg

_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=[^\s])(?![/\\])")


def explain(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """``(line, column, message)`` for a syntax error in ``text``."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem, context = exc.problem or "", exc.context or ""
    if "'\\t'" in problem or "\t" in problem:
        return (
            line,
            col,
            msg(
                "タブ文字は使えません。字下げは半角スペースで書いてください",
                "a tab character is not allowed: indent with spaces",
            ),
        )
    if context.startswith("while parsing a flow") and exc.context_mark is not None:
        opened = "[" if "sequence" in context else "{"
        closer = "]" if opened == "[" else "}"
        at = exc.context_mark
        return (
            at.line + 1,
            at.column + 1,
            msg(
                f"ここで開いた「{opened}」が閉じられていません（「{closer}」が必要です）",
                f"the '{opened}' opened here is never closed (a '{closer}' is missing)",
            ),
        )
    lines = text.splitlines()
    for i in range(min(line, len(lines)) - 1, -1, -1):  # the nearest key:value above the error
        if "#" not in lines[i][:1] and (m := _NO_SPACE.match(lines[i])) and not _quoted_or_time(lines[i]):
            key = m.group(2)
            return (
                i + 1,
                len(m.group(1)) + len(key) + 1,
                msg(
                    f"「{key}:」の後に半角スペースが必要です（「{key}: 値」のように書きます）",
                    f"a space is needed after '{key}:' (write '{key}: value')",
                ),
            )
    return line, col, msg(f"YAML として読めません：{problem}", f"not valid YAML: {problem}")


def _quoted_or_time(line: str) -> bool:
    """A colon inside quotes or a time such as 10:00 is no missing space."""
    stripped = line.strip().lstrip("- ")
    return stripped[:1] in ("'", '"') or bool(re.match(r"^\d", stripped))
