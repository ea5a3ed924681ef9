"""pydantic's refusals of a rule, as ``file:line:column`` messages in Japanese and English.

Each error's ``loc`` (keys and list indexes, after the ``kind`` tag the discriminated union puts
first) is a path into the YAML document, so riskmon/rules/yamlpos.py gives its position. One
message per place: pydantic may refuse one value in several ways (each member of a union), and
the author needs to hear it once.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from riskmon.rules.schema import KEYS, SPECS
from riskmon.rules.words import did_you_mean, hint, msg
from riskmon.rules.yamlpos import Located, Path_, Problem

#: keys of the nested mappings of a rule, for a "did you mean" on a misspelt one
_NESTED_KEYS = {"title": ("ja", "en"), "message": ("ja", "en"), "owner": ("line", "unit"),
                "severity": ("default", "escalate", "warn", "critical"), "escalate": ("when", "to")}  # fmt: skip


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def translate(exc: ValidationError, doc: Located, base: Path_, kind: str | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[Path_] = set()
    for err in exc.errors(include_url=False):
        loc: list[Any] = list(err["loc"])
        if loc and loc[0] in SPECS:
            loc.pop(0)
        path, text = _one(err, tuple(loc), kind)
        if path in seen:
            continue
        seen.add(path)
        problems.append(doc.at((*base, *path), text))
    return problems


def _one(err: Any, loc: Path_, kind: str | None) -> tuple[Path_, str]:
    etype, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if "ja" in ctx and "en" in ctx:  # our own refusals (riskmon/rules/schema.py)
        return (*loc, *ctx.get("sub", ())), msg(ctx["ja"], ctx["en"])
    if etype == "union_tag_not_found":
        listed = ", ".join(SPECS)
        return ("kind",), msg(f"'kind' がありません。次のいずれか：{listed}", f"'kind' is missing; one of: {listed}")
    if etype == "union_tag_invalid":
        return ("kind",), _choice(ctx.get("tag"), list(SPECS), "kind")
    if etype == "missing":
        return loc[:-1], msg(f"必須項目 '{name}' がありません", f"required key '{name}' is missing")
    if etype == "extra_forbidden":
        parent = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), None)
        allowed = _NESTED_KEYS.get(parent or "", ()) if len(loc) > 1 else sorted(KEYS.get(kind or "", ()))
        ja, en = hint(did_you_mean(name, allowed))
        where_ja, where_en = (f"{kind}ルールでは", f"a key of a {kind} rule") if len(loc) == 1 else ("ここでは", "a key here")
        return (*loc, "__key__"), msg(f"'{name}' は{where_ja}使えない項目です{ja}", f"'{name}' is not {where_en}{en}")
    if etype in ("literal_error", "enum"):
        return loc, _choice(value, re.findall(r"'([^']*)'", ctx.get("expected", "")), name)
    if etype == "too_short" and loc == ("sources",):
        return loc, msg(
            "根拠（例 'S1:2164'）を1つ以上のリストで書いてください", "give at least one source citation as a list, e.g. ['S1:2164']"
        )
    if etype == "string_pattern_mismatch" and loc == ("id",):
        return loc, msg("id は英字で始まる英数字・_・- で書いてください（64文字まで）", "id must be letters, digits, _ or - (at most 64)")
    if etype == "string_type":
        return loc, msg(f"文字で書いてください：{_short(value)}", f"must be text: {_short(value)}")
    if etype == "bool_type":
        return loc, msg(f"true / false で書いてください：{_short(value)}", f"must be true or false: {_short(value)}")
    if etype in ("int_type", "int_parsing", "int_from_float"):
        return loc, msg(f"整数で書いてください：{_short(value)}", f"must be a whole number: {_short(value)}")
    if etype in ("greater_than_equal", "less_than_equal"):
        return loc, msg(f"範囲外です：{_short(value)}（{err['msg']}）", f"out of range: {_short(value)} ({err['msg']})")
    if etype == "list_type":
        return loc, msg(f"リスト [...] で書いてください：{_short(value)}", f"must be a list [...]: {_short(value)}")
    if etype in ("dict_type", "model_type", "model_attributes_type"):
        if name in ("title", "message"):
            return loc, msg(f"{name}は ja と en の両方を書いてください", f"{name} needs both 'ja' and 'en' text")
        if name == "owner":
            return loc, msg("owner は「{line: first|second|third, unit: 組織}」です", "owner is {line: ..., unit: ...}")
        if name == "severity" or (loc and loc[0] == "severity"):
            return loc, msg("severity は重大度か「{default: …, escalate: [{when: 条件, to: 重大度}]}」です",
                            "severity is a level or {default: ..., escalate: [{when: condition, to: level}]}")  # fmt: skip
        return loc, msg("「キー: 値」の形で書いてください", "must be a mapping of keys to values")
    return loc, msg(str(err["msg"]), str(err["msg"]))


def _choice(value: Any, choices: list[str], what: str) -> str:
    ja, en = hint(did_you_mean(value, choices))
    listed = ", ".join(choices)
    return msg(f"'{_short(value)}' は{what}に使えません{ja}。次のいずれか：{listed}",
               f"'{_short(value)}' is not a valid {what}{en}; one of: {listed}")  # fmt: skip
