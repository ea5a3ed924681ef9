"""A sheet's header row: which column holds which field, or the one reason the sheet is not read.

Why a separate step: a column the header does not name would otherwise be a reason on every row
(or, dropped, a value lost without a word). It is found once, in the header, and said once for
the sheet — with a "did you mean" and the columns that can be used — and the sheet is not read,
as a CSV file whose header names a column twice is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskmon.events.reasons import Reason, did_you_mean
from riskmon.events.units import UnitRecord
from riskmon.i18n import label
from riskmon.ingest.codes import sheet_type
from riskmon.ingest.headers import HEADERS, field_for, header_for, headers_of

__all__ = ["Columns", "read_header"]


@dataclass
class Columns:
    fields: dict[int, str] = field(default_factory=dict)  # column number → field
    headers: dict[int, str] = field(default_factory=dict)  # column number → the header as written
    failure: Reason | None = None


def read_header(cells: list[dict[str, Any]], sheet: str, *, units: bool = False) -> Columns:
    """The columns of a sheet from its header row (the cells that hold a value)."""
    kind = None if units else sheet_type(sheet)
    allowed = _allowed(kind, units)
    out = Columns()
    unknown: list[str] = []
    for cell in cells:
        if cell["value"] is None:  # a formula with no saved result: no name to read
            continue
        text = str(cell["value"]).strip()
        name = field_for(text) if not units else text
        if name is None or (allowed is not None and name not in allowed):
            unknown.append(text)
            continue
        out.fields[cell["column"]] = name
        out.headers[cell["column"]] = text
    if unknown:
        out.failure = _unknown(unknown, kind, units)
        return out
    names = list(out.fields.values())
    doubled = sorted({header_for(n) for n in names if names.count(n) > 1})
    if doubled:
        listed = "、".join(f"『{d}』" for d in doubled)
        out.failure = Reason(
            "", "xlsx_header",
            f"見出し行に同じ列が2回あります：{listed}（どちらの列が正しいか決められないため、シートを読みません）",
            f"the header names a column twice: {', '.join(doubled)} (which one is meant cannot be told, so the sheet is not read)",
        )  # fmt: skip
    return out


def _allowed(kind: str | None, units: bool) -> set[str] | None:
    if units:
        return set(UnitRecord.model_fields)
    if kind is None:
        return None  # a sheet of mixed types: any event field; each row is checked against its type
    return {f for f, _ in headers_of(kind)}


def _unknown(names: list[str], kind: str | None, units: bool) -> Reason:
    if units:
        usable = list(UnitRecord.model_fields)
        candidates = usable
    elif kind is not None:
        usable = [h for _, h in headers_of(kind)]
        candidates = usable + [f for f, _ in headers_of(kind)]
    else:
        usable = []
        candidates = list(HEADERS) + list(HEADERS.values())
    ja_parts, en_parts = [], []
    for name in names:
        guess = did_you_mean(name, candidates)
        if guess is not None and not units:
            guess = header_for(field_for(guess) or guess)
        ja_parts.append(f"列『{name}』は使えません" + (f"（もしかして『{guess}』？）" if guess else ""))
        en_parts.append(f"column '{name}' is not known" + (f" (did you mean '{guess}'?)" if guess else ""))
    if usable:
        of_ja, of_en = (f"（{label(kind, 'ja')}）", f" ({label(kind, 'en')})") if kind else ("", "")
        ja_tail = f"。使える列{of_ja}：" + "、".join(usable)
        en_tail = f"; columns{of_en}: " + ", ".join(usable)
    else:
        ja_tail = "。使える列は種別ごとに決まっています（riskmon templates write で種別ごとの見本を書き出せます）"
        en_tail = "; the columns depend on the type (riskmon templates write writes a template for each)"
    return Reason("", "xlsx_header", "、".join(ja_parts) + ja_tail + "。シートを読みません",
                  "; ".join(en_parts) + en_tail + "; the sheet is not read")  # fmt: skip
