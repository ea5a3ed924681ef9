"""Japanese column names for event files made in Excel: one documented name per field.

Why: offices write their reports in Excel with the column names they read on the イベント page
(発見日時, 事案番号, …), not riskmon's field names. Each field has one Japanese header — the page's
label for it, so the file and the page say the same — plus the three every record has
(イベントID, 種別, 部署コード). A file may use field names, Japanese headers, or both; one CSV or sheet
holds several types, so a header means the same field whatever the row's type, and the table is
checked for that at import (:data:`HEADERS` raises on a clash).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from riskmon.events.reasons import Reason, did_you_mean
from riskmon.events.registry import FAMILIES
from riskmon.i18n import phrases

__all__ = ["HEADERS", "field_for", "header_for", "headers_of", "unknown_columns"]

#: The headers that are not the イベント page's labels: the fields every record has, and fields whose
#: label another field already uses (事務処理誤りの疑い is the 日報's count; the お客様の声's flag is
#: worded apart).
_OWN: dict[str, str] = {
    "event_id": "イベントID",
    "type": "種別",
    "unit_id": "部署コード",
    "nonconformities": "不適事項",
    "suggests_error": "事務処理誤りを示唆",
}


def _fields(type_name: str) -> list[str]:
    return [f.name for f in dataclasses.fields(FAMILIES[type_name].model)]


def _build() -> dict[str, str]:
    web = phrases("web", "ja")
    table: dict[str, str] = {}
    for name in FAMILIES:
        for field in _fields(name):
            header = _OWN.get(field) or web.get(f"ev_{field}") or field
            known = table.setdefault(header, field)
            if known != field:  # pragma: no cover - a catalogue change; tests/ingest/test_headers.py
                raise RuntimeError(f"column header {header!r} would mean both {known!r} and {field!r}")
    return table


#: Japanese header → field name, for every field of every event type.
HEADERS: dict[str, str] = _build()
_BY_FIELD = {field: header for header, field in HEADERS.items()}


def field_for(header: str) -> str | None:
    """The field a column header names: a field name as is, or its Japanese header; None if neither.
    Surrounding spaces (full- or half-width) are ignored, as Excel users leave them."""
    text = header.strip().strip("\u3000")
    if text in _BY_FIELD:
        return text
    return HEADERS.get(text)


def header_for(field: str) -> str:
    """The Japanese header of a field (the field name itself for one without a label)."""
    return _BY_FIELD.get(field, field)


def headers_of(type_name: str) -> list[tuple[str, str]]:
    """(field, Japanese header) for one event type, in the model's order: a template's columns."""
    return [(field, header_for(field)) for field in _fields(type_name)]


#: The columns every event file has, whatever its types.
COMMON = ("event_id", "type", "unit_id")


def unknown_columns(unknown: list[str], types: Iterable[str]) -> Reason:
    """Why a file whose header names columns that are neither a field nor a Japanese header is
    not read: once for the file (not on every row), with a did-you-mean for each column and the
    columns its types can have (the file's ``types``; the common ones when none is known)."""
    known = [t for t in dict.fromkeys(types) if t in FAMILIES]
    fields = list(dict.fromkeys(f for t in known for f, _ in headers_of(t))) or list(COMMON)
    choices = [header_for(f) for f in fields] + fields
    ja_parts, en_parts = [], []
    for name in unknown:
        guess = did_you_mean(name, choices)
        ja_parts.append(f"列『{name}』は使えません" + (f"（もしかして『{guess}』？）" if guess else ""))
        en_parts.append(f"column '{name}' is not known" + (f" (did you mean '{guess}'?)" if guess else ""))
    usable_ja = "、".join(header_for(f) for f in fields)
    usable_en = ", ".join(f"{header_for(f)} ({f})" if header_for(f) != f else f for f in fields)
    which_ja = "" if known else "（種別ごとの列は docs/events.md を参照）"
    which_en = "" if known else " (the columns of each type are in docs/events.md)"
    return Reason(
        "",
        "csv_header_unknown",
        "。".join(ja_parts) + f"。使える列：{usable_ja}{which_ja}。このファイルは取り込んでいません",
        "; ".join(en_parts) + f". Usable columns: {usable_en}{which_en}. Nothing was read from this file",
    )
