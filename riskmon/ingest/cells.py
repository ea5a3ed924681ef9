"""Reading one cell of a file made in an office: the forms Japanese Excel users type.

Why: a CSV saved by Japanese Excel (or a text cell of a workbook) holds ``１２`` in full-width
digits, ``1,234`` with a thousands separator, ``2026/4/6`` or ``令和8年4月7日`` as a date,
``2026/4/6 10:00`` as a date-time, ``はい`` for true and ``日次業務報告`` for the code
``daily_report``. :func:`normalise_cell` turns such a cell into the value the event model expects,
for the CSV reader and the xlsx reader alike, so both accept exactly the same forms.

It never guesses: a form that could mean two things (``4/6`` without a year, a two-digit year,
``6/4/2026``) or names no real day (``令和8年2月30日``, ``令和元年4月1日`` — before 令和 began) is
:class:`Refused` with the reason, and a cell in no recognised form is handed on unchanged so the
model's own reason names it. Free text and JSON cells are never rewritten. The function never
raises, whatever the text (tests/ingest/test_cells.py checks that with hypothesis).
"""

from __future__ import annotations

import dataclasses
import re
import types
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from riskmon.events.fields import Id
from riskmon.events.reasons import Reason
from riskmon.events.registry import FAMILIES
from riskmon.i18n import label

__all__ = ["ERAS", "Refused", "canonical", "kind_of", "normalise_cell", "type_code"]

Kind = Literal["int", "bool", "date", "datetime", "code", "id", "text", "json"]


@dataclass(frozen=True, slots=True)
class Refused:
    """A cell in a recognised form that cannot be read unambiguously; ``reason`` says why."""

    reason: Reason


#: The eras a date may be written in: name → (first day, last day or None). 元年 is year 1.
ERAS: dict[str, tuple[date, date | None]] = {
    "令和": (date(2019, 5, 1), None),
    "平成": (date(1989, 1, 8), date(2019, 4, 30)),
    "昭和": (date(1926, 12, 25), date(1989, 1, 7)),
}

_YES = {"はい", "true", "yes", "1"}
_NO = {"いいえ", "false", "no", "0"}
_MINUS = "\u2212\u2012\u2013\u30fc\uff70"  # minus sign, figure dash, en dash, 長音 (typed for マイナス)
_INT = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)")
_TIME = r"(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2}))?|時(?:(?P<mi2>\d{1,2})分(?:(?P<s2>\d{1,2})秒)?)?)"
_YMD = r"(?P<y>\d{4})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})|(?P<y2>\d{4})年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
_ERA = r"(?P<era>" + "|".join(ERAS) + r")(?P<ey>元|\d{1,3})年(?P<em>\d{1,2})月(?P<ed>\d{1,2})日"
_DATE = re.compile(rf"(?:{_YMD}|{_ERA})(?:(?:\s+|T){_TIME})?")
_NO_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}|\d{1,2}月\d{1,2}日")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{1,4}(\s+.*)?")
_TIME_ONLY = re.compile(_TIME)


def _plain(hint: Any) -> Any:
    """The type under ``Annotated`` and ``| None``."""
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    return hint


@cache
def _kinds(type_name: str) -> dict[str, tuple[Kind, tuple[str, ...]]]:
    """field → (kind, codes) for one event type, from the model's annotations."""
    model = FAMILIES[type_name].model
    hints = get_type_hints(model, include_extras=True)
    out: dict[str, tuple[Kind, tuple[str, ...]]] = {}
    for f in dataclasses.fields(model):
        hint = _plain(hints[f.name])
        base = get_args(hint)[0] if get_origin(hint) is Annotated else hint
        kind: Kind
        codes: tuple[str, ...] = ()
        if hint == Id:
            kind = "id"
        elif base is bool:
            kind = "bool"
        elif base is int:
            kind = "int"
        elif base is datetime:
            kind = "datetime"
        elif base is date:
            kind = "date"
        elif isinstance(base, type) and issubclass(base, Enum):
            kind, codes = "code", tuple(str(m.value) for m in base)
        elif get_origin(base) is Literal:
            kind, codes = "code", tuple(str(a) for a in get_args(base))
        elif get_origin(base) is list:
            kind = "json"
        else:
            kind = "text"
        out[f.name] = (kind, codes)
    return out


def kind_of(field: str, type_name: str | None = None) -> tuple[Kind, tuple[str, ...]]:
    """What a field holds — for ``type_name``, or for every type that has it when they agree
    (``text`` when the type is unknown and the types disagree: the cell is then left alone)."""
    if type_name in FAMILIES:
        return _kinds(type_name).get(field, ("text", ()))
    if field == "type":
        return "code", tuple(FAMILIES)
    found = {_kinds(name)[field] for name in FAMILIES if field in _kinds(name)}
    return found.pop() if len(found) == 1 else ("text", ())


