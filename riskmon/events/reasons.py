"""Turning validation failures into sentences a rule author or office clerk can act on.

Each reason names the field and says, in Japanese and English, what is wrong and what would be
right, with a "did you mean" where a near spelling exists. Both wordings are stored, so the
quarantine can be shown in either language later.

JSON records are parsed here too (:func:`parse_json`), because how a record is parsed decides
which failures exist: jiter refuses a key given twice in one object (json.loads and pydantic keep
the last value silently) and bounds nesting without recursing in Python.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jiter import from_json
from pydantic import ValidationError

from riskmon.events.fields import MAX_YEAR, MIN_YEAR
from riskmon.events.models import EVENT_ADAPTER
from riskmon.events.registry import FAMILIES
from riskmon.i18n import Lang, msg

#: The bounds of a date field (riskmon.events.models.Day), as pydantic reports them.
_DAY_LIMITS = {date(MIN_YEAR, 1, 1).isoformat(), date(MAX_YEAR, 12, 31).isoformat()}
#: How deep JSON may nest before the parser refuses it (jiter's fixed limit; no record field
#: nests more than 3 levels, so anything deeper is refused by validation long before).
JSON_MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Reason:
    field: str
    code: str
    ja: str
    en: str

    def text(self, lang: Lang) -> str:
        return msg(self.ja, self.en, lang)

    def describe(self, lang: Lang) -> str:
        """``field: reason``, the way it follows ``file:line:`` in every report."""
        return f"{self.field}: {self.text(lang)}" if self.field else self.text(lang)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "ja": self.ja, "en": self.en}

    @classmethod
    def from_dict(cls, d: dict[str, str]) -> Reason:
        return cls(d.get("field", ""), d.get("code", ""), d.get("ja", ""), d.get("en", ""))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _hint(word: Any, choices: Iterable[str]) -> tuple[str, str]:
    guess = did_you_mean(str(word), choices)
    return (f"（もしかして '{guess}'？）", f" (did you mean '{guess}'?)") if guess else ("", "")


def _choices(expected: str) -> list[str]:
    return re.findall(r"'([^']*)'", expected)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fields_of(record_type: str | None) -> list[str]:
    family = FAMILIES.get(record_type or "")
    return list(family.field_names) if family else []


def translate(exc: ValidationError, record_type: str | None = None) -> list[Reason]:
    """One :class:`Reason` per problem pydantic found, in file order."""
    reasons = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        if loc and loc[0] in FAMILIES:  # discriminated unions prefix the location with the tag
            record_type = str(loc.pop(0))
        reasons.append(_one(err, ".".join(str(p) for p in loc), record_type))
    return reasons


def _one(err: Any, field: str, record_type: str | None) -> Reason:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "inconsistent":
        where = ".".join(filter(None, [field, ctx["field"]]))
        return Reason(where, kind, ctx["ja"], ctx["en"])
    if kind == "json_invalid":
        return Reason("", kind, f"JSON として読めません: {ctx.get('error')}", f"not valid JSON: {ctx.get('error')}")
    if kind in ("dict_type", "model_type", "model_attributes_type") and not field:
        return Reason("", kind, "1行に1つの JSON オブジェクト {…} が必要です", "each line must be one JSON object {...}")
    if kind == "union_tag_not_found":
        return Reason("type", "missing", "必須項目がありません（イベントの種類）", "required field is missing (the event type)")
    if kind == "union_tag_invalid":
        ja, en = _hint(ctx.get("tag"), FAMILIES)
        known = ", ".join(FAMILIES)
        return Reason(
            "type",
            kind,
            f"'{ctx.get('tag')}' は不明な種類です{ja}。使える種類: {known}",
            f"'{ctx.get('tag')}' is not a known event type{en}; known types: {known}",
        )
    if kind == "missing":
        return Reason(field, kind, "必須項目がありません", "required field is missing")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        ja, en = _hint(field, _fields_of(record_type))
        return Reason(field, kind, f"この種類にはない項目です{ja}", f"is not a field of this event type{en}")
    if kind in ("enum", "literal_error"):
        options = _choices(ctx.get("expected", ""))
        ja, en = _hint(value, options)
        listed = ", ".join(options)
        return Reason(
            field,
            kind,
            f"'{_short(value)}' は使えません{ja}。次のいずれか: {listed}",
            f"'{_short(value)}' is not allowed{en}; use one of: {listed}",
        )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Reason(field, kind, f"整数ではありません: '{_short(value)}'", f"not a whole number: '{_short(value)}'")
    if kind == "year_range" or (kind in ("greater_than_equal", "less_than_equal") and str(ctx.get("ge", ctx.get("le"))) in _DAY_LIMITS):
        shown = ctx.get("value", value)
        return Reason(
            field,
            "year_range",
            f"年は {MIN_YEAR}〜{MAX_YEAR} の範囲で指定してください: '{_short(shown)}'",
            f"the year must be between {MIN_YEAR} and {MAX_YEAR}: '{_short(shown)}'",
        )
    if kind == "less_than_equal":
        limit = ctx.get("le")
        return Reason(field, kind, f"{limit} 以下が必要です: {_short(value)}", f"must be at most {limit}: {_short(value)}")
    if kind == "int_parsing_size":
        return Reason(field, kind, "桁数が多すぎる整数です", "is a whole number with too many digits")
    if kind == "text_nul":
        return Reason(field, kind, "NUL 文字 (\\x00) は使えません", "must not contain the NUL character (\\x00)")
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        op_ja = "以上" if kind == "greater_than_equal" else "より大きい数"
        return Reason(field, kind, f"{limit}{op_ja}が必要です: {_short(value)}", f"must be at least {limit}: {_short(value)}")
    if kind in ("bool_parsing", "bool_type"):
        return Reason(
            field,
            kind,
            f"はい / いいえ（true / false）で指定してください: '{_short(value)}'",
            f"must be true or false (はい / いいえ): '{_short(value)}'",
        )
    if kind.startswith("date") and "datetime" not in kind.replace("date_from_datetime", ""):
        return Reason(
            field,
            kind,
            f"日付は YYYY-MM-DD 形式の実在する日付で指定してください: '{_short(value)}'",
            f"must be a real date as YYYY-MM-DD: '{_short(value)}'",
        )
    if kind.startswith("datetime"):
        return Reason(
            field,
            kind,
            f"日時は ISO 8601 形式（例 2025-04-01T09:30:00+09:00）で指定してください: '{_short(value)}'",
            f"must be an ISO 8601 date-time such as 2025-04-01T09:30:00+09:00: '{_short(value)}'",
        )
    if kind == "string_too_short":
        return Reason(field, kind, "空欄です", "is empty")
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return Reason(field, kind, f"{limit}文字を超えています", f"is longer than {limit} characters")
    if kind in ("string_type", "list_type"):
        what_ja, what_en = ("文字列", "text") if kind == "string_type" else ("リスト [...]", "a list [...]")
        return Reason(field, kind, f"{what_ja}で指定してください: {_short(value)}", f"must be {what_en}: {_short(value)}")
    return Reason(field, kind, err["msg"], err["msg"])


def unknown_unit(field: str, unit_id: str, known: Iterable[str]) -> Reason:
    ja, en = _hint(unit_id, known)
    return Reason(
        field,
        "unknown_unit",
        f"'{unit_id}' は組織マスタ (units) にない組織コードです{ja}",
        f"'{unit_id}' is not in the units master{en}",
    )


class BadJson(ValueError):
    """A JSON record that could not be parsed, with the reason to quarantine it under."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.en)
        self.reason = reason


