"""What kind of value each event field holds, and the Japanese words a coded field accepts.

Why: a workbook cell arrives as Excel stored it — a number, a date, TRUE/FALSE, text — and what it
should become depends on the field: a number in a text field (事案番号 12345) is the text "12345",
a number in a date field is a serial Excel never formatted as a date (refused: pydantic would read
it as seconds since 1970), a date cell in a date field is that day. And a template's drop-down lists
show the Japanese labels (誤送付, 履行中検査, はい), so the ingest must read those labels back as the
codes. One table, read by the xlsx reader (:mod:`riskmon.ingest.xlsx`) and the templates
(:mod:`riskmon.ingest.templates`), keeps the list a template offers and the words the ingest
accepts the same.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from riskmon.events.registry import FAMILIES
from riskmon.i18n import label

__all__ = ["BOOL_WORDS", "Kind", "choices", "code_for", "kind_of", "kinds_of", "sheet_type", "type_code"]

Kind = Literal["count", "date", "datetime", "bool", "enum", "list", "text"]

#: The words a yes/no field accepts besides TRUE/FALSE cells, first the ones a template offers.
BOOL_WORDS: dict[str, bool] = {"はい": True, "いいえ": False, "true": True, "false": False, "TRUE": True, "FALSE": False}


def _unwrap(hint: Any) -> Any:
    """The type under ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(hint)
        if origin is Annotated:
            hint = get_args(hint)[0]
        elif origin in (Union, types.UnionType):
            hint = next(a for a in get_args(hint) if a is not type(None))
        else:
            return hint


def _kind(hint: Any) -> tuple[Kind, type[StrEnum] | None]:
    base = _unwrap(hint)
    if isinstance(base, type) and issubclass(base, StrEnum):
        return "enum", base
    if base is bool:
        return "bool", None
    if base is int:
        return "count", None
    if base is datetime:  # before date: a datetime is a date
        return "datetime", None
    if base is date:
        return "date", None
    if get_origin(base) is list:
        return "list", None
    return "text", None


@cache
def kinds_of(type_name: str) -> dict[str, tuple[Kind, type[StrEnum] | None]]:
    """field → (kind, its enum for a coded field) for one event type."""
    model = FAMILIES[type_name].model
    hints = get_type_hints(model, include_extras=True)
    return {f.name: _kind(hints[f.name]) for f in dataclasses.fields(model) if f.name != "type"}


def kind_of(type_name: str | None, field: str) -> tuple[Kind, type[StrEnum] | None]:
    """A field's kind; for a row whose type is not known yet, the kind the field has in the types
    that have it (a header means the same field in every type: riskmon.ingest.headers)."""
    if type_name in FAMILIES:
        return kinds_of(type_name).get(field, ("text", None))
    return _any_type().get(field, ("text", None))


@cache
def _any_type() -> dict[str, tuple[Kind, type[StrEnum] | None]]:
    out: dict[str, tuple[Kind, type[StrEnum] | None]] = {}
    for name in FAMILIES:
        for field, kind in kinds_of(name).items():
            if out.setdefault(field, kind)[0] != kind[0]:
                out[field] = ("text", None)  # kinds differ between types: hand the cell on as text
    return out


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(code, Japanese label) of a coded field, in the enum's order: a template's drop-down list."""
    return [(m.value, label(m.value, "ja")) for m in enum]


def code_for(enum: type[StrEnum], text: str) -> str:
    """The code a cell of a coded field means: a code as is, its Japanese label as the code; any
    other text is handed on unchanged (validation then refuses it with the list of codes)."""
    for code, words in choices(enum):
        if text == words:
            return code
    return text


_TYPE_BY_NAME = {code: code for code in FAMILIES} | {label(code, "ja"): code for code in FAMILIES}


def type_code(text: str) -> str:
    """The event type a 種別 cell names: a code as is, a Japanese type name (日次業務報告) as its code."""
    return _TYPE_BY_NAME.get(text.strip().strip("\u3000"), text.strip())


def sheet_type(name: str) -> str | None:
    """The event type a sheet is named after (code or Japanese name), or None."""
    return _TYPE_BY_NAME.get(name.strip().strip("\u3000"))