@cache
def _labels(codes: tuple[str, ...]) -> dict[str, str]:
    """Japanese label → code among ``codes``, only for labels that name one code."""
    seen: dict[str, set[str]] = {}
    for code in codes:
        seen.setdefault(label(code, "ja"), set()).add(code)
    return {words: next(iter(found)) for words, found in seen.items() if len(found) == 1 and words not in codes}


def type_code(text: str) -> str:
    """An event type as written in a 種別 cell: the code, or its Japanese label (日次業務報告)."""
    value = normalise_cell("type", text)
    return value if isinstance(value, str) else text.strip()


def normalise_cell(field: str, text: str, type_name: str | None = None) -> Any:
    """The value of one text cell for ``field`` (of ``type_name`` when known): an ``int``,
    ``bool``, ``date``, naive ``datetime`` (the model applies the configured zone) or code for a
    recognised form, :class:`Refused` for an ambiguous or impossible one, else the stripped text."""
    kind, codes = kind_of(field, type_name)
    stripped = text.strip()
    if kind in ("text", "json") or not stripped:
        return stripped
    narrow = unicodedata.normalize("NFKC", stripped)
    if kind == "id":
        return narrow if narrow.isascii() else stripped
    if kind == "code":
        return narrow if narrow in codes else _labels(codes).get(stripped, stripped)
    if kind == "bool":
        low = narrow.lower()
        return True if low in _YES else False if low in _NO else stripped
    if kind == "int":
        signed = narrow.translate({ord(c): "-" for c in _MINUS})
        if not _INT.fullmatch(signed):
            return stripped
        digits = signed.replace(",", "")
        return int(digits) if len(digits) <= 40 else digits  # too long for any field: the model says so
    return _when(narrow, stripped, kind)


def _when(narrow: str, stripped: str, kind: Kind) -> Any:
    match = _DATE.fullmatch(narrow)
    if match is None:
        return _unreadable_when(narrow, stripped, kind)
    g = match.groupdict()
    if g["era"]:
        day = _era_day(g["era"], 1 if g["ey"] == "元" else int(g["ey"]), int(g["em"]), int(g["ed"]), stripped)
    else:
        y, m, d = (g["y"], g["m"], g["d"]) if g["y"] else (g["y2"], g["m2"], g["d2"])
        day = _day(int(y), int(m), int(d), stripped)
    if isinstance(day, Refused):
        return day
    if g["h"] is None:
        return day if kind == "date" else datetime.combine(day, time())
    if kind == "date":
        return _refused("date_with_time", f"日付の欄に時刻があります：'{stripped}'", f"has a time in a date field: '{stripped}'")
    minute, second = g["mi"] or g["mi2"] or "0", g["s"] or g["s2"] or "0"
    try:
        return datetime.combine(day, time(int(g["h"]), int(minute), int(second)))
    except ValueError:
        return _refused("time_not_real", f"実在しない時刻です：'{stripped}'", f"is not a real time of day: '{stripped}'")


def _unreadable_when(narrow: str, stripped: str, kind: Kind) -> Any:
    """A date written without its year, with two digits of year or day-first, or a lone time."""
    if _NO_YEAR.fullmatch(narrow):
        return _refused("date_no_year", f"年がありません（何年か決められません）：'{stripped}'（例：2026/4/6）",
                        f"has no year (which year is meant cannot be told): '{stripped}'; e.g. 2026/4/6")  # fmt: skip
    if _SHORT_YEAR.fullmatch(narrow):
        return _refused("date_ambiguous", f"年・月・日の順が決められません：'{stripped}'。年を4桁で先に書いてください（例：2026/4/6）",
                        f"the order of year, month and day cannot be told: '{stripped}'; write the year first, "
                        "in 4 digits (e.g. 2026/4/6)")  # fmt: skip
    if kind == "datetime" and _TIME_ONLY.fullmatch(narrow):
        return _refused("time_no_date", f"日付がありません（時刻だけです）：'{stripped}'（例：2026/4/6 10:00）",
                        f"has a time but no date: '{stripped}'; e.g. 2026/4/6 10:00")  # fmt: skip
    return stripped


def _day(y: int, m: int, d: int, shown: str) -> date | Refused:
    try:
        return date(y, m, d)
    except ValueError:
        return _refused("date_not_real", f"実在しない日付です：'{shown}'", f"is not a real date: '{shown}'")


def _era_day(era: str, year: int, m: int, d: int, shown: str) -> date | Refused:
    first, last = ERAS[era]
    day = _day(first.year + year - 1, m, d, shown)
    if isinstance(day, date) and (year < 1 or day < first or (last is not None and day > last)):
        return _refused("date_not_in_era", f"{era}にない日付です：'{shown}'", f"is not a date of the {era} era: '{shown}'")
    return day


def _refused(code: str, ja: str, en: str) -> Refused:
    return Refused(Reason("", code, ja, en))


def canonical(value: Any) -> str:
    """How a parsed value is written in an event file (riskmon's own form): the text a cell is
    compared with to tell whether it was rewritten."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)