_DUPLICATE = re.compile(r'^Detected duplicate key "(.*)" at line \d+ column \d+$', re.S)


def parse_json(raw: bytes | str, *, duplicates: bool = False) -> Any:
    """One JSON value, strictly: a key twice in one object, nesting deeper than
    :data:`JSON_MAX_DEPTH`, ``NaN`` and text that is not UTF-8 raise :class:`BadJson`.

    ``duplicates=True`` keeps the last value instead (only to name a bad record's type and id).
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    try:
        return from_json(data, catch_duplicate_keys=not duplicates, allow_inf_nan=False, cache_mode="keys")
    except ValueError as exc:
        raise BadJson(_json_reason(data, str(exc))) from None


def _json_reason(data: bytes, error: str) -> Reason:
    if dup := _DUPLICATE.match(error):
        key = dup.group(1)
        return Reason(
            key,
            "duplicate_key",
            "同じオブジェクトに同じ項目が2回あります（どちらの値が正しいか決められません）",
            "appears twice in one object (which value is meant cannot be told)",
        )
    if error.startswith("recursion limit exceeded"):
        return Reason(
            "",
            "json_depth",
            f"JSON の入れ子が深すぎます（{JSON_MAX_DEPTH} 段まで）",
            f"JSON is nested too deeply (at most {JSON_MAX_DEPTH} levels)",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return not_utf8()
    where = error.replace(" at line 1 column ", " at column ")
    return Reason("", "json_invalid", f"JSON として読めません: {where}", f"not valid JSON: {where}")


def not_utf8(line: int | None = None) -> Reason:
    """Text that is not UTF-8 — in practice a file saved by Excel as Shift_JIS (CP932)."""
    at_ja, at_en = (f"{line} 行目が ", f"line {line} is ") if line else ("", "is ")
    return Reason(
        "",
        "not_utf8",
        f"{at_ja}UTF-8 ではありません（Shift_JIS などで保存されています）。Excel では『CSV UTF-8』で保存し直してください",
        f"{at_en}not UTF-8 (saved as Shift_JIS or similar?); in Excel, save it again as 'CSV UTF-8'",
    )


def validate_record(data: bytes | str | dict[str, Any], context: dict[str, Any]) -> Any:
    """Validate one record of any family (JSON text or an already-parsed mapping).

    Raises :class:`BadJson` for text that does not parse and ``ValidationError`` for the rest.
    """
    return EVENT_ADAPTER.validate_python(data if isinstance(data, dict) else parse_json(data), context=context)


#: a workbook sheet's source: ``<path>.xlsx:<sheet>`` (riskmon.ingest.xlsx)
_SHEET_SOURCE = re.compile(r"\.xls[xm]:[^/\\]+$", re.IGNORECASE)


def where(source: str, line: int) -> str:
    """A record's place for people: ``file:line``, ``file:sheet!row`` for a sheet, and the file
    (or ``file:sheet``) alone for a file-level reject (line 0)."""
    if not line:
        return source
    return f"{source}!{line}" if _SHEET_SOURCE.search(source) else f"{source}:{line}"
