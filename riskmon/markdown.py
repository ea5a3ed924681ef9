"""Data in Markdown reports stays text: no HTML, no links or emphasis, no broken tables.

Markdown passes raw HTML through, so an event summary such as ``<script>alert(1)</script>``
would reach whoever renders the pack, and a ``|`` in a unit name splits a table row. Every value
that comes from data is escaped here before it is written into a Markdown report: ``&``, ``<``
and ``>`` become entities, the characters Markdown acts on inside a line get a backslash, and
line breaks become ``<br>`` (our markup, not the data's) so a value never starts a new block.
"""

from __future__ import annotations

import re
from typing import Any

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: characters that make emphasis, code, links, tables, strike-through or (GitHub) maths anywhere in a line
_ACTIVE = re.compile(r"([\\`*_\[\]|~$])")
_BREAKS = re.compile(r"\r\n|\r|\n")


def md_text(value: Any) -> str:
    """``value`` as Markdown text that renders as exactly that text (numbers unchanged)."""
    text = "".join(_ENTITIES.get(ch, ch) for ch in str(value))
    return _BREAKS.sub("<br>", _ACTIVE.sub(r"\\\1", text))
